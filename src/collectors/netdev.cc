#include "collectors/netdev.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <re2/re2.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <mutex>
#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/procfs_helpers.h"
#include "collectors/rtnetlink.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
using expo::MetricType;

// One exported family and the counters summed into it.
struct Output {
  Desc desc;
  uint8_t sources[4];
  uint8_t source_count;
};

constexpr MetricType kC = MetricType::kCounter;

// node_exporter's default names for netlink counters (its legacy() mapping,
// after the kernel's /proc/net/dev folding in net-procfs.c).
constexpr Output kNetlinkLegacy[] = {
    {{"node_network_receive_packets_total", "Packets received by the device.", kC}, {kRxPackets}, 1},
    {{"node_network_transmit_packets_total", "Packets sent by the device.", kC}, {kTxPackets}, 1},
    {{"node_network_receive_bytes_total", "Bytes received by the device.", kC}, {kRxBytes}, 1},
    {{"node_network_transmit_bytes_total", "Bytes sent by the device.", kC}, {kTxBytes}, 1},
    {{"node_network_receive_errs_total", "Receive errors of the device.", kC}, {kRxErrors}, 1},
    {{"node_network_transmit_errs_total", "Transmit errors of the device.", kC}, {kTxErrors}, 1},
    {{"node_network_receive_drop_total", "Received packets dropped or missed by the device.", kC},
     {kRxDropped, kRxMissedErrors},
     2},
    {{"node_network_transmit_drop_total", "Packets dropped by the device on transmit.", kC}, {kTxDropped}, 1},
    {{"node_network_receive_multicast_total", "Multicast packets received by the device.", kC}, {kMulticast}, 1},
    {{"node_network_transmit_colls_total", "Collisions seen by the device on transmit.", kC}, {kCollisions}, 1},
    {{"node_network_receive_frame_total", "Receive framing, length, overrun and CRC errors of the device.", kC},
     {kRxFrameErrors, kRxLengthErrors, kRxOverErrors, kRxCrcErrors},
     4},
    {{"node_network_receive_fifo_total", "Receive FIFO overruns of the device.", kC}, {kRxFifoErrors}, 1},
    {{"node_network_transmit_carrier_total", "Transmit carrier, aborted, heartbeat and window errors of the device.",
      kC},
     {kTxCarrierErrors, kTxAbortedErrors, kTxHeartbeatErrors, kTxWindowErrors},
     4},
    {{"node_network_transmit_fifo_total", "Transmit FIFO errors of the device.", kC}, {kTxFifoErrors}, 1},
    {{"node_network_receive_compressed_total", "Compressed packets received by the device.", kC}, {kRxCompressed}, 1},
    {{"node_network_transmit_compressed_total", "Compressed packets sent by the device.", kC}, {kTxCompressed}, 1},
    {{"node_network_receive_nohandler_total", "Received packets dropped for lack of a protocol handler.", kC},
     {kRxNohandler},
     1},
};

// --collector.netdev.enable-detailed-metrics: one family per kernel counter.
constexpr Desc kNetlinkDetailed[kLinkStatCount] = {
    {"node_network_receive_packets_total", "Packets received by the device.", kC},
    {"node_network_transmit_packets_total", "Packets sent by the device.", kC},
    {"node_network_receive_bytes_total", "Bytes received by the device.", kC},
    {"node_network_transmit_bytes_total", "Bytes sent by the device.", kC},
    {"node_network_receive_errors_total", "Receive errors of the device (rx_errors).", kC},
    {"node_network_transmit_errors_total", "Transmit errors of the device (tx_errors).", kC},
    {"node_network_receive_dropped_total", "Received packets dropped by the device (rx_dropped).", kC},
    {"node_network_transmit_dropped_total", "Packets dropped by the device on transmit (tx_dropped).", kC},
    {"node_network_multicast_total", "Multicast packets received by the device (multicast).", kC},
    {"node_network_collisions_total", "Collisions seen by the device (collisions).", kC},
    {"node_network_receive_length_errors_total", "Received packets with a bad length (rx_length_errors).", kC},
    {"node_network_receive_over_errors_total", "Receive ring buffer overflows (rx_over_errors).", kC},
    {"node_network_receive_crc_errors_total", "Received packets with a CRC error (rx_crc_errors).", kC},
    {"node_network_receive_frame_errors_total", "Received frame alignment errors (rx_frame_errors).", kC},
    {"node_network_receive_fifo_errors_total", "Receive FIFO overruns (rx_fifo_errors).", kC},
    {"node_network_receive_missed_errors_total", "Packets missed by the host (rx_missed_errors).", kC},
    {"node_network_transmit_aborted_errors_total", "Aborted transmissions (tx_aborted_errors).", kC},
    {"node_network_transmit_carrier_errors_total", "Transmit carrier losses (tx_carrier_errors).", kC},
    {"node_network_transmit_fifo_errors_total", "Transmit FIFO errors (tx_fifo_errors).", kC},
    {"node_network_transmit_heartbeat_errors_total", "Transmit heartbeat errors (tx_heartbeat_errors).", kC},
    {"node_network_transmit_window_errors_total", "Late collisions on transmit (tx_window_errors).", kC},
    {"node_network_receive_compressed_total", "Compressed packets received by the device.", kC},
    {"node_network_transmit_compressed_total", "Compressed packets sent by the device.", kC},
    {"node_network_receive_nohandler_total", "Received packets dropped for lack of a protocol handler.", kC},
};

