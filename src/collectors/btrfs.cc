#include "collectors/btrfs.h"

#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "base/file_reader.h"
#include "base/mount_table_file.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/go_strconv.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
using expo::MetricType;

constexpr Desc kInfo{"node_btrfs_info", "Btrfs filesystem information (its label).", MetricType::kGauge};
constexpr Desc kGlobalRsv{"node_btrfs_global_rsv_size_bytes", "Size of the global block reserve.",
                          MetricType::kGauge};
constexpr Desc kCommits{"node_btrfs_commits_total", "Transaction commits.", MetricType::kCounter};
constexpr Desc kLastCommit{"node_btrfs_last_commit_seconds", "Duration of the latest commit.", MetricType::kGauge};
constexpr Desc kMaxCommit{"node_btrfs_max_commit_seconds", "Duration of the slowest commit.", MetricType::kGauge};
constexpr Desc kCommitSeconds{"node_btrfs_commit_seconds_total", "Time spent in commits.", MetricType::kCounter};
constexpr Desc kReserved{"node_btrfs_reserved_bytes", "Space reserved for a block group type.",
                         MetricType::kGauge};
constexpr Desc kUsed{"node_btrfs_used_bytes", "Space used by a block group type and profile.", MetricType::kGauge};
constexpr Desc kSize{"node_btrfs_size_bytes", "Space allocated to a block group type and profile.",
                     MetricType::kGauge};
constexpr Desc kRatio{"node_btrfs_allocation_ratio", "Raw space used per byte stored, for a block group profile.",
                      MetricType::kGauge};
constexpr Desc kDeviceSize{"node_btrfs_device_size_bytes", "Size of a device of the filesystem.",
                           MetricType::kGauge};
constexpr Desc kDeviceUnused{"node_btrfs_device_unused_bytes", "Unallocated space on a device of the filesystem.",
                             MetricType::kGauge};
constexpr Desc kDeviceErrors{"node_btrfs_device_errors_total", "I/O errors the filesystem recorded for a device.",
                             MetricType::kCounter};

constexpr std::string_view kBlockGroupTypes[] = {"data", "metadata", "system"};
constexpr std::string_view kErrorTypes[] = {"write", "read", "flush", "corruption", "generation"};
constexpr uint64_t kSectorSize = 512;  // sysfs device sizes are in 512-byte sectors.
constexpr uint64_t kFirstFreeObjectid = 256;  // Inode of a subvolume root.

struct Layout {
  std::string mode;
  uint64_t total_bytes = 0;
  uint64_t used_bytes = 0;
  double ratio = 0;
};

struct Allocation {
  uint64_t reserved_bytes = 0;
  std::vector<Layout> layouts;
  size_t layout_count = 0;
};

struct Device {
  std::string name;
  uint64_t size = 0;
};

struct Filesystem {
  std::string uuid, label;
  BtrfsCommitStats commit;
  uint64_t global_rsv_size = 0;
  Allocation alloc[3];
  std::vector<Device> devices;
  size_t device_count = 0;
};

struct IoctlDevice {
  std::string name, uuid;
  uint64_t total_bytes = 0, bytes_used = 0;
  uint64_t errors[5] = {};
};

// procfs' calcRatio: raw bytes per stored byte for a block group profile.
double Ratio(std::string_view mode, size_t devices) {
  if (mode == "single" || mode == "raid0") return 1;
  if (mode == "dup" || mode == "raid1" || mode == "raid10") return 2;
  double n = static_cast<double>(devices);
  if (mode == "raid5") return n / (n - 1);
  if (mode == "raid6") return n / (n - 2);
  return 0;
}

void AppendHex(const unsigned char* p, size_t n, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    out->push_back(kHex[p[i] >> 4]);
    out->push_back(kHex[p[i] & 15]);
  }
}

// The sysfs reader with procfs' error rules: missing files read as empty,
// other read errors are remembered, values that do not parse read as 0, and
// once an error is remembered further values read as 0.
class SysReader {
 public:
  SysReader(sysfs::AttrFiles* attrs, std::string* path_buf) : attrs_(attrs), path_(path_buf) {}

  void Reset(std::string_view dir) {
    dir_.assign(dir);
    err_ = 0;
  }
  int err() const { return err_; }
  void set_err(int e) { err_ = e; }
  const std::string& dir() const { return dir_; }

