#include "collectors/bcachefs.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::MetricType kCounter = expo::MetricType::kCounter;
constexpr expo::Desc kInfo{"node_bcachefs_info", "A mounted bcachefs filesystem; the value is always 1.", kGauge};
constexpr expo::Desc kBtreeCacheSize{"node_bcachefs_btree_cache_size_bytes",
                                     "Memory held by the btree node cache, in bytes.", kGauge};
constexpr expo::Desc kCompressed{"node_bcachefs_compression_compressed_bytes",
                                 "Bytes stored on disk per compression algorithm.", kGauge};
constexpr expo::Desc kUncompressed{"node_bcachefs_compression_uncompressed_bytes",
                                   "Bytes before compression per compression algorithm.", kGauge};
constexpr expo::Desc kErrors{"node_bcachefs_errors_total", "Filesystem errors recorded per error type.", kCounter};
constexpr expo::Desc kBtreeWrites{"node_bcachefs_btree_writes_total", "Btree node writes per write type.", kCounter};
constexpr expo::Desc kBtreeWriteAvg{"node_bcachefs_btree_write_average_size_bytes",
                                    "Average btree node write size per write type, in bytes.", kGauge};
constexpr expo::Desc kDeviceInfo{"node_bcachefs_device_info",
                                 "A member device of a bcachefs filesystem with its label and state; always 1.", kGauge};
constexpr expo::Desc kDeviceBucketSize{"node_bcachefs_device_bucket_size_bytes",
                                       "Size of one bucket on the member device, in bytes.", kGauge};
constexpr expo::Desc kDeviceBuckets{"node_bcachefs_device_buckets", "Number of buckets on the member device.", kGauge};
constexpr expo::Desc kDeviceDurability{"node_bcachefs_device_durability",
                                       "Durability (replicas counted per copy) of the member device.", kGauge};
constexpr expo::Desc kDeviceIoDone{"node_bcachefs_device_io_done_bytes_total",
                                   "Bytes of IO done on the member device per operation and data type.", kCounter};
constexpr expo::Desc kDeviceIoErrors{"node_bcachefs_device_io_errors_total",
                                     "IO errors on the member device since filesystem creation, per error type.",
                                     kCounter};
constexpr std::string_view kCounterHelp = "A bcachefs event counter, counted since the filesystem was created.";

// Go's uint64(float64) on amd64, for the values bcachefs can print; values
// out of range (which Go leaves implementation-defined) saturate to 2^63.
uint64_t GoFloatToUint64(double v) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (v != v) return uint64_t{1} << 63;
  if (v < kTwo63) {
    if (v <= -kTwo63) return uint64_t{1} << 63;
    return static_cast<uint64_t>(static_cast<int64_t>(v));
  }
  if (v < 2 * kTwo63) return static_cast<uint64_t>(static_cast<int64_t>(v - kTwo63)) ^ (uint64_t{1} << 63);
  return uint64_t{1} << 63;
}

// Go's bufio.Scanner line splitting: a trailing '\r' is dropped.
bool NextScannerLine(std::string_view* rest, std::string_view* line) {
  if (!NextLine(rest, line)) return false;
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  return true;
}

Status BadValue(std::string_view what, std::string_view value) {
  return Status::Error("invalid bcachefs " + std::string(what) + " value \"" + std::string(value) + "\"");
}

// A header-then-rows table whose rows are "<key>[:] <count-or-size> <size> ...".
template <typename ParseA>
Status ParseHeaderTable(std::string_view content, std::string_view what, ParseA parse_a, BcachefsTable* out) {
  out->Clear();
  std::string_view line;
  bool first = true;
  while (NextScannerLine(&content, &line)) {
    if (first) {
      first = false;
      continue;
    }
    std::string_view f[4];
    size_t n = SplitFields(line, f, 4);
    if (n < 3) continue;
    std::string_view key = f[0];
    if (!key.empty() && key.back() == ':') key.remove_suffix(1);
    std::optional<uint64_t> a = parse_a(f[1]);
    if (!a) return BadValue(what, f[1]);
    std::optional<uint64_t> b = ParseBcachefsHumanBytes(f[2]);
    if (!b) return BadValue(what, f[2]);
    if (n >= 4 && what == "compression_stats" && !ParseBcachefsHumanBytes(f[3])) return BadValue(what, f[3]);
    BcachefsRow& row = out->Upsert(key);
    row.a = *a;
    row.b = *b;
  }
  return Status::Ok();
}