// /proc/net/dev columns; the legacy mapping only renames errs/drop.
constexpr Desc kProcLegacy[kProcNetDevStatCount] = {
    {"node_network_receive_bytes_total", "Bytes received by the device.", kC},
    {"node_network_receive_packets_total", "Packets received by the device.", kC},
    {"node_network_receive_errs_total", "Receive errors of the device.", kC},
    {"node_network_receive_drop_total", "Received packets dropped or missed by the device.", kC},
    {"node_network_receive_fifo_total", "Receive FIFO overruns of the device.", kC},
    {"node_network_receive_frame_total", "Receive framing, length, overrun and CRC errors of the device.", kC},
    {"node_network_receive_compressed_total", "Compressed packets received by the device.", kC},
    {"node_network_receive_multicast_total", "Multicast packets received by the device.", kC},
    {"node_network_transmit_bytes_total", "Bytes sent by the device.", kC},
    {"node_network_transmit_packets_total", "Packets sent by the device.", kC},
    {"node_network_transmit_errs_total", "Transmit errors of the device.", kC},
    {"node_network_transmit_drop_total", "Packets dropped by the device on transmit.", kC},
    {"node_network_transmit_fifo_total", "Transmit FIFO errors of the device.", kC},
    {"node_network_transmit_colls_total", "Collisions seen by the device on transmit.", kC},
    {"node_network_transmit_carrier_total", "Transmit carrier, aborted, heartbeat and window errors of the device.",
     kC},
    {"node_network_transmit_compressed_total", "Compressed packets sent by the device.", kC},
};

constexpr Desc kProcDetailedErrors[4] = {
    {"node_network_receive_errors_total", "Receive errors of the device (rx_errors).", kC},
    {"node_network_receive_dropped_total", "Received packets dropped or missed by the device.", kC},
    {"node_network_transmit_errors_total", "Transmit errors of the device (tx_errors).", kC},
    {"node_network_transmit_dropped_total", "Packets dropped by the device on transmit (tx_dropped).", kC},
};

constexpr Desc kAddressInfo{"node_network_address_info", "An address of a network device; always 1.",
                            MetricType::kGauge};

// Go's net.IP.String for the address families getifaddrs returns.
std::string_view FormatIp(const sockaddr* sa, char (&buf)[INET6_ADDRSTRLEN]) {
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf)) ? std::string_view(buf) : std::string_view();
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
    return inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], buf, sizeof(buf)) ? std::string_view(buf)
                                                                             : std::string_view();
  }
  return inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf)) ? std::string_view(buf) : std::string_view();
}

// Go's net.IPMask.Size: the prefix length of a canonical mask, else 0.
int PrefixLength(const uint8_t* mask, size_t len) {
  int ones = 0;
  size_t i = 0;
  for (; i < len && mask[i] == 0xff; ++i) ones += 8;
  if (i < len) {
    uint8_t b = mask[i];
    while (b & 0x80) {
      ++ones;
      b = static_cast<uint8_t>(b << 1);
    }
    if (b != 0) return 0;
    for (++i; i < len; ++i) {
      if (mask[i] != 0) return 0;
    }
  }
  return ones;
}

