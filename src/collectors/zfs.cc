#include "collectors/zfs.h"

#include <string>
#include <vector>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/go_strconv.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

using expo::MetricType;

struct Subsystem {
  std::string_view file;    // Under /proc/spl/kstat/zfs.
  std::string_view prefix;  // Metric name prefix.
  std::string_view help;
};

constexpr Subsystem kSubsystems[] = {
    {"abdstats", "node_zfs_abd_", "ZFS ARC buffer data kstat (abdstats)."},
    {"arcstats", "node_zfs_arc_", "ZFS adaptive replacement cache kstat (arcstats)."},
    {"dbufstats", "node_zfs_dbuf_", "ZFS DMU buffer kstat (dbufstats)."},
    {"dmu_tx", "node_zfs_dmu_tx_", "ZFS DMU transaction kstat (dmu_tx)."},
    {"dnodestats", "node_zfs_dnode_", "ZFS dnode kstat (dnodestats)."},
    {"fm", "node_zfs_fm_", "ZFS fault management kstat (fm)."},
    {"vdev_cache_stats", "node_zfs_vdev_cache_", "ZFS vdev cache kstat (vdev_cache_stats)."},
    {"vdev_mirror_stats", "node_zfs_vdev_mirror_", "ZFS vdev mirror kstat (vdev_mirror_stats)."},
    {"xuio_stats", "node_zfs_xuio_", "ZFS XUIO kstat (xuio_stats)."},
    {"zfetchstats", "node_zfs_zfetch_", "ZFS prefetch kstat (zfetchstats)."},
    {"zil", "node_zfs_zil_", "ZFS intent log kstat (zil)."},
};

constexpr std::string_view kPoolHelp = "ZFS pool I/O kstat (<pool>/io).";
constexpr std::string_view kDatasetHelp = "ZFS dataset kstat (<pool>/objset-*).";
constexpr expo::Desc kPoolState{"node_zfs_zpool_state", "Whether the pool is in this state (1) or not (0).",
                                MetricType::kGauge};
constexpr std::string_view kPoolStates[] = {"online", "degraded", "faulted", "offline",
                                            "removed", "unavail", "suspended"};

bool IsMetricNameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (!first && c >= '0' && c <= '9');
}

// prefix + node_exporter's zfsSysctl.metricName(): the part after the last
// '.', with '-' turned into '_'. Returns false if the result is not a valid
// metric name (node_exporter would panic on it; nodex drops the sample).
bool BuildName(std::string_view prefix, std::string_view kstat_name, std::string* out) {
  size_t dot = kstat_name.rfind('.');
  if (dot != std::string_view::npos) kstat_name.remove_prefix(dot + 1);
  out->assign(prefix);
  for (char c : kstat_name) {
    if (c == '-') c = '_';
    if (!IsMetricNameChar(c, false)) return false;
    out->push_back(c);
  }
  return IsMetricNameChar((*out)[0], true);
}

// Whether the split line is the "name type data" header.
bool IsHeader(const std::string_view* f, size_t n) {
  return n == 3 && f[0] == "name" && f[1] == "type" && f[2] == "data";
}

class ZfsCollector : public Collector {
 public:
  explicit ZfsCollector(const Context& ctx) : base_(ctx.Proc("spl/kstat/zfs")) {
    for (const Subsystem& s : kSubsystems) files_.emplace_back(base_ + "/" + std::string(s.file));
  }

  Status Collect(expo::MetricSet& out) override {
    if (!sysfs::IsDirFollow(base_)) return Status::NoData("ZFS / ZFS statistics are not available");
    for (size_t i = 0; i < std::size(kSubsystems); ++i) {
      const Subsystem& sub = kSubsystems[i];
      std::string_view content;
      // Kstat files come and go with ZFS versions; a missing one is skipped.
      if (!files_[i].Read(&content).ok()) continue;
      Status st = ParseZfsKstat(content, [&](std::string_view name, double value) {
        if (BuildName(sub.prefix, name, &name_)) {
          out.Add(expo::Desc{name_, sub.help, MetricType::kUntyped}, value);
        }
      });
      if (!st.ok()) return Status::Error(std::string(sub.file) + ": " + st.message());
    }
    Status st = CollectPools(out);
    ++generation_;
    SweepPoolFiles();
    return st;
  }

 private:
  struct PoolFile {
    std::string path;
    KeptOpenFile file;
    uint64_t generation = 0;
  };

  Status CollectPools(expo::MetricSet& out) {
    size_t pool_count = 0;
    if (sysfs::ListDir(base_, &pools_, &pool_count) != 0) return Status::Ok();
    // Like node_exporter: all io files, then all objset files, then states.
    for (int pass = 0; pass < 3; ++pass) {
      for (size_t p = 0; p < pool_count; ++p) {
        const std::string& pool = pools_[p].name;
        dir_.assign(base_).append("/").append(pool);
        size_t n = 0;
        if (sysfs::ListDir(dir_, &entries_, &n) != 0) continue;  // Not a pool directory.
        for (size_t e = 0; e < n; ++e) {
          std::string_view name = entries_[e].name;
          bool wanted = pass == 0 ? name == "io" : pass == 1 ? name.substr(0, 7) == "objset-" : name == "state";
          if (!wanted) continue;
          std::string_view content;
          path_.assign(dir_).append("/").append(name);
          PoolFile& f = PoolFileFor(path_);
          // node_exporter fails the scrape here too (a pool being exported).
          if (!f.file.Read(&content).ok()) return Status::Error("ZFS / ZFS statistics are not available: " + f.path);
          Status st;
          if (pass == 0) {
            st = ParseZfsPoolIo(content, [&](std::string_view field, double value) {
              if (BuildName("node_zfs_zpool_", field, &name_)) {
                out.Add(expo::Desc{name_, kPoolHelp, MetricType::kUntyped}, value,
                        {{"zpool", pool}});
              }
            });
          } else if (pass == 1) {
            st = ParseZfsObjset(content, [&](std::string_view dataset, std::string_view field, double value) {
              if (BuildName("node_zfs_zpool_dataset_", field, &name_)) {
                out.Add(expo::Desc{name_, kDatasetHelp, MetricType::kUntyped}, value,
                        {{"zpool", pool}, {"dataset", dataset}});
              }
            });
          } else {
            ParseZfsPoolState(content, &state_);
            for (std::string_view s : kPoolStates) {
              out.Add(kPoolState, state_ == s ? 1 : 0, {{"zpool", pool}, {"state", s}});
            }
          }
          if (!st.ok()) return Status::Error(f.path + ": " + st.message());
        }
      }
    }
    return Status::Ok();
  }

