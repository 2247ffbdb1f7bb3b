#include "collectors/netclass.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/rtnetlink.h>
#include <re2/re2.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "base/split.h"
#include "collectors/genetlink.h"
#include "collectors/procfs_helpers.h"
#include "collectors/rtnetlink.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
constexpr expo::MetricType kG = expo::MetricType::kGauge;
constexpr expo::MetricType kC = expo::MetricType::kCounter;

constexpr Desc kUp{"node_network_up", "1 if the device's operstate is \"up\", else 0.", kG};
constexpr Desc kInfo{"node_network_info", "Textual properties of a network device; always 1.", kG};
constexpr Desc kAddrAssignType{"node_network_address_assign_type",
                               "How the device's hardware address was assigned (addr_assign_type).", kG};
constexpr Desc kCarrier{"node_network_carrier", "1 if the device has carrier (carrier).", kG};
constexpr Desc kCarrierChanges{"node_network_carrier_changes_total", "Carrier state changes of the device.", kC};
constexpr Desc kCarrierUp{"node_network_carrier_up_changes_total", "Times the device's carrier came up.", kC};
constexpr Desc kCarrierDown{"node_network_carrier_down_changes_total", "Times the device's carrier went down.", kC};
constexpr Desc kDevId{"node_network_device_id", "Device id distinguishing ports sharing an address (dev_id).", kG};
constexpr Desc kDormant{"node_network_dormant", "The device's dormant attribute.", kG};
constexpr Desc kFlags{"node_network_flags", "The device's IFF_* flags as a number.", kG};
constexpr Desc kIfaceId{"node_network_iface_id", "The device's interface index (ifindex).", kG};
constexpr Desc kIfaceLink{"node_network_iface_link", "Interface index of the device's lower link (iflink).", kG};
constexpr Desc kLinkMode{"node_network_iface_link_mode", "The device's link mode (link_mode).", kG};
constexpr Desc kMtu{"node_network_mtu_bytes", "The device's MTU in bytes.", kG};
constexpr Desc kNameAssignType{"node_network_name_assign_type", "How the device's name was assigned.", kG};
constexpr Desc kNetDevGroup{"node_network_net_dev_group", "The device's group number (netdev_group).", kG};
constexpr Desc kSpeed{"node_network_speed_bytes", "The device's link speed in bytes per second.", kG};
constexpr Desc kTxQueueLen{"node_network_transmit_queue_length", "The device's transmit queue length.", kG};
constexpr Desc kProtocolType{"node_network_protocol_type", "The device's ARPHRD_* hardware type.", kG};

// --collector.netclass_rtnl.with-stats, in struct rtnl_link_stats64 order.
constexpr Desc kStats[24] = {
    {"node_network_receive_packets_total", "Packets received (netlink).", kG},
    {"node_network_transmit_packets_total", "Packets sent (netlink).", kG},
    {"node_network_receive_bytes_total", "Bytes received (netlink).", kG},
    {"node_network_transmit_bytes_total", "Bytes sent (netlink).", kG},
    {"node_network_receive_errors_total", "Receive errors (netlink).", kG},
    {"node_network_transmit_errors_total", "Transmit errors (netlink).", kG},
    {"node_network_receive_dropped_total", "Received packets dropped (netlink).", kG},
    {"node_network_transmit_dropped_total", "Packets dropped on transmit (netlink).", kG},
    {"node_network_multicast_total", "Multicast packets received (netlink).", kG},
    {"node_network_collisions_total", "Collisions (netlink).", kG},
    {"node_network_receive_length_errors_total", "Received packets with a bad length (netlink).", kG},
    {"node_network_receive_over_errors_total", "Receive ring overflows (netlink).", kG},
    {"node_network_receive_crc_errors_total", "Received packets with a CRC error (netlink).", kG},
    {"node_network_receive_frame_errors_total", "Receive frame alignment errors (netlink).", kG},
    {"node_network_receive_fifo_errors_total", "Receive FIFO overruns (netlink).", kG},
    {"node_network_receive_missed_errors_total", "Packets missed by the host (netlink).", kG},
    {"node_network_transmit_aborted_errors_total", "Aborted transmissions (netlink).", kG},
    {"node_network_transmit_carrier_errors_total", "Transmit carrier losses (netlink).", kG},
    {"node_network_transmit_fifo_errors_total", "Transmit FIFO errors (netlink).", kG},
    {"node_network_transmit_heartbeat_errors_total", "Transmit heartbeat errors (netlink).", kG},
    {"node_network_transmit_window_errors_total", "Late collisions on transmit (netlink).", kG},
    {"node_network_receive_compressed_total", "Compressed packets received (netlink).", kG},
    {"node_network_transmit_compressed_total", "Compressed packets sent (netlink).", kG},
    {"node_network_receive_nohandler_total", "Received packets without a protocol handler (netlink).", kG},
};

