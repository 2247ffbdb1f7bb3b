#include "collectors/dmmultipath.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::Desc kInfo{"node_dmmultipath_device_info", "A multipath device-mapper map with its DM uuid; always 1.",
                           kGauge};
constexpr expo::Desc kActive{"node_dmmultipath_device_active", "1 if the multipath map is active, 0 if suspended.",
                             kGauge};
constexpr expo::Desc kSize{"node_dmmultipath_device_size_bytes", "Size of the multipath map in bytes.", kGauge};
constexpr expo::Desc kPaths{"node_dmmultipath_device_paths", "Paths (slave devices) of the multipath map.", kGauge};
constexpr expo::Desc kPathsActive{"node_dmmultipath_device_paths_active",
                                  "Paths of the multipath map whose device is running (SCSI) or live (NVMe).", kGauge};
constexpr expo::Desc kPathsFailed{"node_dmmultipath_device_paths_failed",
                                  "Paths of the multipath map whose device is in any other state.", kGauge};
constexpr expo::Desc kPathState{"node_dmmultipath_path_state",
                                "A path of a multipath map with its device state as a label; always 1.", kGauge};

struct PathData {
  std::string device, state;
};

struct MapData {
  std::string sysfs_name, name, uuid;
  bool suspended = false;
  uint64_t size_bytes = 0;
  std::vector<PathData> paths;
  size_t path_count = 0;
};

class DmmultipathCollector : public Collector {
 public:
  explicit DmmultipathCollector(const Context& ctx) : block_(ctx.Sys("block")) {}

  Status Collect(expo::MetricSet& out) override {
    size_t count = 0;
    int err = sysfs::ListDir(block_, &entries_, &count);
    if (err != 0) return Failure("failed to list \"" + block_ + "\"", err);
    size_t maps = 0;
    for (size_t i = 0; i < count; ++i) {
      const std::string& name = entries_[i].name;
      if (name.rfind("dm-", 0) != 0) continue;
      if (maps_.size() == maps) maps_.emplace_back();
      bool is_mpath = false;
      Status st = ReadMap(name, &maps_[maps], &is_mpath);
      if (!st.ok()) {
        files_.Sweep();
        return st;
      }
      if (is_mpath) ++maps;
    }
    files_.Sweep();
    for (size_t i = 0; i < maps; ++i) {
      const MapData& m = maps_[i];
      const expo::Label labels[] = {{"device", m.name}, {"sysfs_name", m.sysfs_name}};
      std::span<const expo::Label> l(labels, 2);
      out.Add(kInfo, 1, {{"device", m.name}, {"sysfs_name", m.sysfs_name}, {"uuid", m.uuid}});
      out.Add(kActive, m.suspended ? 0 : 1, l);
      out.Add(kSize, static_cast<double>(m.size_bytes), l);
      double active = 0, failed = 0;
      for (size_t p = 0; p < m.path_count; ++p) {
        const PathData& path = m.paths[p];
        (DmPathActive(path.state) ? active : failed) += 1;
        out.Add(kPathState, 1, {{"device", m.name}, {"path", path.device}, {"state", path.state}});
      }
      out.Add(kPaths, static_cast<double>(m.path_count), l);
      out.Add(kPathsActive, active, l);
      out.Add(kPathsFailed, failed, l);
    }
    return Status::Ok();
  }

 private:
  // node_exporter turns fs.ErrNotExist and fs.ErrPermission anywhere in the
  // scan into ErrNoData; everything else fails the scrape.
  static Status Failure(const std::string& what, int err) {
    if (err == ENOENT || err == EACCES || err == EPERM) {
      return Status::NoData("could not read DM-multipath devices: " + what + ": " + std::strerror(err));
    }
    return Status::Error("failed to scan DM-multipath devices: " + what + ": " + std::strerror(err));
  }

  // Reads path_ with one bounded read (procfs' SysReadFile) into *value.
  int ReadAttr(std::string_view* value) {
    std::string_view content;
    int err = files_.Read(path_, sysfs::kSysReadFileSize, &content);
    if (err == 0) *value = TrimSpace(content);
    return err;
  }

  Status ReadUint(uint64_t* value) {
    std::string_view content;
    int err = files_.Read(path_, sysfs::kAttrPageSize, &content);
    if (err != 0) return Failure("failed to read \"" + path_ + "\"", err);
    std::optional<uint64_t> v = ParseDmUint(content);
    if (!v) return Status::Error("invalid value \"" + std::string(TrimSpace(content)) + "\" in \"" + path_ + "\"");
    *value = *v;
    return Status::Ok();
  }

  Status ReadMap(const std::string& dm, MapData* m, bool* is_mpath) {
    dir_.assign(block_).append("/").append(dm);
    std::string_view value;
    path_.assign(dir_).append("/dm/uuid");
    int err = ReadAttr(&value);
    if (err == ENOENT) return Status::Ok();  // Not a device-mapper device.
    if (err != 0) return Failure("failed to read dm/uuid for " + dm, err);
    if (value.substr(0, 6) != "mpath-") return Status::Ok();
    m->uuid.assign(value);
    m->sysfs_name.assign(dm);
    path_.assign(dir_).append("/dm/name");
    err = ReadAttr(&value);
    if (err != 0) return Failure("failed to read dm/name for " + dm, err);
    m->name.assign(value);
    uint64_t suspended = 0, sectors = 0;
    path_.assign(dir_).append("/dm/suspended");
    if (Status st = ReadUint(&suspended); !st.ok()) return st;
    path_.assign(dir_).append("/size");
    if (Status st = ReadUint(&sectors); !st.ok()) return st;
    m->suspended = suspended == 1;
    m->size_bytes = sectors * 512;
    m->path_count = 0;
    slaves_.assign(dir_).append("/slaves");
    size_t count = 0;
    err = sysfs::ListDir(slaves_, &slave_entries_, &count);
    if (err != 0 && err != ENOENT) return Failure("failed to list \"" + slaves_ + "\"", err);
    for (size_t i = 0; i < count; ++i) {
      const std::string& slave = slave_entries_[i].name;
      path_.assign(block_).append("/").append(slave).append("/device/state");
      err = ReadAttr(&value);
      if (err != 0) return Failure("failed to read device/state for " + slave, err);
      if (m->paths.size() == m->path_count) m->paths.emplace_back();
      PathData& p = m->paths[m->path_count++];
      p.device.assign(slave);
      p.state.assign(value);
    }
    *is_mpath = true;
    return Status::Ok();
  }

  std::string block_, dir_, slaves_, path_;
  std::vector<sysfs::DirEntry> entries_, slave_entries_;
  std::vector<MapData> maps_;
  sysfs::AttrFiles files_;
};

}  // namespace

std::optional<uint64_t> ParseDmUint(std::string_view content) { return sysfs::ParseGoUint(TrimSpace(content)); }

StatusOr<std::unique_ptr<Collector>> NewDmmultipathCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<DmmultipathCollector>(ctx));
}

}  // namespace nodex::collectors
