#include "collectors/schedstat.h"

#include <mutex>
#include <string>

#include "base/file_reader.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
using expo::MetricType;

constexpr Desc kRunning{"node_schedstat_running_seconds_total", "Seconds this CPU spent running tasks.",
                        MetricType::kCounter};
constexpr Desc kWaiting{"node_schedstat_waiting_seconds_total",
                        "Seconds tasks spent runnable but waiting for this CPU.", MetricType::kCounter};
constexpr Desc kTimeslices{"node_schedstat_timeslices_total", "Timeslices this CPU has run.", MetricType::kCounter};

constexpr double kNanosPerSecond = 1e9;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Takes a non-empty run of digits at s[*pos]; false if there is none.
bool TakeDigits(std::string_view s, size_t* pos, std::string_view* digits) {
  size_t start = *pos;
  while (*pos < s.size() && IsDigit(s[*pos])) ++*pos;
  *digits = s.substr(start, *pos - start);
  return !digits->empty();
}

// Matches `cpu(\d+)( \d+){9}` starting exactly at `at`.
bool MatchCpuAt(std::string_view line, size_t at, std::string_view* cpu, std::string_view (&nums)[9]) {
  size_t pos = at + 3;
  if (!TakeDigits(line, &pos, cpu)) return false;
  for (auto& num : nums) {
    if (pos >= line.size() || line[pos] != ' ') return false;
    ++pos;
    if (!TakeDigits(line, &pos, &num)) return false;
  }
  return true;
}

class SchedstatCollector final : public Collector {
 public:
  explicit SchedstatCollector(const Context& ctx) : log_(ctx.log), file_(ctx.Proc("schedstat")) {}

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string_view content;
    Status st = file_.Read(&content);
    if (st.code() == StatusCode::kNoData) {
      if (log_ != nullptr) log_->Debug("schedstat file does not exist");
      return st;
    }
    if (!st.ok()) return st;
    ParseSchedstat(content, &cpus_);
    for (const SchedstatCpu& c : cpus_) {
      out.Add(kRunning, static_cast<double>(c.running_ns) / kNanosPerSecond, {{"cpu", c.cpu}});
      out.Add(kWaiting, static_cast<double>(c.waiting_ns) / kNanosPerSecond, {{"cpu", c.cpu}});
      out.Add(kTimeslices, static_cast<double>(c.timeslices), {{"cpu", c.cpu}});
    }
    return Status::Ok();
  }

 private:
  Logger* log_;
  std::mutex mu_;
  KeptOpenFile file_;
  std::vector<SchedstatCpu> cpus_;
};

}  // namespace

void ParseSchedstat(std::string_view content, std::vector<SchedstatCpu>* out) {
  out->clear();
  std::string_view line;
  while (NextLine(&content, &line)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // bufio.ScanLines drops it.
    std::string_view cpu;
    std::string_view nums[9];
    bool matched = false;
    for (size_t at = line.find("cpu"); at != std::string_view::npos; at = line.find("cpu", at + 1)) {
      if (MatchCpuAt(line, at, &cpu, nums)) {
        matched = true;
        break;
      }
    }
    if (!matched) continue;
    auto running = ParseU64(nums[6]);
    auto waiting = ParseU64(nums[7]);
    auto slices = ParseU64(nums[8]);
    if (!running || !waiting || !slices) continue;
    out->push_back(SchedstatCpu{cpu, *running, *waiting, *slices});
  }
}

StatusOr<std::unique_ptr<Collector>> NewSchedstatCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<SchedstatCollector>(ctx));
}

}  // namespace nodex::collectors