// "key : value" with both sides trimmed (Go's strings.SplitN(s, ":", 2)).
bool SplitColon(std::string_view line, std::string_view* key, std::string_view* value) {
  if (!SplitOnce(line, ':', key, value)) return false;
  *key = TrimSpace(*key);
  *value = TrimSpace(*value);
  return true;
}

struct DeviceData {
  std::string name;  // Without the "dev-" prefix.
  std::string label, state;
  uint64_t bucket_size = 0, buckets = 0, durability = 0;
  BcachefsTable io_done, io_errors;
};

struct FsData {
  std::string uuid;
  uint64_t btree_cache_size = 0;
  BcachefsTable compression, errors, counters, btree_writes;
  std::vector<DeviceData> devices;
  size_t device_count = 0;
};

class BcachefsCollector : public Collector {
 public:
  explicit BcachefsCollector(const Context& ctx) : base_(ctx.Sys("fs/bcachefs")) {}

  Status Collect(expo::MetricSet& out) override {
    size_t count = 0;
    int err = sysfs::ListDir(base_, &entries_, &count);
    if (err != 0) {
      if (err == ENOENT || err == ENOTDIR) return Status::NoData("bcachefs sysfs directory not found");
      return Status::Error("failed to list \"" + base_ + "\": " + std::strerror(err));
    }
    // Like procfs, every filesystem is read before anything is exported: a
    // malformed file anywhere fails the scrape without partial output.
    size_t fs_count = 0;
    for (size_t i = 0; i < count; ++i) {
      if (!IsDir(base_, entries_[i])) continue;
      if (fs_.size() == fs_count) fs_.emplace_back();
      FsData& fs = fs_[fs_count++];
      fs.uuid.assign(entries_[i].name);
      Status st = ReadFs(&fs);
      if (!st.ok()) {
        files_.Sweep();
        return st;
      }
    }
    files_.Sweep();
    if (fs_count == 0) return Status::NoData("no bcachefs filesystems");
    for (size_t i = 0; i < fs_count; ++i) Export(fs_[i], out);
    return Status::Ok();
  }

