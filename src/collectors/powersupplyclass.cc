#include "collectors/powersupplyclass.h"

#include <re2/re2.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/split.h"
#include "collectors/procfs_helpers.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;

// One numeric attribute: its file, and the gauge it becomes (if any) with the
// divisor node_exporter applies (micro-units to base units, tenths of a
// degree to degrees).
struct NumericAttr {
  std::string_view file;
  expo::Desc desc;  // Empty name: parsed (so malformed values still fail) but not exported.
  double divisor;
};

constexpr double kMicro = 1e6;
constexpr double kTenth = 10.0;

#define PS_DESC(name, help) \
  expo::Desc { "node_power_supply_" name, help, kGauge }
#define PS_HIDDEN \
  expo::Desc { "", "", kGauge }

// Sorted by file name; the index is the slot in PowerSupply::numeric.
constexpr NumericAttr kNumeric[] = {
    {"authentic", PS_DESC("authentic", "Whether the battery is authentic (sysfs authentic)."), 1},
    {"calibrate", PS_DESC("calibrate", "Battery calibration state (sysfs calibrate)."), 1},
    {"capacity", PS_DESC("capacity", "Remaining capacity in percent (sysfs capacity)."), 1},
    {"capacity_alert_max", PS_DESC("capacity_alert_max", "Upper capacity alert threshold in percent."), 1},
    {"capacity_alert_min", PS_DESC("capacity_alert_min", "Lower capacity alert threshold in percent."), 1},
    {"charge_avg", PS_HIDDEN, 1},
    {"charge_control_limit",
     PS_DESC("charge_control_limit", "Charge control limit (sysfs charge_control_limit, / 1e6)."), kMicro},
    {"charge_control_limit_max", PS_DESC("charge_control_limit_max", "Maximum charge control limit (/ 1e6)."), kMicro},
    {"charge_counter", PS_DESC("charge_counter", "Charge counter in ampere-hours."), kMicro},
    {"charge_empty", PS_DESC("charge_empty", "Charge when empty in ampere-hours."), kMicro},
    {"charge_empty_design", PS_DESC("charge_empty_design", "Design charge when empty in ampere-hours."), kMicro},
    {"charge_full", PS_DESC("charge_full", "Charge when full in ampere-hours."), kMicro},
    {"charge_full_design", PS_DESC("charge_full_design", "Design charge when full in ampere-hours."), kMicro},
    {"charge_now", PS_DESC("charge_ampere", "Current charge in ampere-hours (sysfs charge_now)."), kMicro},
    {"charge_term_current", PS_DESC("charge_term_current", "Charge termination current in amperes."), kMicro},
    {"constant_charge_current", PS_DESC("constant_charge_current", "Constant charge current in amperes."), kMicro},
    {"constant_charge_current_max",
     PS_DESC("constant_charge_current_max", "Maximum constant charge current in amperes."), kMicro},
    {"constant_charge_voltage", PS_DESC("constant_charge_voltage", "Constant charge voltage in volts."), kMicro},
    {"constant_charge_voltage_max", PS_DESC("constant_charge_voltage_max", "Maximum constant charge voltage in volts."),
     kMicro},
    {"current_avg", PS_HIDDEN, 1},
    {"current_boot", PS_DESC("current_boot", "Current at boot in amperes."), kMicro},
    {"current_max", PS_DESC("current_max", "Maximum current in amperes."), kMicro},
    {"current_now", PS_DESC("current_ampere", "Present current in amperes (sysfs current_now)."), kMicro},
    {"cycle_count", PS_DESC("cyclecount", "Number of charge cycles (sysfs cycle_count)."), 1},
    {"energy_avg", PS_HIDDEN, 1},
    {"energy_empty", PS_DESC("energy_empty", "Energy when empty in watt-hours."), kMicro},
    {"energy_empty_design", PS_DESC("energy_empty_design", "Design energy when empty in watt-hours."), kMicro},
    {"energy_full", PS_DESC("energy_full", "Energy when full in watt-hours."), kMicro},
    {"energy_full_design", PS_DESC("energy_full_design", "Design energy when full in watt-hours."), kMicro},
    {"energy_now", PS_DESC("energy_watthour", "Present energy in watt-hours (sysfs energy_now)."), kMicro},
    {"input_current_limit", PS_DESC("input_current_limit", "Input current limit in amperes."), kMicro},
    {"online", PS_DESC("online", "Whether the supply is online (sysfs online)."), 1},
    {"power_avg", PS_HIDDEN, 1},
    {"power_now", PS_DESC("power_watt", "Present power in watts (sysfs power_now)."), kMicro},
    {"precharge_current", PS_DESC("precharge_current", "Pre-charge current in amperes."), kMicro},
    {"present", PS_DESC("present", "Whether the supply is present (sysfs present)."), 1},
    {"temp", PS_DESC("temp_celsius", "Temperature in degrees Celsius (sysfs temp)."), kTenth},
    {"temp_alert_max", PS_DESC("temp_alert_max_celsius", "Upper temperature alert in degrees Celsius."), kTenth},
    {"temp_alert_min", PS_DESC("temp_alert_min_celsius", "Lower temperature alert in degrees Celsius."), kTenth},
    {"temp_ambient", PS_DESC("temp_ambient_celsius", "Ambient temperature in degrees Celsius."), kTenth},
    {"temp_ambient_max", PS_DESC("temp_ambient_max_celsius", "Upper ambient temperature alert in degrees Celsius."),
     kTenth},
    {"temp_ambient_min", PS_DESC("temp_ambient_min_celsius", "Lower ambient temperature alert in degrees Celsius."),
     kTenth},
    {"temp_max", PS_DESC("temp_max_celsius", "Maximum temperature in degrees Celsius."), kTenth},
    {"temp_min", PS_DESC("temp_min_celsius", "Minimum temperature in degrees Celsius."), kTenth},
    {"time_to_empty_avg", PS_HIDDEN, 1},
    {"time_to_empty_now", PS_DESC("time_to_empty_seconds", "Estimated seconds until empty (sysfs time_to_empty_now)."),
     1},
    {"time_to_full_avg", PS_HIDDEN, 1},
    {"time_to_full_now", PS_DESC("time_to_full_seconds", "Estimated seconds until full (sysfs time_to_full_now)."), 1},
    {"voltage_avg", PS_HIDDEN, 1},
    {"voltage_boot", PS_DESC("voltage_boot", "Voltage at boot in volts."), kMicro},
    {"voltage_max", PS_DESC("voltage_max", "Maximum voltage in volts."), kMicro},
    {"voltage_max_design", PS_DESC("voltage_max_design", "Design maximum voltage in volts."), kMicro},
    {"voltage_min", PS_DESC("voltage_min", "Minimum voltage in volts."), kMicro},
    {"voltage_min_design", PS_DESC("voltage_min_design", "Design minimum voltage in volts."), kMicro},
    {"voltage_now", PS_DESC("voltage_volt", "Present voltage in volts (sysfs voltage_now)."), kMicro},
    {"voltage_ocv", PS_DESC("voltage_ocv", "Open-circuit voltage in volts."), kMicro},
};
static_assert(std::size(kNumeric) == kPowerSupplyNumericCount);