constexpr std::string_view kAttributeNames[] = {
    "addr_assign_type",
    "address",
    "broadcast",
    "carrier",
    "carrier_changes",
    "carrier_up_count",
    "carrier_down_count",
    "dev_id",
    "dormant",
    "duplex",
    "flags",
    "ifalias",
    "ifindex",
    "iflink",
    "link_mode",
    "mtu",
    "name_assign_type",
    "netdev_group",
    "operstate",
    "speed",
    "tx_queue_len",
    "type",
};

constexpr std::string_view kSysfsForNetlink[] = {"addr_assign_type", "dev_id", "name_assign_type"};

// The default variant's reads for a device whose other attributes come from
// the RTM_GETLINK dump (NetClassIfaceFromLink). ifindex comes first: it is
// what proves the sysfs directory and the dump describe the same device.
// speed and duplex answer EINVAL unless the device runs.
constexpr std::string_view kSysfsBesideLink[] = {"ifindex", "addr_assign_type", "dev_id", "flags", "name_assign_type"};
constexpr std::string_view kSysfsBesideRunningLink[] = {"duplex", "speed"};

// IF_OPER_* names, as node_exporter's netlink variant spells them.
constexpr std::string_view kOperStates[] = {"unknown", "notpresent", "down", "lowerlayerdown",
                                            "testing", "dormant",    "up"};

void AddOpt(expo::MetricSet& out, const Desc& desc, const std::optional<int64_t>& v, std::string_view device) {
  if (v) out.Add(desc, static_cast<double>(*v), {{"device", device}});
}

// int64(speed * 1000 * 1000 / 8) with Go's wrapping int64 arithmetic.
int64_t SpeedBytes(int64_t mbit) {
  uint64_t bits = static_cast<uint64_t>(mbit) * 1000u * 1000u;
  return static_cast<int64_t>(bits) / 8;
}

// One device of the ethtool link-modes dump, kept across scrapes so its name
// string is reused.
struct LinkModeEntry {
  std::string name;
  uint32_t speed = 0;
  uint8_t duplex = 0;
};

// One link of the default variant's RTM_GETLINK dump, with its strings
// copied out of the receive buffer.
struct CachedLink {
  NetClassLink link;  // Its views are stale; View() points them at the copies.
  std::string name, address, broadcast, ifalias;

  NetClassLink View() const {
    NetClassLink l = link;
    l.name = name;
    l.address = address;
    l.broadcast = broadcast;
    l.ifalias = ifalias;
    return l;
  }
};