  // procfs' SysReadFile reads at most 128 bytes; commit_stats, which can be
  // longer, is read whole.
  std::string_view ReadFile(std::string_view rel, size_t cap = sysfs::kSysReadFileSize) {
    path_->assign(dir_).append("/").append(rel);
    std::string_view content;
    int e = attrs_->Read(*path_, cap, &content);
    if (e != 0) {
      if (!(e == ENOENT && attrs_->last_error_was_open())) err_ = e;
      return {};
    }
    return TrimSpace(content);
  }

  uint64_t ReadValue(std::string_view rel) {
    std::string_view s = ReadFile(rel);
    if (err_ != 0) return 0;
    return GoParseUint(s, 10, 64).value_or(0);
  }

  // Lists dir()/rel into *out (sorted); remembers an error and returns 0 if
  // it cannot.
  size_t List(std::string_view rel, std::vector<sysfs::DirEntry>* out) {
    path_->assign(dir_);
    if (!rel.empty()) path_->append("/").append(rel);
    size_t n = 0;
    if (int e = sysfs::ListDir(*path_, out, &n); e != 0) {
      err_ = e;
      return 0;
    }
    return n;
  }

 private:
  sysfs::AttrFiles* attrs_;
  std::string* path_;
  std::string dir_;
  int err_ = 0;
};

class BtrfsCollector : public Collector {
 public:
  explicit BtrfsCollector(const Context& ctx)
      : dir_(ctx.Sys("fs/btrfs")),
        rootfs_(ctx.paths.rootfs),
        mountinfo_root_(ctx.Proc("1/mountinfo")),
        mountinfo_self_(ctx.Proc("self/mountinfo")),
        log_(ctx.log) {}

  Status Collect(expo::MetricSet& out) override {
    Status st = ReadSysfs();
    attrs_.Sweep();
    if (!st.ok()) return Status::Error("failed to retrieve Btrfs stats from procfs: " + st.message());
    ReadIoctlStats();
    for (size_t i = 0; i < fs_count_; ++i) Emit(filesystems_[i], out);
    return Status::Ok();
  }

 private:
  Status ReadSysfs() {
    fs_count_ = 0;
    size_t count = 0;
    if (sysfs::ListDir(dir_, &fs_entries_, &count) != 0) return Status::Ok();  // No btrfs module.
    SysReader r(&attrs_, &path_);
    for (size_t i = 0; i < count; ++i) {
      const std::string& name = fs_entries_[i].name;
      if (name.find('-') == std::string::npos) continue;  // features, ...
      if (fs_count_ == filesystems_.size()) filesystems_.emplace_back();
      Filesystem& fs = filesystems_[fs_count_++];
      base_.assign(dir_).append("/").append(name);
      r.Reset(base_);

      size_t devs = r.List("devices", &dev_entries_);
      fs.device_count = 0;
      for (size_t d = 0; d < devs; ++d) {
        if (fs.device_count == fs.devices.size()) fs.devices.emplace_back();
        Device& dev = fs.devices[fs.device_count++];
        dev.name = dev_entries_[d].name;
        rel_.assign("devices/").append(dev.name).append("/size");
        dev.size = kSectorSize * r.ReadValue(rel_);
      }
      fs.label.assign(r.ReadFile("label"));
      fs.uuid.assign(r.ReadFile("metadata_uuid"));
      r.List("features", &scratch_entries_);
      for (std::string_view attr : {"clone_alignment", "nodesize", "quota_override", "sectorsize"}) {
        r.ReadValue(attr);
      }
      fs.commit = BtrfsCommitStats();
      std::string_view commit = r.ReadFile("commit_stats", sysfs::kAttrPageSize);
      if (Status st = ParseBtrfsCommitStats(commit, &fs.commit); !st.ok()) {
        return Status::Error(base_ + "/commit_stats: " + st.message());
      }
      r.ReadValue("allocation/global_rsv_reserved");
      fs.global_rsv_size = r.ReadValue("allocation/global_rsv_size");
      for (size_t t = 0; t < 3; ++t) {
        // Each block group type gets a fresh reader whose error replaces the
        // filesystem's: procfs' readAllocationStats does r.err = sr.err.
        SysReader sr(&attrs_, &path_);
        rel_.assign(base_).append("/allocation/").append(kBlockGroupTypes[t]);
        sr.Reset(rel_);
        ReadAllocation(&sr, devs, &fs.alloc[t]);
        r.set_err(sr.err());
      }
      if (r.err() != 0) return Status::Error(base_ + ": " + std::strerror(r.err()));
      if (fs.uuid.empty()) fs.uuid = name;
    }
    return Status::Ok();
  }