 private:
  static bool IsDir(const std::string& dir, const sysfs::DirEntry& e) {
    if (e.type != DT_UNKNOWN) return e.type == DT_DIR;
    struct stat st;
    std::string path = dir + "/" + e.name;
    return lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  // Reads path_ into *content. Returns false with *content empty when the
  // file does not exist; other failures set *st.
  bool ReadPath(std::string_view* content, Status* st) {
    int err = files_.Read(path_, sysfs::kAttrPageSize, content);
    if (err == 0) return true;
    *content = {};
    if (err != ENOENT) *st = Status::Error("failed to read \"" + path_ + "\": " + std::strerror(err));
    return false;
  }

  void SetPath(const std::string& fs_dir, std::string_view rel) { path_.assign(fs_dir).append("/").append(rel); }

  // Reads an optional table file and parses it (a missing file is an empty table).
  Status ReadTable(const std::string& fs_dir, std::string_view rel, Status (*parse)(std::string_view, BcachefsTable*),
                   BcachefsTable* table) {
    SetPath(fs_dir, rel);
    std::string_view content;
    Status st;
    if (!ReadPath(&content, &st)) {
      table->Clear();
      return st;
    }
    return parse(content, table);
  }

  Status ReadFs(FsData* fs) {
    fs_dir_.assign(base_).append("/").append(fs->uuid);
    const std::string& dir = fs_dir_;
    Status st;
    std::string_view content;
    fs->btree_cache_size = 0;
    SetPath(dir, "btree_cache_size");
    if (ReadPath(&content, &st)) {
      std::string_view v = TrimSpace(content);
      if (!v.empty()) {
        std::optional<uint64_t> size = ParseBcachefsHumanBytes(v);
        if (!size) return BadValue("btree_cache_size", v);
        fs->btree_cache_size = *size;
      }
    } else if (!st.ok()) {
      return st;
    }
    if (st = ReadTable(dir, "compression_stats", ParseBcachefsCompressionStats, &fs->compression); !st.ok()) return st;
    if (st = ReadTable(dir, "errors", ParseBcachefsErrors, &fs->errors); !st.ok()) return st;
    if (st = ReadCounters(dir, &fs->counters); !st.ok()) return st;
    if (st = ReadTable(dir, "btree_write_stats", ParseBcachefsBtreeWriteStats, &fs->btree_writes); !st.ok()) return st;
    return ReadDevices(dir, fs);
  }

  Status ReadCounters(const std::string& dir, BcachefsTable* counters) {
    counters->Clear();
    counters_dir_.assign(dir).append("/counters");
    size_t count = 0;
    int err = sysfs::ListDir(counters_dir_, &counter_entries_, &count);
    if (err == ENOENT) return Status::Ok();
    if (err != 0) return Status::Error("failed to list \"" + counters_dir_ + "\": " + std::strerror(err));
    for (size_t i = 0; i < count; ++i) {
      const sysfs::DirEntry& e = counter_entries_[i];
      if (IsDir(counters_dir_, e)) continue;
      SetPath(counters_dir_, e.name);
      std::string_view content;
      Status st;
      uint64_t value = 0;
      if (ReadPath(&content, &st)) {
        StatusOr<uint64_t> v = ParseBcachefsCounter(content);
        if (!v.ok()) return Status::Error("\"" + path_ + "\": " + v.status().message());
        value = *v;
      } else if (!st.ok()) {
        return st;
      }
      BcachefsRow& row = counters->Upsert(e.name);
      row.a = value;
      row.key2.assign("node_bcachefs_");
      AppendSanitizedMetricName(e.name, &row.key2);
      row.key2.append("_total");
    }
    return Status::Ok();
  }

  // An optional unsigned decimal attribute: missing is 0, garbage fails.
  Status ReadUint(const std::string& dir, std::string_view rel, uint64_t* value) {
    *value = 0;
    SetPath(dir, rel);
    std::string_view content;
    Status st;
    if (!ReadPath(&content, &st)) return st;
    std::optional<uint64_t> v = sysfs::ParseGoUint(TrimSpace(content));
    if (!v) return BadValue(rel, TrimSpace(content));
    *value = *v;
    return Status::Ok();
  }

  // label and state: any failure to read leaves the string empty.
  void ReadString(const std::string& dir, std::string_view rel, std::string* value) {
    SetPath(dir, rel);
    std::string_view content;
    value->clear();
    if (files_.Read(path_, sysfs::kAttrPageSize, &content) == 0) value->assign(TrimSpace(content));
  }

  Status ReadDevices(const std::string& dir, FsData* fs) {
    fs->device_count = 0;
    size_t count = 0;
    int err = sysfs::ListDir(dir, &dev_entries_, &count);
    if (err != 0) return Status::Error("failed to list \"" + dir + "\": " + std::strerror(err));
    for (size_t i = 0; i < count; ++i) {
      const sysfs::DirEntry& e = dev_entries_[i];
      if (e.name.rfind("dev-", 0) != 0 || !IsDir(dir, e)) continue;
      if (fs->devices.size() == fs->device_count) fs->devices.emplace_back();
      DeviceData& dev = fs->devices[fs->device_count++];
      dev.name.assign(std::string_view(e.name).substr(4));
      dev_dir_.assign(dir).append("/").append(e.name);
      ReadString(dev_dir_, "label", &dev.label);
      ReadString(dev_dir_, "state", &dev.state);
      dev.bucket_size = 0;
      SetPath(dev_dir_, "bucket_size");
      std::string_view content;
      if (files_.Read(path_, sysfs::kAttrPageSize, &content) == 0) {
        std::string_view v = TrimSpace(content);
        if (!v.empty()) {
          std::optional<uint64_t> size = ParseBcachefsHumanBytes(v);
          if (!size) return BadValue("bucket_size", v);
          dev.bucket_size = *size;
        }
      }
      Status st;
      if (st = ReadUint(dev_dir_, "nbuckets", &dev.buckets); !st.ok()) return st;
      if (st = ReadUint(dev_dir_, "durability", &dev.durability); !st.ok()) return st;
      if (st = ReadTable(dev_dir_, "io_done", ParseBcachefsIoDone, &dev.io_done); !st.ok()) return st;
      if (st = ReadTable(dev_dir_, "io_errors", ParseBcachefsIoErrors, &dev.io_errors); !st.ok()) return st;
    }
    return Status::Ok();
  }

  static void Export(const FsData& fs, expo::MetricSet& out) {
    const std::string& uuid = fs.uuid;
    out.Add(kInfo, 1, {{"uuid", uuid}});
    out.Add(kBtreeCacheSize, static_cast<double>(fs.btree_cache_size), {{"uuid", uuid}});
    for (size_t i = 0; i < fs.compression.size(); ++i) {
      const BcachefsRow& r = fs.compression[i];
      out.Add(kCompressed, static_cast<double>(r.a), {{"uuid", uuid}, {"algorithm", r.key}});
      out.Add(kUncompressed, static_cast<double>(r.b), {{"uuid", uuid}, {"algorithm", r.key}});
    }
    for (size_t i = 0; i < fs.errors.size(); ++i) {
      const BcachefsRow& r = fs.errors[i];
      out.Add(kErrors, static_cast<double>(r.a), {{"uuid", uuid}, {"error_type", r.key}});
    }
    for (size_t i = 0; i < fs.counters.size(); ++i) {
      const BcachefsRow& r = fs.counters[i];
      out.Add(expo::Desc{r.key2, kCounterHelp, kCounter}, static_cast<double>(r.a), {{"uuid", uuid}});
    }
    for (size_t i = 0; i < fs.btree_writes.size(); ++i) {
      const BcachefsRow& r = fs.btree_writes[i];
      out.Add(kBtreeWrites, static_cast<double>(r.a), {{"uuid", uuid}, {"type", r.key}});
      out.Add(kBtreeWriteAvg, static_cast<double>(r.b), {{"uuid", uuid}, {"type", r.key}});
    }
    for (size_t d = 0; d < fs.device_count; ++d) {
      const DeviceData& dev = fs.devices[d];
      out.Add(kDeviceInfo, 1, {{"uuid", uuid}, {"device", dev.name}, {"label", dev.label}, {"state", dev.state}});
      out.Add(kDeviceBucketSize, static_cast<double>(dev.bucket_size), {{"uuid", uuid}, {"device", dev.name}});
      out.Add(kDeviceBuckets, static_cast<double>(dev.buckets), {{"uuid", uuid}, {"device", dev.name}});
      out.Add(kDeviceDurability, static_cast<double>(dev.durability), {{"uuid", uuid}, {"device", dev.name}});
      for (size_t i = 0; i < dev.io_done.size(); ++i) {
        const BcachefsRow& r = dev.io_done[i];
        out.Add(kDeviceIoDone, static_cast<double>(r.a),
                {{"uuid", uuid}, {"device", dev.name}, {"operation", r.key}, {"data_type", r.key2}});
      }
      for (size_t i = 0; i < dev.io_errors.size(); ++i) {
        const BcachefsRow& r = dev.io_errors[i];
        out.Add(kDeviceIoErrors, static_cast<double>(r.a), {{"uuid", uuid}, {"device", dev.name}, {"type", r.key}});
      }
    }
  }

  std::string base_;
  std::string fs_dir_, counters_dir_, dev_dir_, path_;
  std::vector<sysfs::DirEntry> entries_, counter_entries_, dev_entries_;
  std::vector<FsData> fs_;
  sysfs::AttrFiles files_;
};

}  // namespace