class NetclassCollector : public Collector, private NetClassLinkSink, private EthtoolLinkModeSink {
 public:
  NetclassCollector(const Context& ctx, std::unique_ptr<RE2> ignored)
      : class_net_(ctx.Sys("class/net")),
        ignored_(std::move(ignored)),
        log_(ctx.log),
        ignore_invalid_speed_(procfs_helpers::BoolFlagOr(ctx, "collector.netclass.ignore-invalid-speed", false)),
        netlink_(procfs_helpers::BoolFlagOr(ctx, "collector.netclass.netlink", false)),
        with_stats_(procfs_helpers::BoolFlagOr(ctx, "collector.netclass_rtnl.with-stats", false)) {}

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    out_ = &out;
    return netlink_ ? CollectNetlink() : CollectSysfs();
  }

 private:
  bool Ignored(std::string_view name) const { return ignored_ && procfs_helpers::Matches(*ignored_, name); }

  // Reads attribute `name` of the device directory path_ (open as device_)
  // into iface_, through fds kept open across scrapes (within AttrFiles'
  // process-wide budget). Returns 0 or a fatal errno.
  int ReadAttr(std::string_view name) {
    attr_path_.assign(path_).append("/").append(name);
    std::string_view raw;
    int err = attrs_.ReadAt(attr_path_, device_.get(), name, sysfs::kSysReadFileSize, &raw);
    if (err != 0) return NetClassIgnorableError(err) ? 0 : err;
    ParseNetClassAttribute(name, TrimSpace(raw), &iface_);
    return 0;
  }

  // Opens path_ (a device directory) as device_, for the attributes opened
  // relative to it. False when it no longer exists: a device removed since
  // the listing is simply gone from this scrape.
  bool OpenDevice() {
    device_.reset(::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    return device_.valid();
  }

  // Reads the attributes `names` of the device at path_ into iface_. Returns
  // false after setting *result for a fatal error.
  bool ReadAttrs(std::span<const std::string_view> names, std::string_view device, Status* result) {
    for (std::string_view attr : names) {
      int err = ReadAttr(attr);
      if (err != 0) {
        *result = Status::Error("could not get net class info: failed to read file \"" + class_net_ + "/" +
                                std::string(device) + "/" + std::string(attr) + "\": " + std::strerror(err));
        return false;
      }
    }
    return true;
  }

  Status CollectSysfs() {
    DIR* dir = ::opendir(class_net_.c_str());
    if (dir == nullptr) {
      int err = errno;
      if (err == ENOENT || err == EACCES || err == EPERM) {
        if (log_ != nullptr && log_->Enabled(LogLevel::kDebug)) {
          log_->Debug("Could not read netclass file", {{"err", std::strerror(err)}});
        }
        return Status::NoData(class_net_ + ": " + std::strerror(err));
      }
      return Status::Error("could not get net class info: " + class_net_ + ": " + std::strerror(err));
    }
    listed_count_ = 0;
    while (const dirent* e = ::readdir(dir)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      unsigned char type = e->d_type;
      if (type == DT_UNKNOWN) {
        struct stat st;
        if (::fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) type = DT_REG;
      }
      if (type == DT_REG) continue;  // bonding_masters
      if (listed_count_ == listed_.size()) listed_.emplace_back();
      listed_[listed_count_++].assign(name);
    }
    ::closedir(dir);
    Status result = Status::Ok();
    const bool from_links = DumpLinksMatchingListing() && SameNetns(&result);
    if (!result.ok()) {
      device_.reset();
      attrs_.Sweep();
      return result;
    }
    for (size_t n = 0; n < listed_count_; ++n) {
      std::string_view name = listed_[n];
      if (Ignored(name)) continue;
      path_.assign(class_net_).append("/").append(name);
      if (!OpenDevice()) continue;
      iface_.Reset();
      const CachedLink* link = from_links ? FindLink(name) : nullptr;
      bool ok;
      if (link != nullptr && ReadAttrs(kSysfsBesideLink, name, &result) && iface_.ifindex == link->link.index) {
        NetClassIfaceFromLink(link->View(), &iface_);
        ok = (link->link.flags & IFF_UP) == 0 || ReadAttrs(kSysfsBesideRunningLink, name, &result);
      } else {
        // No dump, or this sysfs directory is not the device the dump named.
        iface_.Reset();
        ok = result.ok() && ReadAttrs(kAttributeNames, name, &result);
      }
      if (!ok) break;
      EmitSysfs(name);
    }
    device_.reset();
    attrs_.Sweep();
    return result;
  }

  // One RTM_GETLINK dump into links_, sorted by name. True when it lists
  // exactly the devices listed_ holds, so that its fields can stand in for
  // their sysfs attributes. After a failed dump (logged once; a seccomp
  // profile without netlink fails at socket(), cheaply) that scrape reads
  // every attribute from sysfs, as without netlink.
  bool DumpLinksMatchingListing() {
    if (!live_sysfs_) {
      // A tree that is not sysfs (a copy, a test fixture) never stands for
      // this machine's links, whatever names it has.
      struct statfs fs;
      live_sysfs_ = ::statfs(class_net_.c_str(), &fs) == 0 && fs.f_type == SYSFS_MAGIC;
    }
    if (!*live_sysfs_) return false;
    link_count_ = 0;
    collecting_links_ = true;
    static const rtnl::LinkDumpRequest kSkipStats(/*skip_stats=*/true);
    Status st = socket_.Dump(RTM_GETLINK, kSkipStats.header(),
                             [this](std::span<const uint8_t> buf, uint32_t seq) -> StatusOr<bool> {
                               return DecodeNetClassLinkDump(buf, seq, *this);
                             });
    collecting_links_ = false;
    if (!st.ok()) {
      if (!logged_dump_failure_ && log_ != nullptr) {
        log_->Info("netclass: reading every attribute from sysfs, the RTM_GETLINK dump failed",
                   {{"err", st.message()}});
        logged_dump_failure_ = true;
      }
      return false;
    }
    if (link_count_ != listed_count_) return false;
    link_order_.resize(link_count_);
    for (uint32_t i = 0; i < link_count_; ++i) link_order_[i] = i;
    std::sort(link_order_.begin(), link_order_.end(),
              [this](uint32_t a, uint32_t b) { return links_[a].name < links_[b].name; });
    for (size_t n = 0; n < listed_count_; ++n) {
      if (FindLink(listed_[n]) == nullptr) return false;
    }
    return true;
  }

  // Whether this sysfs shows the network namespace the dump came from, which
  // is not so when it was mounted from another one (a pod without
  // hostNetwork given the host's /sys): the same names and ifindexes are
  // common there (lo is 1, eth0 often 2 everywhere). Settled for good once
  // every device's sysfs ifindex and address match the dump and at least one
  // of those addresses is a real one (not empty, not all zero), which two
  // namespaces do not share; until then each scrape checks and, without
  // proof, reads everything from sysfs. Sets *result on a fatal read error.
  bool SameNetns(Status* result) {
    if (netns_verified_) return true;
    bool proof = false;
    for (size_t n = 0; n < listed_count_; ++n) {
      std::string_view name = listed_[n];
      const CachedLink* link = FindLink(name);
      path_.assign(class_net_).append("/").append(name);
      if (link == nullptr || !OpenDevice()) return false;
      iface_.Reset();
      static constexpr std::string_view kIdentity[] = {"ifindex", "address"};
      if (!ReadAttrs(kIdentity, name, result)) return false;
      address_.clear();
      AppendHardwareAddr(link->address, &address_);
      if (iface_.ifindex != link->link.index || iface_.address != address_) return false;
      if (link->address.find_first_not_of('\0') != std::string::npos) proof = true;
    }
    netns_verified_ = proof;
    return proof;
  }

  const CachedLink* FindLink(std::string_view name) const {
    auto it = std::lower_bound(link_order_.begin(), link_order_.end(), name,
                               [this](uint32_t i, std::string_view n) { return links_[i].name < n; });
    if (it == link_order_.end() || links_[*it].name != name) return nullptr;
    return &links_[*it];
  }

  void StoreLink(const NetClassLink& l) {
    if (link_count_ == links_.size()) links_.emplace_back();
    CachedLink& c = links_[link_count_++];
    c.link = l;
    c.name.assign(l.name);
    c.address.assign(l.address);
    c.broadcast.assign(l.broadcast);
    c.ifalias.assign(l.ifalias);
  }

  void EmitSysfs(std::string_view device) {
    expo::MetricSet& out = *out_;
    const NetClassIface& i = iface_;
    out.Add(kUp, i.operstate == "up" ? 1 : 0, {{"device", device}});
    std::string_view admin = !i.flags ? "unknown" : (*i.flags & 1) == 1 ? "up" : "down";
    out.Add(kInfo, 1,
            {{"device", device},
             {"address", i.address},
             {"broadcast", i.broadcast},
             {"duplex", i.duplex},
             {"operstate", i.operstate},
             {"adminstate", admin},
             {"ifalias", i.ifalias}});
    AddOpt(out, kAddrAssignType, i.addr_assign_type, device);
    AddOpt(out, kCarrier, i.carrier, device);
    AddOpt(out, kCarrierChanges, i.carrier_changes, device);
    AddOpt(out, kCarrierUp, i.carrier_up_count, device);
    AddOpt(out, kCarrierDown, i.carrier_down_count, device);
    AddOpt(out, kDevId, i.dev_id, device);
    AddOpt(out, kDormant, i.dormant, device);
    AddOpt(out, kFlags, i.flags, device);
    AddOpt(out, kIfaceId, i.ifindex, device);
    AddOpt(out, kIfaceLink, i.iflink, device);
    AddOpt(out, kLinkMode, i.link_mode, device);
    AddOpt(out, kMtu, i.mtu, device);
    AddOpt(out, kNameAssignType, i.name_assign_type, device);
    AddOpt(out, kNetDevGroup, i.netdev_group, device);
    // Some drivers report -1 for an unknown speed.
    if (i.speed && (*i.speed >= 0 || !ignore_invalid_speed_)) {
      out.Add(kSpeed, static_cast<double>(SpeedBytes(*i.speed)), {{"device", device}});
    }
    AddOpt(out, kTxQueueLen, i.tx_queue_len, device);
    AddOpt(out, kProtocolType, i.type, device);
  }

  void LogNoEthtool() {
    if (!logged_no_ethtool_ && log_ != nullptr) {
      log_->Info("ETHTOOL netlink interface unavailable, duplex and linkspeed are not scraped.");
      logged_no_ethtool_ = true;
    }
  }

  // Fills modes_[0, mode_count_) from one ETHTOOL_MSG_LINKMODES_GET dump,
  // sorted by name, and exports their speed. A kernel without the ethtool
  // family leaves it empty; so does ENOENT from the dump, which is how
  // node_exporter tells "unavailable" from a failure.
  Status CollectLinkModes() {
    mode_count_ = 0;
    if (ethtool_missing_) return Status::Ok();
    int err = 0;
    if (ethtool_family_ == 0) {
      Status st = ethtool_socket_.ResolveFamily(ETHTOOL_GENL_NAME, &ethtool_family_, &err);
      if (!st.ok()) {
        ethtool_family_ = 0;
        if (err == ENOENT) {
          ethtool_missing_ = true;
          LogNoEthtool();
          return Status::Ok();
        }
        return Status::Error("could not get link modes: " + st.message());
      }
    }
    const uint16_t family = ethtool_family_;
    Status st = ethtool_socket_.Dump(
        family, ETHTOOL_MSG_LINKMODES_GET, ETHTOOL_GENL_VERSION,
        [](nlmsghdr* nlh) {
          nlattr* nest = mnl_attr_nest_start(nlh, ETHTOOL_A_LINKMODES_HEADER);
          mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_FLAGS, ETHTOOL_FLAG_COMPACT_BITSETS);
          mnl_attr_nest_end(nlh, nest);
        },
        [this, family](std::span<const uint8_t> buf, uint32_t seq) -> StatusOr<bool> {
          return DecodeEthtoolLinkModesDump(buf, seq, family, *this);
        },
        &err);
    if (!st.ok()) {
      mode_count_ = 0;
      // The family id is looked up again once the socket is reopened.
      ethtool_family_ = 0;
      if (err == ENOENT) {
        LogNoEthtool();
        return Status::Ok();
      }
      return Status::Error("could not get link modes: " + st.message());
    }
    // Sorted for lookups by name; for a name seen twice the last one wins,
    // as in node_exporter's map.
    std::stable_sort(modes_.begin(), modes_.begin() + static_cast<ptrdiff_t>(mode_count_),
                     [](const LinkModeEntry& a, const LinkModeEntry& b) { return a.name < b.name; });
    for (size_t i = 0; i < mode_count_; ++i) {
      const LinkModeEntry& m = modes_[i];
      if (i + 1 < mode_count_ && modes_[i + 1].name == m.name) continue;
      if (Ignored(m.name)) continue;
      out_->Add(kSpeed, EthtoolSpeedBytes(m.speed), {{"device", m.name}});
    }
    return Status::Ok();
  }

  void OnLinkMode(const EthtoolLinkMode& m) override {
    if (mode_count_ == modes_.size()) modes_.emplace_back();
    LinkModeEntry& e = modes_[mode_count_++];
    e.name.assign(m.name);
    e.speed = m.speed;
    e.duplex = m.duplex;
  }

  // The link mode of device `name` from this scrape's ethtool dump, if any.
  const LinkModeEntry* FindLinkMode(std::string_view name) const {
    auto end = modes_.begin() + static_cast<ptrdiff_t>(mode_count_);
    auto it = std::upper_bound(modes_.begin(), end, name,
                               [](std::string_view n, const LinkModeEntry& e) { return n < e.name; });
    if (it == modes_.begin()) return nullptr;
    --it;
    return it->name == name ? &*it : nullptr;
  }

  Status CollectNetlink() {
    Status modes = CollectLinkModes();
    if (!modes.ok()) return modes;
    link_error_ = Status::Ok();
    // IFLA_STATS64 (--collector.netclass_rtnl.with-stats) comes either way.
    static const rtnl::LinkDumpRequest kSkipStats(/*skip_stats=*/true);
    Status st = socket_.Dump(RTM_GETLINK, kSkipStats.header(),
                             [this](std::span<const uint8_t> buf, uint32_t seq) -> StatusOr<bool> {
                               return DecodeNetClassLinkDump(buf, seq, *this);
                             });
    device_.reset();
    attrs_.Sweep();
    if (!st.ok()) return Status::Error("could not get net class info: " + st.message());
    return link_error_;
  }

  void OnLink(const NetClassLink& l) override {
    if (collecting_links_) {
      StoreLink(l);
      return;
    }
    if (!link_error_.ok() || Ignored(l.name)) return;
    // The attributes netlink lacks; they take a per-device lock, not RTNL.
    iface_.Reset();
    path_.assign(class_net_).append("/").append(l.name);
    if (OpenDevice()) {
      for (std::string_view attr : kSysfsForNetlink) {
        int err = ReadAttr(attr);
        if (err != 0) {
          link_error_ = Status::Error("could not get sysfs device info: failed to read file \"" + path_ + "/" +
                                      std::string(attr) + "\": " + std::strerror(err));
          return;
        }
      }
    }
    expo::MetricSet& out = *out_;
    std::string_view device = l.name;
    auto add = [&](const Desc& d, double v) { out.Add(d, v, {{"device", device}}); };
    add(kUp, l.operstate == 6 ? 1 : 0);
    address_.clear();
    AppendHardwareAddr(l.address, &address_);
    broadcast_.clear();
    AppendHardwareAddr(l.broadcast, &broadcast_);
    std::string_view oper = l.operstate < std::size(kOperStates) ? kOperStates[l.operstate] : "unknown";
    duplex_.clear();
    if (const LinkModeEntry* m = FindLinkMode(device)) EthtoolDuplexLabel(m->duplex, &duplex_);
    out.Add(kInfo, 1,
            {{"device", device},
             {"address", address_},
             {"broadcast", broadcast_},
             {"duplex", duplex_},
             {"operstate", oper},
             {"ifalias", l.has_alias ? l.ifalias : std::string_view()}});
    AddOpt(out, kAddrAssignType, iface_.addr_assign_type, device);
    if (l.carrier) add(kCarrier, *l.carrier);
    if (l.carrier_changes) add(kCarrierChanges, *l.carrier_changes);
    if (l.carrier_up_count) add(kCarrierUp, *l.carrier_up_count);
    if (l.carrier_down_count) add(kCarrierDown, *l.carrier_down_count);
    AddOpt(out, kDevId, iface_.dev_id, device);
    add(kFlags, l.flags);
    add(kIfaceId, l.index);
    if (l.link_mode) {
      add(kLinkMode, *l.link_mode);
      add(kDormant, *l.link_mode);  // node_exporter reports link_mode as dormant here.
    }
    // The kernel omits IFLA_LINK when it equals the link's own index.
    add(kIfaceLink, l.link > 0 ? static_cast<double>(l.link) : static_cast<double>(l.index));
    add(kMtu, l.mtu);
    AddOpt(out, kNameAssignType, iface_.name_assign_type, device);
    add(kNetDevGroup, l.group);
    add(kTxQueueLen, l.txqlen);
    add(kProtocolType, l.type);
    if (with_stats_ && l.has_stats64) {
      for (size_t i = 0; i < std::size(kStats); ++i) add(kStats[i], static_cast<double>(l.stats64[i]));
    }
  }

  std::mutex mu_;
  std::string class_net_;
  std::unique_ptr<RE2> ignored_;
  Logger* log_;
  const bool ignore_invalid_speed_;
  const bool netlink_;
  const bool with_stats_;
  bool logged_no_ethtool_ = false;

  expo::MetricSet* out_ = nullptr;
  NetClassIface iface_;
  rtnl::Socket socket_;
  Status link_error_;
  std::string path_, attr_path_, address_, broadcast_, duplex_;
  UniqueFd device_;  // path_, while its attributes are read.
  sysfs::AttrFiles attrs_;

  // The default variant's link dump (DumpLinksMatchingListing).
  std::optional<bool> live_sysfs_;  // class_net_ is on sysfs; checked once.
  bool netns_verified_ = false;  // See SameNetns.
  bool logged_dump_failure_ = false;
  bool collecting_links_ = false;
  std::vector<std::string> listed_;  // /sys/class/net entries; slots from listed_count_ on are stale.
  size_t listed_count_ = 0;
  std::vector<CachedLink> links_;  // Slots from link_count_ on are stale; kept for their strings.
  size_t link_count_ = 0;
  std::vector<uint32_t> link_order_;  // links_ by name.

  genl::Socket ethtool_socket_;
  uint16_t ethtool_family_ = 0;
  bool ethtool_missing_ = false;
  std::vector<LinkModeEntry> modes_;  // Slots from mode_count_ on are stale; kept for their strings.
  size_t mode_count_ = 0;
};

