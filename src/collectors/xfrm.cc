#include "collectors/xfrm.h"

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
constexpr expo::MetricType kC = expo::MetricType::kCounter;

struct Field {
  std::string_view kernel_name;
  Desc desc;
};

#define XFRM(name) "node_xfrm_" name "_packets_total"
constexpr Field kFields[kXfrmFieldCount] = {
    {"XfrmInError", {XFRM("in_error"), "Inbound packets dropped for errors not counted elsewhere.", kC}},
    {"XfrmInBufferError", {XFRM("in_buffer_error"), "Inbound packets dropped for lack of buffers.", kC}},
    {"XfrmInHdrError", {XFRM("in_hdr_error"), "Inbound packets with header errors.", kC}},
    {"XfrmInNoStates", {XFRM("in_no_states"), "Inbound packets with no matching state (SPI, address or protocol).", kC}},
    {"XfrmInStateProtoError", {XFRM("in_state_proto_error"), "Inbound protocol-specific errors (e.g. wrong key).", kC}},
    {"XfrmInStateModeError", {XFRM("in_state_mode_error"), "Inbound transformation mode errors.", kC}},
    {"XfrmInStateSeqError", {XFRM("in_state_seq_error"), "Inbound packets with sequence numbers outside the window.", kC}},
    {"XfrmInStateExpired", {XFRM("in_state_expired"), "Inbound packets for expired states.", kC}},
    {"XfrmInStateMismatch", {XFRM("in_state_mismatch"), "Inbound packets whose state options did not match.", kC}},
    {"XfrmInStateInvalid", {XFRM("in_state_invalid"), "Inbound packets for invalid states.", kC}},
    {"XfrmInTmplMismatch", {XFRM("in_tmpl_mismatch"), "Inbound packets matching no policy template.", kC}},
    {"XfrmInNoPols", {XFRM("in_no_pols"), "Inbound packets with a state but no policy.", kC}},
    {"XfrmInPolBlock", {XFRM("in_pol_block"), "Inbound packets discarded by policy.", kC}},
    {"XfrmInPolError", {XFRM("in_pol_error"), "Inbound policy errors.", kC}},
    {"XfrmOutError", {XFRM("out_error"), "Outbound packets dropped for errors not counted elsewhere.", kC}},
    {"XfrmOutBundleGenError", {XFRM("out_bundle_gen_error"), "Outbound bundle generation errors.", kC}},
    {"XfrmOutBundleCheckError", {XFRM("out_bundle_check_error"), "Outbound bundle check errors.", kC}},
    {"XfrmOutNoStates", {XFRM("out_no_states"), "Outbound packets with no matching state.", kC}},
    {"XfrmOutStateProtoError", {XFRM("out_state_proto_error"), "Outbound protocol-specific errors.", kC}},
    {"XfrmOutStateModeError", {XFRM("out_state_mode_error"), "Outbound transformation mode errors.", kC}},
    {"XfrmOutStateSeqError", {XFRM("out_state_seq_error"), "Outbound sequence number overflows.", kC}},
    {"XfrmOutStateExpired", {XFRM("out_state_expired"), "Outbound packets for expired states.", kC}},
    {"XfrmOutPolBlock", {XFRM("out_pol_block"), "Outbound packets discarded by policy.", kC}},
    {"XfrmOutPolDead", {XFRM("out_pol_dead"), "Outbound packets hitting a dead policy.", kC}},
    {"XfrmOutPolError", {XFRM("out_pol_error"), "Outbound policy errors.", kC}},
    {"XfrmFwdHdrError", {XFRM("fwd_hdr_error"), "Forwarded packets rejected by policy routing.", kC}},
    {"XfrmOutStateInvalid", {XFRM("out_state_invalid"), "Outbound packets for invalid (possibly expired) states.", kC}},
    {"XfrmAcquireError", {XFRM("acquire_error"), "Packets using a state before it was fully acquired.", kC}},
};
#undef XFRM

class XfrmCollector : public Collector {
 public:
  explicit XfrmCollector(const Context& ctx) : file_(ctx.Proc("net/xfrm_stat")) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    // node_exporter returns procfs' error as is: a missing file (no
    // CONFIG_XFRM_STATISTICS) fails the collector rather than "no data".
    if (!st.ok()) return Status::Error(st.message());
    StatusOr<XfrmStats> stats = ParseXfrmStat(content);
    if (!stats.ok()) return stats.status();
    for (size_t i = 0; i < kXfrmFieldCount; ++i) out.Add(kFields[i].desc, static_cast<double>((*stats)[i]));
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
};

// Go's strconv.Atoi on 64-bit: optional sign, decimal digits.
std::optional<int64_t> Atoi(std::string_view s) {
  bool plus = !s.empty() && s.front() == '+';
  if (plus) s.remove_prefix(1);
  if (s.empty() || (plus && s.front() == '-')) return std::nullopt;
  return ParseI64(s);
}

}  // namespace

StatusOr<XfrmStats> ParseXfrmStat(std::string_view content) {
  XfrmStats stats{};
  std::string_view rest = content, line;
  while (NextLine(&rest, &line)) {
    std::string_view f[2];
    if (SplitFields(line, f, 2) != 2) {
      return Status::Error("xfrm_stat: couldn't parse line \"" + std::string(line) + "\"");
    }
    std::optional<int64_t> v = Atoi(f[1]);
    if (!v) return Status::Error("xfrm_stat: invalid value in line \"" + std::string(line) + "\"");
    for (size_t i = 0; i < kXfrmFieldCount; ++i) {
      if (kFields[i].kernel_name == f[0]) {
        stats[i] = *v;
        break;
      }
    }
  }
  return stats;
}

StatusOr<std::unique_ptr<Collector>> NewXfrmCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<XfrmCollector>(ctx));
}

}  // namespace nodex::collectors
