// The qdisc collector (mirrors node_exporter's qdisc collector,
// collector/qdisc_linux.go, and the github.com/ema/qdisc library it uses):
// node_qdisc_{bytes,packets,drops,requeues,overlimits}_total,
// node_qdisc_current_queue_length and node_qdisc_backlog{device,kind} for
// every root queueing discipline. Statistics come from one rtnetlink
// RTM_GETQDISC dump per scrape, interface names from one RTM_GETLINK dump
// (rtnl::DecodeLinkNames). With --collector.qdisc.fixtures=DIR the dump is
// replaced by DIR/results.json (node_exporter's end-to-end test hook).
// Devices are filtered with --collector.qdisc.device-include /
// device-exclude (RE2, unanchored, mutually exclusive). node_exporter's
// hidden, deprecated --collector.qdisk.* spellings are not supported.
#ifndef NODEX_COLLECTORS_QDISC_H_
#define NODEX_COLLECTORS_QDISC_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

inline constexpr FlagDef kQdiscFlags[] = {
    {"collector.qdisc.fixtures", FlagKind::kString, "",
     "Directory whose results.json replaces the netlink qdisc dump (for end-to-end tests)."},
    {"collector.qdisc.device-include", FlagKind::kString, "",
     "Regular expression of devices whose qdiscs are reported (mutually exclusive with device-exclude)."},
    {"collector.qdisc.device-exclude", FlagKind::kString, "",
     "Regular expression of devices whose qdiscs are left out (mutually exclusive with device-include)."},
};

// One queueing discipline, as ema/qdisc's QdiscInfo. The counters have the
// kernel's widths (only bytes is 64-bit in gnet_stats_basic).
struct QdiscInfo {
  int32_t ifindex = 0;
  std::string iface;  // Filled from the link dump (netlink) or the fixture.
  uint32_t parent = 0;  // TC_H_ROOT (0xffffffff) is stored as 0, as ema/qdisc does.
  uint32_t handle = 0;
  std::string kind;
  uint64_t bytes = 0;
  uint32_t packets = 0;
  uint32_t drops = 0;
  uint32_t requeues = 0;
  uint32_t overlimits = 0;
  uint32_t qlen = 0;
  uint32_t backlog = 0;
};

// Decodes one recvmsg() buffer of the reply to an RTM_GETQDISC dump:
//   nlmsghdr{type=RTM_NEWQDISC(36)} tcmsg{family, ifindex, handle, parent, info}
//   rtattrs: TCA_KIND(1) "pfifo_fast\0", TCA_OPTIONS(2) ...,
//            TCA_STATS2(7) { TCA_STATS_BASIC(1) gnet_stats_basic{u64 bytes, u32 packets},
//                            TCA_STATS_QUEUE(3) gnet_stats_queue{qlen, backlog, drops, requeues, overlimits},
//                            TCA_STATS_APP(4) ... },
//            TCA_STATS(3) legacy tc_stats{u64 bytes, u32 packets, drops, overlimits, bps, pps, qlen, backlog}
// Attributes are applied in order, so the legacy TCA_STATS the kernel appends
// after TCA_STATS2 overwrites the shared fields (requeues exists only in
// TCA_STATS2); values are the same in both. Writes each qdisc into
// (*out)[*count] and increments *count, growing *out only when full (callers
// keep *out across scrapes; slots from *count on are stale). iface is left
// empty. Returns true once NLMSG_DONE is seen, false when more buffers follow.
// Errors (where ema/qdisc would fail or panic): a message shorter than its
// tcmsg, a truncated attribute or nested attribute, TCA_STATS shorter than
// 36 bytes, TCA_STATS_BASIC shorter than 12, TCA_STATS_QUEUE shorter than 20,
// an NLMSG_ERROR. Any alignment is fine.
[[nodiscard]] StatusOr<bool> DecodeQdiscDump(std::span<const uint8_t> buf, uint32_t seq, std::vector<QdiscInfo>* out,
                                             size_t* count);

// Parses node_exporter's fixture file results.json, a JSON array of
// QdiscInfo objects as Go's encoding/json writes them:
//   [{"IfaceName": "wlan0", "Bytes": 42, "Packets": 42, "Requeues": 1, "Kind": "fq", "Drops": 1},
//    {"IfaceName": "eth0", "Parent": 0, "Kind": "pfifo_fast", "Qlen": 0, "Backlog": 0}]
// As Go does: keys match field names case-insensitively, unknown keys are
// ignored, null leaves a field (or a whole entry) zero, and integers must be
// plain non-negative literals that fit the field. Anything else fails.
// Replaces *out. Never throws.
Status ParseQdiscFixture(std::string_view json, std::vector<QdiscInfo>* out);

StatusOr<std::unique_ptr<Collector>> NewQdiscCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_QDISC_H_