bool WrongSize(const rtnl::Attr& a, size_t want) { return a.payload.size() != want; }

}  // namespace

void NetClassIface::Reset() {
  addr_assign_type.reset();
  carrier.reset();
  carrier_changes.reset();
  carrier_up_count.reset();
  carrier_down_count.reset();
  dev_id.reset();
  dormant.reset();
  flags.reset();
  ifindex.reset();
  iflink.reset();
  link_mode.reset();
  mtu.reset();
  name_assign_type.reset();
  netdev_group.reset();
  speed.reset();
  tx_queue_len.reset();
  type.reset();
  address.clear();
  broadcast.clear();
  duplex.clear();
  ifalias.clear();
  operstate.clear();
}

std::span<const std::string_view> NetClassAttributeNames() { return kAttributeNames; }

bool ParseNetClassAttribute(std::string_view name, std::string_view value, NetClassIface* i) {
  struct IntField {
    std::string_view name;
    std::optional<int64_t> NetClassIface::*field;
  };
  static constexpr IntField kInts[] = {
      {"addr_assign_type", &NetClassIface::addr_assign_type},
      {"carrier", &NetClassIface::carrier},
      {"carrier_changes", &NetClassIface::carrier_changes},
      {"carrier_up_count", &NetClassIface::carrier_up_count},
      {"carrier_down_count", &NetClassIface::carrier_down_count},
      {"dev_id", &NetClassIface::dev_id},
      {"dormant", &NetClassIface::dormant},
      {"flags", &NetClassIface::flags},
      {"ifindex", &NetClassIface::ifindex},
      {"iflink", &NetClassIface::iflink},
      {"link_mode", &NetClassIface::link_mode},
      {"mtu", &NetClassIface::mtu},
      {"name_assign_type", &NetClassIface::name_assign_type},
      {"netdev_group", &NetClassIface::netdev_group},
      {"speed", &NetClassIface::speed},
      {"tx_queue_len", &NetClassIface::tx_queue_len},
      {"type", &NetClassIface::type},
  };
  for (const IntField& f : kInts) {
    if (f.name == name) {
      i->*f.field = sysfs::ParseGoInt(value);
      return true;
    }
  }
  struct StringField {
    std::string_view name;
    std::string NetClassIface::*field;
  };
  static constexpr StringField kStrings[] = {
      {"address", &NetClassIface::address},     {"broadcast", &NetClassIface::broadcast},
      {"duplex", &NetClassIface::duplex},       {"ifalias", &NetClassIface::ifalias},
      {"operstate", &NetClassIface::operstate},
  };
  for (const StringField& f : kStrings) {
    if (f.name == name) {
      (i->*f.field).assign(value);
      return true;
    }
  }
  return false;
}