BcachefsRow& BcachefsTable::Upsert(std::string_view key, std::string_view key2) {
  for (size_t i = 0; i < size_; ++i) {
    if (rows_[i].key == key && rows_[i].key2 == key2) return rows_[i];
  }
  if (rows_.size() == size_) rows_.emplace_back();
  BcachefsRow& row = rows_[size_++];
  row.key.assign(key);
  row.key2.assign(key2);
  row.a = row.b = 0;
  return row;
}

std::optional<uint64_t> ParseBcachefsHumanBytes(std::string_view s) {
  s = TrimSpace(s);
  if (s.empty()) return std::nullopt;
  double multiplier = 1;
  switch (s.back()) {
    case 'k': case 'K': multiplier = 1024.0; break;
    case 'm': case 'M': multiplier = 1024.0 * 1024; break;
    case 'g': case 'G': multiplier = 1024.0 * 1024 * 1024; break;
    case 't': case 'T': multiplier = 1024.0 * 1024 * 1024 * 1024; break;
    case 'p': case 'P': multiplier = 1024.0 * 1024 * 1024 * 1024 * 1024; break;
    case 'e': case 'E': multiplier = 1024.0 * 1024 * 1024 * 1024 * 1024 * 1024; break;
    default: break;
  }
  if (multiplier != 1) s.remove_suffix(1);
  std::optional<double> v = sysfs::ParseGoFloat(TrimSpace(s));
  if (!v) return std::nullopt;
  return GoFloatToUint64(*v * multiplier);
}

