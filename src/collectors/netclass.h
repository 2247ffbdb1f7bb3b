// The netclass collector (mirrors node_exporter's netclass collector,
// collector/netclass_linux.go and netclass_rtnl_linux.go, and procfs'
// sysfs/net_class.go): per-interface properties from /sys/class/net/<dev>/
// as node_network_<property>{device}, plus node_network_up and
// node_network_info{device,address,broadcast,duplex,operstate,adminstate,ifalias}.
//
// With --collector.netclass.netlink the properties come from one rtnetlink
// RTM_GETLINK dump per scrape instead (most sysfs attributes take the RTNL
// lock, which is what makes the sysfs variant slow on nodes with thousands
// of veths); only addr_assign_type, dev_id and name_assign_type, which have
// no netlink attribute and take no RTNL lock, are still read from sysfs.
// In that mode node_network_info has no adminstate label, like upstream's.
// Speed and duplex come from one ETHTOOL_MSG_LINKMODES_GET dump per scrape
// over the "ethtool" generic-netlink family (Linux 5.6+; the family id is
// resolved once with CTRL_CMD_GETFAMILY), as node_exporter gets them through
// mdlayher/ethtool. Its quirks, kept on purpose:
//   - node_network_speed_bytes is exported for every device of that dump
//     (devices without ethtool link settings, such as lo, are not in it),
//     and --collector.netclass.ignore-invalid-speed does not apply: the
//     speed is read as an unsigned 32-bit number, so SPEED_UNKNOWN
//     (0xffffffff) is 4294967295 Mb/s = 536870911875000 bytes/s, where the
//     sysfs variant reports -1 Mb/s = -125000.
//   - the duplex label is Go's stringer name of the value: "Half", "Full",
//     "Unknown" (0xff) or "Duplex(N)", capitalised unlike sysfs' "full";
//     "" for a device that is not in the ethtool dump.
//   - a kernel without the family (CTRL_CMD_GETFAMILY answers ENOENT) gives
//     no speed_bytes and duplex="" (logged once at info level); any other
//     ethtool failure fails the collector ("could not get link modes").
// --collector.netclass_rtnl.with-stats adds the link counters in that mode.
//
// The default (sysfs) variant reports exactly what /sys/class/net/<dev>/
// shows, but reads most of it from one RTM_GETLINK dump per scrape: 16 of
// the 22 attributes of a device are fields the dump carries too, and one
// dump costs less than four sysfs reads. Only ifindex, addr_assign_type,
// dev_id, flags and name_assign_type (and speed and duplex of a running
// device) are read from sysfs. The dump is used only when it describes the
// devices sysfs lists: the tree is sysfs, the names are the same, once every
// device's sysfs ifindex and address matched the dump with at least one real
// (non-zero) address among them, and every scrape each device's ifindex.
// Otherwise (sysfs mounted from another network namespace, a device added,
// removed or recreated in between, no netlink) that device, or the whole
// scrape, reads every attribute from sysfs as before.
#ifndef NODEX_COLLECTORS_NETCLASS_H_
#define NODEX_COLLECTORS_NETCLASS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kNetclassFlags[] = {
    {"collector.netclass.ignored-devices", FlagKind::kString, "^$",
     "Regular expression of network devices netclass leaves out."},
    {"collector.netclass.ignore-invalid-speed", FlagKind::kBool, "false",
     "Leave out node_network_speed_bytes for devices reporting a negative (unknown) speed."},
    {"collector.netclass.netlink", FlagKind::kBool, "false",
     "Read device properties over rtnetlink instead of /sys/class/net."},
    {"collector.netclass_rtnl.with-stats", FlagKind::kBool, "false",
     "With --collector.netclass.netlink, also export each device's traffic counters."},
};

// The sysfs attributes of one interface that netclass uses. Integers are
// unset when the file is missing, unreadable in an ignorable way, or does
// not parse (procfs drops those silently); strings are then empty.
struct NetClassIface {
  std::optional<int64_t> addr_assign_type, carrier, carrier_changes, carrier_up_count, carrier_down_count, dev_id,
      dormant, flags, ifindex, iflink, link_mode, mtu, name_assign_type, netdev_group, speed, tx_queue_len, type;
  std::string address, broadcast, duplex, ifalias, operstate;

