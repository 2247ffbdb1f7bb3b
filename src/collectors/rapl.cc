#include "collectors/rapl.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kJoulesWithZone{"node_rapl_joules_total", "RAPL energy counter of the zone, in joules.",
                                     expo::MetricType::kCounter};

class RaplCollector : public Collector {
 public:
  RaplCollector(const Context& ctx, bool zone_label) : dir_(ctx.Sys("class/powercap")), zone_label_(zone_label) {}

  Status Collect(expo::MetricSet& out) override {
    Status st = CollectZones(out);
    files_.Sweep();
    return st;
  }

 private:
  Status CollectZones(expo::MetricSet& out) {
    size_t count = 0;
    int err = sysfs::ListDir(dir_, &entries_, &count);
    if (err == ENOENT || err == EACCES || err == EPERM) return Status::NoData("no powercap files present");
    if (err != 0) return Status::Error("failed to retrieve rapl stats: " + std::string(std::strerror(err)));
    seen_.clear();
    zones_ = 0;
    // First pass, like procfs' GetRaplZones: discover zones and their names.
    for (size_t i = 0; i < count; ++i) {
      path_.assign(dir_).append("/").append(entries_[i].name).append("/name");
      std::string_view content;
      if (files_.Read(path_, sysfs::kAttrPageSize, &content) != 0) continue;  // Not a zone.
      RaplZoneName zn = ParseRaplZoneName(content, &seen_);
      if (zones_ == zone_.size()) zone_.emplace_back();
      Zone& z = zone_[zones_++];
      z.entry = i;
      z.name.assign(zn.name);
      char buf[24];
      z.index.assign(expo::IntLabel(buf, zn.index));
      path_.assign(dir_).append("/").append(entries_[i].name).append("/max_energy_range_uj");
      err = files_.Read(path_, sysfs::kAttrPageSize, &content);
      if (err == ENOENT || err == EACCES || err == EPERM) return Status::NoData("powercap files not readable");
      if (err != 0) return Status::Error("failed to retrieve rapl stats: " + std::string(std::strerror(err)));
      StatusOr<uint64_t> max = ParseRaplMicrojoules(content);
      if (!max.ok()) return Status::Error("failed to retrieve rapl stats: " + max.status().message());
    }
    for (size_t k = 0; k < zones_; ++k) {
      const Zone& z = zone_[k];
      zone_path_.assign(dir_).append("/").append(entries_[z.entry].name);
      path_.assign(zone_path_).append("/energy_uj");
      std::string_view content;
      err = files_.Read(path_, sysfs::kAttrPageSize, &content);
      if (err == EACCES || err == EPERM) return Status::NoData("can't access energy_uj file of zone " + z.name);
      if (err != 0) return Status::Error("failed to read \"" + path_ + "\": " + std::strerror(err));
      StatusOr<uint64_t> uj = ParseRaplMicrojoules(content);
      if (!uj.ok()) return Status::Error("zone " + z.name + ": " + uj.status().message());
      double joules = static_cast<double>(*uj) / 1000000.0;
      if (zone_label_) {
        out.Add(kJoulesWithZone, joules, {{"index", z.index}, {"path", zone_path_}, {"rapl_zone", z.name}});
      } else {
        name_.assign("node_rapl_");
        AppendSanitizedMetricName(z.name, &name_);
        name_.append("_joules_total");
        out.Add(expo::Desc{name_, "RAPL energy counter of this zone, in joules.", expo::MetricType::kCounter}, joules,
                {{"index", z.index}, {"path", zone_path_}});
      }
    }
    return Status::Ok();
  }

  struct Zone {
    size_t entry = 0;
    std::string name;
    std::string index;
  };

  std::string dir_;
  bool zone_label_;
  std::string path_, zone_path_, name_;
  std::vector<sysfs::DirEntry> entries_;
  std::vector<Zone> zone_;
  size_t zones_ = 0;
  std::map<std::string, int64_t, std::less<>> seen_;
  sysfs::AttrFiles files_;
};

}  // namespace

RaplZoneName ParseRaplZoneName(std::string_view content, std::map<std::string, int64_t, std::less<>>* seen) {
  std::string_view name = TrimSpace(content);
  RaplZoneName out{name, 0};
  size_t dash = name.find('-');
  bool own_index = false;
  if (dash != std::string_view::npos && name.find('-', dash + 1) == std::string_view::npos) {
    // Go's strconv.Atoi: optional sign, decimal digits.
    std::optional<int64_t> idx = sysfs::ParseGoDecimalInt(name.substr(dash + 1));
    if (idx) {
      out.name = name.substr(0, dash);
      out.index = *idx;
      own_index = true;
    }
  }
  auto it = seen->find(out.name);
  if (!own_index) out.index = it == seen->end() ? 0 : it->second;
  if (it == seen->end()) {
    seen->emplace(std::string(out.name), out.index + 1);
  } else {
    it->second = out.index + 1;
  }
  return out;
}

StatusOr<uint64_t> ParseRaplMicrojoules(std::string_view content) {
  std::string_view value = TrimSpace(content);
  std::optional<uint64_t> v = sysfs::ParseGoUint(value);
  if (!v) return Status::Error("invalid microjoule value \"" + std::string(value) + "\"");
  return *v;
}

StatusOr<std::unique_ptr<Collector>> NewRaplCollector(const Context& ctx) {
  bool zone_label = ctx.flags != nullptr && ctx.flags->GetBool("collector.rapl.enable-zone-label");
  return std::unique_ptr<Collector>(std::make_unique<RaplCollector>(ctx, zone_label));
}

}  // namespace nodex::collectors