// node_exporter's scope(): Go's net.IP classification.
std::string_view Scope(const uint8_t* ip, bool v4) {
  if (v4) {
    if (ip[0] == 127 || (ip[0] == 169 && ip[1] == 254) || (ip[0] == 224 && ip[1] == 0 && ip[2] == 0)) {
      return "link-local";
    }
    bool unspecified = ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] == 0;
    bool broadcast = ip[0] == 255 && ip[1] == 255 && ip[2] == 255 && ip[3] == 255;
    bool multicast = ip[0] >= 224 && ip[0] <= 239;
    return unspecified || broadcast || multicast ? "" : "global";
  }
  static constexpr uint8_t kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (std::memcmp(ip, kLoopback, 16) == 0 || (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80) ||
      (ip[0] == 0xff && (ip[1] & 0x0f) == 0x02)) {
    return "link-local";
  }
  if (ip[0] == 0xff && (ip[1] & 0x0f) == 0x01) return "interface-local";
  static constexpr uint8_t kZero[16] = {};
  if (std::memcmp(ip, kZero, 16) == 0 || ip[0] == 0xff) return "";
  return "global";
}

class NetdevCollector : public Collector, private LinkSink, private LinkStatsSink {
 public:
  NetdevCollector(const Context& ctx, std::unique_ptr<RE2> include, std::unique_ptr<RE2> exclude)
      : proc_net_dev_(ctx.Proc("net/dev")),
        sys_class_net_(ctx.Sys("class/net")),
        include_(std::move(include)),
        exclude_(std::move(exclude)),
        log_(ctx.log),
        netlink_(procfs_helpers::BoolFlagOr(ctx, "collector.netdev.netlink", true)),
        detailed_(procfs_helpers::BoolFlagOr(ctx, "collector.netdev.enable-detailed-metrics", false)),
        address_info_(procfs_helpers::BoolFlagOr(ctx, "collector.netdev.address-info", false)),
        label_ifalias_(procfs_helpers::BoolFlagOr(ctx, "collector.netdev.label-ifalias", false)) {}

