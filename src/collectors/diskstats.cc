#include "collectors/diskstats.h"

#include <fcntl.h>
#include <re2/re2.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/procfs_helpers.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

// One /proc/diskstats line: major, minor, a name of at most 32 bytes
// (DISK_NAME_LEN) and 17 to 20 counters of up to 20 digits: under 512 bytes;
// the bound is twice that.
constexpr size_t kDiskstatsLongestLine = 1024;

constexpr auto kCounter = expo::MetricType::kCounter;
constexpr auto kGauge = expo::MetricType::kGauge;

constexpr expo::Desc kInfoDesc{"node_disk_info", "Identity of a block device from /sys/block and udev; always 1.",
                               kGauge};
constexpr expo::Desc kFilesystemInfoDesc{"node_disk_filesystem_info",
                                         "Filesystem udev found on a block device; always 1.", kGauge};
constexpr expo::Desc kDeviceMapperInfoDesc{"node_disk_device_mapper_info",
                                           "Device-mapper names of a block device from udev; always 1.", kGauge};
constexpr expo::Desc kAtaWriteCacheDesc{"node_disk_ata_write_cache", "Whether the ATA disk has a write cache.", kGauge};
constexpr expo::Desc kAtaWriteCacheEnabledDesc{"node_disk_ata_write_cache_enabled",
                                               "Whether the ATA disk's write cache is turned on.", kGauge};
constexpr expo::Desc kAtaRotationDesc{"node_disk_ata_rotation_rate_rpm",
                                      "Rotation rate of the ATA disk in RPM (0 for solid-state disks).", kGauge};

// The /proc/diskstats counters in file order, with node_exporter's unit
// conversion: sectors are 512 bytes, times are milliseconds.
enum class Scale { kNone, kSectorsToBytes, kMillisToSeconds };
struct StatDesc {
  expo::Desc desc;
  Scale scale;
};
constexpr StatDesc kStatDescs[17] = {
    {{"node_disk_reads_completed_total", "Reads completed.", kCounter}, Scale::kNone},
    {{"node_disk_reads_merged_total", "Adjacent reads merged into one.", kCounter}, Scale::kNone},
    {{"node_disk_read_bytes_total", "Bytes read.", kCounter}, Scale::kSectorsToBytes},
    {{"node_disk_read_time_seconds_total", "Seconds spent by all reads.", kCounter}, Scale::kMillisToSeconds},
    {{"node_disk_writes_completed_total", "Writes completed.", kCounter}, Scale::kNone},
    {{"node_disk_writes_merged_total", "Adjacent writes merged into one.", kCounter}, Scale::kNone},
    {{"node_disk_written_bytes_total", "Bytes written.", kCounter}, Scale::kSectorsToBytes},
    {{"node_disk_write_time_seconds_total", "Seconds spent by all writes.", kCounter}, Scale::kMillisToSeconds},
    {{"node_disk_io_now", "I/Os in flight right now.", kGauge}, Scale::kNone},
    {{"node_disk_io_time_seconds_total", "Seconds during which I/O was in flight.", kCounter}, Scale::kMillisToSeconds},
    {{"node_disk_io_time_weighted_seconds_total", "Seconds spent on I/O weighted by the number in flight.", kCounter},
     Scale::kMillisToSeconds},
    {{"node_disk_discards_completed_total", "Discards completed.", kCounter}, Scale::kNone},
    {{"node_disk_discards_merged_total", "Adjacent discards merged into one.", kCounter}, Scale::kNone},
    {{"node_disk_discarded_sectors_total", "Sectors discarded.", kCounter}, Scale::kNone},
    {{"node_disk_discard_time_seconds_total", "Seconds spent by all discards.", kCounter}, Scale::kMillisToSeconds},
    {{"node_disk_flush_requests_total", "Flush requests completed.", kCounter}, Scale::kNone},
    {{"node_disk_flush_requests_time_seconds_total", "Seconds spent by all flush requests.", kCounter},
     Scale::kMillisToSeconds},
};

