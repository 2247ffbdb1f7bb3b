#include "collectors/tapestats.h"

#include <re2/re2.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/split.h"
#include "collectors/procfs_helpers.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kCounter = expo::MetricType::kCounter;

enum Stat { kInFlight, kIoNs, kOtherCnt, kReadByteCnt, kReadCnt, kReadNs, kResidCnt, kWriteByteCnt, kWriteCnt,
            kWriteNs, kNumStats };
constexpr std::string_view kStatFiles[kNumStats] = {"in_flight", "io_ns",          "other_cnt", "read_byte_cnt",
                                                    "read_cnt",  "read_ns",        "resid_cnt", "write_byte_cnt",
                                                    "write_cnt", "write_ns"};

constexpr expo::Desc kIoNow{"node_tape_io_now", "I/O requests outstanding on the tape drive.",
                            expo::MetricType::kGauge};
constexpr expo::Desc kIoTime{"node_tape_io_time_seconds_total",
                             "Seconds spent on all tape I/O, including positioning commands.", kCounter};
constexpr expo::Desc kOthers{"node_tape_io_others_total", "Commands other than reads and writes sent to the drive.",
                             kCounter};
constexpr expo::Desc kReadBytes{"node_tape_read_bytes_total", "Bytes read from the tape drive.", kCounter};
constexpr expo::Desc kReads{"node_tape_reads_completed_total", "Read requests sent to the tape drive.", kCounter};
constexpr expo::Desc kReadTime{"node_tape_read_time_seconds_total", "Seconds spent waiting for reads.", kCounter};
constexpr expo::Desc kResidual{"node_tape_residual_total",
                               "Reads or writes that completed with a non-zero residual count.", kCounter};
constexpr expo::Desc kWrittenBytes{"node_tape_written_bytes_total", "Bytes written to the tape drive.", kCounter};
constexpr expo::Desc kWrites{"node_tape_writes_completed_total", "Write requests sent to the tape drive.", kCounter};
constexpr expo::Desc kWriteTime{"node_tape_write_time_seconds_total", "Seconds spent waiting for writes.", kCounter};

struct TapeData {
  std::string name;
  uint64_t stats[kNumStats];
};

class TapestatsCollector : public Collector {
 public:
  TapestatsCollector(const Context& ctx, std::unique_ptr<RE2> ignored)
      : dir_(ctx.Sys("class/scsi_tape")), ignored_(std::move(ignored)) {}

  Status Collect(expo::MetricSet& out) override {
    size_t count = 0;
    int err = sysfs::ListDir(dir_, &entries_, &count);
    if (err != 0) return ListError(dir_, err);
    size_t tapes = 0;
    for (size_t i = 0; i < count; ++i) {
      if (!IsTapeDeviceName(entries_[i].name)) continue;
      if (tapes_.size() == tapes) tapes_.emplace_back();
      Status st = ReadTape(entries_[i].name, &tapes_[tapes++]);
      if (!st.ok()) {
        files_.Sweep();
        return st;
      }
    }
    files_.Sweep();
    // Counters are nanoseconds; node_exporter multiplies by 1e-9 (not a
    // division), and the last digits of the float64 depend on that.
    constexpr double kNs = 0.000000001;
    for (size_t i = 0; i < tapes; ++i) {
      const TapeData& t = tapes_[i];
      if (procfs_helpers::Matches(*ignored_, t.name)) continue;
      const expo::Label device[] = {{"device", t.name}};
      auto add = [&](const expo::Desc& d, double v) { out.Add(d, v, std::span<const expo::Label>(device, 1)); };
      add(kIoNow, static_cast<double>(t.stats[kInFlight]));
      add(kIoTime, static_cast<double>(t.stats[kIoNs]) * kNs);
      add(kOthers, static_cast<double>(t.stats[kOtherCnt]));
      add(kReadBytes, static_cast<double>(t.stats[kReadByteCnt]));
      add(kReads, static_cast<double>(t.stats[kReadCnt]));
      add(kReadTime, static_cast<double>(t.stats[kReadNs]) * kNs);
      add(kResidual, static_cast<double>(t.stats[kResidCnt]));
      add(kWrittenBytes, static_cast<double>(t.stats[kWriteByteCnt]));
      add(kWrites, static_cast<double>(t.stats[kWriteCnt]));
      add(kWriteTime, static_cast<double>(t.stats[kWriteNs]) * kNs);
    }
    return Status::Ok();
  }

 private:
  // procfs returns listing errors unwrapped, so node_exporter's os.IsNotExist
  // check makes a missing class or stats directory "no data".
  static Status ListError(const std::string& dir, int err) {
    if (err == ENOENT) return Status::NoData("scsi_tape stats not found");
    return Status::Error("error obtaining SCSITape class info: \"" + dir + "\": " + std::strerror(err));
  }

  Status ReadTape(const std::string& name, TapeData* t) {
    t->name.assign(name);
    for (uint64_t& s : t->stats) s = 0;
    stats_dir_.assign(dir_).append("/").append(name).append("/stats");
    size_t count = 0;
    int err = sysfs::ListDir(stats_dir_, &stat_entries_, &count);
    if (err != 0) return ListError(stats_dir_, err);
    for (size_t i = 0; i < count; ++i) {
      const std::string& file = stat_entries_[i].name;
      path_.assign(stats_dir_).append("/").append(file);
      std::string_view content;
      err = files_.Read(path_, sysfs::kSysReadFileSize, &content);
      if (err != 0) return Status::Error("failed to read file \"" + path_ + "\": " + std::strerror(err));
      for (size_t s = 0; s < kNumStats; ++s) {
        if (kStatFiles[s] != file) continue;
        std::optional<uint64_t> v = ParseTapeCounter(content);
        if (!v) return Status::Error("invalid value \"" + std::string(TrimSpace(content)) + "\" in \"" + path_ + "\"");
        t->stats[s] = *v;
      }
    }
    return Status::Ok();
  }

  std::string dir_, stats_dir_, path_;
  std::unique_ptr<RE2> ignored_;
  std::vector<sysfs::DirEntry> entries_, stat_entries_;
  std::vector<TapeData> tapes_;
  sysfs::AttrFiles files_;
};

}  // namespace

std::optional<uint64_t> ParseTapeCounter(std::string_view content) { return GoParseUint(TrimSpace(content), 0, 64); }

bool IsTapeDeviceName(std::string_view name) {
  if (name.size() < 3 || name.substr(0, 2) != "st") return false;
  for (char c : name.substr(2)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

StatusOr<std::unique_ptr<Collector>> NewTapestatsCollector(const Context& ctx) {
  constexpr std::string_view kFlag = "collector.tapestats.ignored-devices";
  std::unique_ptr<RE2> ignored;
  Status st = procfs_helpers::CompileFlagRegex(kFlag, procfs_helpers::StringFlagOr(ctx, kFlag, "^$"), false, &ignored);
  if (!st.ok()) return st;
  return std::unique_ptr<Collector>(std::make_unique<TapestatsCollector>(ctx, std::move(ignored)));
}

}  // namespace nodex::collectors