  void ReadAllocation(SysReader* r, size_t devices, Allocation* a) {
    for (std::string_view attr : {"bytes_may_use", "bytes_pinned", "bytes_readonly"}) r->ReadValue(attr);
    a->reserved_bytes = r->ReadValue("bytes_reserved");
    for (std::string_view attr : {"bytes_used", "disk_used", "disk_total", "flags", "total_bytes",
                                  "total_bytes_pinned"}) {
      r->ReadValue(attr);
    }
    a->layout_count = 0;
    size_t n = r->List("", &layout_entries_);
    for (size_t i = 0; i < n; ++i) {
      const sysfs::DirEntry& e = layout_entries_[i];
      // ioutil.ReadDir's IsDir: the entry itself, symlinks not followed.
      bool is_dir = e.type == DT_DIR;
      if (e.type == DT_UNKNOWN) {
        struct stat st;
        std::string p = r->dir() + "/" + e.name;
        is_dir = lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
      }
      if (!is_dir) continue;
      if (a->layout_count == a->layouts.size()) a->layouts.emplace_back();
      Layout& l = a->layouts[a->layout_count++];
      l.mode = e.name;
      rel2_.assign(e.name).append("/total_bytes");
      l.total_bytes = r->ReadValue(rel2_);
      rel2_.assign(e.name).append("/used_bytes");
      l.used_bytes = r->ReadValue(rel2_);
      l.ratio = Ratio(l.mode, devices);
    }
  }

  // node_exporter's getIoctlStats: device statistics of every mounted btrfs
  // filesystem it can open, keyed by filesystem UUID without dashes. Any
  // failure only drops that filesystem (logged at debug level).
  void ReadIoctlStats() {
    ioctl_stats_.clear();
    if (Status st = LoadMounts(); !st.ok()) {
      Debug("Error querying btrfs device stats with ioctl", st.message());
      return;
    }
    std::vector<std::string_view> devices_done;
    for (const BtrfsMount& m : mounts_) {
      if (std::find(devices_done.begin(), devices_done.end(), m.device) != devices_done.end()) continue;
      std::string path = JoinPath(rootfs_, StripRootfs(m.mount_point));
      std::string fsid;
      std::vector<IoctlDevice> devices;
      if (Status s = QueryMount(path, &fsid, &devices); !s.ok()) {
        Debug("Error inspecting btrfs mountpoint", s.message());
        continue;
      }
      if (fsid.empty()) continue;  // Already found through another mount point.
      devices_done.push_back(m.device);
      ioctl_stats_[fsid] = std::move(devices);
    }
  }

  // Brings mounts_ up to date with the mount table, parsing it again only
  // when /proc/1/mountinfo may have changed since mounts_ were parsed from it.
  // The fallback gives no such promise and is parsed every time.
  Status LoadMounts() {
    std::string_view content;
    bool changed = true;
    Status st = mountinfo_root_.Read(&content, &changed);
    const bool from_root = st.ok();
    if (st.code() == StatusCode::kNoData) st = mountinfo_self_.Read(&content);
    if (!st.ok()) {
      mounts_from_root_ = false;
      return st;
    }
    if (from_root && !changed && mounts_from_root_) return Status::Ok();
    mounts_from_root_ = false;
    st = ParseBtrfsMounts(content, &mounts_);
    if (!st.ok()) {
      mountinfo_root_.Invalidate();
      return st;
    }
    mounts_from_root_ = from_root;
    return Status::Ok();
  }

