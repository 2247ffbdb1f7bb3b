#include "collectors/hwmon.h"

#include <re2/re2.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "collectors/procfs_helpers.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::MetricType kCounter = expo::MetricType::kCounter;

constexpr expo::Desc kChipNames{"node_hwmon_chip_names",
                                "Maps each hwmon chip label to the chip's name file; always 1.", kGauge};
constexpr expo::Desc kSensorLabel{"node_hwmon_sensor_label", "The label file of a hwmon sensor; always 1.", kGauge};
constexpr expo::Desc kBeepEnabled{"node_hwmon_beep_enabled", "Whether the chip's beeper is enabled (beep_enable).",
                                  kGauge};
constexpr expo::Desc kVrm{"node_hwmon_voltage_regulator_version", "Voltage regulator module version (vrm).", kGauge};
constexpr expo::Desc kUpdateInterval{"node_hwmon_update_interval_seconds", "Chip update interval in seconds.", kGauge};

// Help text per kind of dynamically named family.
constexpr std::string_view kHelpStatus = "Hardware sensor status flag (fault or alarm).";
constexpr std::string_view kHelpBeep = "Whether the hardware sensor beeps on alarm.";
constexpr std::string_view kHelpVolts = "Hardware sensor voltage in volts.";
constexpr std::string_view kHelpCelsius = "Hardware sensor temperature in degrees Celsius.";
constexpr std::string_view kHelpAmps = "Hardware sensor current in amperes.";
constexpr std::string_view kHelpJoules = "Hardware sensor energy used so far in joules.";
constexpr std::string_view kHelpAccuracy = "Hardware power meter accuracy as a ratio.";
constexpr std::string_view kHelpSeconds = "Hardware power meter averaging interval in seconds.";
constexpr std::string_view kHelpWatts = "Hardware sensor power in watts.";
constexpr std::string_view kHelpHumidity = "Hardware sensor relative humidity as a ratio (0-1).";
constexpr std::string_view kHelpRpm = "Hardware fan speed in revolutions per minute.";
constexpr std::string_view kHelpMhz = "Hardware (GPU) clock frequency in MHz.";
constexpr std::string_view kHelpRaw = "Hardware sensor attribute, value as read from sysfs.";

constexpr std::string_view kSensorTypes[] = {
    "vrm",  "beep_enable", "update_interval", "in",     "cpu",      "fan",       "pwm",
    "temp", "curr",        "power",           "energy", "humidity", "intrusion", "freq"};

// Length of the valid UTF-8 sequence at s[i], or 0 if the byte there starts
// none (Go decodes such a byte as one U+FFFD).
size_t Utf8Length(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80                   ? 1
               : (c >= 0xC2 && c <= 0xDF) ? 2
               : (c >= 0xE0 && c <= 0xEF) ? 3
               : (c >= 0xF0 && c <= 0xF4) ? 4
                                          : 0;
  if (len <= 1 || i + len > s.size()) return len == 1 ? 1 : 0;
  unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
  unsigned char lo = 0x80, hi = 0xBF;
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  if (c1 < lo || c1 > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    unsigned char ck = static_cast<unsigned char>(s[i + k]);
    if (ck < 0x80 || ck > 0xBF) return 0;
  }
  return len;
}

struct Filter {
  std::unique_ptr<RE2> include;
  std::unique_ptr<RE2> exclude;

  // node_exporter's deviceFilter.ignored.
  bool Ignored(std::string_view s) const {
    re2::StringPiece piece(s.data(), s.size());
    if (exclude && RE2::PartialMatch(piece, *exclude)) return true;
    return include && !RE2::PartialMatch(piece, *include);
  }
};

Status Compile(const Context& ctx, const FlagDef& flag, std::unique_ptr<RE2>* out) {
  std::string_view pattern = flag.default_value;
  if (ctx.flags != nullptr && ctx.flags->Has(flag.name)) pattern = ctx.flags->GetString(flag.name);
  return procfs_helpers::CompileFlagRegex(flag.name, pattern, true, out);
}