bool NetClassIgnorableError(int err) {
  return err == ENOENT || err == EACCES || err == EPERM || err == EINVAL || err == EOPNOTSUPP;
}

void NetClassIfaceFromLink(const NetClassLink& l, NetClassIface* i) {
  // net-sysfs.c prints these unsigned fields with "%d".
  auto as_int = [](uint32_t v) { return static_cast<int64_t>(static_cast<int32_t>(v)); };
  const bool running = (l.flags & IFF_UP) != 0;
  i->address.clear();
  AppendHardwareAddr(l.address, &i->address);
  i->broadcast.clear();
  AppendHardwareAddr(l.broadcast, &i->broadcast);
  if (running && l.carrier) i->carrier = *l.carrier != 0 ? 1 : 0;
  if (l.carrier_changes) i->carrier_changes = as_int(*l.carrier_changes);
  if (l.carrier_up_count) i->carrier_up_count = as_int(*l.carrier_up_count);
  if (l.carrier_down_count) i->carrier_down_count = as_int(*l.carrier_down_count);
  if (running) i->dormant = (l.flags & IFF_DORMANT) != 0 ? 1 : 0;
  std::string_view alias = l.has_alias ? l.ifalias.substr(0, std::min(l.ifalias.size(), sysfs::kSysReadFileSize)) : "";
  i->ifalias.assign(TrimSpace(alias));
  i->ifindex = l.index;
  i->iflink = l.has_link ? as_int(l.link) : l.index;
  if (l.link_mode) i->link_mode = *l.link_mode;
  i->mtu = as_int(l.mtu);
  i->netdev_group = as_int(l.group);
  // sysfs answers EINVAL for a state past its table (the field stays unset).
  if (l.operstate < std::size(kOperStates)) {
    i->operstate.assign(kOperStates[l.operstate]);
  } else {
    i->operstate.clear();
  }
  i->tx_queue_len = as_int(l.txqlen);
  i->type = l.type;
}