  ~NetdevCollector() override { CloseMonitor(); }

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    out_ = &out;
    if (label_ifalias_) {
      Status st = ReadIfAliases();
      if (!st.ok()) return Status::Error("couldn't get netdev labels: " + st.message());
    }
    Status st = netlink_ ? CollectNetlink() : CollectProcNetDev();
    if (!st.ok()) return Status::Error("couldn't get netstats: " + st.message());
    if (address_info_) {
      st = CollectAddresses();
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

 private:
  struct Alias {
    std::string device;
    std::string alias;
  };

  bool Ignored(std::string_view name) const {
    return (exclude_ && procfs_helpers::Matches(*exclude_, name)) ||
           (include_ && !procfs_helpers::Matches(*include_, name));
  }

  // Labels for `device`; an ifalias label only for devices present in sysfs.
  std::span<const expo::Label> Labels(std::string_view device) {
    labels_[0] = {"device", device};
    if (label_ifalias_) {
      for (size_t i = 0; i < alias_count_; ++i) {
        if (aliases_[i].device == device) {
          labels_[1] = {"ifalias", aliases_[i].alias};
          return {labels_, 2};
        }
      }
    }
    return {labels_, 1};
  }

  void OnLink(std::string_view name, const LinkStats& s) override {
    if (Ignored(name)) {
      if (log_ != nullptr && log_->Enabled(LogLevel::kDebug)) log_->Debug("Ignoring device", {{"device", name}});
      return;
    }
    std::span<const expo::Label> labels = Labels(name);
    if (detailed_) {
      for (int i = 0; i < kLinkStatCount; ++i) out_->Add(kNetlinkDetailed[i], static_cast<double>(s.v[i]), labels);
      return;
    }
    for (const Output& o : kNetlinkLegacy) {
      uint64_t sum = 0;  // Wraps like Go's uint64 addition.
      for (int i = 0; i < o.source_count; ++i) sum += s.v[o.sources[i]];
      out_->Add(o.desc, static_cast<double>(sum), labels);
    }
  }

  // Remembers the ifindex -> name mapping of an RTM_GETLINK dump.
  void OnLinkIndex(uint32_t ifindex, std::string_view name, bool has_stats) override {
    CachedLink& link = links_.emplace_back();
    link.ifindex = ifindex;
    link.has_stats = has_stats;
    link.name.assign(name);
  }

  // Stores the counters of an RTM_GETSTATS dump in the cached link; they are
  // reported only once the whole dump named known links alone.
  void OnLinkStats(uint32_t ifindex, const LinkStats& stats) override {
    // Both dumps walk the links in the same order, so the next cached link
    // is almost always the one.
    size_t i = cursor_;
    if (i >= links_.size() || links_[i].ifindex != ifindex) {
      auto it = std::lower_bound(links_.begin(), links_.end(), ifindex,
                                 [](const CachedLink& l, uint32_t index) { return l.ifindex < index; });
      if (it == links_.end() || it->ifindex != ifindex) {
        unknown_ifindex_ = true;
        return;
      }
      i = static_cast<size_t>(it - links_.begin());
    }
    links_[i].stats = stats;
    links_[i].seen = true;
    cursor_ = i + 1;
  }

  void CloseMonitor() {
    if (monitor_ != nullptr) mnl_socket_close(monitor_);
    monitor_ = nullptr;
  }

  // Subscribes to RTMGRP_LINK: every link added, deleted, renamed or changed
  // queues a message on this socket. Without it the cache is never trusted.
  void OpenMonitor() {
    monitor_ = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
    int err = errno;
    if (monitor_ != nullptr && mnl_socket_bind(monitor_, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
      err = errno;
      CloseMonitor();
    }
    if (monitor_ != nullptr) {
      monitor_failed_ = false;
    } else if (!monitor_failed_) {
      monitor_failed_ = true;
      if (log_ != nullptr) {
        log_->Debug("Cannot watch link changes, reading the counters with RTM_GETLINK",
                    {{"collector", "netdev"}, {"err", std::strerror(err)}});
      }
    }
  }

  // Why the cache may not name every link any more, or nullptr when it
  // does: it was built by an RTM_GETLINK dump after the monitor subscribed,
  // and the monitor has received nothing since. Any message, an overflow
  // (ENOBUFS: messages were lost) or any other error means a link may have
  // changed. Empties the monitor's queue either way, so that the next scrape
  // sees only later changes.
  const char* CacheStale() {
    if (monitor_ == nullptr) {
      // Opened before the RTM_GETLINK dump that rebuilds the cache, so no
      // change after that dump can go unseen.
      OpenMonitor();
      return "no cache";
    }
    const char* stale = cache_valid_ ? nullptr : "no cache";
    const int fd = mnl_socket_get_fd(monitor_);
    // A change storm is cheaper to forget with a new subscription than to
    // read message by message.
    constexpr int kMaxDrain = 64;
    for (int i = 0;; ++i) {
      if (i == kMaxDrain) {
        CloseMonitor();
        OpenMonitor();
        return "link changes";
      }
      // The content does not matter: a short read discards the rest of the message.
      char buf[64];
      ssize_t n = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
      if (n >= 0) {
        if (stale == nullptr) stale = "link change";
        continue;
      }
      if (errno == ENOBUFS) {
        stale = "link change notifications lost";
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return stale;
      CloseMonitor();
      OpenMonitor();
      return "link change monitor failed";
    }
  }

  // The counters over a dump socket kept open across scrapes: one
  // RTM_GETSTATS dump when the link cache is valid, else (first scrape, a
  // link changed, a new ifindex, an error before, or a kernel without
  // RTM_GETSTATS) an RTM_GETLINK dump, which also rebuilds the cache.
  //
  // The one race left: a link renamed, or deleted and re-created with the
  // same ifindex, after CacheStale() drained the monitor but before the
  // RTM_GETSTATS dump is reported under its old name for this one scrape;
  // its notification is already queued, so the next scrape rebuilds the
  // cache. (A link created in that window has an unknown ifindex and sends
  // this scrape to RTM_GETLINK; one deleted in it is simply not in the dump.)
  //
  // Any failure closes the dump socket so a half-read dump never leaks into
  // the next scrape, and invalidates the cache.
  Status CollectNetlink() {
    Status st = Status::Ok();
    bool served = false;
    if (stats_supported_) {
      const char* stale = CacheStale();
      if (stale == nullptr) {
        st = StatsDump(&served);
        stale = "new ifindex";
      }
      // Once per link change, not per scrape.
      if (st.ok() && !served && stats_supported_ && monitor_ != nullptr && log_ != nullptr &&
          log_->Enabled(LogLevel::kDebug)) {
        log_->Debug("Reading link names with RTM_GETLINK", {{"collector", "netdev"}, {"reason", stale}});
      }
    }
    if (st.ok() && !served) {
      cache_valid_ = false;
      links_.clear();
      st = LinkDump();
      if (st.ok()) {
        std::sort(links_.begin(), links_.end(),
                  [](const CachedLink& a, const CachedLink& b) { return a.ifindex < b.ifindex; });
        cache_valid_ = monitor_ != nullptr;
      }
    }
    if (!st.ok()) cache_valid_ = false;
    return st;
  }

  // RTM_GETLINK: names and counters; reports every link and fills links_.
  Status LinkDump() {
    return socket_.Dump(RTM_GETLINK, sizeof(ifinfomsg), AF_UNSPEC,
                        [this](std::span<const uint8_t> buf, uint32_t seq) { return DecodeLinkDump(buf, seq, *this); });
  }

  // RTM_GETSTATS: counters by ifindex, reported under the cached names.
  // *served stays false, with nothing reported, when the dump named an
  // ifindex the cache lacks or the kernel refused the request.
  Status StatsDump(bool* served) {
    for (CachedLink& link : links_) link.seen = false;
    cursor_ = 0;
    unknown_ifindex_ = false;
    if_stats_msg req{};
    req.family = AF_UNSPEC;
    req.filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
    int netlink_error = 0;
    Status st = socket_.Dump(RTM_GETSTATS, std::span(reinterpret_cast<const uint8_t*>(&req), sizeof(req)),
                             [&](std::span<const uint8_t> buf, uint32_t seq) {
                               return DecodeStatsDump(buf, seq, *this, &netlink_error);
                             });
    if (!st.ok()) {
      if (netlink_error != EOPNOTSUPP && netlink_error != EINVAL) return st;
      stats_supported_ = false;
      CloseMonitor();
      if (log_ != nullptr) {
        log_->Debug("RTM_GETSTATS refused, reading counters with RTM_GETLINK",
                    {{"collector", "netdev"}, {"err", st.message()}});
      }
      return Status::Ok();
    }
    if (unknown_ifindex_) return Status::Ok();
    for (const CachedLink& link : links_) {
      if (link.seen && link.has_stats) OnLink(link.name, link.stats);
    }
    *served = true;
    return Status::Ok();
  }

  Status CollectProcNetDev() {
    std::string_view content;
    Status st = proc_net_dev_.Read(&content);
    if (st.ok()) st = ParseProcNetDev(content, &dev_lines_);
    if (!st.ok()) return Status::Error("failed to parse /proc/net/dev: " + st.message());
    for (const ProcNetDevLine& line : dev_lines_) {
      if (Ignored(line.name)) continue;
      std::span<const expo::Label> labels = Labels(line.name);
      for (int i = 0; i < kProcNetDevStatCount; ++i) {
        const Desc* desc = &kProcLegacy[i];
        if (detailed_) {
          if (i == kDevRxErrs) desc = &kProcDetailedErrors[0];
          if (i == kDevRxDrop) desc = &kProcDetailedErrors[1];
          if (i == kDevTxErrs) desc = &kProcDetailedErrors[2];
          if (i == kDevTxDrop) desc = &kProcDetailedErrors[3];
        }
        out_->Add(*desc, static_cast<double>(line.v[i]), labels);
      }
    }
    return Status::Ok();
  }

  Status ReadIfAliases() {
    alias_count_ = 0;
    int dir_fd = ::open(sys_class_net_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return Status::Error(sys_class_net_ + ": " + std::strerror(errno));
    DIR* dir = ::fdopendir(dir_fd);
    if (dir == nullptr) {
      ::close(dir_fd);
      return Status::Error(sys_class_net_ + ": " + std::strerror(errno));
    }
    while (const dirent* e = ::readdir(dir)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      path_.assign(name).append("/ifalias");
      char buf[4096];
      std::string_view value;
      if (procfs_helpers::ReadAttrAt(dirfd(dir), path_.c_str(), buf, &value) != 0) value = {};
      if (alias_count_ == aliases_.size()) aliases_.emplace_back();
      aliases_[alias_count_].device.assign(name);
      aliases_[alias_count_].alias.assign(value);
      ++alias_count_;
    }
    ::closedir(dir);
    return Status::Ok();
  }

  // Every address of every interface, unfiltered, like node_exporter.
  Status CollectAddresses() {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) {
      return Status::Error(std::string("could not get network interfaces: ") + std::strerror(errno));
    }
    for (const ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
      if (a->ifa_addr == nullptr || a->ifa_name == nullptr) continue;
      int family = a->ifa_addr->sa_family;
      if (family != AF_INET && family != AF_INET6) continue;
      char ip_buf[INET6_ADDRSTRLEN];
      std::string_view ip = FormatIp(a->ifa_addr, ip_buf);
      if (ip.empty()) continue;
      const uint8_t* raw;
      const uint8_t* mask = nullptr;
      size_t len;
      bool v4;
      if (family == AF_INET) {
        raw = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr);
        if (a->ifa_netmask != nullptr) {
          mask = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(a->ifa_netmask)->sin_addr);
        }
        len = 4;
        v4 = true;
      } else {
        raw = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr.s6_addr;
        if (a->ifa_netmask != nullptr) mask = reinterpret_cast<const sockaddr_in6*>(a->ifa_netmask)->sin6_addr.s6_addr;
        len = 16;
        v4 = false;
        if (IN6_IS_ADDR_V4MAPPED(reinterpret_cast<const in6_addr*>(raw))) {
          raw += 12;
          v4 = true;
        }
      }
      char prefix_buf[24];
      std::string_view prefix = expo::IntLabel(prefix_buf, mask ? PrefixLength(mask, len) : 0);
      out_->Add(kAddressInfo, 1,
                {{"device", a->ifa_name}, {"address", ip}, {"netmask", prefix}, {"scope", Scope(raw, v4)}});
    }
    ::freeifaddrs(list);
    return Status::Ok();
  }

  std::mutex mu_;
  KeptOpenFile proc_net_dev_;
  std::string sys_class_net_;
  std::unique_ptr<RE2> include_;
  std::unique_ptr<RE2> exclude_;
  Logger* log_;
  const bool netlink_;
  const bool detailed_;
  const bool address_info_;
  const bool label_ifalias_;

  expo::MetricSet* out_ = nullptr;
  rtnl::Socket socket_;  // Dumps.
  // The ifindex -> name cache, sorted by ifindex, and what keeps it sound.
  struct CachedLink {
    uint32_t ifindex = 0;
    bool has_stats = false;  // Whether RTM_GETLINK reported the link.
    bool seen = false;       // In this scrape's RTM_GETSTATS dump.
    std::string name;        // IFNAMSIZ: short enough to never allocate.
    LinkStats stats;
  };
  std::vector<CachedLink> links_;
  mnl_socket* monitor_ = nullptr;  // RTMGRP_LINK notifications.
  bool monitor_failed_ = false;    // Logged once.
  bool cache_valid_ = false;
  bool stats_supported_ = true;
  size_t cursor_ = 0;
  bool unknown_ifindex_ = false;
  std::vector<ProcNetDevLine> dev_lines_;
  std::vector<Alias> aliases_;
  size_t alias_count_ = 0;
  std::string path_;
  expo::Label labels_[2];
};

// Copies the host-endian counters of `width` bytes each that fit in `len`.
void CopyCounters(const uint8_t* p, size_t len, size_t width, LinkStats* s) {
  size_t n = std::min<size_t>(len / width, kLinkStatCount);
  for (size_t i = 0; i < n; ++i) {
    if (width == 8) {
      uint64_t v;
      std::memcpy(&v, p + i * 8, 8);
      s->v[i] = v;
    } else {
      uint32_t v;
      std::memcpy(&v, p + i * 4, 4);
      s->v[i] = v;
    }
  }
}

// The counters every kernel since 2.6 sends (rx_nohandler came in 4.6).
constexpr size_t kMinCounters = 23;

// Checks a counters attribute (u64 or u32 each) and copies it into *stats.
Status TakeCounters(const nlattr* attr, size_t width, std::string_view what, LinkStats* stats) {
  const size_t len = mnl_attr_get_payload_len(attr);
  if (len < kMinCounters * width) {
    return Status::Error(std::string(what) + " too short: " + std::to_string(len) + " bytes");
  }
  CopyCounters(static_cast<const uint8_t*>(mnl_attr_get_payload(attr)), len, width, stats);
  return Status::Ok();
}

// Calls on_attr(type, attr) for each attribute after the family header of
// `header_len` bytes; the caller has checked that the payload holds it.
// Returns false when bytes that are not a whole attribute end the message.
template <typename OnAttr>
bool ForEachAttr(const nlmsghdr* nlh, size_t header_len, OnAttr on_attr) {
  // Not mnl_nlmsg_get_payload_tail: it rounds nlmsg_len up, past the end of
  // a buffer whose last message has an unaligned length.
  const char* tail = reinterpret_cast<const char*>(nlh) + nlh->nlmsg_len;
  auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, header_len));
  for (; mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr))); attr = mnl_attr_next(attr)) {
    on_attr(mnl_attr_get_type(attr), attr);
  }
  return reinterpret_cast<const char*>(attr) >= tail;
}

