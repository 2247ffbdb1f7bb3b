#include "collectors/filefd.h"

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kAllocated{"node_filefd_allocated", "Number of file handles the kernel has allocated.",
                                expo::MetricType::kGauge};
constexpr expo::Desc kMaximum{"node_filefd_maximum", "Maximum number of file handles (fs.file-max).",
                              expo::MetricType::kGauge};

class FilefdCollector : public Collector {
 public:
  explicit FilefdCollector(const Context& ctx) : file_(ctx.Proc("sys/fs/file-nr"), ReadEnd::OneRecord()) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    // node_exporter fails hard when file-nr is missing.
    if (!st.ok()) return Status::Error("couldn't get file-nr: " + st.message());
    StatusOr<FileFdStats> stats = ParseFileNr(content);
    if (!stats.ok()) return Status::Error("couldn't get file-nr: " + stats.status().message());
    out.Add(kAllocated, stats->allocated);
    out.Add(kMaximum, stats->maximum);
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
};

}  // namespace

StatusOr<FileFdStats> ParseFileNr(std::string_view content) {
  std::string_view rest = TrimSpace(content);
  std::string_view parts[3];
  size_t n = 0;
  while (n < 3) {
    std::string_view head, tail;
    if (!SplitOnce(rest, '\t', &head, &tail)) {
      parts[n++] = rest;
      break;
    }
    parts[n++] = head;
    rest = tail;
  }
  if (n < 3) return Status::Error("unexpected number of file stats in file-nr");
  std::optional<double> allocated = ParseDouble(parts[0]);
  if (!allocated) return Status::Error("invalid value " + std::string(parts[0]) + " in file-nr");
  std::optional<double> maximum = ParseDouble(parts[2]);
  if (!maximum) return Status::Error("invalid value " + std::string(parts[2]) + " in file-nr");
  return FileFdStats{*allocated, *maximum};
}

StatusOr<std::unique_ptr<Collector>> NewFilefdCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<FilefdCollector>(ctx));
}

}  // namespace nodex::collectors
