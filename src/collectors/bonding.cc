#include "collectors/bonding.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "base/file_reader.h"
#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
constexpr expo::MetricType kG = expo::MetricType::kGauge;

constexpr Desc kSlaves{"node_bonding_slaves", "Slaves configured in each bonding master.", kG};
constexpr Desc kActive{"node_bonding_active", "Slaves of each bonding master whose MII status is up.", kG};

struct Master {
  std::string name;
  int slaves = 0;
  int active = 0;
};

class BondingCollector : public Collector {
 public:
  explicit BondingCollector(const Context& ctx)
      : net_dir_(ctx.Sys("class/net")), masters_file_(JoinPath(net_dir_, "bonding_masters")) {}

  Status Collect(expo::MetricSet& out) override {
    Status st = Scan();
    attrs_.Sweep();
    if (!st.ok()) return st;
    for (size_t i = 0; i < num_masters_; ++i) {
      const Master& m = masters_[i];
      out.Add(kSlaves, m.slaves, {{"master", m.name}});
      out.Add(kActive, m.active, {{"master", m.name}});
    }
    return Status::Ok();
  }

 private:
  // node_exporter reports nothing unless every file could be read; any
  // missing file (wrapped ENOENT) counts as "no data".
  static Status ReadError(int err, const std::string& path) {
    std::string msg = "reading " + path + ": " + std::strerror(err);
    if (err == ENOENT) return Status::NoData(std::move(msg));
    return Status::Error(std::move(msg));
  }

  Status Scan() {
    num_masters_ = 0;
    std::string_view content;
    Status st = masters_file_.Read(&content);
    if (!st.ok()) return st;
    SplitBondingNames(content, &master_names_);
    for (std::string_view name : master_names_) {
      // Go's map keeps one entry per master; a repeated name is counted again
      // and overwrites the earlier one.
      size_t slot = num_masters_;
      for (size_t k = 0; k < num_masters_; ++k) {
        if (masters_[k].name == name) slot = k;
      }
      if (slot == masters_.size()) masters_.emplace_back();
      Master& m = masters_[slot];
      m.name.assign(name);
      m.slaves = m.active = 0;
      st = ScanMaster(&m);
      if (!st.ok()) return st;
      if (slot == num_masters_) ++num_masters_;
    }
    return Status::Ok();
  }

  Status ScanMaster(Master* m) {
    SetPath(m->name, "", "bonding/slaves");
    std::string_view content;
    int err = attrs_.Read(path_, sysfs::kAttrPageSize, &content);
    if (err != 0) return ReadError(err, path_);
    // The next Read reuses attrs_' buffer: keep the slave list.
    slaves_content_.assign(content);
    SplitBondingNames(slaves_content_, &slave_names_);
    for (std::string_view slave : slave_names_) {
      SetPath(m->name, "lower_", slave);
      err = attrs_.Read(path_, sysfs::kAttrPageSize, &content);
      if (err == ENOENT) {  // Older kernels name the link slave_<if>.
        SetPath(m->name, "slave_", slave);
        err = attrs_.Read(path_, sysfs::kAttrPageSize, &content);
      }
      if (err != 0) return ReadError(err, path_);
      ++m->slaves;
      if (BondingSlaveUp(content)) ++m->active;
    }
    return Status::Ok();
  }

  // path_ = <net>/<master>/<prefix><name>[/bonding_slave/mii_status]
  void SetPath(std::string_view master, std::string_view prefix, std::string_view name) {
    path_.assign(net_dir_);
    path_.push_back('/');
    path_.append(master);
    path_.push_back('/');
    path_.append(prefix);
    path_.append(name);
    if (!prefix.empty()) path_.append("/bonding_slave/mii_status");
  }

  std::string net_dir_;
  KeptOpenFile masters_file_;
  sysfs::AttrFiles attrs_;
  std::string path_, slaves_content_;
  std::vector<std::string_view> master_names_, slave_names_;
  std::vector<Master> masters_;
  size_t num_masters_ = 0;
};

}  // namespace

void SplitBondingNames(std::string_view content, std::vector<std::string_view>* out) {
  out->clear();
  std::string_view field;
  while (NextField(&content, &field)) out->push_back(field);
}

bool BondingSlaveUp(std::string_view mii_status) { return TrimSpace(mii_status) == "up"; }

StatusOr<std::unique_ptr<Collector>> NewBondingCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<BondingCollector>(ctx));
}

}  // namespace nodex::collectors
