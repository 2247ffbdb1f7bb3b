#include "collectors/ksmd.h"

#include <string>
#include <vector>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {

namespace {
constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
}  // namespace

// node_exporter's file list, plus general_profit which it reads when present.
const std::array<KsmdFile, kKsmdFileCount> kKsmdFiles = {{
    {"full_scans",
     {"node_ksmd_full_scans_total", "Times ksmd has scanned all mergeable memory areas.", expo::MetricType::kCounter},
     false,
     false,
     1},
    {"general_profit",
     {"node_ksmd_general_profit_bytes",
      "Memory saved by KSM minus its rmap_item bookkeeping, in bytes (negative when KSM costs more).", kGauge},
     true,
     true,
     1},
    {"merge_across_nodes",
     {"node_ksmd_merge_across_nodes",
      "Whether ksmd merges identical pages that sit on different NUMA nodes (1) or not (0).", kGauge},
     false,
     false,
     1},
    {"pages_shared", {"node_ksmd_pages_shared", "Shared KSM pages currently in use.", kGauge}, false, false, 1},
    {"pages_sharing",
     {"node_ksmd_pages_sharing", "Additional page mappings backed by shared KSM pages (the saving).", kGauge},
     false,
     false,
     1},
    {"pages_to_scan",
     {"node_ksmd_pages_to_scan", "Pages ksmd scans before it goes back to sleep.", kGauge},
     false,
     false,
     1},
    {"pages_unshared",
     {"node_ksmd_pages_unshared", "Unique pages ksmd keeps checking for merge candidates.", kGauge},
     false,
     false,
     1},
    {"pages_volatile",
     {"node_ksmd_pages_volatile", "Pages that change too quickly to be placed in a KSM tree.", kGauge},
     false,
     false,
     1},
    {"run", {"node_ksmd_run", "ksmd state: 0 stopped, 1 running, 2 unmerging all pages.", kGauge}, false, false, 1},
    {"sleep_millisecs",
     {"node_ksmd_sleep_seconds", "Seconds ksmd sleeps between scan batches.", kGauge},
     false,
     false,
     1000},
}};

namespace {

class KsmdCollector : public Collector {
 public:
  explicit KsmdCollector(const Context& ctx) {
    files_.reserve(kKsmdFiles.size());
    for (const KsmdFile& f : kKsmdFiles)
      files_.emplace_back(ctx.Sys(std::string("kernel/mm/ksm/") + std::string(f.file)));
  }

  Status Collect(expo::MetricSet& out) override {
    // Read everything first so a failure leaves no half-filled family set.
    for (size_t i = 0; i < kKsmdFiles.size(); ++i) {
      const KsmdFile& f = kKsmdFiles[i];
      std::string_view content;
      Status st = files_[i].Read(&content);
      present_[i] = false;
      if (!st.ok()) {
        if (f.optional && st.code() == StatusCode::kNoData) continue;
        return st;
      }
      StatusOr<double> v = ParseKsmdValue(f, content);
      if (!v.ok()) return Status::Error(files_[i].path() + ": " + v.status().message());
      values_[i] = *v;
      present_[i] = true;
    }
    for (size_t i = 0; i < kKsmdFiles.size(); ++i) {
      if (present_[i]) out.Add(kKsmdFiles[i].desc, values_[i]);
    }
    return Status::Ok();
  }

 private:
  std::vector<KeptOpenFile> files_;
  std::array<double, kKsmdFileCount> values_{};
  std::array<bool, kKsmdFileCount> present_{};
};

}  // namespace

StatusOr<double> ParseKsmdValue(const KsmdFile& file, std::string_view content) {
  std::string_view trimmed = TrimSpace(content);
  double v;
  if (file.is_signed) {
    std::optional<int64_t> n = ParseI64(trimmed);
    if (!n) return Status::Error("invalid integer \"" + std::string(trimmed.substr(0, 64)) + "\"");
    v = static_cast<double>(*n);
  } else {
    std::optional<uint64_t> n = ParseU64(trimmed);
    if (!n) return Status::Error("invalid unsigned integer \"" + std::string(trimmed.substr(0, 64)) + "\"");
    v = static_cast<double>(*n);
  }
  if (file.divisor != 1) v /= file.divisor;
  return v;
}

StatusOr<std::unique_ptr<Collector>> NewKsmdCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<KsmdCollector>(ctx));
}

}  // namespace nodex::collectors