// Last path component of `path` (which has no trailing '/') and the one
// before it, like Go's filepath.Split applied twice.
void LastTwoComponents(std::string_view path, std::string_view* parent, std::string_view* base) {
  size_t slash = path.rfind('/');
  *base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::string_view prefix = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  size_t s2 = prefix.rfind('/');
  *parent = s2 == std::string_view::npos ? prefix : prefix.substr(s2 + 1);
}

class HwmonCollector : public Collector {
 public:
  HwmonCollector(const Context& ctx, Filter chips, Filter sensors)
      : dir_(ctx.Sys("class/hwmon")), chip_filter_(std::move(chips)), sensor_filter_(std::move(sensors)) {}

  Status Collect(expo::MetricSet& out) override {
    size_t count = 0;
    int err = sysfs::ListDir(dir_, &entries_, &count);
    if (err == ENOENT) return Status::NoData("hwmon class not available");
    if (err != 0) return Status::Error("failed to list \"" + dir_ + "\": " + std::strerror(err));
    last_error_.clear();
    FindChips(count);
    NameChips();
    for (size_t i = 0; i < chip_count_; ++i) {
      const Chip& chip = chips_[i];
      if (chip_filter_.Ignored(chip.label)) continue;
      CollectChip(out, chip);
    }
    files_.Sweep();
    if (!last_error_.empty()) return Status::Error(last_error_);
    return Status::Ok();
  }

 private:
  struct Chip {
    std::string path;       // class/hwmon/hwmonX
    std::string entry;      // hwmonX
    std::string base;       // Label before disambiguation.
    std::string name;       // Cleaned name file; empty if absent.
    bool has_name = false;  // Whether the name file exists and cleans to non-empty.
    std::string label;      // Final chip label.
  };
  struct Record {
    std::string sensor;  // "temp1"
    std::string prop;    // "input", "" for a bare "temp1" file
    std::string value;
    size_t type = 0;  // Index into kSensorTypes.
    uint32_t seq = 0;
  };

  // Reads one attribute with a single bounded read (kept open within the
  // process-wide fd budget of AttrFiles). 0 or errno.
  int ReadAttr(const std::string& path, size_t cap, std::string_view* out) { return files_.Read(path, cap, out); }

  // Pass 1: every directory (or link to one) in class/hwmon with its
  // undisambiguated label and its name file.
  void FindChips(size_t count) {
    chip_count_ = 0;
    for (size_t i = 0; i < count; ++i) {
      path_.assign(dir_).append("/").append(entries_[i].name);
      struct stat st;
      if (lstat(path_.c_str(), &st) != 0) continue;
      if (S_ISLNK(st.st_mode) && stat(path_.c_str(), &st) != 0) continue;
      if (!S_ISDIR(st.st_mode)) continue;
      if (chips_.size() <= chip_count_) chips_.emplace_back();
      Chip& chip = chips_[chip_count_];
      chip.path.assign(path_);
      chip.entry.assign(entries_[i].name);
      ReadChipName(&chip);
      if (!BaseLabel(&chip)) continue;
      ++chip_count_;
    }
  }

  void ReadChipName(Chip* chip) {
    path_.assign(chip->path).append("/name");
    std::string_view content;
    chip->name.clear();
    chip->has_name = false;
    if (ReadAttr(path_, sysfs::kAttrPageSize, &content) != 0) return;
    CleanHwmonName(content, &chip->name);
    chip->has_name = !chip->name.empty();
  }

  // node_exporter's hwmonName: device link, then name file, then the
  // resolved directory name.
  bool BaseLabel(Chip* chip) {
    path_.assign(chip->path).append("/device");
    std::string_view parent, base;
    if (realpath(path_.c_str(), resolved_) != nullptr) {
      LastTwoComponents(resolved_, &parent, &base);
      CleanHwmonName(base, &scratch_);
      CleanHwmonName(parent, &chip->base);
      if (!scratch_.empty()) {
        if (!chip->base.empty()) chip->base.push_back('_');
        chip->base.append(scratch_);
        return true;
      }
    }
    if (chip->has_name) {
      chip->base.assign(chip->name);
      return true;
    }
    if (realpath(chip->path.c_str(), resolved_) == nullptr) {
      last_error_ = "failed to resolve " + chip->path + ": " + std::strerror(errno);
      return false;
    }
    LastTwoComponents(resolved_, &parent, &base);
    CleanHwmonName(base, &chip->base);
    if (!chip->base.empty()) return true;
    last_error_ = "could not derive a monitoring name for " + chip->path;
    return false;
  }

