// The diskstats collector (mirrors node_exporter's diskstats collector,
// collector/diskstats_linux.go + diskstats_common.go, with procfs'
// blockdevice package): per-device I/O counters from /proc/diskstats as
// node_disk_*, plus node_disk_info (udev properties and the sysfs queue's
// rotational flag), node_disk_filesystem_info, node_disk_device_mapper_info
// and node_disk_ata_* from udev's database (--path.udev.data, files
// b<major>:<minor>).
//
// /proc/diskstats is kept open. Devices come and go, so the rest is looked up
// per scrape: udev files are opened each time (udev replaces them by
// rename), and the ~34 sysfs queue attributes procfs reads per device are
// kept open while they exist (AttrFiles), about 34 fds per whole disk; on
// kernels that lack one of them only one failed open per device is spent.
#ifndef NODEX_COLLECTORS_DISKSTATS_H_
#define NODEX_COLLECTORS_DISKSTATS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "collectors/collector.h"

namespace nodex::collectors {

// node_exporter's default --collector.diskstats.device-exclude: partitions,
// ram/zram, loop and floppy devices.
inline constexpr std::string_view kDiskstatsDefaultDeviceExclude =
    "^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";

inline constexpr FlagDef kDiskstatsFlags[] = {
    {"collector.diskstats.device-exclude", FlagKind::kString, kDiskstatsDefaultDeviceExclude,
     "RE2 pattern: skip block devices whose name matches (cannot be combined with device-include)."},
    {"collector.diskstats.device-include", FlagKind::kString, "",
     "RE2 pattern: export only block devices whose name matches (set device-exclude to \"\" to use it)."},
    {"collector.diskstats.ignored-devices", FlagKind::kString, "",
     "Deprecated spelling of collector.diskstats.device-exclude."},
};

// One /proc/diskstats line. `device` views the parsed text.
struct DiskstatsLine {
  uint32_t major = 0;
  uint32_t minor = 0;
  std::string_view device;
  // reads, reads merged, sectors read, ms reading, writes, writes merged,
  // sectors written, ms writing, I/Os in progress, ms doing I/O, weighted
  // ms, discards, discards merged, sectors discarded, ms discarding,
  // flushes, ms flushing.
  std::array<uint64_t, 17> stats{};
  int stat_count = 0;  // How many of `stats` the line had: 11, 15 or 17.
};

// Parses /proc/diskstats, one device per line:
//    8       0 sda 25354637 34367663 1003346126 18492372 28444756 ...
//  259       0 nvme0n1 47114 4 4643973 21650 1078320 43950 39451633 ...
// Linux < 4.18 prints 11 counters, 4.18 adds 4 discard counters and 5.5 two
// flush counters. Like procfs' Sscanf-based reader, lines with fewer than 14
// fields in all (empty lines too) are skipped, counters after the 17th are
// ignored, and a field that is not a decimal number in range (major and
// minor are 32-bit) fails the whole file.
[[nodiscard]] Status ParseDiskstats(std::string_view content, std::vector<DiskstatsLine>* out);

// The udev properties node_exporter looks at.
enum class UdevKey {
  kDmLvLayer,
  kDmLvName,
  kDmName,
  kDmUuid,
  kDmVgName,
  kIdAta,
  kIdAtaRotationRateRpm,
  kIdAtaWriteCache,
  kIdAtaWriteCacheEnabled,
  kIdFsType,
  kIdFsUsage,
  kIdFsUuid,
  kIdFsVersion,
  kIdModel,
  kIdPath,
  kIdRevision,
  kIdSerial,
  kIdSerialShort,
  kIdWwn,
  kScsiIdentSerial,
  kCount,
};

// Values of the known properties; nullopt when the file does not set one
// (node_exporter's map lookup then yields "" or, for ATA values, skips it).
struct UdevProperties {
  std::array<std::optional<std::string_view>, static_cast<size_t>(UdevKey::kCount)> values;
  std::string_view Get(UdevKey key) const { return values[static_cast<size_t>(key)].value_or(std::string_view()); }
  bool Has(UdevKey key) const { return values[static_cast<size_t>(key)].has_value(); }
};

// Parses a udev database file (/run/udev/data/b8:0):
//   S:disk/by-id/ata-INTEL_SSD...
//   E:ID_MODEL=INTEL_SSDS9X9SI0
//   E:ID_ATA_ROTATION_RATE_RPM=0
// Only "E:" lines (device properties) count; a later value overrides an
// earlier one; lines are split like Go's bufio.Scanner (a trailing '\r' is
// dropped). Never fails: anything else is ignored, as node_exporter does.
void ParseUdevProperties(std::string_view content, UdevProperties* out);

// The "rotational" label: the sysfs queue/rotational value formatted in
// base 2 (node_exporter uses strconv.FormatUint(v, 2)), "0" when the queue
// stats could not be read.
std::string_view FormatRotational(uint64_t value, char (&buf)[65]);

StatusOr<std::unique_ptr<Collector>> NewDiskstatsCollector(const Context& ctx);

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_DISKSTATS_H_