Status DecodeLink(const nlmsghdr* nlh, LinkSink& sink) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifinfomsg)) return Status::Error("truncated RTM_NEWLINK message");
  ifinfomsg ifi;
  std::memcpy(&ifi, mnl_nlmsg_get_payload(nlh), sizeof(ifi));
  std::string_view name;
  const nlattr* stats64 = nullptr;
  const nlattr* stats32 = nullptr;
  // A malformed attribute ends the walk without an error, as it always has.
  (void)ForEachAttr(nlh, sizeof(ifinfomsg), [&](uint16_t type, const nlattr* attr) {
    const char* payload = static_cast<const char*>(mnl_attr_get_payload(attr));
    switch (type) {
      case IFLA_IFNAME: name = std::string_view(payload, strnlen(payload, mnl_attr_get_payload_len(attr))); break;
      case IFLA_STATS64: stats64 = attr; break;
      case IFLA_STATS: stats32 = attr; break;
      default: break;
    }
  });
  const auto ifindex = static_cast<uint32_t>(ifi.ifi_index);
  LinkStats stats;
  if (stats64 != nullptr) {
    Status st = TakeCounters(stats64, 8, "IFLA_STATS64", &stats);
    if (!st.ok()) return st;
  } else if (stats32 != nullptr) {
    Status st = TakeCounters(stats32, 4, "IFLA_STATS", &stats);
    if (!st.ok()) return st;
  } else {
    sink.OnLinkIndex(ifindex, name, false);
    return Status::Ok();
  }
  sink.OnLinkIndex(ifindex, name, true);
  sink.OnLink(name, stats);
  return Status::Ok();
}