void AppendHardwareAddr(std::string_view raw, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < raw.size(); ++i) {
    if (i > 0) out->push_back(':');
    auto b = static_cast<unsigned char>(raw[i]);
    out->push_back(kHex[b >> 4]);
    out->push_back(kHex[b & 0xf]);
  }
}

StatusOr<bool> DecodeNetClassLinkDump(std::span<const uint8_t> buf, uint32_t seq, NetClassLinkSink& sink) {
  return rtnl::WalkDump(buf, seq, [&sink](uint16_t type, std::span<const uint8_t> payload) -> Status {
    if (type != RTM_NEWLINK) return Status::Ok();
    if (payload.size() < sizeof(ifinfomsg)) return Status::Error("truncated RTM_NEWLINK message");
    ifinfomsg ifi;
    std::memcpy(&ifi, payload.data(), sizeof(ifi));
    NetClassLink l;
    l.index = ifi.ifi_index;
    l.type = ifi.ifi_type;
    l.flags = ifi.ifi_flags;
    const char* bad = nullptr;
    size_t hdr = NLMSG_ALIGN(sizeof(ifinfomsg));
    auto bytes = [](const rtnl::Attr& a) {
      return std::string_view(reinterpret_cast<const char*>(a.payload.data()), a.payload.size());
    };
    bool ok = payload.size() <= hdr ||
              rtnl::ForEachAttr(payload.data() + hdr, payload.size() - hdr, [&](const rtnl::Attr& a) {
                switch (a.type) {
                  case IFLA_ADDRESS: l.address = bytes(a); break;
                  case IFLA_BROADCAST: l.broadcast = bytes(a); break;
                  case IFLA_IFNAME: l.name = rtnl::AttrString(a); break;
                  case IFLA_IFALIAS:
                    l.ifalias = rtnl::AttrString(a);
                    l.has_alias = true;
                    break;
                  case IFLA_MTU:
                  case IFLA_LINK:
                  case IFLA_TXQLEN:
                  case IFLA_GROUP:
                  case IFLA_CARRIER_CHANGES:
                  case IFLA_CARRIER_UP_COUNT:
                  case IFLA_CARRIER_DOWN_COUNT: {
                    if (WrongSize(a, 4)) {
                      bad = "netlink attribute of the wrong size";
                      break;
                    }
                    uint32_t v = rtnl::AttrU32(a);
                    if (a.type == IFLA_MTU) l.mtu = v;
                    if (a.type == IFLA_LINK) {
                      l.link = v;
                      l.has_link = true;
                    }
                    if (a.type == IFLA_TXQLEN) l.txqlen = v;
                    if (a.type == IFLA_GROUP) l.group = v;
                    if (a.type == IFLA_CARRIER_CHANGES) l.carrier_changes = v;
                    if (a.type == IFLA_CARRIER_UP_COUNT) l.carrier_up_count = v;
                    if (a.type == IFLA_CARRIER_DOWN_COUNT) l.carrier_down_count = v;
                    break;
                  }
                  case IFLA_OPERSTATE:
                  case IFLA_LINKMODE:
                  case IFLA_CARRIER: {
                    if (WrongSize(a, 1)) {
                      bad = "netlink attribute of the wrong size";
                      break;
                    }
                    uint8_t v = rtnl::AttrU8(a);
                    if (a.type == IFLA_OPERSTATE) l.operstate = v;
                    if (a.type == IFLA_LINKMODE) l.link_mode = v;
                    if (a.type == IFLA_CARRIER) l.carrier = v;
                    break;
                  }
                  case IFLA_STATS64: {
                    // 23 counters before Linux 4.6, 24 with rx_nohandler, more since.
                    if (a.payload.size() < 23 * 8) {
                      bad = "IFLA_STATS64 too short";
                      break;
                    }
                    size_t n = std::min<size_t>(a.payload.size() / 8, std::size(l.stats64));
                    std::memcpy(l.stats64, a.payload.data(), n * 8);
                    l.has_stats64 = true;
                    break;
                  }
                  default: break;
                }
              });
    if (!ok) return Status::Error("truncated netlink attribute");
    if (bad != nullptr) return Status::Error(bad);
    sink.OnLink(l);
    return Status::Ok();
  });
}