  // Pass 2: chips sharing a label get "_<name>" or, if the names do not
  // separate them, "_<hwmonX>".
  void NameChips() {
    for (size_t i = 0; i < chip_count_; ++i) {
      Chip& chip = chips_[i];
      size_t same_base = 0, same_name = 0;
      for (size_t j = 0; j < chip_count_; ++j) {
        if (chips_[j].base != chip.base) continue;
        ++same_base;
        if (chips_[j].name == chip.name) ++same_name;
      }
      chip.label.assign(chip.base);
      if (same_base <= 1) continue;
      chip.label.push_back('_');
      if (chip.has_name && same_name == 1) {
        chip.label.append(chip.name);
      } else {
        CleanHwmonName(chip.entry, &scratch_);
        chip.label.append(scratch_);
      }
    }
  }

  // node_exporter's collectSensorData: appends one record per readable
  // sensor file of `dir`. False if the directory cannot be listed.
  bool ReadSensorDir(const std::string& dir) {
    size_t count = 0;
    int err = sysfs::ListDir(dir, &sensor_entries_, &count);
    if (err != 0) {
      last_error_ = "failed to list \"" + dir + "\": " + std::strerror(err);
      return false;
    }
    for (size_t i = 0; i < count; ++i) {
      const sysfs::DirEntry& e = sensor_entries_[i];
      if (e.type == DT_DIR) continue;  // Reading it would fail with EISDIR anyway.
      std::optional<HwmonFilename> f = ExplodeHwmonFilename(e.name);
      if (!f) continue;
      auto type = std::find(std::begin(kSensorTypes), std::end(kSensorTypes), f->type);
      if (type == std::end(kSensorTypes)) continue;
      path_.assign(dir).append("/").append(e.name);
      std::string_view content;
      if (ReadAttr(path_, sysfs::kSysReadFileSize, &content) != 0) continue;
      if (records_.size() <= record_count_) records_.emplace_back();
      Record& r = records_[record_count_];
      r.type = static_cast<size_t>(type - std::begin(kSensorTypes));
      r.sensor.assign(f->type);
      char num[24];
      auto [end, ec] = std::to_chars(num, num + sizeof(num), f->num);
      r.sensor.append(num, end);
      r.prop.assign(f->property);
      r.value.assign(sysfs::TrimNewlines(content));
      r.seq = static_cast<uint32_t>(record_count_);
      ++record_count_;
    }
    return true;
  }