Status DecodeStats(const nlmsghdr* nlh, LinkStatsSink& sink) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(if_stats_msg)) return Status::Error("truncated RTM_NEWSTATS message");
  if_stats_msg ifsm;
  std::memcpy(&ifsm, mnl_nlmsg_get_payload(nlh), sizeof(ifsm));
  const nlattr* stats64 = nullptr;
  bool whole = ForEachAttr(nlh, sizeof(if_stats_msg), [&](uint16_t type, const nlattr* attr) {
    if (type == IFLA_STATS_LINK_64) stats64 = attr;
  });
  if (!whole) return Status::Error("malformed attribute in RTM_NEWSTATS message");
  if (stats64 == nullptr) return Status::Ok();
  LinkStats stats;
  Status st = TakeCounters(stats64, 8, "IFLA_STATS_LINK_64", &stats);
  if (!st.ok()) return st;
  sink.OnLinkStats(ifsm.ifindex, stats);
  return Status::Ok();
}

// Walks the netlink messages of one dump buffer and hands those of type
// `type` to decode(nlh). The length checks are done here rather than with
// mnl_nlmsg_ok, which reads nlmsg_len as a signed int and so accepts
// lengths of 2 GiB and more.
template <typename Decode>
StatusOr<bool> WalkDump(std::span<const uint8_t> buf, uint32_t seq, uint16_t type, int* netlink_error, Decode decode) {
  if (reinterpret_cast<uintptr_t>(buf.data()) % alignof(nlmsghdr) != 0) {
    return Status::Error("netlink buffer is not aligned");
  }
  size_t offset = 0;
  while (buf.size() - offset >= sizeof(nlmsghdr)) {
    const auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data() + offset);
    if (nlh->nlmsg_len < sizeof(nlmsghdr) || nlh->nlmsg_len > buf.size() - offset) {
      return Status::Error("truncated netlink message");
    }
    if (seq == 0 || nlh->nlmsg_seq == seq) {
      if (nlh->nlmsg_type == NLMSG_DONE) return true;
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr)) return Status::Error("truncated netlink error");
        nlmsgerr err;
        std::memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
        if (err.error != 0) {
          // INT_MIN has no positive counterpart; no errno is that large.
          int code = err.error == INT_MIN ? INT_MAX : (err.error < 0 ? -err.error : err.error);
          if (netlink_error != nullptr) *netlink_error = code;
          return Status::Error(std::string("netlink error: ") + std::strerror(code));
        }
      } else if (nlh->nlmsg_type == type) {
        Status st = decode(nlh);
        if (!st.ok()) return st;
      }
    }
    offset += std::min<size_t>(MNL_ALIGN(nlh->nlmsg_len), buf.size() - offset);
  }
  if (offset != buf.size()) return Status::Error("truncated netlink message");
  return false;
}

}  // namespace