#undef PS_DESC
#undef PS_HIDDEN

// Text attributes, indexed by PowerSupplyText, with their info label name.
struct TextAttr {
  std::string_view file;
  std::string_view label;
};
constexpr TextAttr kText[] = {
    {"capacity_level", "capacity_level"},
    {"charge_type", "charge_type"},
    {"health", "health"},
    {"manufacturer", "manufacturer"},
    {"model_name", "model_name"},
    {"scope", "scope"},
    {"serial_number", "serial_number"},
    {"status", "status"},
    {"technology", "technology"},
    {"type", "type"},
    {"usb_type", "usb_type"},
};
static_assert(std::size(kText) == static_cast<size_t>(PowerSupplyText::kCount));

constexpr expo::Desc kInfo{"node_power_supply_info",
                           "Power supply description from its sysfs text attributes; always 1.", kGauge};

int NumericIndex(std::string_view file) {
  auto it = std::lower_bound(std::begin(kNumeric), std::end(kNumeric), file,
                             [](const NumericAttr& a, std::string_view f) { return a.file < f; });
  if (it == std::end(kNumeric) || it->file != file) return -1;
  return static_cast<int>(it - std::begin(kNumeric));
}

// Go's DirEntry.Type().IsRegular(): d_type, or lstat when the filesystem does
// not report it.
bool IsRegularFile(const sysfs::DirEntry& e, const std::string& path) {
  if (e.type != DT_UNKNOWN) return e.type == DT_REG;
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

class PowersupplyclassCollector : public Collector {
 public:
  PowersupplyclassCollector(const Context& ctx, std::unique_ptr<RE2> ignored)
      : dir_(ctx.Sys("class/power_supply")), ignored_(std::move(ignored)) {}

  Status Collect(expo::MetricSet& out) override {
    Status st = ReadAll();
    files_.Sweep();
    if (!st.ok()) return st;
    for (size_t i = 0; i < supply_count_; ++i) {
      const std::string& name = supplies_[i].name;
      if (RE2::PartialMatch(re2::StringPiece(name.data(), name.size()), *ignored_)) continue;
      Export(out, name, supplies_[i].attrs);
    }
    return Status::Ok();
  }

 private:
  // Parses every supply before anything is exported: like procfs, one bad
  // supply fails the whole class.
  Status ReadAll() {
    supply_count_ = 0;
    size_t count = 0;
    int err = sysfs::ListDir(dir_, &entries_, &count);
    if (err == ENOENT) return Status::NoData("power_supply class not available");
    if (err != 0) return Status::Error("could not get power_supply class info: " + std::string(std::strerror(err)));
    if (supplies_.size() < count) supplies_.resize(count);
    for (size_t i = 0; i < count; ++i) {
      Supply& s = supplies_[i];
      s.name.assign(entries_[i].name);
      s.attrs.Reset();
      supply_path_.assign(dir_).append("/").append(s.name);
      size_t nfiles = 0;
      err = sysfs::ListDir(supply_path_, &files_list_, &nfiles);
      if (err == ENOENT) return Status::NoData("power supply " + s.name + " disappeared");
      if (err != 0) {
        return Status::Error("could not get power_supply class info: " + supply_path_ + ": " + std::strerror(err));
      }
      for (size_t j = 0; j < nfiles; ++j) {
        path_.assign(supply_path_).append("/").append(files_list_[j].name);
        if (!IsRegularFile(files_list_[j], path_)) continue;
        std::string_view content;
        err = files_.Read(path_, sysfs::kSysReadFileSize, &content);
        if (err != 0) {
          // procfs skips vanished files and, on read, the errnos drivers use
          // for "no such property right now".
          if (err == ENOENT || (!files_.last_error_was_open() && (err == EOPNOTSUPP || err == ENODEV))) continue;
          return Status::Error("could not get power_supply class info: failed to read file \"" + path_ +
                               "\": " + std::strerror(err));
        }
        Status st = ParsePowerSupplyAttribute(files_list_[j].name, content, &s.attrs);
        if (!st.ok()) return Status::Error("could not get power_supply class info: " + s.name + ": " + st.message());
      }
      supply_count_ = i + 1;
    }
    return Status::Ok();
  }

  void Export(expo::MetricSet& out, const std::string& name, const PowerSupply& ps) {
    for (size_t k = 0; k < kPowerSupplyNumericCount; ++k) {
      if (!ps.numeric[k] || kNumeric[k].desc.name.empty()) continue;
      double v = static_cast<double>(*ps.numeric[k]);
      if (kNumeric[k].divisor != 1) v /= kNumeric[k].divisor;
      out.Add(kNumeric[k].desc, v, {{"power_supply", name}});
    }
    size_t n = 0;
    labels_[n++] = {"power_supply", ValidUtf8(0, name)};
    for (size_t t = 0; t < std::size(kText); ++t) {
      const std::string& value = ps.text[t];
      if (value.empty()) continue;
      labels_[n] = {kText[t].label, ValidUtf8(n, value)};
      ++n;
    }
    out.Add(kInfo, 1, std::span<const expo::Label>(labels_, n));
  }

  std::string_view ValidUtf8(size_t slot, std::string_view s) {
    utf8_[slot].clear();
    sysfs::AppendValidUtf8(s, &utf8_[slot]);
    return utf8_[slot];
  }

  struct Supply {
    std::string name;
    PowerSupply attrs;
  };

  std::string dir_;
  std::unique_ptr<RE2> ignored_;
  std::string supply_path_;
  std::string path_;
  std::vector<sysfs::DirEntry> entries_;
  std::vector<sysfs::DirEntry> files_list_;
  std::vector<Supply> supplies_;
  size_t supply_count_ = 0;
  sysfs::AttrFiles files_;
  expo::Label labels_[1 + std::size(kText)];
  std::string utf8_[1 + std::size(kText)];
};

}  // namespace