  void CollectChip(expo::MetricSet& out, const Chip& chip) {
    record_count_ = 0;
    if (!ReadSensorDir(chip.path)) return;
    path_.assign(chip.path).append("/device");
    struct stat st;
    if (stat(path_.c_str(), &st) == 0) {
      device_path_.assign(path_);
      if (!ReadSensorDir(device_path_)) return;
    }
    if (chip.has_name) out.Add(kChipNames, 1, {{"chip", chip.label}, {"chip_name", chip.name}});

    // Group by sensor; on a duplicate (sensor, property) the later read
    // (device/) wins, as with node_exporter's map.
    order_.resize(record_count_);
    for (size_t i = 0; i < record_count_; ++i) order_[i] = static_cast<uint32_t>(i);
    std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
      const Record& x = records_[a];
      const Record& y = records_[b];
      if (int c = x.sensor.compare(y.sensor); c != 0) return c < 0;
      if (int c = x.prop.compare(y.prop); c != 0) return c < 0;
      return x.seq < y.seq;
    });
    size_t kept = 0;
    for (size_t i = 0; i < order_.size(); ++i) {
      if (i + 1 < order_.size() && records_[order_[i]].sensor == records_[order_[i + 1]].sensor &&
          records_[order_[i]].prop == records_[order_[i + 1]].prop) {
        continue;
      }
      order_[kept++] = order_[i];
    }
    order_.resize(kept);
    for (size_t begin = 0; begin < order_.size();) {
      size_t end = begin + 1;
      while (end < order_.size() && records_[order_[end]].sensor == records_[order_[begin]].sensor) ++end;
      CollectSensor(out, chip, begin, end);
      begin = end;
    }
  }

  // The record of property `prop` among order_[begin, end), or nullptr.
  const Record* Prop(size_t begin, size_t end, std::string_view prop) const {
    for (size_t i = begin; i < end; ++i) {
      if (records_[order_[i]].prop == prop) return &records_[order_[i]];
    }
    return nullptr;
  }

  void CollectSensor(expo::MetricSet& out, const Chip& chip, size_t begin, size_t end) {
    const Record& first = records_[order_[begin]];
    const std::string& sensor = first.sensor;
    filter_key_.assign(chip.label).append(";").append(sensor);
    if (sensor_filter_.Ignored(filter_key_)) return;
    std::string_view type = kSensorTypes[first.type];

    const Record* label = Prop(begin, end, "label");
    if (label != nullptr) {
      label_value_.clear();
      sysfs::AppendValidUtf8(label->value, &label_value_);
      out.Add(kSensorLabel, 1, {{"chip", chip.label}, {"sensor", sensor}, {"label", label_value_}});
    }
    const Record* bare = Prop(begin, end, "");
    if (type == "beep_enable") {
      out.Add(kBeepEnabled, bare != nullptr && bare->value == "1" ? 1 : 0, {{"chip", chip.label}, {"sensor", sensor}});
      return;
    }
    if (type == "vrm" || type == "update_interval") {
      std::optional<double> v = ParseHwmonValue(bare != nullptr ? std::string_view(bare->value) : std::string_view());
      if (!v) return;
      if (type == "vrm") {
        out.Add(kVrm, *v, {{"chip", chip.label}, {"sensor", sensor}});
      } else {
        out.Add(kUpdateInterval, *v * 0.001, {{"chip", chip.label}, {"sensor", sensor}});
      }
      return;
    }

    for (size_t i = begin; i < end; ++i) {
      const Record& r = records_[order_[i]];
      std::string_view element = r.prop;
      if (element == "label") continue;
      name_.assign("node_hwmon_").append(type);
      if (element == "input") {
        if (bare != nullptr) name_.append("_input");
      } else if (!element.empty()) {
        CleanHwmonName(element, &scratch_);
        name_.append("_").append(scratch_);
      }
      std::optional<double> parsed = ParseHwmonValue(r.value);
      if (!parsed) continue;
      double v = *parsed;
      std::string_view help = kHelpRaw;
      expo::MetricType metric_type = kGauge;
      std::string_view sensor_label = sensor;
      if (element == "fault" || element == "alarm") {
        help = kHelpStatus;
      } else if (element == "beep") {
        name_.append("_enabled");
        help = kHelpBeep;
      } else if (type == "in" || type == "cpu") {
        name_.append("_volts");
        help = kHelpVolts;
        v = v * 0.001;
      } else if (type == "temp" && element != "type") {
        name_.append("_celsius");
        help = kHelpCelsius;
        v = v * 0.001;
      } else if (type == "curr") {
        name_.append("_amps");
        help = kHelpAmps;
        v = v * 0.001;
      } else if (type == "energy") {
        name_.append("_joule_total");
        help = kHelpJoules;
        metric_type = kCounter;
        v = v / 1000000.0;
      } else if (type == "power" && element == "accuracy") {
        help = kHelpAccuracy;
        v = v / 1000000.0;
      } else if (type == "power" && (element == "average_interval" || element == "average_interval_min" ||
                                     element == "average_interval_max")) {
        name_.append("_seconds");
        help = kHelpSeconds;
        v = v * 0.001;
      } else if (type == "power") {
        name_.append("_watt");
        help = kHelpWatts;
        v = v / 1000000.0;
      } else if (type == "humidity") {
        help = kHelpHumidity;
        v = v / 1000000.0;
      } else if (type == "fan" && (element == "input" || element == "min" || element == "max" || element == "target")) {
        name_.append("_rpm");
        help = kHelpRpm;
      } else if (type == "freq" && element == "input") {
        if (label == nullptr) continue;
        // Frequencies are labelled by their cleaned label ("sclk"), not "freq1".
        CleanHwmonName(label->value, &freq_sensor_);
        sensor_label = freq_sensor_;
        name_.append("_freq_mhz");
        help = kHelpMhz;
        v = v / 1000000.0;
      }
      out.Add(expo::Desc{name_, help, metric_type}, v, {{"chip", chip.label}, {"sensor", sensor_label}});
    }
  }

  std::string dir_;
  Filter chip_filter_;
  Filter sensor_filter_;
  std::string path_;
  std::string device_path_;
  char resolved_[PATH_MAX];
  std::string scratch_;
  std::string name_;
  std::string filter_key_;
  std::string label_value_;
  std::string freq_sensor_;
  std::string last_error_;
  std::vector<sysfs::DirEntry> entries_;
  std::vector<sysfs::DirEntry> sensor_entries_;
  std::vector<Chip> chips_;
  size_t chip_count_ = 0;
  std::vector<Record> records_;
  size_t record_count_ = 0;
  std::vector<uint32_t> order_;
  sysfs::AttrFiles files_;
};

}  // namespace