  Status QueryMount(const std::string& path, std::string* fsid, std::vector<IoctlDevice>* devices) {
    struct statfs sfs;
    struct stat st;
    if (statfs(path.c_str(), &sfs) != 0 || stat(path.c_str(), &st) != 0) {
      return Status::Error(path + ": " + std::strerror(errno));
    }
    if (sfs.f_type != BTRFS_SUPER_MAGIC || st.st_ino != kFirstFreeObjectid) {
      return Status::Error(path + ": not a btrfs subvolume");
    }
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return Status::Error(path + ": " + std::strerror(errno));
    btrfs_ioctl_fs_info_args info;
    std::memset(&info, 0, sizeof(info));
    if (ioctl(fd.get(), BTRFS_IOC_FS_INFO, &info) != 0) {
      return Status::Error(path + ": BTRFS_IOC_FS_INFO: " + std::strerror(errno));
    }
    std::string id;
    AppendHex(info.fsid, sizeof(info.fsid), &id);
    if (ioctl_stats_.count(id) != 0) return Status::Ok();
    for (uint64_t devid = 0; devid <= info.max_id; ++devid) {
      btrfs_ioctl_dev_info_args dev;
      std::memset(&dev, 0, sizeof(dev));
      dev.devid = devid;
      if (ioctl(fd.get(), BTRFS_IOC_DEV_INFO, &dev) != 0) {
        if (errno == ENODEV) continue;  // Device ids need not be contiguous.
        return Status::Error(path + ": BTRFS_IOC_DEV_INFO: " + std::strerror(errno));
      }
      btrfs_ioctl_get_dev_stats stats;
      std::memset(&stats, 0, sizeof(stats));
      stats.devid = devid;
      stats.nr_items = BTRFS_DEV_STAT_VALUES_MAX;
      if (ioctl(fd.get(), BTRFS_IOC_GET_DEV_STATS, &stats) != 0) {
        return Status::Error(path + ": BTRFS_IOC_GET_DEV_STATS: " + std::strerror(errno));
      }
      IoctlDevice d;
      std::string_view dev_path(reinterpret_cast<const char*>(dev.path), strnlen(reinterpret_cast<const char*>(dev.path), sizeof(dev.path)));
      size_t slash = dev_path.rfind('/');
      d.name.assign(slash == std::string_view::npos ? dev_path : dev_path.substr(slash + 1));
      AppendHex(dev.uuid, sizeof(dev.uuid), &d.uuid);
      d.total_bytes = dev.total_bytes;
      d.bytes_used = dev.bytes_used;
      for (int i = 0; i < 5; ++i) d.errors[i] = stats.values[i];
      devices->push_back(std::move(d));
      if (devices->size() == info.num_devices) break;
    }
    *fsid = std::move(id);
    return Status::Ok();
  }

  void Emit(const Filesystem& fs, expo::MetricSet& out) {
    const expo::Label uuid{"uuid", fs.uuid};
    out.Add(kInfo, 1, {uuid, {"label", fs.label}});
    out.Add(kGlobalRsv, static_cast<double>(fs.global_rsv_size), {uuid});
    out.Add(kCommits, static_cast<double>(fs.commit.commits), {uuid});
    out.Add(kLastCommit, static_cast<double>(fs.commit.last_commit_ms) / 1000, {uuid});
    out.Add(kMaxCommit, static_cast<double>(fs.commit.max_commit_ms) / 1000, {uuid});
    out.Add(kCommitSeconds, static_cast<double>(fs.commit.total_commit_ms) / 1000, {uuid});
    for (size_t t = 0; t < 3; ++t) {
      const Allocation& a = fs.alloc[t];
      const expo::Label type{"block_group_type", kBlockGroupTypes[t]};
      out.Add(kReserved, static_cast<double>(a.reserved_bytes), {uuid, type});
      for (size_t i = 0; i < a.layout_count; ++i) {
        const Layout& l = a.layouts[i];
        const expo::Label mode{"mode", l.mode};
        out.Add(kUsed, static_cast<double>(l.used_bytes), {uuid, type, mode});
        out.Add(kSize, static_cast<double>(l.total_bytes), {uuid, type, mode});
        out.Add(kRatio, l.ratio, {uuid, type, mode});
      }
    }
    key_.clear();
    for (char c : fs.uuid) {
      if (c != '-') key_.push_back(c);
    }
    auto it = ioctl_stats_.find(key_);
    if (it == ioctl_stats_.end()) {
      for (size_t i = 0; i < fs.device_count; ++i) {
        out.Add(kDeviceSize, static_cast<double>(fs.devices[i].size), {uuid, {"device", fs.devices[i].name}});
      }
      return;
    }
    for (const IoctlDevice& d : it->second) {
      const expo::Label device{"device", d.name};
      const expo::Label dev_uuid{"btrfs_dev_uuid", d.uuid};
      out.Add(kDeviceSize, static_cast<double>(d.total_bytes), {uuid, device, dev_uuid});
      out.Add(kDeviceUnused, static_cast<double>(d.total_bytes - d.bytes_used), {uuid, device, dev_uuid});
      for (int i = 0; i < 5; ++i) {
        out.Add(kDeviceErrors, static_cast<double>(d.errors[i]), {uuid, {"type", kErrorTypes[i]}, device, dev_uuid});
      }
    }
  }