  void Reset();
};

// The attribute files netclass reads, in the order it reads them.
std::span<const std::string_view> NetClassAttributeNames();

// Stores the value of attribute `name` (an entry of /sys/class/net/<dev>/,
// already cut to 128 bytes and trimmed of surrounding whitespace as procfs'
// SysReadFile does) into *iface:
//   /sys/class/net/eth0/mtu        1500
//   /sys/class/net/eth0/flags      0x1003
//   /sys/class/net/eth0/address    52:54:00:12:34:56
// Integers parse like Go's strconv.ParseInt(s, 0, 64) (so "0x1003" is hex
// and "010" octal); a value that does not parse leaves the field unset, as
// procfs' ValueParser does. Unknown names are ignored. Returns whether the
// name was known.
bool ParseNetClassAttribute(std::string_view name, std::string_view value, NetClassIface* iface);

// Whether an errno from reading a sysfs net attribute is one procfs ignores
// (the attribute is then unset): missing, no permission, EINVAL (speed and
// duplex of a link that is down), EOPNOTSUPP (phys_port_id on most drivers).
bool NetClassIgnorableError(int err);

// One link of an RTM_GETLINK dump as the netlink variant sees it. Views
// point into the decoded buffer and are valid only during the callback.
struct NetClassLink {
  int32_t index = 0;
  uint16_t type = 0;                                   // ifi_type (ARPHRD_*): protocol_type.
  uint32_t flags = 0;                                  // ifi_flags.
  std::string_view name, address, broadcast, ifalias;  // address/broadcast raw bytes.
  bool has_alias = false;
  uint32_t mtu = 0, link = 0, txqlen = 0, group = 0;
  bool has_link = false;  // IFLA_LINK was present (the kernel omits it when iflink == ifindex).
  uint8_t operstate = 0;
  std::optional<uint8_t> carrier, link_mode;
  std::optional<uint32_t> carrier_changes, carrier_up_count, carrier_down_count;
  bool has_stats64 = false;
  uint64_t stats64[24] = {};  // struct rtnl_link_stats64, first 24 members.
};

class NetClassLinkSink {
 public:
  virtual ~NetClassLinkSink() = default;
  virtual void OnLink(const NetClassLink& link) = 0;
};

// Decodes one recvmsg() buffer of the reply to an RTM_GETLINK dump:
//   struct nlmsghdr  {len, type=RTM_NEWLINK(16), flags=NLM_F_MULTI, seq, pid}
//   struct ifinfomsg {family, type, index, flags, change}
//   rtattrs          IFLA_ADDRESS(1), IFLA_BROADCAST(2), IFLA_IFNAME(3), IFLA_MTU(4), IFLA_LINK(5),
//                    IFLA_TXQLEN(13), IFLA_OPERSTATE(16), IFLA_LINKMODE(17), IFLA_IFALIAS(20),
//                    IFLA_STATS64(23), IFLA_GROUP(27), IFLA_CARRIER(33), IFLA_CARRIER_CHANGES(35),
//                    IFLA_CARRIER_UP_COUNT(47), IFLA_CARRIER_DOWN_COUNT(48), ...
// Calls sink.OnLink for each link of sequence `seq` (any when 0). Returns
// true once NLMSG_DONE is seen, false when more buffers follow; NLMSG_ERROR,
// a message shorter than its ifinfomsg, a fixed-size attribute of the wrong
// size, a truncated message or attribute and trailing bytes are errors. Any
// alignment is fine.
[[nodiscard]] StatusOr<bool> DecodeNetClassLinkDump(std::span<const uint8_t> buf, uint32_t seq, NetClassLinkSink& sink);