StatusOr<bool> DecodeEthtoolLinkModesDump(std::span<const uint8_t> buf, uint32_t seq, uint16_t family,
                                          EthtoolLinkModeSink& sink) {
  return genl::WalkDump(buf, seq, family, [&sink](std::span<const uint8_t> attrs) -> Status {
    EthtoolLinkMode m;
    const char* bad = nullptr;
    bool ok = rtnl::ForEachAttr(attrs.data(), attrs.size(), [&](const rtnl::Attr& a) {
      switch (a.type) {
        case ETHTOOL_A_LINKMODES_HEADER: {
          bool nest_ok = rtnl::ForEachAttr(a.payload.data(), a.payload.size(), [&](const rtnl::Attr& h) {
            if (h.type == ETHTOOL_A_HEADER_DEV_INDEX) {
              if (WrongSize(h, 4)) {
                bad = "ETHTOOL_A_HEADER_DEV_INDEX of the wrong size";
              } else {
                m.ifindex = rtnl::AttrU32(h);
              }
            } else if (h.type == ETHTOOL_A_HEADER_DEV_NAME) {
              m.name = rtnl::AttrString(h);
            }
          });
          if (!nest_ok) bad = "truncated ETHTOOL_A_LINKMODES_HEADER";
          break;
        }
        case ETHTOOL_A_LINKMODES_SPEED:
          if (WrongSize(a, 4)) {
            bad = "ETHTOOL_A_LINKMODES_SPEED of the wrong size";
          } else {
            m.speed = rtnl::AttrU32(a);
          }
          break;
        case ETHTOOL_A_LINKMODES_DUPLEX:
          if (WrongSize(a, 1)) {
            bad = "ETHTOOL_A_LINKMODES_DUPLEX of the wrong size";
          } else {
            m.duplex = rtnl::AttrU8(a);
          }
          break;
        default: break;
      }
    });
    if (!ok) return Status::Error("truncated ethtool netlink attribute");
    if (bad != nullptr) return Status::Error(bad);
    sink.OnLinkMode(m);
    return Status::Ok();
  });
}

