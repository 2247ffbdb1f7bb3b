#include "collectors/softirqs.h"

#include <mutex>
#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kFunctions{"node_softirqs_functions_total",
                                "Softirq handler runs per CPU and softirq vector, from /proc/softirqs.",
                                expo::MetricType::kCounter};

class SoftirqsCollector final : public Collector {
 public:
  explicit SoftirqsCollector(const Context& ctx) : file_(ctx.Proc("softirqs")) {}

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string_view content;
    Status st = file_.Read(&content);
    if (!st.ok()) return Status::Error("couldn't get softirqs: " + st.message());
    st = ParseSoftirqs(content, &softirqs_);
    if (!st.ok()) return Status::Error("couldn't get softirqs: " + st.message());
    for (size_t t = 0; t < kSoftirqTypes.size(); ++t) {
      const std::vector<uint64_t>& counts = softirqs_.counts[t];
      while (cpu_labels_.size() < counts.size()) cpu_labels_.push_back(std::to_string(cpu_labels_.size()));
      for (size_t cpu = 0; cpu < counts.size(); ++cpu) {
        out.Add(kFunctions, static_cast<double>(counts[cpu]), {{"cpu", cpu_labels_[cpu]}, {"type", kSoftirqTypes[t]}});
      }
    }
    return Status::Ok();
  }

 private:
  std::mutex mu_;
  KeptOpenFile file_;
  Softirqs softirqs_;
  std::vector<std::string> cpu_labels_;  // "0", "1", ...: built once per CPU index.
};

}  // namespace

Status ParseSoftirqs(std::string_view content, Softirqs* out) {
  for (auto& v : out->counts) v.clear();
  std::string_view line;
  if (!NextLine(&content, &line)) return Status::Error("softirqs empty");
  while (NextLine(&content, &line)) {
    std::string_view rest = line;
    std::string_view name;
    if (!NextField(&rest, &name)) continue;
    if (TrimSpace(rest).empty()) continue;  // Needs at least one CPU column.
    if (name.size() < 2 || name.back() != ':') continue;
    name.remove_suffix(1);
    size_t t = 0;
    while (t < kSoftirqTypes.size() && kSoftirqTypes[t] != name) ++t;
    if (t == kSoftirqTypes.size()) continue;
    std::vector<uint64_t>& counts = out->counts[t];
    counts.clear();  // A repeated row replaces the earlier one.
    std::string_view field;
    while (NextField(&rest, &field)) {
      std::optional<uint64_t> v = ParseU64(field);
      if (!v) {
        return Status::Error("couldn't parse \"" + std::string(field.substr(0, 32)) + "\" (" + std::string(name) +
                             std::to_string(counts.size()) + ")");
      }
      counts.push_back(*v);
    }
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewSoftirqsCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<SoftirqsCollector>(ctx));
}

}  // namespace nodex::collectors