constexpr std::string_view kUdevNames[] = {
    "DM_LV_LAYER",
    "DM_LV_NAME",
    "DM_NAME",
    "DM_UUID",
    "DM_VG_NAME",
    "ID_ATA",
    "ID_ATA_ROTATION_RATE_RPM",
    "ID_ATA_WRITE_CACHE",
    "ID_ATA_WRITE_CACHE_ENABLED",
    "ID_FS_TYPE",
    "ID_FS_USAGE",
    "ID_FS_UUID",
    "ID_FS_VERSION",
    "ID_MODEL",
    "ID_PATH",
    "ID_REVISION",
    "ID_SERIAL",
    "ID_SERIAL_SHORT",
    "ID_WWN",
    "SCSI_IDENT_SERIAL",
};
static_assert(std::size(kUdevNames) == static_cast<size_t>(UdevKey::kCount));

// Go's bufio.ScanLines: the next line without '\n' and one trailing '\r'.
// Sets *too_long for lines the 64 KiB scanner buffer cannot hold.
bool NextScannerLine(std::string_view* rest, std::string_view* line, bool* too_long) {
  if (rest->empty()) return false;
  size_t nl = rest->find('\n');
  if (nl == std::string_view::npos) {
    *line = *rest;
    *rest = {};
  } else {
    *line = rest->substr(0, nl);
    rest->remove_prefix(nl + 1);
  }
  *too_long = line->size() >= 64 * 1024;
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  return true;
}

// The sysfs queue attributes procfs' SysBlockDeviceQueueStats reads. It
// returns nothing (and node_exporter then labels rotational="0") unless every
// one of them is readable and numeric where a number is expected, so they
// all have to be read. Attributes that newer or older kernels lack come
// first, so the common failure is found with one open.
enum class QueueAttrKind { kUint, kInt, kString };
struct QueueAttr {
  std::string_view name;
  QueueAttrKind kind;
};
constexpr QueueAttr kQueueAttrs[] = {
    {"io_timeout", QueueAttrKind::kUint},
    {"wbt_lat_usec", QueueAttrKind::kInt},
    {"dax", QueueAttrKind::kUint},
    {"write_same_max_bytes", QueueAttrKind::kUint},
    {"io_poll_delay", QueueAttrKind::kInt},
    {"max_integrity_segments", QueueAttrKind::kUint},
    {"nr_zones", QueueAttrKind::kUint},
    {"fua", QueueAttrKind::kUint},
    {"max_discard_segments", QueueAttrKind::kUint},
    {"write_zeroes_max_bytes", QueueAttrKind::kUint},
    {"chunk_sectors", QueueAttrKind::kUint},
    {"zoned", QueueAttrKind::kString},
    {"add_random", QueueAttrKind::kUint},
    {"discard_granularity", QueueAttrKind::kUint},
    {"discard_max_hw_bytes", QueueAttrKind::kUint},
    {"discard_max_bytes", QueueAttrKind::kUint},
    {"hw_sector_size", QueueAttrKind::kUint},
    {"io_poll", QueueAttrKind::kUint},
    {"iostats", QueueAttrKind::kUint},
    {"logical_block_size", QueueAttrKind::kUint},
    {"max_hw_sectors_kb", QueueAttrKind::kUint},
    {"max_sectors_kb", QueueAttrKind::kUint},
    {"max_segments", QueueAttrKind::kUint},
    {"max_segment_size", QueueAttrKind::kUint},
    {"minimum_io_size", QueueAttrKind::kUint},
    {"nomerges", QueueAttrKind::kUint},
    {"nr_requests", QueueAttrKind::kUint},
    {"optimal_io_size", QueueAttrKind::kUint},
    {"physical_block_size", QueueAttrKind::kUint},
    {"read_ahead_kb", QueueAttrKind::kUint},
    {"rq_affinity", QueueAttrKind::kUint},
    {"write_cache", QueueAttrKind::kString},
    {"scheduler", QueueAttrKind::kString},
    {"rotational", QueueAttrKind::kUint},  // Last: its value is the one we keep.
};