  PoolFile& PoolFileFor(const std::string& path) {
    for (PoolFile& f : pool_files_) {
      if (f.path == path) {
        f.generation = generation_;
        return f;
      }
    }
    pool_files_.push_back(PoolFile{path, KeptOpenFile(path), generation_});
    return pool_files_.back();
  }

  // Closes the files of pools that were exported since the last scrape.
  void SweepPoolFiles() {
    std::erase_if(pool_files_, [&](const PoolFile& f) { return f.generation + 1 != generation_; });
  }

  std::string base_;
  std::vector<KeptOpenFile> files_;
  std::vector<PoolFile> pool_files_;
  std::vector<sysfs::DirEntry> pools_, entries_;
  std::string dir_, path_, name_, state_;
  uint64_t generation_ = 1;
};

}  // namespace

Status ParseZfsKstat(std::string_view content, const ZfsValueSink& sink) {
  bool in_table = false;
  std::string_view line;
  while (NextLine(&content, &line)) {
    std::string_view f[4];
    size_t n = SplitFields(line, f, 4);
    if (!in_table) {
      in_table = IsHeader(f, n);
      continue;
    }
    if (n < 3 || (f[1] != "3" && f[1] != "4")) continue;
    double value;
    if (f[1] == "3") {
      std::optional<int64_t> v = GoParseInt(f[2], 10, 64);
      if (!v) return Status::Error("could not parse expected integer value for \"" + std::string(f[0]) + "\"");
      value = static_cast<double>(*v);
    } else {
      std::optional<uint64_t> v = GoParseUint(f[2], 10, 64);
      if (!v) return Status::Error("could not parse expected integer value for \"" + std::string(f[0]) + "\"");
      value = static_cast<double>(*v);
    }
    sink(f[0], value);
  }
  if (!in_table) return Status::Error("no \"name type data\" header");
  return Status::Ok();
}

Status ParseZfsPoolIo(std::string_view content, const ZfsValueSink& sink) {
  constexpr size_t kMaxColumns = 64;
  std::string_view header[kMaxColumns];
  size_t columns = 0;
  std::string_view line;
  while (NextLine(&content, &line)) {
    if (columns == 0) {
      std::string_view f[kMaxColumns];
      size_t n = SplitFields(line, f, kMaxColumns);
      if (n >= 12 && f[0] == "nread") {
        if (n > kMaxColumns) return Status::Error("too many io columns");
        columns = n;
        for (size_t i = 0; i < n; ++i) header[i] = f[i];
      }
      continue;
    }
    std::string_view values[kMaxColumns];
    size_t n = SplitFields(line, values, kMaxColumns);
    if (n < columns) return Status::Error("io row has " + std::to_string(n) + " values for " +
                                          std::to_string(columns) + " columns");
    for (size_t i = 0; i < columns; ++i) {
      std::optional<uint64_t> v = GoParseUint(values[i], 10, 64);
      if (!v) return Status::Error("could not parse expected integer value for \"" + std::string(header[i]) + "\"");
      sink(header[i], static_cast<double>(*v));
    }
  }
  return Status::Ok();
}

Status ParseZfsObjset(std::string_view content, const ZfsObjsetSink& sink) {
  bool in_table = false;
  std::string_view dataset;
  std::string_view line;
  while (NextLine(&content, &line)) {
    std::string_view f[4];
    size_t n = SplitFields(line, f, 4);
    if (!in_table && IsHeader(f, n)) {
      in_table = true;
      continue;
    }
    if (!in_table || n < 3) continue;
    if (f[0] == "dataset_name") {
      // node_exporter takes the line from the first occurrence of the third
      // word, which keeps runs of spaces inside the name.
      dataset = line.substr(line.find(f[2]));
      if (!dataset.empty() && dataset.back() == '\r') dataset.remove_suffix(1);
      continue;
    }
    if (f[1] != "4") continue;
    std::optional<uint64_t> v = GoParseUint(f[2], 10, 64);
    if (!v) return Status::Error("could not parse expected integer value for \"" + std::string(f[0]) + "\"");
    sink(dataset, f[0], static_cast<double>(*v));
  }
  if (!in_table) return Status::Error("no \"name type data\" header");
  return Status::Ok();
}

void ParseZfsPoolState(std::string_view content, std::string* out) {
  std::string_view line;
  if (!NextLine(&content, &line)) line = {};
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  out->assign(line);
  for (char& c : *out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

StatusOr<std::unique_ptr<Collector>> NewZfsCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<ZfsCollector>(ctx));
}

}  // namespace nodex::collectors