  // node_exporter's rootfsStripPrefix: mount points seen from inside a
  // container that bind-mounts the host at --path.rootfs.
  std::string_view StripRootfs(std::string_view mount_point) const {
    if (rootfs_ == "/" || mount_point.substr(0, rootfs_.size()) != rootfs_) return mount_point;
    mount_point.remove_prefix(rootfs_.size());
    return mount_point.empty() ? std::string_view("/") : mount_point;
  }

  void Debug(std::string_view msg, std::string_view err) {
    if (log_ != nullptr) log_->Debug(msg, {{"err", err}});
  }

  std::string dir_, rootfs_;
  MountTableFile mountinfo_root_;
  KeptOpenFile mountinfo_self_;
  Logger* log_;
  sysfs::AttrFiles attrs_;
  std::vector<sysfs::DirEntry> fs_entries_, dev_entries_, scratch_entries_, layout_entries_;
  std::vector<Filesystem> filesystems_;
  size_t fs_count_ = 0;
  std::vector<BtrfsMount> mounts_;
  bool mounts_from_root_ = false;  // mounts_ were parsed from mountinfo_root_'s current content.
  std::map<std::string, std::vector<IoctlDevice>, std::less<>> ioctl_stats_;
  std::string base_, path_, rel_, rel2_, key_;
};

// Decodes the octal escapes the kernel uses in mountinfo paths.
void AppendUnescaped(std::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && s.substr(i + 1, 3) == "040") {
      out->push_back(' ');
      i += 3;
    } else if (s[i] == '\\' && s.substr(i + 1, 3) == "011") {
      out->push_back('\t');
      i += 3;
    } else {
      out->push_back(s[i]);
    }
  }
}

}  // namespace

Status ParseBtrfsCommitStats(std::string_view content, BtrfsCommitStats* out) {
  std::string_view line;
  while (NextLine(&content, &line)) {
    std::string_view f[3];
    size_t n = SplitFields(line, f, 3);
    if (n == 0) continue;
    if (n != 2) return Status::Error("malformed commit_stats line '" + std::string(line) + "'");
    std::optional<uint64_t> v = GoParseUint(f[1], 10, 64);
    if (!v) return Status::Error("invalid commit_stats value '" + std::string(f[1]) + "'");
    if (f[0] == "commits") {
      out->commits = *v;
    } else if (f[0] == "last_commit_ms") {
      out->last_commit_ms = *v;
    } else if (f[0] == "max_commit_ms") {
      out->max_commit_ms = *v;
    } else if (f[0] == "total_commit_ms") {
      out->total_commit_ms = *v;
    }
  }
  return Status::Ok();
}

Status ParseBtrfsMounts(std::string_view mountinfo, std::vector<BtrfsMount>* out) {
  size_t count = 0;
  std::string_view line;
  while (NextLine(&mountinfo, &line)) {
    constexpr size_t kMax = 64;
    std::string_view f[kMax];
    size_t n = SplitFields(line, f, kMax);
    if (n == 0) continue;
    if (n < 10 || n > kMax) return Status::Error("malformed mountinfo line '" + std::string(line) + "'");
    size_t sep = 6;
    while (sep < n && f[sep] != "-") ++sep;
    if (sep + 2 >= n) return Status::Error("mountinfo line without fs type and source: '" + std::string(line) + "'");
    if (f[sep + 1] != "btrfs") continue;
    if (count == out->size()) out->emplace_back();
    BtrfsMount& m = (*out)[count++];
    m.device.assign(f[sep + 2]);
    AppendUnescaped(f[4], &m.mount_point);
  }
  out->resize(count);
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewBtrfsCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<BtrfsCollector>(ctx));
}

}  // namespace nodex::collectors