class DiskstatsCollector : public Collector {
 public:
  DiskstatsCollector(const Context& ctx, std::unique_ptr<RE2> exclude, std::unique_ptr<RE2> include)
      : log_(ctx.log),
        file_(ctx.Proc("diskstats"), ReadEnd::Records(kDiskstatsLongestLine)),
        sys_block_(ctx.Sys("block")),
        udev_dir_(ctx.paths.udev_data),
        exclude_(std::move(exclude)),
        include_(std::move(include)) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    if (!st.ok()) return Status::Error("couldn't get diskstats: " + st.message());
    st = ParseDiskstats(content, &lines_);
    if (!st.ok()) return Status::Error("couldn't get diskstats: " + st.message());
    for (const DiskstatsLine& line : lines_) {
      if ((exclude_ && procfs_helpers::Matches(*exclude_, line.device)) ||
          (include_ && !procfs_helpers::Matches(*include_, line.device))) {
        continue;
      }
      CollectDevice(out, line);
    }
    queue_attrs_.Sweep();
    return Status::Ok();
  }

 private:
  void CollectDevice(expo::MetricSet& out, const DiskstatsLine& line) {
    const std::string_view dev = line.device;
    ReadUdev(line.major, line.minor);
    const UdevProperties& info = udev_;
    // Usually the serial printed on the label; virtio disks only have ID_SERIAL.
    std::string_view serial = info.Get(UdevKey::kScsiIdentSerial);
    if (serial.empty()) serial = info.Get(UdevKey::kIdSerialShort);
    if (serial.empty()) serial = info.Get(UdevKey::kIdSerial);

    char major_buf[24], minor_buf[24], rotational_buf[65];
    const expo::Label info_labels[] = {
        {"device", dev},
        {"major", expo::IntLabel(major_buf, line.major)},
        {"minor", expo::IntLabel(minor_buf, line.minor)},
        {"path", info.Get(UdevKey::kIdPath)},
        {"wwn", info.Get(UdevKey::kIdWwn)},
        {"model", info.Get(UdevKey::kIdModel)},
        {"serial", serial},
        {"revision", info.Get(UdevKey::kIdRevision)},
        {"rotational", FormatRotational(ReadRotational(dev), rotational_buf)},
    };
    out.Add(kInfoDesc, 1.0, info_labels);

    for (int i = 0; i < line.stat_count; ++i) {
      double value = static_cast<double>(line.stats[i]);
      switch (kStatDescs[i].scale) {
        case Scale::kSectorsToBytes: value *= 512.0; break;
        case Scale::kMillisToSeconds: value *= 1.0 / 1000.0; break;
        case Scale::kNone: break;
      }
      out.Add(kStatDescs[i].desc, value, {{"device", dev}});
    }

    if (std::string_view fs_type = info.Get(UdevKey::kIdFsType); !fs_type.empty()) {
      out.Add(kFilesystemInfoDesc, 1.0,
              {{"device", dev},
               {"type", fs_type},
               {"usage", info.Get(UdevKey::kIdFsUsage)},
               {"uuid", info.Get(UdevKey::kIdFsUuid)},
               {"version", info.Get(UdevKey::kIdFsVersion)}});
    }
    if (std::string_view dm_name = info.Get(UdevKey::kDmName); !dm_name.empty()) {
      out.Add(kDeviceMapperInfoDesc, 1.0,
              {{"device", dev},
               {"name", dm_name},
               {"uuid", info.Get(UdevKey::kDmUuid)},
               {"vg_name", info.Get(UdevKey::kDmVgName)},
               {"lv_name", info.Get(UdevKey::kDmLvName)},
               {"lv_layer", info.Get(UdevKey::kDmLvLayer)}});
    }
    if (!info.Get(UdevKey::kIdAta).empty()) {
      static constexpr std::pair<UdevKey, const expo::Desc*> kAta[] = {
          {UdevKey::kIdAtaWriteCache, &kAtaWriteCacheDesc},
          {UdevKey::kIdAtaWriteCacheEnabled, &kAtaWriteCacheEnabledDesc},
          {UdevKey::kIdAtaRotationRateRpm, &kAtaRotationDesc},
      };
      for (const auto& [key, desc] : kAta) {
        if (!info.Has(key)) continue;
        std::optional<double> v = sysfs::ParseGoFloat(info.Get(key));
        if (!v) {
          // node_exporter logs this on every scrape; once at debug is enough.
          if (log_ != nullptr) log_->Debug("failed to parse ATA value", {{"device", dev}, {"value", info.Get(key)}});
          continue;
        }
        out.Add(*desc, *v, {{"device", dev}});
      }
    }
  }

  // udev rewrites its database files by renaming a new file over the old
  // one, so a kept-open fd would go stale: each file is opened per scrape
  // (into a reused buffer), as node_exporter does.
  void ReadUdev(uint32_t major, uint32_t minor) {
    char num[24];
    udev_path_.assign(udev_dir_);
    if (!udev_path_.empty() && udev_path_.back() != '/') udev_path_.push_back('/');
    udev_path_.push_back('b');
    udev_path_.append(expo::IntLabel(num, major));
    udev_path_.push_back(':');
    udev_path_.append(expo::IntLabel(num, minor));
    udev_ = UdevProperties{};
    int fd = ::open(udev_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;  // No udev data for this device: empty properties.
    long n = ReadFdFromStart(fd, &udev_buffer_);
    ::close(fd);
    if (n > 0) ParseUdevProperties(std::string_view(udev_buffer_.data(), static_cast<size_t>(n)), &udev_);
  }

  // block/<dev>/queue/rotational if procfs' SysBlockDeviceQueueStats would
  // succeed, else 0.
  uint64_t ReadRotational(std::string_view dev) {
    uint64_t rotational = 0;
    for (const QueueAttr& attr : kQueueAttrs) {
      queue_path_.assign(sys_block_).append("/").append(dev).append("/queue/").append(attr.name);
      std::string_view text;
      bool is_string = attr.kind == QueueAttrKind::kString;
      if (queue_attrs_.Read(queue_path_, is_string ? sysfs::kSysReadFileSize : sysfs::kAttrPageSize, &text) != 0) {
        return 0;
      }
      text = TrimSpace(text);
      if (attr.kind == QueueAttrKind::kUint) {
        std::optional<uint64_t> v = sysfs::ParseGoUint(text);
        if (!v) return 0;
        rotational = *v;
      } else if (attr.kind == QueueAttrKind::kInt) {
        if (!sysfs::ParseGoDecimalInt(text)) return 0;
      }
    }
    return rotational;
  }

  Logger* log_;
  KeptOpenFile file_;
  std::string sys_block_;
  std::string udev_dir_;
  std::unique_ptr<RE2> exclude_;
  std::unique_ptr<RE2> include_;
  std::vector<DiskstatsLine> lines_;
  std::string udev_path_;
  std::vector<char> udev_buffer_;
  UdevProperties udev_;
  std::string queue_path_;
  sysfs::AttrFiles queue_attrs_;
};

}  // namespace