void EthtoolDuplexLabel(uint8_t duplex, std::string* out) {
  switch (duplex) {
    case DUPLEX_HALF: out->assign("Half"); return;
    case DUPLEX_FULL: out->assign("Full"); return;
    case DUPLEX_UNKNOWN: out->assign("Unknown"); return;
    default: break;
  }
  char num[4];
  char* end = std::to_chars(num, num + sizeof(num), duplex).ptr;
  out->assign("Duplex(").append(num, end).append(")");
}

double EthtoolSpeedBytes(uint32_t mbit) {
  // Fits int64 exactly: at most 4294967295e6 < 2^63.
  return static_cast<double>(static_cast<int64_t>(mbit) * 1000 * 1000 / 8);
}

StatusOr<std::unique_ptr<Collector>> NewNetclassCollector(const Context& ctx) {
  std::string_view pattern = procfs_helpers::StringFlagOr(ctx, "collector.netclass.ignored-devices", "^$");
  std::unique_ptr<RE2> ignored;
  Status st = procfs_helpers::CompileFlagRegex("collector.netclass.ignored-devices", pattern, false, &ignored);
  if (!st.ok()) return st;
  return std::unique_ptr<Collector>(std::make_unique<NetclassCollector>(ctx, std::move(ignored)));
}

}  // namespace nodex::collectors