StatusOr<bool> DecodeLinkDump(std::span<const uint8_t> buf, uint32_t seq, LinkSink& sink) {
  return WalkDump(buf, seq, RTM_NEWLINK, nullptr, [&](const nlmsghdr* nlh) { return DecodeLink(nlh, sink); });
}

StatusOr<bool> DecodeStatsDump(std::span<const uint8_t> buf, uint32_t seq, LinkStatsSink& sink, int* netlink_error) {
  return WalkDump(buf, seq, RTM_NEWSTATS, netlink_error, [&](const nlmsghdr* nlh) { return DecodeStats(nlh, sink); });
}

Status ParseProcNetDev(std::string_view content, std::vector<ProcNetDevLine>* out) {
  out->clear();
  std::string_view line;
  for (int n = 0; NextLine(&content, &line); ++n) {
    if (n < 2) continue;
    size_t colon = line.rfind(':');
    if (colon == std::string_view::npos) return Status::Error("invalid net/dev line, missing colon");
    ProcNetDevLine dev;
    dev.name = TrimSpace(line.substr(0, colon));
    if (dev.name.empty()) return Status::Error("invalid net/dev line, empty interface name");
    std::string_view fields[kProcNetDevStatCount];
    size_t count = SplitFields(line.substr(colon + 1), fields, kProcNetDevStatCount);
    if (count < kProcNetDevStatCount) {
      return Status::Error("invalid net/dev line for " + std::string(dev.name.substr(0, 32)) + ": " +
                           std::to_string(count) + " columns");
    }
    for (size_t i = 0; i < kProcNetDevStatCount; ++i) {
      std::optional<uint64_t> v = ParseU64(fields[i]);
      if (!v) return Status::Error("invalid value \"" + std::string(fields[i].substr(0, 32)) + "\" in net/dev");
      dev.v[i] = *v;
    }
    out->push_back(dev);
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewNetdevCollector(const Context& ctx) {
  using procfs_helpers::StringFlagOr;
  std::string include(StringFlagOr(ctx, "collector.netdev.device-include", ""));
  std::string exclude(StringFlagOr(ctx, "collector.netdev.device-exclude", ""));
  std::string old_include(StringFlagOr(ctx, "collector.netdev.device-whitelist", ""));
  std::string old_exclude(StringFlagOr(ctx, "collector.netdev.device-blacklist", ""));
  if (!old_include.empty()) {
    if (!include.empty()) {
      return Status::Error(
          "--collector.netdev.device-whitelist and --collector.netdev.device-include are mutually exclusive");
    }
    if (ctx.log != nullptr) {
      ctx.log->Warn(
          "--collector.netdev.device-whitelist is DEPRECATED and will be removed in 2.0.0, use "
          "--collector.netdev.device-include");
    }
    include = old_include;
  }
  if (!old_exclude.empty()) {
    if (!exclude.empty()) {
      return Status::Error(
          "--collector.netdev.device-blacklist and --collector.netdev.device-exclude are mutually exclusive");
    }
    if (ctx.log != nullptr) {
      ctx.log->Warn(
          "--collector.netdev.device-blacklist is DEPRECATED and will be removed in 2.0.0, use "
          "--collector.netdev.device-exclude");
    }
    exclude = old_exclude;
  }
  if (!include.empty() && !exclude.empty()) {
    return Status::Error("device-exclude & device-include are mutually exclusive");
  }
  std::unique_ptr<RE2> include_re, exclude_re;
  Status st = procfs_helpers::CompileFlagRegex("collector.netdev.device-include", include, true, &include_re);
  if (!st.ok()) return st;
  st = procfs_helpers::CompileFlagRegex("collector.netdev.device-exclude", exclude, true, &exclude_re);
  if (!st.ok()) return st;
  if (ctx.log != nullptr) {
    if (exclude_re) ctx.log->Info("Parsed flag --collector.netdev.device-exclude", {{"flag", exclude}});
    if (include_re) ctx.log->Info("Parsed Flag --collector.netdev.device-include", {{"flag", include}});
  }
  return std::unique_ptr<Collector>(
      std::make_unique<NetdevCollector>(ctx, std::move(include_re), std::move(exclude_re)));
}

}  // namespace nodex::collectors
