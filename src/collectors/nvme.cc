#include "collectors/nvme.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::Desc kInfo{"node_nvme_info", "An NVMe controller with its identity and state; always 1.", kGauge};
constexpr expo::Desc kNsInfo{"node_nvme_namespace_info", "An NVMe namespace with its ANA state; always 1.", kGauge};
constexpr expo::Desc kNsCapacity{"node_nvme_namespace_capacity_bytes",
                                 "Capacity of the NVMe namespace in bytes (size times logical block size).", kGauge};
constexpr expo::Desc kNsSize{"node_nvme_namespace_size_bytes",
                             "Size of the NVMe namespace in bytes (size times logical block size).", kGauge};
constexpr expo::Desc kNsUsed{"node_nvme_namespace_used_bytes",
                             "Space in use on the NVMe namespace in bytes (nuse times logical block size).", kGauge};
constexpr expo::Desc kNsBlockSize{"node_nvme_namespace_logical_block_size_bytes",
                                  "Logical block size of the NVMe namespace in bytes.", kGauge};

// Controller attributes in procfs' read order.
enum CtrlAttr { kFirmware, kModel, kSerial, kState, kCntlid, kNumCtrlAttrs };
constexpr std::string_view kCtrlFiles[kNumCtrlAttrs] = {"firmware_rev", "model", "serial", "state", "cntlid"};

struct NamespaceData {
  std::string id;
  std::string ana_state;
  uint64_t used_blocks = 0, size_blocks = 0, block_size = 0;
};

struct ControllerData {
  std::string name;
  std::string attrs[kNumCtrlAttrs];
  std::vector<NamespaceData> namespaces;
  size_t namespace_count = 0;
};

class NvmeCollector : public Collector {
 public:
  explicit NvmeCollector(const Context& ctx) : dir_(ctx.Sys("class/nvme")) {}

  Status Collect(expo::MetricSet& out) override {
    size_t count = 0;
    int err = sysfs::ListDir(dir_, &entries_, &count);
    if (err != 0) return Failure("failed to list NVMe devices at \"" + dir_ + "\"", err);
    if (ctrls_.size() < count) ctrls_.resize(count);
    for (size_t i = 0; i < count; ++i) {
      Status st = ReadController(entries_[i].name, &ctrls_[i]);
      if (!st.ok()) {
        files_.Sweep();
        return st;
      }
    }
    files_.Sweep();
    for (size_t i = 0; i < count; ++i) {
      const ControllerData& c = ctrls_[i];
      out.Add(kInfo, 1,
              {{"device", c.name},
               {"firmware_revision", c.attrs[kFirmware]},
               {"model", c.attrs[kModel]},
               {"serial", c.attrs[kSerial]},
               {"state", c.attrs[kState]},
               {"cntlid", c.attrs[kCntlid]}});
      for (size_t n = 0; n < c.namespace_count; ++n) {
        const NamespaceData& ns = c.namespaces[n];
        const expo::Label labels[] = {{"device", c.name}, {"nsid", ns.id}};
        std::span<const expo::Label> l(labels, 2);
        out.Add(kNsInfo, 1, {{"device", c.name}, {"nsid", ns.id}, {"ana_state", ns.ana_state}});
        // uint64 products wrap exactly like Go's.
        out.Add(kNsCapacity, static_cast<double>(ns.size_blocks * ns.block_size), l);
        out.Add(kNsSize, static_cast<double>(ns.size_blocks * ns.block_size), l);
        out.Add(kNsUsed, static_cast<double>(ns.used_blocks * ns.block_size), l);
        out.Add(kNsBlockSize, static_cast<double>(ns.block_size), l);
      }
    }
    return Status::Ok();
  }

 private:
  // procfs wraps its errors with %w and node_exporter checks
  // errors.Is(err, fs.ErrNotExist): a missing file anywhere is "no data".
  static Status Failure(const std::string& what, int err) {
    if (err == ENOENT) return Status::NoData("nvme statistics not found: " + what);
    return Status::Error("error obtaining NVMe class info: " + what + ": " + std::strerror(err));
  }

