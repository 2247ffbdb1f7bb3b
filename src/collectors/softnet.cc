#include "collectors/softnet.h"

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

// One /proc/net/softnet_stat line per CPU of "%08x " fields (15 on Linux 6.x,
// 134 bytes; older kernels print fewer).
constexpr size_t kSoftnetLongestLine = 256;

using expo::MetricType;

constexpr expo::Desc kProcessed{"node_softnet_processed_total", "Packets processed by the CPU's network softirq.",
                                MetricType::kCounter};
constexpr expo::Desc kDropped{"node_softnet_dropped_total", "Packets dropped because the CPU's backlog queue was full.",
                              MetricType::kCounter};
constexpr expo::Desc kTimesSqueezed{"node_softnet_times_squeezed_total",
                                    "Times the network softirq ran out of budget or time with work left.",
                                    MetricType::kCounter};
constexpr expo::Desc kCpuCollision{"node_softnet_cpu_collision_total",
                                   "Times a transmit lock was contended (always 0 on modern kernels).",
                                   MetricType::kCounter};
constexpr expo::Desc kReceivedRps{"node_softnet_received_rps_total",
                                  "Times the CPU was woken by an inter-processor interrupt to process packets (RPS).",
                                  MetricType::kCounter};
constexpr expo::Desc kFlowLimitCount{"node_softnet_flow_limit_count_total",
                                     "Packets dropped by the per-flow backlog limit.", MetricType::kCounter};
constexpr expo::Desc kBacklogLen{"node_softnet_backlog_len", "Packets currently waiting in the CPU's backlog queues.",
                                 MetricType::kGauge};

class SoftnetCollector : public Collector {
 public:
  explicit SoftnetCollector(const Context& ctx)
      : file_(ctx.Proc("net/softnet_stat"), ReadEnd::Records(kSoftnetLongestLine)) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    if (!st.ok()) return Status::Error("could not get softnet statistics: " + st.message());
    st = ParseSoftnetStat(content, &stats_);
    if (!st.ok()) return Status::Error("could not get softnet statistics: " + st.message());
    for (const SoftnetCpuStats& s : stats_) {
      char buf[24];
      expo::Label cpu[] = {{"cpu", expo::IntLabel(buf, s.index)}};
      out.Add(kProcessed, s.processed, cpu);
      out.Add(kDropped, s.dropped, cpu);
      out.Add(kTimesSqueezed, s.time_squeezed, cpu);
      out.Add(kCpuCollision, s.cpu_collision, cpu);
      out.Add(kReceivedRps, s.received_rps, cpu);
      out.Add(kFlowLimitCount, s.flow_limit_count, cpu);
      out.Add(kBacklogLen, s.backlog_len, cpu);
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
  std::vector<SoftnetCpuStats> stats_;
};

}  // namespace

Status ParseSoftnetStat(std::string_view content, std::vector<SoftnetCpuStats>* out) {
  out->clear();
  constexpr size_t kMinColumns = 9;
  constexpr size_t kKnownColumns = 13;
  std::string_view line;
  uint32_t line_index = 0;
  while (NextLine(&content, &line)) {
    std::string_view cols[kKnownColumns];
    size_t width = SplitFields(line, cols, kKnownColumns);
    if (width < kMinColumns) {
      return Status::Error("detected " + std::to_string(width) + " columns, but expected at least " +
                           std::to_string(kMinColumns));
    }
    uint32_t v[kKnownColumns] = {};
    size_t parsed = width < kKnownColumns ? width : kKnownColumns;
    // procfs parses columns 0-8 as a group, then 9, 10 and 11-12 only when the
    // line has them; a 12-column line therefore ignores column 11.
    if (parsed == 12) parsed = 11;
    for (size_t i = 0; i < parsed; ++i) {
      std::optional<uint32_t> u = ParseInt<uint32_t>(cols[i], 16);
      if (!u) {
        return Status::Error("invalid hex value \"" + std::string(cols[i].substr(0, 32)) + "\"");
      }
      v[i] = *u;
    }
    SoftnetCpuStats s;
    s.processed = v[0];
    s.dropped = v[1];
    s.time_squeezed = v[2];
    s.cpu_collision = v[8];
    s.received_rps = v[9];
    s.flow_limit_count = v[10];
    s.backlog_len = v[11];
    s.index = width >= kKnownColumns ? v[12] : line_index;
    out->push_back(s);
    ++line_index;
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewSoftnetCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<SoftnetCollector>(ctx));
}

}  // namespace nodex::collectors
