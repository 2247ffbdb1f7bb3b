#include "collectors/vmstat.h"

#include <re2/re2.h>

#include <memory>
#include <mutex>
#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/procfs_helpers.h"

namespace nodex::collectors {
namespace {

// /proc/vmstat prints one "name value" line per counter (mm/vmstat.c,
// vmstat_show); names are under 40 bytes, values at most 20 digits.
constexpr size_t kVmstatLongestLine = 128;

bool IsMetricNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
}

class VmstatCollector final : public Collector {
 public:
  VmstatCollector(const Context& ctx, std::unique_ptr<RE2> filter)
      : file_(ctx.Proc("vmstat"), ReadEnd::Records(kVmstatLongestLine)), filter_(std::move(filter)) {}

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string_view content;
    Status st = file_.Read(&content);
    // node_exporter fails on a missing /proc/vmstat like on any other error.
    if (!st.ok()) return Status::Error(st.message());
    st = ParseVmstat(content, &fields_);
    if (!st.ok()) return st;
    // The field list is the same on every scrape, so the per-field metric
    // name, help and filter verdict are computed once and found by position.
    if (cache_.size() < fields_.size()) cache_.resize(fields_.size());
    for (size_t i = 0; i < fields_.size(); ++i) {
      Cached& c = cache_[i];
      if (c.field != fields_[i].name) Fill(fields_[i].name, &c);
      if (c.export_it) {
        out.Add(expo::Desc{c.metric, c.help, expo::MetricType::kUntyped}, fields_[i].value);
      }
    }
    return Status::Ok();
  }

 private:
  struct Cached {
    std::string field;
    std::string metric;
    std::string help;
    bool export_it = false;
  };

  void Fill(std::string_view field, Cached* c) const {
    c->field.assign(field);
    c->export_it = procfs_helpers::Matches(*filter_, field);
    // Most fields are filtered out; their names and help would only hold memory.
    c->metric.clear();
    c->help.clear();
    if (!c->export_it) return;
    c->metric.assign("node_vmstat_").append(field);
    c->help.assign("Value of field ").append(field).append(" in /proc/vmstat.");
  }

  std::mutex mu_;
  KeptOpenFile file_;
  std::unique_ptr<RE2> filter_;
  std::vector<VmstatField> fields_;
  std::vector<Cached> cache_;
};

}  // namespace

Status ParseVmstat(std::string_view content, std::vector<VmstatField>* out) {
  out->clear();
  std::string_view line;
  size_t line_no = 0;
  while (NextLine(&content, &line)) {
    ++line_no;
    std::string_view parts[2];
    if (SplitFields(line, parts, 2) < 2) {
      return Status::Error("malformed /proc/vmstat line " + std::to_string(line_no) + ": \"" +
                           std::string(line.substr(0, 64)) + "\"");
    }
    for (char ch : parts[0]) {
      if (!IsMetricNameChar(ch)) {
        return Status::Error("invalid /proc/vmstat field name \"" + std::string(parts[0].substr(0, 64)) + "\"");
      }
    }
    std::optional<double> v = ParseDouble(parts[1]);
    if (!v) {
      return Status::Error("invalid value for /proc/vmstat field " + std::string(parts[0].substr(0, 64)) + ": \"" +
                           std::string(parts[1].substr(0, 64)) + "\"");
    }
    out->push_back(VmstatField{parts[0], *v});
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewVmstatCollector(const Context& ctx) {
  std::unique_ptr<RE2> filter;
  Status st = procfs_helpers::CompileFlagRegex(
      "collector.vmstat.fields", procfs_helpers::StringFlagOr(ctx, "collector.vmstat.fields", kVmstatDefaultFields),
      /*empty_means_none=*/false, &filter);
  if (!st.ok()) return st;
  return std::unique_ptr<Collector>(std::make_unique<VmstatCollector>(ctx, std::move(filter)));
}

}  // namespace nodex::collectors