  Status ReadController(const std::string& name, ControllerData* c) {
    c->name.assign(name);
    ctrl_dir_.assign(dir_).append("/").append(name);
    for (size_t a = 0; a < kNumCtrlAttrs; ++a) {
      path_.assign(ctrl_dir_).append("/").append(kCtrlFiles[a]);
      std::string_view content;
      int err = files_.Read(path_, sysfs::kSysReadFileSize, &content);
      if (err != 0) return Failure("failed to read file \"" + path_ + "\"", err);
      c->attrs[a].assign(TrimSpace(content));
    }
    c->namespace_count = 0;
    size_t count = 0;
    int err = sysfs::ListDir(ctrl_dir_, &ns_entries_, &count);
    if (err != 0) return Failure("failed to list NVMe namespaces at \"" + ctrl_dir_ + "\"", err);
    for (size_t i = 0; i < count; ++i) {
      std::string_view id = NvmeNamespaceId(ns_entries_[i].name);
      if (id.empty()) continue;
      if (c->namespaces.size() == c->namespace_count) c->namespaces.emplace_back();
      NamespaceData& ns = c->namespaces[c->namespace_count++];
      ns.id.assign(id);
      ns.ana_state.assign("unknown");
      ns_dir_.assign(ctrl_dir_).append("/").append(ns_entries_[i].name);
      uint64_t* numbers[] = {&ns.used_blocks, &ns.size_blocks, &ns.block_size};
      constexpr std::string_view kNumberFiles[] = {"nuse", "size", "queue/logical_block_size"};
      for (size_t f = 0; f < 3; ++f) {
        path_.assign(ns_dir_).append("/").append(kNumberFiles[f]);
        std::string_view content;
        err = files_.Read(path_, sysfs::kSysReadFileSize, &content);
        if (err != 0) return Failure("failed to read file \"" + path_ + "\"", err);
        *numbers[f] = ParseNvmeNamespaceNumber(content);
      }
      path_.assign(ns_dir_).append("/ana_state");
      std::string_view content;
      if (files_.Read(path_, sysfs::kSysReadFileSize, &content) == 0) ns.ana_state.assign(TrimSpace(content));
    }
    return Status::Ok();
  }

  std::string dir_, ctrl_dir_, ns_dir_, path_;
  std::vector<sysfs::DirEntry> entries_, ns_entries_;
  std::vector<ControllerData> ctrls_;
  sysfs::AttrFiles files_;
};

size_t Digits(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
  return j - i;
}

}  // namespace

std::string_view NvmeNamespaceId(std::string_view name) {
  // Leftmost match of nvme\d+(c\d+)?n(\d+), unanchored like Go's FindStringSubmatch.
  for (size_t pos = name.find("nvme"); pos != std::string_view::npos; pos = name.find("nvme", pos + 1)) {
    size_t i = pos + 4;
    size_t d = Digits(name, i);
    if (d == 0) continue;
    i += d;
    if (i < name.size() && name[i] == 'c') {
      size_t m = Digits(name, i + 1);
      if (m > 0 && i + 1 + m < name.size() && name[i + 1 + m] == 'n' && Digits(name, i + 2 + m) > 0) {
        i += 1 + m;
      }
    }
    if (i < name.size() && name[i] == 'n') {
      size_t id = Digits(name, i + 1);
      if (id > 0) return name.substr(i + 1, id);
    }
  }
  return {};
}

uint64_t ParseNvmeNamespaceNumber(std::string_view content) {
  std::optional<uint64_t> v = sysfs::ParseGoUint(TrimSpace(content));
  return v ? *v : 0;
}

StatusOr<std::unique_ptr<Collector>> NewNvmeCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<NvmeCollector>(ctx));
}

}  // namespace nodex::collectors