Status ParseDiskstats(std::string_view content, std::vector<DiskstatsLine>* out) {
  out->clear();
  std::string_view rest = content;
  std::string_view line;
  bool too_long = false;
  while (NextScannerLine(&rest, &line, &too_long)) {
    if (too_long) return Status::Error("diskstats line too long");
    DiskstatsLine d;
    int count = 0;
    std::string_view field;
    // procfs scans at most 20 fields: major, minor, name and 17 counters.
    while (count < 20 && NextField(&line, &field)) {
      bool ok = true;
      if (count == 0 || count == 1) {
        std::optional<uint32_t> v = ParseInt<uint32_t>(field);
        ok = v.has_value();
        if (ok) (count == 0 ? d.major : d.minor) = *v;
      } else if (count == 2) {
        d.device = field;
      } else {
        std::optional<uint64_t> v = ParseU64(field);
        ok = v.has_value();
        if (ok) d.stats[count - 3] = *v;
      }
      if (!ok) return Status::Error("invalid field \"" + std::string(field) + "\" in diskstats");
      ++count;
    }
    if (count < 14) continue;
    d.stat_count = count - 3;
    out->push_back(d);
  }
  return Status::Ok();
}

void ParseUdevProperties(std::string_view content, UdevProperties* out) {
  *out = UdevProperties{};
  std::string_view rest = content;
  std::string_view line;
  bool too_long = false;
  while (NextScannerLine(&rest, &line, &too_long)) {
    // Go's scanner stops at an over-long line and node_exporter ignores the
    // error: what was read so far counts.
    if (too_long) return;
    if (line.substr(0, 2) != "E:") continue;
    std::string_view name, value;
    if (!SplitOnce(line.substr(2), '=', &name, &value)) continue;
    for (size_t i = 0; i < std::size(kUdevNames); ++i) {
      if (kUdevNames[i] == name) {
        out->values[i] = value;
        break;
      }
    }
  }
}