Status ParseBcachefsCompressionStats(std::string_view content, BcachefsTable* out) {
  return ParseHeaderTable(content, "compression_stats", ParseBcachefsHumanBytes, out);
}

Status ParseBcachefsBtreeWriteStats(std::string_view content, BcachefsTable* out) {
  return ParseHeaderTable(content, "btree_write_stats", sysfs::ParseGoUint, out);
}

Status ParseBcachefsErrors(std::string_view content, BcachefsTable* out) {
  out->Clear();
  std::string_view line;
  while (NextScannerLine(&content, &line)) {
    std::string_view f[3];
    size_t n = SplitFields(line, f, 3);
    if (n < 2) continue;
    std::optional<uint64_t> count = sysfs::ParseGoUint(f[1]);
    if (!count) return BadValue("errors", f[1]);
    uint64_t ts = 0;
    if (n >= 3) {
      std::optional<uint64_t> t = sysfs::ParseGoUint(f[2]);
      if (!t) return BadValue("errors", f[2]);
      ts = *t;
    }
    BcachefsRow& row = out->Upsert(f[0]);
    row.a = *count;
    row.b = ts;
  }
  return Status::Ok();
}

StatusOr<uint64_t> ParseBcachefsCounter(std::string_view content) {
  constexpr std::string_view kMount = "since mount:";
  constexpr std::string_view kCreation = "since filesystem creation:";
  bool seen = false;
  uint64_t creation = 0;
  std::string_view line;
  while (NextScannerLine(&content, &line)) {
    bool is_mount = line.substr(0, kMount.size()) == kMount;
    bool is_creation = !is_mount && line.substr(0, kCreation.size()) == kCreation;
    if (!is_mount && !is_creation) continue;
    std::string_view value = line.substr(is_mount ? kMount.size() : kCreation.size());
    std::optional<uint64_t> v = ParseBcachefsHumanBytes(value);
    if (!v) return BadValue("counter", value);
    if (is_creation) creation = *v;
    seen = true;
  }
  if (!seen) return Status::Error("counter file format not recognized");
  return creation;
}

Status ParseBcachefsIoDone(std::string_view content, BcachefsTable* out) {
  out->Clear();
  std::string_view op;
  std::string_view line;
  while (NextScannerLine(&content, &line)) {
    line = TrimSpace(line);
    if (line.empty()) continue;
    if (line == "read:" || line == "write:") {
      op = line.substr(0, line.size() - 1);
      continue;
    }
    if (op.empty()) continue;
    std::string_view key, value;
    if (!SplitColon(line, &key, &value)) continue;
    std::optional<uint64_t> v = sysfs::ParseGoUint(value);
    if (!v) return BadValue("io_done", value);
    out->Upsert(op, key).a = *v;
  }
  return Status::Ok();
}

Status ParseBcachefsIoErrors(std::string_view content, BcachefsTable* out) {
  out->Clear();
  bool in_creation = false;
  std::string_view line;
  while (NextScannerLine(&content, &line)) {
    if (line.rfind("IO errors since filesystem creation", 0) == 0) {
      in_creation = true;
      continue;
    }
    if (line.rfind("IO errors since ", 0) == 0) break;
    if (!in_creation) continue;
    std::string_view trimmed = TrimSpace(line);
    if (trimmed.empty()) continue;
    std::string_view key, value;
    if (!SplitColon(trimmed, &key, &value)) continue;
    std::optional<uint64_t> v = sysfs::ParseGoUint(value);
    if (!v) return BadValue("io_errors", value);
    out->Upsert(key).a = *v;
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewBcachefsCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<BcachefsCollector>(ctx));
}

}  // namespace nodex::collectors
