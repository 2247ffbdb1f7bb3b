#include "collectors/interrupts.h"

#include <re2/re2.h>

#include <mutex>
#include <string>

#include "base/file_reader.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/procfs_helpers.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kInterruptsDesc{"node_interrupts_total", "Interrupts handled per CPU, from /proc/interrupts.",
                                     expo::MetricType::kCounter};

// Go's strconv.Atoi: optional sign, then decimal digits that fit an int64.
bool IsGoInt(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty() || s[0] == '+' || s[0] == '-') return false;
  return ParseInt<int64_t>(s).has_value();
}

void AppendJoined(std::string_view* rest, std::string* out) {
  out->clear();
  std::string_view field;
  while (NextField(rest, &field)) {
    if (!out->empty()) out->push_back(' ');
    out->append(field);
  }
}

class InterruptsCollector final : public Collector {
 public:
  InterruptsCollector(const Context& ctx, std::unique_ptr<RE2> include, std::unique_ptr<RE2> exclude,
                      bool include_zeros)
      : log_(ctx.log),
        file_(ctx.Proc("interrupts")),
        include_(std::move(include)),
        exclude_(std::move(exclude)),
        include_zeros_(include_zeros) {}

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string_view content;
    Status st = file_.Read(&content);
    if (!st.ok()) return Status::Error("couldn't get interrupts: " + st.message());
    st = ParseInterrupts(content, &table_);
    if (!st.ok()) return Status::Error("couldn't get interrupts: " + st.message());
    while (cpu_labels_.size() < table_.cpus) cpu_labels_.push_back(std::to_string(cpu_labels_.size()));
    for (size_t r = 0; r < table_.row_count; ++r) {
      const InterruptRow& row = table_.rows[r];
      if (Ignored(row)) continue;
      for (size_t cpu = 0; cpu < table_.cpus; ++cpu) {
        std::string_view text = table_.values[row.values_begin + cpu];
        std::optional<double> v = ParseDouble(text);
        if (!v) return Status::Error("invalid value " + std::string(text.substr(0, 32)) + " in interrupts");
        if (!include_zeros_ && *v == 0) continue;
        out.Add(kInterruptsDesc, *v,
                {{"cpu", cpu_labels_[cpu]}, {"type", row.name}, {"info", row.info}, {"devices", row.devices}});
      }
    }
    return Status::Ok();
  }

 private:
  // node_exporter's deviceFilter over "name;info;devices".
  bool Ignored(const InterruptRow& row) {
    if (include_ == nullptr && exclude_ == nullptr) return false;
    filter_name_.assign(row.name).append(";").append(row.info).append(";").append(row.devices);
    bool ignored = (exclude_ != nullptr && procfs_helpers::Matches(*exclude_, filter_name_)) ||
                   (include_ != nullptr && !procfs_helpers::Matches(*include_, filter_name_));
    if (ignored && log_ != nullptr && log_->Enabled(LogLevel::kDebug)) {
      log_->Debug("ignoring interrupt name", {{"filter_name", filter_name_}});
    }
    return ignored;
  }

  Logger* log_;
  std::mutex mu_;
  KeptOpenFile file_;
  std::unique_ptr<RE2> include_;
  std::unique_ptr<RE2> exclude_;
  const bool include_zeros_;
  InterruptTable table_;
  std::vector<std::string> cpu_labels_;
  std::string filter_name_;
};

}  // namespace

Status ParseInterrupts(std::string_view content, InterruptTable* out) {
  out->cpus = 0;
  out->row_count = 0;
  out->values.clear();
  std::string_view line;
  if (!NextLine(&content, &line)) return Status::Error("interrupts empty");
  {
    std::string_view header = line, field;
    while (NextField(&header, &field)) ++out->cpus;
  }
  while (NextLine(&content, &line)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // bufio.ScanLines drops it.
    std::string_view name, rest;
    if (!SplitOnce(line, ':', &name, &rest)) continue;
    // Count the fields first: short lines (ERR, MIS) are skipped untouched.
    size_t nfields = 0;
    {
      std::string_view probe = rest, field;
      while (NextField(&probe, &field) && nfields <= out->cpus) ++nfields;
    }
    if (nfields < out->cpus + 1) continue;
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);

    size_t index = 0;
    while (index < out->row_count && out->rows[index].name != name) ++index;
    size_t values_begin = out->values.size();
    if (index < out->row_count) {
      values_begin = out->rows[index].values_begin;  // Overwrite in place.
    } else {
      if (out->rows.size() == out->row_count) out->rows.emplace_back();
      ++out->row_count;
      out->values.resize(out->values.size() + out->cpus);
    }
    InterruptRow& row = out->rows[index];
    row.name = name;
    row.values_begin = values_begin;
    std::string_view field;
    for (size_t cpu = 0; cpu < out->cpus; ++cpu) {
      NextField(&rest, &field);
      out->values[values_begin + cpu] = field;
    }
    if (IsGoInt(name)) {
      NextField(&rest, &field);
      row.info.assign(field);
      AppendJoined(&rest, &row.devices);
    } else {
      AppendJoined(&rest, &row.info);
      row.devices.clear();
    }
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewInterruptsCollector(const Context& ctx) {
  std::unique_ptr<RE2> include, exclude;
  Status st = procfs_helpers::CompileFlagRegex(
      "collector.interrupts.name-include", procfs_helpers::StringFlagOr(ctx, "collector.interrupts.name-include", ""),
      true, &include);
  if (!st.ok()) return st;
  st = procfs_helpers::CompileFlagRegex("collector.interrupts.name-exclude",
                                        procfs_helpers::StringFlagOr(ctx, "collector.interrupts.name-exclude", ""),
                                        true, &exclude);
  if (!st.ok()) return st;
  bool include_zeros = procfs_helpers::BoolFlagOr(ctx, "collector.interrupts.include-zeros", true);
  return std::unique_ptr<Collector>(
      std::make_unique<InterruptsCollector>(ctx, std::move(include), std::move(exclude), include_zeros));
}

}  // namespace nodex::collectors