std::optional<HwmonFilename> ExplodeHwmonFilename(std::string_view name) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t max_type = 0;
  while (max_type < name.size() && !is_digit(name[max_type])) ++max_type;
  // Leftmost-first backtracking: the longest type, then the longest id,
  // then an optional "_<property>" that must reach the end (no newline).
  for (size_t type_len = max_type; type_len >= 1; --type_len) {
    std::string_view rest = name.substr(type_len);
    size_t max_digits = 0;
    while (max_digits < rest.size() && is_digit(rest[max_digits])) ++max_digits;
    for (size_t digits = max_digits + 1; digits-- > 0;) {
      std::string_view tail = rest.substr(digits);
      bool ok =
          tail.empty() || (tail.size() > 1 && tail[0] == '_' && tail.substr(1).find('\n') == std::string_view::npos);
      if (!ok) continue;
      HwmonFilename f;
      f.type = name.substr(0, type_len);
      if (digits > 0) {
        auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + digits, f.num);
        if (ec != std::errc()) return std::nullopt;
      }
      f.property = tail.empty() ? tail : tail.substr(1);
      return f;
    }
  }
  return std::nullopt;
}

bool IsHwmonSensorType(std::string_view type) {
  return std::find(std::begin(kSensorTypes), std::end(kSensorTypes), type) != std::end(kSensorTypes);
}

void CleanHwmonName(std::string_view in, std::string* out) {
  out->clear();
  size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_';
      out->push_back(keep ? c : '_');
      ++i;
      continue;
    }
    size_t len = Utf8Length(in, i);
    if (len == 0) len = 1;
    std::string_view seq = in.substr(i, len);
    // The two non-ASCII runes whose lower case is ASCII.
    if (seq == "\xE2\x84\xAA") {  // KELVIN SIGN -> 'k'
      out->push_back('k');
    } else if (seq == "\xC4\xB0") {  // LATIN CAPITAL LETTER I WITH DOT ABOVE -> "i" + combining dot
      out->append("i_");
    } else {
      out->push_back('_');
    }
    i += len;
  }
  size_t b = out->find_first_not_of('_');
  if (b == std::string::npos) {
    out->clear();
    return;
  }
  out->erase(out->find_last_not_of('_') + 1);
  out->erase(0, b);
}

std::optional<double> ParseHwmonValue(std::string_view value) { return sysfs::ParseGoFloat(value); }

StatusOr<std::unique_ptr<Collector>> NewHwmonCollector(const Context& ctx) {
  Filter chips, sensors;
  Status st = Compile(ctx, kHwmonFlags[0], &chips.include);
  if (st.ok()) st = Compile(ctx, kHwmonFlags[1], &chips.exclude);
  if (st.ok()) st = Compile(ctx, kHwmonFlags[2], &sensors.include);
  if (st.ok()) st = Compile(ctx, kHwmonFlags[3], &sensors.exclude);
  if (!st.ok()) return st;
  return std::unique_ptr<Collector>(std::make_unique<HwmonCollector>(ctx, std::move(chips), std::move(sensors)));
}

}  // namespace nodex::collectors
