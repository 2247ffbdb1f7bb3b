#include "collectors/dmi.h"

#include <dirent.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kInfo{"node_dmi_info",
                           "Constant 1, labelled with the DMI strings the firmware provides (BIOS, board, chassis, "
                           "product, system vendor).",
                           expo::MetricType::kGauge};

class DmiCollector : public Collector {
 public:
  explicit DmiCollector(const DmiInfo& info) {
    for (size_t i = 0; i < kDmiLabelCount; ++i) {
      if (info.values[i]) {
        values_.push_back(*info.values[i]);
        names_.push_back(kDmiLabels[i]);
      }
    }
    for (size_t i = 0; i < values_.size(); ++i) labels_.push_back({names_[i], values_[i]});
  }

  Status Collect(expo::MetricSet& out) override {
    if (labels_.empty()) return Status::NoData("no DMI information on this platform");
    out.Add(kInfo, 1, std::span<const expo::Label>(labels_));
    return Status::Ok();
  }

 private:
  std::vector<std::string_view> names_;
  std::vector<std::string> values_;
  std::vector<expo::Label> labels_;
};

}  // namespace

void ParseDmiAttribute(std::string_view file, std::string_view content, DmiInfo* out) {
  std::string_view label = file == "sys_vendor" ? std::string_view("system_vendor") : file;
  if (label == "system_vendor" && file != "sys_vendor") return;
  for (size_t i = 0; i < kDmiLabelCount; ++i) {
    if (kDmiLabels[i] != label) continue;
    std::string value;
    sysfs::AppendValidUtf8(TrimSpace(content), &value);
    out->values[i] = std::move(value);
    return;
  }
}

StatusOr<std::unique_ptr<Collector>> NewDmiCollector(const Context& ctx) {
  std::string dir = ctx.Sys("class/dmi/id");
  DmiInfo info;
  std::vector<sysfs::DirEntry> entries;
  size_t count = 0;
  int err = sysfs::ListDir(dir, &entries, &count);
  if (err != 0 && err != ENOENT) {
    return Status::Error("failed to read Desktop Management Interface (DMI) information: failed to read directory \"" +
                         dir + "\": " + std::strerror(err));
  }
  char buf[sysfs::kSysReadFileSize];
  for (size_t i = 0; i < count; ++i) {
    const sysfs::DirEntry& e = entries[i];
    if (e.type != DT_REG || e.name == "modalias" || e.name == "uevent") continue;
    std::string path = dir + "/" + e.name;
    std::string_view content;
    err = sysfs::ReadFileOnceBounded(path, buf, sizeof(buf), &content);
    if (err == EACCES || err == EPERM) continue;  // Serials and UUID are root-only.
    if (err != 0) {
      return Status::Error("failed to read Desktop Management Interface (DMI) information: failed to read file \"" +
                           path + "\": " + std::strerror(err));
    }
    ParseDmiAttribute(e.name, content, &info);
  }
  return std::unique_ptr<Collector>(std::make_unique<DmiCollector>(info));
}

}  // namespace nodex::collectors
