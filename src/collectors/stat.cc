#include "collectors/stat.h"

#include <memory>
#include <mutex>

#include "base/file_reader.h"
#include "collectors/proc_stat.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
using expo::MetricType;

constexpr Desc kBootTimeDesc{"node_boot_time_seconds", "Time the system booted, in seconds since the Unix epoch.",
                             MetricType::kGauge};
constexpr Desc kContextSwitchesDesc{"node_context_switches_total", "Context switches since boot.",
                                    MetricType::kCounter};
constexpr Desc kForksDesc{"node_forks_total", "Processes and threads created since boot.", MetricType::kCounter};
constexpr Desc kIntrDesc{"node_intr_total", "Interrupts serviced since boot, all IRQs together.", MetricType::kCounter};
constexpr Desc kProcsBlockedDesc{"node_procs_blocked", "Processes currently blocked on I/O.", MetricType::kGauge};
constexpr Desc kProcsRunningDesc{"node_procs_running", "Processes currently runnable.", MetricType::kGauge};
constexpr Desc kSoftirqsDesc{"node_softirqs_total", "Softirqs raised since boot, by vector.", MetricType::kCounter};

class StatCollector final : public Collector {
 public:
  StatCollector(std::string path, bool softirq) : file_(std::move(path), ReadEnd::OneRecord()), softirq_(softirq) {}

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string_view content;
    Status st = file_.Read(&content);
    if (!st.ok()) {
      // node_exporter treats a missing /proc/stat as a plain failure.
      if (st.code() == StatusCode::kNoData) return Status::Error(st.message());
      return st;
    }
    st = ParseProcStat(content, &stat_);
    if (!st.ok()) return st;
    // Keys missing from the file are exported as 0, as procfs leaves them.
    out.Add(kIntrDesc, static_cast<double>(stat_.irq_total));
    out.Add(kContextSwitchesDesc, static_cast<double>(stat_.context_switches));
    out.Add(kForksDesc, static_cast<double>(stat_.processes_created));
    out.Add(kBootTimeDesc, static_cast<double>(stat_.boot_time));
    out.Add(kProcsRunningDesc, static_cast<double>(stat_.procs_running));
    out.Add(kProcsBlockedDesc, static_cast<double>(stat_.procs_blocked));
    if (softirq_) {
      for (size_t i = 0; i < kSoftirqVectors.size(); ++i) {
        out.Add(kSoftirqsDesc, static_cast<double>(stat_.softirq[i]), {{"vector", kSoftirqVectors[i]}});
      }
    }
    return Status::Ok();
  }

 private:
  std::mutex mu_;
  KeptOpenFile file_;
  const bool softirq_;
  ProcStat stat_;
};

}  // namespace

StatusOr<std::unique_ptr<Collector>> NewStatCollector(const Context& ctx) {
  bool softirq = ctx.flags != nullptr && ctx.flags->GetBool("collector.stat.softirq");
  return std::unique_ptr<Collector>(std::make_unique<StatCollector>(ctx.Proc("stat"), softirq));
}

}  // namespace nodex::collectors