// Stores into *iface the attributes of /sys/class/net/<dev>/ that the
// RTM_GETLINK message `link` of the same device carries, as Linux's
// net-sysfs.c would show them at the same moment:
//   address, broadcast   "%*phC" of IFLA_ADDRESS/IFLA_BROADCAST ("" without)
//   carrier, dormant     only while the device runs (IFF_UP), else EINVAL:
//                        IFLA_CARRIER, IFF_DORMANT of ifi_flags
//   operstate            IFLA_OPERSTATE by name ("down" unless running, as
//                        the kernel already reports it in the dump)
//   carrier_changes, carrier_up_count, carrier_down_count, ifindex, iflink
//   (IFLA_LINK, else ifindex), link_mode, mtu, netdev_group, tx_queue_len,
//   type                 the same field, printed with "%d" (so u32 values
//                        above INT32_MAX read as negative)
//   ifalias              IFLA_IFALIAS cut to the 128 bytes procfs reads, trimmed
// Leaves the other fields (addr_assign_type, dev_id, flags,
// name_assign_type, speed, duplex: sysfs only) as they are.
void NetClassIfaceFromLink(const NetClassLink& link, NetClassIface* iface);

// Go's net.HardwareAddr.String(): lowercase hex pairs joined by ':'
// ("" for no bytes). Appends to *out.
void AppendHardwareAddr(std::string_view raw, std::string* out);

// One device of an ETHTOOL_MSG_LINKMODES_GET dump. Fields the message does
// not carry keep Go's zero values, as mdlayher/ethtool leaves them (so a
// missing duplex reads as half). `name` points into the decoded buffer and is
// valid only during the callback.
struct EthtoolLinkMode {
  uint32_t ifindex = 0;
  std::string_view name;
  uint32_t speed = 0;  // Mb/s; SPEED_UNKNOWN is 0xffffffff.
  uint8_t duplex = 0;  // DUPLEX_HALF 0, DUPLEX_FULL 1, DUPLEX_UNKNOWN 0xff.
};

class EthtoolLinkModeSink {
 public:
  virtual ~EthtoolLinkModeSink() = default;
  virtual void OnLinkMode(const EthtoolLinkMode& mode) = 0;
};

// Decodes one recvmsg() buffer of the reply to an ETHTOOL_MSG_LINKMODES_GET
// dump (request: genl cmd 4, version 1, nest ETHTOOL_A_LINKMODES_HEADER
// {ETHTOOL_A_HEADER_FLAGS = ETHTOOL_FLAG_COMPACT_BITSETS}, NLM_F_DUMP):
//   struct nlmsghdr   {len, type=<ethtool family id>, flags=NLM_F_MULTI, seq, pid}
//   struct genlmsghdr {cmd=ETHTOOL_MSG_LINKMODES_GET_REPLY(4), version=1}
//   nlattrs           ETHTOOL_A_LINKMODES_HEADER(1) nest {ETHTOOL_A_HEADER_DEV_INDEX(1) u32,
//                       ETHTOOL_A_HEADER_DEV_NAME(2) "eth0\0"},
//                     ETHTOOL_A_LINKMODES_AUTONEG(2) u8, _OURS(3)/_PEER(4) bitset nests,
//                     ETHTOOL_A_LINKMODES_SPEED(5) u32, ETHTOOL_A_LINKMODES_DUPLEX(6) u8, ...
// Calls sink.OnLinkMode for each message of `family` (any when 0) and
// sequence `seq` (any when 0). Returns true once NLMSG_DONE is seen, false
// when more buffers follow; NLMSG_ERROR, a message shorter than its
// genlmsghdr, a speed/duplex/ifindex attribute of the wrong size, a truncated
// message, attribute or nest, and trailing bytes are errors. Any alignment.
[[nodiscard]] StatusOr<bool> DecodeEthtoolLinkModesDump(std::span<const uint8_t> buf, uint32_t seq, uint16_t family,
                                                        EthtoolLinkModeSink& sink);

// node_exporter's duplex label for an ethtool duplex value ("Half", "Full",
// "Unknown", "Duplex(N)"). Replaces *out.
void EthtoolDuplexLabel(uint8_t duplex, std::string* out);

// node_exporter's node_network_speed_bytes for an ethtool speed in Mb/s:
// uint64(int(speed) * 1000 * 1000 / 8) with a 64-bit Go int.
double EthtoolSpeedBytes(uint32_t mbit);

StatusOr<std::unique_ptr<Collector>> NewNetclassCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_NETCLASS_H_
