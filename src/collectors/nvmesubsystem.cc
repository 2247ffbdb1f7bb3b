#include "collectors/nvmesubsystem.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::Desc kInfo{"node_nvmesubsystem_info", "An NVMe subsystem with its NQN, model, serial and I/O policy; always 1.",
                           kGauge};
constexpr expo::Desc kNamespaceInfo{"node_nvmesubsystem_namespace_info",
                                    "A namespace block device of the NVMe subsystem; always 1.", kGauge};
constexpr expo::Desc kPaths{"node_nvmesubsystem_paths", "Controllers (paths) of the NVMe subsystem.", kGauge};
constexpr expo::Desc kPathsLive{"node_nvmesubsystem_paths_live", "Controllers of the NVMe subsystem in state live.",
                                kGauge};
constexpr expo::Desc kPathState{"node_nvmesubsystem_path_state",
                                "1 for the controller's current state, 0 for the other states.", kGauge};
constexpr std::string_view kStates[] = {"live", "connecting", "resetting", "dead", "unknown"};

bool DigitsFrom(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

struct ControllerData {
  std::string name, state, transport;
};

struct SubsystemData {
  std::string name, nqn, model, serial, iopolicy;
  std::vector<ControllerData> ctrls;
  size_t ctrl_count = 0;
  std::vector<std::string> namespaces;
  size_t ns_count = 0;
};

class NvmesubsystemCollector : public Collector {
 public:
  explicit NvmesubsystemCollector(const Context& ctx) : dir_(ctx.Sys("class/nvme-subsystem")) {}

  Status Collect(expo::MetricSet& out) override {
    size_t count = 0;
    int err = sysfs::ListDir(dir_, &entries_, &count);
    if (err != 0) return Failure("failed to list \"" + dir_ + "\"", err);
    size_t n = 0;
    for (size_t i = 0; i < count; ++i) {
      if (entries_[i].name.rfind("nvme-subsys", 0) != 0) continue;
      if (subs_.size() == n) subs_.emplace_back();
      Status st = ReadSubsystem(entries_[i].name, &subs_[n++]);
      if (!st.ok()) {
        files_.Sweep();
        return st;
      }
    }
    files_.Sweep();
    for (size_t i = 0; i < n; ++i) {
      const SubsystemData& s = subs_[i];
      out.Add(kInfo, 1,
              {{"subsystem", s.name}, {"nqn", s.nqn}, {"model", s.model}, {"serial", s.serial}, {"iopolicy", s.iopolicy}});
      for (size_t k = 0; k < s.ns_count; ++k) out.Add(kNamespaceInfo, 1, {{"subsystem", s.name}, {"device", s.namespaces[k]}});
      double live = 0;
      for (size_t c = 0; c < s.ctrl_count; ++c) {
        const ControllerData& ctrl = s.ctrls[c];
        std::string_view state = NormalizeNvmeControllerState(ctrl.state);
        if (state == "live") ++live;
        for (std::string_view candidate : kStates) {
          out.Add(kPathState, candidate == state ? 1 : 0,
                  {{"subsystem", s.name}, {"controller", ctrl.name}, {"transport", ctrl.transport}, {"state", candidate}});
        }
      }
      const expo::Label sub[] = {{"subsystem", s.name}};
      out.Add(kPaths, static_cast<double>(s.ctrl_count), std::span<const expo::Label>(sub, 1));
      out.Add(kPathsLive, live, std::span<const expo::Label>(sub, 1));
    }
    return Status::Ok();
  }

 private:
  // Missing or unreadable (permission) files anywhere are "no data".
  static Status Failure(const std::string& what, int err) {
    if (err == ENOENT || err == EACCES || err == EPERM) {
      return Status::NoData("could not read NVMe subsystem info: " + what + ": " + std::strerror(err));
    }
    return Status::Error("failed to scan NVMe subsystems: " + what + ": " + std::strerror(err));
  }

  Status ReadAttr(const std::string& dir, std::string_view file, std::string* value) {
    path_.assign(dir).append("/").append(file);
    std::string_view content;
    int err = files_.Read(path_, sysfs::kSysReadFileSize, &content);
    if (err != 0) return Failure("failed to read \"" + path_ + "\"", err);
    value->assign(TrimSpace(content));
    return Status::Ok();
  }

  Status ReadSubsystem(const std::string& name, SubsystemData* s) {
    s->name.assign(name);
    sub_dir_.assign(dir_).append("/").append(name);
    Status st;
    if (st = ReadAttr(sub_dir_, "subsysnqn", &s->nqn); !st.ok()) return st;
    if (st = ReadAttr(sub_dir_, "model", &s->model); !st.ok()) return st;
    if (st = ReadAttr(sub_dir_, "serial", &s->serial); !st.ok()) return st;
    if (st = ReadAttr(sub_dir_, "iopolicy", &s->iopolicy); !st.ok()) return st;
    s->ctrl_count = s->ns_count = 0;
    size_t count = 0;
    int err = sysfs::ListDir(sub_dir_, &sub_entries_, &count);
    if (err != 0) return Failure("failed to list controllers for " + name, err);
    for (size_t i = 0; i < count; ++i) {
      const std::string& e = sub_entries_[i].name;
      if (IsNvmeControllerName(e)) {
        if (s->ctrls.size() == s->ctrl_count) s->ctrls.emplace_back();
        ControllerData& c = s->ctrls[s->ctrl_count++];
        c.name.assign(e);
        ctrl_dir_.assign(sub_dir_).append("/").append(e);
        if (st = ReadAttr(ctrl_dir_, "state", &c.state); !st.ok()) return st;
        if (st = ReadAttr(ctrl_dir_, "transport", &c.transport); !st.ok()) return st;
        // address is required by procfs but not exported.
        path_.assign(ctrl_dir_).append("/address");
        std::string_view content;
        err = files_.Read(path_, sysfs::kSysReadFileSize, &content);
        if (err != 0) return Failure("failed to read \"" + path_ + "\"", err);
      } else if (IsNvmeNamespaceName(e)) {
        // Directory entries are unique, so procfs' de-duplication never fires.
        if (s->namespaces.size() == s->ns_count) s->namespaces.emplace_back();
        s->namespaces[s->ns_count++].assign(e);
      }
    }
    return Status::Ok();
  }

  std::string dir_, sub_dir_, ctrl_dir_, path_;
  std::vector<sysfs::DirEntry> entries_, sub_entries_;
  std::vector<SubsystemData> subs_;
  sysfs::AttrFiles files_;
};

}  // namespace

std::string_view NormalizeNvmeControllerState(std::string_view raw) {
  for (std::string_view kept : {"live", "connecting", "resetting", "dead", "deleting", "deleting (no IO)", "new"}) {
    if (raw == kept) return kept;
  }
  return "unknown";
}

bool IsNvmeControllerName(std::string_view name) {
  return name.substr(0, 4) == "nvme" && DigitsFrom(name.substr(4));
}

bool IsNvmeNamespaceName(std::string_view name) {
  if (name.substr(0, 4) != "nvme") return false;
  std::string_view rest = name.substr(4);
  size_t n = rest.find('n');
  return n != std::string_view::npos && DigitsFrom(rest.substr(0, n)) && DigitsFrom(rest.substr(n + 1));
}

StatusOr<std::unique_ptr<Collector>> NewNvmesubsystemCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<NvmesubsystemCollector>(ctx));
}

}  // namespace nodex::collectors
