#include "collectors/pressure.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <mutex>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "base/log.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
using expo::MetricType;

constexpr Desc kCpuSome{"node_pressure_cpu_waiting_seconds_total",
                        "Seconds in which at least one runnable task waited for a CPU.", MetricType::kCounter};
constexpr Desc kIoSome{"node_pressure_io_waiting_seconds_total",
                       "Seconds in which at least one task was stalled on IO.", MetricType::kCounter};
constexpr Desc kIoFull{"node_pressure_io_stalled_seconds_total",
                       "Seconds in which all non-idle tasks were stalled on IO at once.", MetricType::kCounter};
constexpr Desc kMemSome{"node_pressure_memory_waiting_seconds_total",
                        "Seconds in which at least one task was stalled on memory.", MetricType::kCounter};
constexpr Desc kMemFull{"node_pressure_memory_stalled_seconds_total",
                        "Seconds in which all non-idle tasks were stalled on memory at once.", MetricType::kCounter};
constexpr Desc kIrqFull{"node_pressure_irq_stalled_seconds_total",
                        "Seconds in which the CPU was busy with interrupts and no task could run.",
                        MetricType::kCounter};

enum Resource { kCpu, kIo, kMemory, kIrq, kResourceCount };
constexpr std::string_view kResourceNames[kResourceCount] = {"cpu", "io", "memory", "irq"};

// node_exporter divides twice, which rounds differently from one division by
// 1e6 (e.g. 14036781 gives 14.036781000000001); keep its arithmetic.
double MicrosToSeconds(uint64_t us) { return static_cast<double>(us) / 1000.0 / 1000.0; }

bool ParseKeyed(std::string_view field, std::string_view key, std::string_view* value) {
  if (field.size() <= key.size() || field.substr(0, key.size()) != key || field[key.size()] != '=') return false;
  *value = field.substr(key.size() + 1);
  return true;
}

Status ParsePsiLine(std::string_view rest, PsiLine* line) {
  std::string_view f[4];
  if (SplitFields(rest, f, 4) < 4) return Status::Error("too few fields");
  std::string_view v;
  std::optional<double> d;
  if (!ParseKeyed(f[0], "avg10", &v) || !(d = ParseDouble(v))) return Status::Error("bad avg10");
  line->avg10 = *d;
  if (!ParseKeyed(f[1], "avg60", &v) || !(d = ParseDouble(v))) return Status::Error("bad avg60");
  line->avg60 = *d;
  if (!ParseKeyed(f[2], "avg300", &v) || !(d = ParseDouble(v))) return Status::Error("bad avg300");
  line->avg300 = *d;
  std::optional<uint64_t> total;
  if (!ParseKeyed(f[3], "total", &v) || !(total = ParseU64(v))) return Status::Error("bad total");
  line->total = *total;
  return Status::Ok();
}

class PressureCollector final : public Collector {
 public:
  explicit PressureCollector(const Context& ctx) : log_(ctx.log) {
    for (int r = 0; r < kResourceCount; ++r) paths_[r] = ctx.Proc(std::string("pressure/") += kResourceNames[r]);
  }

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    int found = 0;
    for (int r = 0; r < kResourceCount; ++r) {
      std::string_view content;
      int err = Read(r, &content);
      if (err == ENOENT) {
        Debug(r == kIrq ? "pressure information is unavailable (needs Linux >= 6.1 and CONFIG_PSI)"
                        : "pressure information is unavailable (needs Linux >= 4.20 and CONFIG_PSI)",
              r);
        continue;
      }
      if (err == EOPNOTSUPP) {
        Debug("pressure information is disabled; boot with psi=1 to enable it", r);
        return Status::NoData("pressure stall information is disabled");
      }
      if (err != 0) {
        return Status::Error("failed to retrieve pressure stats: " + paths_[r] + ": " + strerror(err));
      }
      StatusOr<PsiStats> stats = ParsePressure(content);
      if (!stats.ok()) {
        return Status::Error("failed to retrieve pressure stats: " + paths_[r] + ": " + stats.status().message());
      }
      // irq has no "some" line and cpu's "full" is optional; anything else
      // missing a line means the kernel gave no usable data.
      if (!stats->has_some && r != kIrq) return Status::NoData("pressure information returned no 'some' data");
      if (!stats->has_full && r != kCpu) return Status::NoData("pressure information returned no 'full' data");
      switch (r) {
        case kCpu: out.Add(kCpuSome, MicrosToSeconds(stats->some.total)); break;
        case kIo:
          out.Add(kIoSome, MicrosToSeconds(stats->some.total));
          out.Add(kIoFull, MicrosToSeconds(stats->full.total));
          break;
        case kMemory:
          out.Add(kMemSome, MicrosToSeconds(stats->some.total));
          out.Add(kMemFull, MicrosToSeconds(stats->full.total));
          break;
        case kIrq: out.Add(kIrqFull, MicrosToSeconds(stats->full.total)); break;
      }
      ++found;
    }
    if (found == 0) return Status::NoData("pressure information is unavailable (needs Linux >= 4.20 and CONFIG_PSI)");
    return Status::Ok();
  }

 private:
  // Reads resource r through its kept-open fd. Returns 0 or the errno; the fd
  // is dropped after a failure so the next scrape reopens it.
  int Read(int r, std::string_view* content) {
    UniqueFd& fd = fds_[r];
    if (!fd.valid()) {
      int raw = ::open(paths_[r].c_str(), O_RDONLY | O_CLOEXEC);
      if (raw < 0) return errno;
      fd.reset(raw);
    }
    // psi files are single_open: one read unless it fills the buffer.
    long n = ReadFdFromStart(fd.get(), &buffer_, ReadEnd::OneRecord());
    if (n < 0) {
      fd.reset();
      return static_cast<int>(-n);
    }
    *content = std::string_view(buffer_.data(), static_cast<size_t>(n));
    return 0;
  }

  void Debug(std::string_view msg, int r) {
    if (log_ != nullptr) log_->Debug(msg, {{"resource", kResourceNames[r]}});
  }

  Logger* log_;
  std::mutex mu_;
  std::string paths_[kResourceCount];
  UniqueFd fds_[kResourceCount];
  std::vector<char> buffer_;
};

}  // namespace

StatusOr<PsiStats> ParsePressure(std::string_view content) {
  PsiStats stats;
  std::string_view line;
  while (NextLine(&content, &line)) {
    std::string_view prefix = line.substr(0, line.find(' '));
    PsiLine* target;
    if (prefix == "some") {
      target = &stats.some;
      stats.has_some = true;
    } else if (prefix == "full") {
      target = &stats.full;
      stats.has_full = true;
    } else {
      continue;
    }
    Status st = ParsePsiLine(line.substr(prefix.size()), target);
    if (!st.ok()) {
      return Status::Error("malformed pressure line (" + st.message() + "): \"" + std::string(line.substr(0, 96)) +
                           "\"");
    }
  }
  return stats;
}

StatusOr<std::unique_ptr<Collector>> NewPressureCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<PressureCollector>(ctx));
}

}  // namespace nodex::collectors
