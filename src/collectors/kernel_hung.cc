#include "collectors/kernel_hung.h"

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kHungTasks{"node_kernel_hung_tasks_total",
                                "Tasks reported as hung by the kernel's hung-task detector since boot.",
                                expo::MetricType::kCounter};

class KernelHungCollector : public Collector {
 public:
  explicit KernelHungCollector(const Context& ctx) : file_(ctx.Proc("sys/kernel/hung_task_detect_count")) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    // Like node_exporter: a kernel without the detector is "no data", any
    // other read failure is an error.
    if (!st.ok()) return st;
    StatusOr<uint64_t> count = ParseKernelHung(content);
    if (!count.ok()) return count.status();
    out.Add(kHungTasks, static_cast<double>(*count));
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
};

}  // namespace

StatusOr<uint64_t> ParseKernelHung(std::string_view content) {
  std::string_view trimmed = TrimSpace(content);
  std::optional<uint64_t> v = ParseU64(trimmed);
  if (!v) return Status::Error("invalid hung_task_detect_count \"" + std::string(trimmed.substr(0, 64)) + "\"");
  return *v;
}

StatusOr<std::unique_ptr<Collector>> NewKernelHungCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<KernelHungCollector>(ctx));
}

}  // namespace nodex::collectors