std::string_view FormatRotational(uint64_t value, char (&buf)[65]) {
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, 2);
  (void)ec;
  return std::string_view(buf, static_cast<size_t>(end - buf));
}

StatusOr<std::unique_ptr<Collector>> NewDiskstatsCollector(const Context& ctx) {
  constexpr std::string_view kExcludeFlag = "collector.diskstats.device-exclude";
  constexpr std::string_view kIncludeFlag = "collector.diskstats.device-include";
  constexpr std::string_view kOldFlag = "collector.diskstats.ignored-devices";
  std::string_view exclude = procfs_helpers::StringFlagOr(ctx, kExcludeFlag, kDiskstatsDefaultDeviceExclude);
  std::string_view include = procfs_helpers::StringFlagOr(ctx, kIncludeFlag, "");
  std::string_view old = procfs_helpers::StringFlagOr(ctx, kOldFlag, "");
  std::string_view exclude_flag = kExcludeFlag;
  if (!old.empty()) {
    // node_exporter lets the old flag replace device-exclude only when the
    // latter was not given; a non-default device-exclude means it was.
    if (exclude != kDiskstatsDefaultDeviceExclude) {
      return Status::Error(
          "failed to parse device filter flags: --collector.diskstats.ignored-devices and "
          "--collector.diskstats.device-exclude are mutually exclusive");
    }
    if (ctx.log != nullptr) {
      ctx.log->Warn(
          "--collector.diskstats.ignored-devices is DEPRECATED and will be removed in 2.0.0, use "
          "--collector.diskstats.device-exclude");
    }
    exclude = old;
    exclude_flag = kOldFlag;
  }
  if (!exclude.empty() && !include.empty()) {
    return Status::Error("failed to parse device filter flags: device-exclude & device-include are mutually exclusive");
  }
  std::unique_ptr<RE2> exclude_re, include_re;
  Status st = procfs_helpers::CompileFlagRegex(exclude_flag, exclude, true, &exclude_re);
  if (!st.ok()) return st;
  st = procfs_helpers::CompileFlagRegex(kIncludeFlag, include, true, &include_re);
  if (!st.ok()) return st;
  if (!sysfs::IsDirFollow(ctx.paths.udev_data) && ctx.log != nullptr) {
    ctx.log->Error("udev data directory is not readable; disk info will lack udev properties",
                   {{"path", ctx.paths.udev_data}});
  }
  return std::unique_ptr<Collector>(
      std::make_unique<DiskstatsCollector>(ctx, std::move(exclude_re), std::move(include_re)));
}

}  // namespace nodex::collectors