void PowerSupply::Reset() {
  for (auto& v : numeric) v.reset();
  for (auto& t : text) t.clear();
}

std::optional<int64_t> PowerSupply::Numeric(std::string_view file) const {
  int i = NumericIndex(file);
  if (i < 0) return std::nullopt;
  return numeric[i];
}

Status ParsePowerSupplyAttribute(std::string_view file, std::string_view content, PowerSupply* out) {
  std::string_view value = TrimSpace(content);
  int i = NumericIndex(file);
  if (i >= 0) {
    std::optional<int64_t> v = sysfs::ParseGoInt(value);
    if (!v) return Status::Error("invalid value \"" + std::string(value) + "\" in " + std::string(file));
    out->numeric[i] = *v;
    return Status::Ok();
  }
  for (size_t t = 0; t < std::size(kText); ++t) {
    if (kText[t].file == file) {
      out->text[t].assign(value);
      break;
    }
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewPowersupplyclassCollector(const Context& ctx) {
  const FlagDef& flag = kPowersupplyclassFlags[0];
  std::string_view pattern = flag.default_value;
  if (ctx.flags != nullptr && ctx.flags->Has(flag.name)) pattern = ctx.flags->GetString(flag.name);
  std::unique_ptr<RE2> re;
  Status st = procfs_helpers::CompileFlagRegex(flag.name, pattern, /*empty_means_none=*/false, &re);
  if (!st.ok()) return st;
  return std::unique_ptr<Collector>(std::make_unique<PowersupplyclassCollector>(ctx, std::move(re)));
}

}  // namespace nodex::collectors
