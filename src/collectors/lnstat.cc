#include "collectors/lnstat.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr std::string_view kHelp = "Per-CPU network cache statistic from /proc/net/stat.";

bool ValidMetricChar(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

struct StatFile {
  std::string name;
  KeptOpenFile file;
  std::string_view content;
};

std::string_view Name(const sysfs::DirEntry& e) { return e.name; }
std::string_view Name(const std::string& s) { return s; }

class LnstatCollector : public Collector {
 public:
  explicit LnstatCollector(const Context& ctx) : dir_(ctx.Proc("net/stat")) {}

  Status Collect(expo::MetricSet& out) override {
    size_t n = 0;
    // Go's filepath.Glob ignores a missing directory: no files, no samples.
    int err = sysfs::ListDir(dir_, &entries_, &n);
    if (err != 0 && err != ENOENT && err != ENOTDIR) {
      return Status::Error("lnstat error: " + dir_ + ": " + std::strerror(err));
    }
    if (err != 0) n = 0;
    // Files that disappeared (module unloaded) are closed.
    for (size_t i = 0; i < files_.size();) {
      bool listed = std::binary_search(
          entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(n), files_[i].name,
          [](const auto& a, const auto& b) { return Name(a) < Name(b); });
      if (listed) {
        ++i;
      } else {
        files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    // Read and parse everything first: node_exporter emits nothing when
    // any file fails.
    samples_.clear();
    sample_file_.clear();
    for (size_t i = 0; i < n; ++i) {
      StatFile& f = FileFor(entries_[i].name);
      Status st = f.file.Read(&f.content);
      if (st.code() == StatusCode::kError && sysfs::IsDirFollow(f.file.path())) {
        f.content = {};  // procfs' scanner reads nothing from a directory.
      } else if (!st.ok()) {
        return Status::Error("lnstat error: " + st.message());
      }
      size_t before = samples_.size();
      st = ParseLnstat(f.content, &samples_);
      if (!st.ok()) return Status::Error("lnstat error: " + f.name + ": " + st.message());
      sample_file_.resize(samples_.size(), static_cast<uint32_t>(&f - files_.data()));
      for (size_t k = before; k < samples_.size(); ++k) {
        std::string_view col = samples_[k].column;
        for (size_t c = 0; c < col.size(); ++c) {
          if (!ValidMetricChar(col[c], c == 0)) {
            return Status::Error("lnstat error: " + f.name + ": invalid column name \"" + std::string(col) + "\"");
          }
        }
      }
    }
    for (size_t i = 0; i < samples_.size(); ++i) {
      const LnstatSample& s = samples_[i];
      name_.assign("node_lnstat_");
      name_.append(s.column);
      name_.append("_total");
      char cpu[24];
      out.Add(expo::Desc{name_, kHelp, expo::MetricType::kCounter}, static_cast<double>(s.value),
              {{"subsystem", files_[sample_file_[i]].name}, {"cpu", expo::IntLabel(cpu, s.cpu)}});
    }
    return Status::Ok();
  }

 private:
  StatFile& FileFor(const std::string& name) {
    for (StatFile& f : files_) {
      if (f.name == name) return f;
    }
    // New files are rare (a module load); the vector may move, so callers
    // refer to files by index, and samples_ is rebuilt on every scrape.
    files_.emplace_back();
    files_.back().name = name;
    files_.back().file = KeptOpenFile(JoinPath(dir_, name));
    return files_.back();
  }

  std::string dir_;
  std::vector<sysfs::DirEntry> entries_;
  std::vector<StatFile> files_;
  std::vector<LnstatSample> samples_;
  std::vector<uint32_t> sample_file_;
  std::string name_;
};

}  // namespace

Status ParseLnstat(std::string_view content, std::vector<LnstatSample>* out) {
  std::string_view rest = content, line;
  if (!NextLine(&rest, &line)) return Status::Ok();
  // Column names and, per column, the first column with the same name, whose
  // counter the column shares.
  constexpr size_t kMaxColumns = 256;
  std::string_view columns[kMaxColumns];
  uint16_t canonical[kMaxColumns];
  uint32_t counts[kMaxColumns] = {};
  size_t num_columns = SplitFields(line, columns, kMaxColumns);
  if (num_columns > kMaxColumns) return Status::Error("too many columns");
  for (size_t i = 0; i < num_columns; ++i) {
    canonical[i] = static_cast<uint16_t>(i);
    for (size_t j = 0; j < i; ++j) {
      if (columns[j] == columns[i]) {
        canonical[i] = canonical[j];
        break;
      }
    }
  }
  while (NextLine(&rest, &line)) {
    std::string_view field;
    size_t num = 0;
    while (NextField(&line, &field)) {
      if (num >= num_columns) return Status::Error("row has more values than the header has columns");
      std::optional<uint64_t> v = ParseInt<uint64_t>(field, 16);
      if (!v) return Status::Error("invalid hex value \"" + std::string(field) + "\"");
      uint16_t c = canonical[num];
      out->push_back(LnstatSample{columns[num], counts[c]++, *v});
      ++num;
    }
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewLnstatCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<LnstatCollector>(ctx));
}

}  // namespace nodex::collectors
