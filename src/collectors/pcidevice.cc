#include "collectors/pcidevice.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/go_strconv.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::Desc kInfo{"node_pcidevice_info", "PCI device identity from /sys/bus/pci/devices; the value is always 1.",
                           kGauge};
constexpr expo::Desc kMaxLinkTs{"node_pcidevice_max_link_transfers_per_second",
                                "Maximum link speed in transfers per second, -1 if unknown.", kGauge};
constexpr expo::Desc kMaxLinkWidth{"node_pcidevice_max_link_width", "Maximum link width in lanes, -1 if unknown.",
                                   kGauge};
constexpr expo::Desc kCurLinkTs{"node_pcidevice_current_link_transfers_per_second",
                                "Negotiated link speed in transfers per second, -1 if unknown.", kGauge};
constexpr expo::Desc kCurLinkWidth{"node_pcidevice_current_link_width", "Negotiated link width in lanes, -1 if unknown.",
                                   kGauge};
constexpr expo::Desc kPowerState{"node_pcidevice_power_state", "1 for the device's current PCI power state, else 0.",
                                 kGauge};
constexpr expo::Desc kD3cold{"node_pcidevice_d3cold_allowed", "Whether the device may enter D3cold (1) or not (0).",
                             kGauge};
constexpr expo::Desc kSriovAutoprobe{"node_pcidevice_sriov_drivers_autoprobe",
                                     "Whether drivers bind to new SR-IOV virtual functions automatically (1) or not (0).",
                                     kGauge};
constexpr expo::Desc kSriovNumvfs{"node_pcidevice_sriov_numvfs", "SR-IOV virtual functions currently enabled.", kGauge};
constexpr expo::Desc kSriovTotalvfs{"node_pcidevice_sriov_totalvfs", "SR-IOV virtual functions the device supports.",
                                    kGauge};
constexpr expo::Desc kSriovVfMsix{"node_pcidevice_sriov_vf_total_msix",
                                  "MSI-X vectors available to SR-IOV virtual functions.", kGauge};
constexpr expo::Desc kNumaNode{"node_pcidevice_numa_node", "NUMA node the device is attached to.", kGauge};

constexpr const char* kDefaultIdsPaths[] = {"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"};

std::string_view Base(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// filepath.Dir for the relative or absolute link targets sysfs uses.
std::string_view Dir(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Formats like procfs' PciDeviceLocation.Strings(): %04x, %02x, %02x, %x.
void FormatLocation(char (&buf)[4][16], const PciLocation& l, std::string_view* parts) {
  const char* formats[4] = {"%04x", "%02x", "%02x", "%x"};
  const int32_t values[4] = {l.segment, l.bus, l.device, l.function};
  for (int i = 0; i < 4; ++i) {
    int n = std::snprintf(buf[i], sizeof(buf[i]), formats[i], static_cast<unsigned>(values[i]));
    parts[i] = std::string_view(buf[i], static_cast<size_t>(n));
  }
}

std::string_view Hex(char (&buf)[24], const char* format, uint32_t v) {
  int n = std::snprintf(buf, sizeof(buf), format, v);
  return std::string_view(buf, n);
}

// Strips "0x" as node_exporter's name lookups do.
std::string_view NoPrefix(std::string_view s) { return s.substr(2); }

// One bounded read of a sysfs attribute through its device directory, like
// procfs' SysReadFile (4 KiB, one read(2)). Returns 0, or the errno.
int ReadAttribute(int dir_fd, const char* name, std::vector<char>* buf, std::string_view* out) {
  int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  buf->resize(4096);
  ssize_t n = read(fd, buf->data(), buf->size());
  int err = n < 0 ? errno : 0;
  close(fd);
  if (n < 0) return err;
  *out = std::string_view(buf->data(), static_cast<size_t>(n));
  return 0;
}

class PcideviceCollector : public Collector {
 public:
  explicit PcideviceCollector(const Context& ctx) : devices_path_(ctx.Sys("bus/pci/devices")), log_(ctx.log) {
    names_ = ctx.flags != nullptr && ctx.flags->GetBool("collector.pcidevice.names");
    if (names_) LoadIds(ctx.flags->GetString("collector.pcidevice.idsfile"));
  }

  Status Collect(expo::MetricSet& out) override {
    DIR* dir = opendir(devices_path_.c_str());
    if (dir == nullptr) {
      if (errno == ENOENT) return Status::NoData("PCI devices not found at " + devices_path_);
      return Status::Error("error obtaining PCI device info: " + devices_path_ + ": " + std::strerror(errno));
    }
    Status st = Status::Ok();
    int dir_fd = dirfd(dir);
    while (dirent* e = readdir(dir)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      st = CollectDevice(dir_fd, e->d_name, out);
      if (!st.ok()) break;
    }
    closedir(dir);
    return st;
  }

 private:
  Status CollectDevice(int devices_fd, const char* name, expo::MetricSet& out) {
    char target[4096];
    ssize_t n = readlinkat(devices_fd, name, target, sizeof(target) - 1);
    if (n < 0) {
      int err = errno;
      std::string msg = "failed to readlink " + devices_path_ + "/" + name + ": " + std::strerror(err);
      return err == ENOENT ? Status::NoData(msg) : Status::Error("error obtaining PCI device info: " + msg);
    }
    PciDevice dev;
    Status st = ParsePciDeviceLink(std::string_view(target, static_cast<size_t>(n)), &dev);
    if (!st.ok()) return Status::Error("error obtaining PCI device info: " + st.message());

    int fd = openat(devices_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      std::string msg = devices_path_ + "/" + name + ": " + std::strerror(err);
      return err == ENOENT ? Status::NoData(msg) : Status::Error("error obtaining PCI device info: " + msg);
    }
    st = ReadAttributes(fd, name, &dev);
    close(fd);
    if (!st.ok()) return st;
    Emit(dev, out);
    return Status::Ok();
  }

  Status ReadAttributes(int fd, const char* name, PciDevice* dev) {
    std::string_view content;
    for (std::string_view attr : kPciRequiredAttributes) {
      int err = ReadAttribute(fd, attr.data(), &buf_, &content);
      if (err != 0) {
        std::string msg = "failed to read file " + devices_path_ + "/" + name + "/" + std::string(attr) + ": " +
                          std::strerror(err);
        // procfs wraps the os error, so node_exporter sees ErrNotExist.
        return err == ENOENT ? Status::NoData(msg) : Status::Error("error obtaining PCI device info: " + msg);
      }
      Status st = ApplyPciDeviceAttribute(attr, content, dev);
      if (!st.ok()) return Status::Error("error obtaining PCI device info: " + std::string(name) + ": " + st.message());
    }
    for (std::string_view attr : kPciOptionalAttributes) {
      int err = ReadAttribute(fd, attr.data(), &buf_, &content);
      if (err == ENOENT) continue;
      if (err != 0) {
        return Status::Error("error obtaining PCI device info: failed to read file " + devices_path_ + "/" + name + "/" + std::string(attr) + ": " +
                              std::strerror(err));
      }
      Status st = ApplyPciDeviceAttribute(attr, content, dev);
      if (!st.ok()) return Status::Error("error obtaining PCI device info: " + std::string(name) + ": " + st.message());
    }
    return Status::Ok();
  }

  void Emit(const PciDevice& dev, expo::MetricSet& out) {
    char loc_buf[4][16], parent_buf[4][16];
    std::string_view loc[4], parent[4] = {"*", "*", "*", "*"};
    FormatLocation(loc_buf, dev.location, loc);
    if (dev.parent) FormatLocation(parent_buf, *dev.parent, parent);
    char class_buf[24], vendor_buf[24], device_buf[24], sv_buf[24], sd_buf[24], rev_buf[24];
    std::string_view class_id = Hex(class_buf, "0x%06x", dev.class_id);
    std::string_view vendor = Hex(vendor_buf, "0x%04x", dev.vendor);
    std::string_view device = Hex(device_buf, "0x%04x", dev.device);
    std::string_view sub_vendor = Hex(sv_buf, "0x%04x", dev.subsystem_vendor);
    std::string_view sub_device = Hex(sd_buf, "0x%04x", dev.subsystem_device);
    std::string_view revision = Hex(rev_buf, "0x%02x", dev.revision);

    expo::Label info[19] = {
        {"segment", loc[0]},          {"bus", loc[1]},
        {"device", loc[2]},           {"function", loc[3]},
        {"parent_segment", parent[0]}, {"parent_bus", parent[1]},
        {"parent_device", parent[2]}, {"parent_function", parent[3]},
        {"class_id", class_id},       {"vendor_id", vendor},
        {"device_id", device},        {"subsystem_vendor_id", sub_vendor},
        {"subsystem_device_id", sub_device}, {"revision", revision},
    };
    size_t info_count = 14;
    std::string class_name;
    if (names_) {
      info[14] = {"vendor_name", VendorName(vendor)};
      info[15] = {"device_name", DeviceName(vendor, device)};
      info[16] = {"subsystem_vendor_name", VendorName(sub_vendor)};
      info[17] = {"subsystem_device_name", SubsystemName(vendor, device, sub_vendor, sub_device)};
      info[18] = {"class_name", ClassName(class_id, &class_name)};
      info_count = 19;
    }
    out.Add(kInfo, 1, std::span<const expo::Label>(info, info_count));

    const expo::Label l[4] = {{"segment", loc[0]}, {"bus", loc[1]}, {"device", loc[2]}, {"function", loc[3]}};
    const std::span<const expo::Label> labels(l, 4);
    out.Add(kMaxLinkTs, dev.max_link_speed ? *dev.max_link_speed * 1e9 : -1, labels);
    out.Add(kMaxLinkWidth, dev.max_link_width.value_or(-1), labels);
    out.Add(kCurLinkTs, dev.current_link_speed ? *dev.current_link_speed * 1e9 : -1, labels);
    out.Add(kCurLinkWidth, dev.current_link_width.value_or(-1), labels);
    out.Add(kD3cold, dev.d3cold_allowed.value_or(false) ? 1 : 0, labels);
    out.Add(kSriovAutoprobe, dev.sriov_drivers_autoprobe.value_or(false) ? 1 : 0, labels);
    out.Add(kSriovNumvfs, dev.sriov_numvfs.value_or(0), labels);
    out.Add(kSriovTotalvfs, dev.sriov_totalvfs.value_or(0), labels);
    out.Add(kSriovVfMsix, static_cast<double>(dev.sriov_vf_total_msix.value_or(0)), labels);
    if (dev.power_state >= 0) {
      for (int i = 0; i < static_cast<int>(std::size(kPciPowerStates)); ++i) {
        const expo::Label ls[5] = {l[0], l[1], l[2], l[3], {"state", kPciPowerStates[i]}};
        out.Add(kPowerState, dev.power_state == i ? 1 : 0, std::span<const expo::Label>(ls, 5));
      }
    }
    if (dev.numa_node != -1) out.Add(kNumaNode, dev.numa_node, labels);
  }

  // Name lookups fall back to the id without "0x", as node_exporter's do.
  std::string_view Lookup(const PciIds::Map& map, std::string_view key, std::string_view fallback) const {
    auto it = map.find(key);
    return it == map.end() ? fallback : std::string_view(it->second);
  }
  std::string_view VendorName(std::string_view vendor) const {
    return Lookup(ids_.vendors, NoPrefix(vendor), NoPrefix(vendor));
  }
  std::string_view DeviceName(std::string_view vendor, std::string_view device) {
    key_.assign(NoPrefix(vendor)).append(":").append(NoPrefix(device));
    return Lookup(ids_.devices, key_, NoPrefix(device));
  }
  std::string_view SubsystemName(std::string_view vendor, std::string_view device, std::string_view sub_vendor,
                                 std::string_view sub_device) {
    key_.assign(NoPrefix(vendor)).append(":").append(NoPrefix(device)).append("/");
    key_.append(NoPrefix(sub_vendor)).append(":").append(NoPrefix(sub_device));
    return Lookup(ids_.subsystems, key_, NoPrefix(sub_device));
  }
  std::string_view ClassName(std::string_view class_id, std::string* scratch) const {
    std::string_view id = NoPrefix(class_id);
    if (id.size() >= 6) {
      if (auto it = ids_.prog_ifs.find(id.substr(0, 6)); it != ids_.prog_ifs.end()) return it->second;
    }
    if (id.size() >= 4) {
      if (auto it = ids_.subclasses.find(id.substr(0, 4)); it != ids_.subclasses.end()) return it->second;
    }
    if (id.size() >= 2) {
      if (auto it = ids_.classes.find(id.substr(0, 2)); it != ids_.classes.end()) return it->second;
    }
    scratch->assign("Unknown class (").append(id).append(")");
    return *scratch;
  }

  // Failing to load pci.ids only costs the names; node_exporter logs it at
  // debug level and carries on with ids.
  void LoadIds(const std::string& flag_path) {
    std::string content;
    if (!flag_path.empty()) {
      Status st = ReadFileOnce(flag_path, &content);
      if (!st.ok()) {
        if (log_ != nullptr) log_->Debug("failed to open PCI IDs file", {{"file", flag_path}, {"err", st.message()}});
        return;
      }
    } else {
      bool loaded = false;
      for (const char* path : kDefaultIdsPaths) {
        if (ReadFileOnce(path, &content).ok()) {
          loaded = true;
          break;
        }
      }
      if (!loaded) {
        if (log_ != nullptr) log_->Debug("failed to open any default PCI IDs file");
        return;
      }
    }
    ParsePciIds(content, &ids_);
  }

  std::string devices_path_;
  Logger* log_;
  bool names_ = false;
  PciIds ids_;
  std::vector<char> buf_;
  std::string key_;
};

// "  name" split once at the first double space, both sides trimmed.
bool SplitIdName(std::string_view line, std::string_view* id, std::string_view* name) {
  size_t sep = line.find("  ");
  if (sep == std::string_view::npos) return false;
  *id = TrimSpace(line.substr(0, sep));
  *name = TrimSpace(line.substr(sep + 2));
  return true;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

Status ParsePciLocation(std::string_view s, PciLocation* out) {
  std::string_view parts[4];
  size_t c1 = s.find(':');
  size_t c2 = c1 == std::string_view::npos ? c1 : s.find(':', c1 + 1);
  if (c2 == std::string_view::npos || s.find(':', c2 + 1) != std::string_view::npos) {
    return Status::Error("invalid location '" + std::string(s) + "'");
  }
  parts[0] = s.substr(0, c1);
  parts[1] = s.substr(c1 + 1, c2 - c1 - 1);
  std::string_view last = s.substr(c2 + 1);
  size_t dot = last.find('.');
  if (dot == std::string_view::npos || last.find('.', dot + 1) != std::string_view::npos) {
    return Status::Error("invalid location '" + std::string(s) + "'");
  }
  parts[2] = last.substr(0, dot);
  parts[3] = last.substr(dot + 1);
  int32_t* targets[4] = {&out->segment, &out->bus, &out->device, &out->function};
  static constexpr const char* kWhat[4] = {"segment", "bus", "device", "function"};
  for (int i = 0; i < 4; ++i) {
    std::optional<int64_t> v = GoParseInt(parts[i], 16, 32);
    if (!v || *v < 0) return Status::Error(std::string("invalid ") + kWhat[i] + " in location '" + std::string(s) + "'");
    *targets[i] = static_cast<int32_t>(*v);
  }
  return Status::Ok();
}

Status ParsePciDeviceLink(std::string_view target, PciDevice* dev) {
  Status st = ParsePciLocation(Base(target), &dev->location);
  if (!st.ok()) return Status::Error("failed to parse device location: " + st.message());
  std::string_view parent = Base(Dir(target));
  dev->parent.reset();
  if (!StartsWith(parent, "pci")) {
    PciLocation loc;
    st = ParsePciLocation(parent, &loc);
    if (!st.ok()) return Status::Error("failed to parse parent device location: " + st.message());
    dev->parent = loc;
  }
  return Status::Ok();
}

Status ApplyPciDeviceAttribute(std::string_view attribute, std::string_view content, PciDevice* dev) {
  std::string_view v = TrimSpace(content);
  auto bad = [&](const char* what) {
    return Status::Error(std::string("failed to parse ") + what + " \"" + std::string(v) + "\" from " +
                         std::string(attribute));
  };
  for (std::string_view required : kPciRequiredAttributes) {
    if (attribute != required) continue;
    std::optional<int64_t> n = GoParseInt(v, 0, 32);
    if (!n) return bad("integer");
    if (attribute == "class") dev->class_id = static_cast<uint32_t>(*n);
    if (attribute == "vendor") dev->vendor = static_cast<uint32_t>(*n);
    if (attribute == "device") dev->device = static_cast<uint32_t>(*n);
    if (attribute == "subsystem_vendor") dev->subsystem_vendor = static_cast<uint32_t>(*n);
    if (attribute == "subsystem_device") dev->subsystem_device = static_cast<uint32_t>(*n);
    if (attribute == "revision") dev->revision = static_cast<uint32_t>(*n);
    if (attribute == "numa_node") dev->numa_node = static_cast<int32_t>(*n);
    return Status::Ok();
  }
  if (v.empty()) return Status::Ok();
  if (attribute == "max_link_speed" || attribute == "current_link_speed") {
    if (StartsWith(v, "Unknown")) return Status::Ok();
    size_t space = v.find(' ');
    if (space == std::string_view::npos) return bad("link speed");
    if (v.substr(space + 1) != "GT/s PCIe") return bad("link speed unit");
    std::optional<double> speed = ParseDouble(TrimSpace(v.substr(0, space)));
    if (!speed) return bad("link speed");
    (attribute == "max_link_speed" ? dev->max_link_speed : dev->current_link_speed) = *speed;
    return Status::Ok();
  }
  if (attribute == "max_link_width" || attribute == "current_link_width") {
    if (StartsWith(v, "Unknown")) return Status::Ok();
    std::optional<int64_t> width = GoParseInt(v, 10, 64);
    if (!width) return bad("link width");
    (attribute == "max_link_width" ? dev->max_link_width : dev->current_link_width) = static_cast<double>(*width);
    return Status::Ok();
  }
  if (attribute == "sriov_drivers_autoprobe" || attribute == "d3cold_allowed") {
    std::optional<int64_t> flag = GoParseInt(v, 10, 32);
    if (!flag) return bad("boolean");
    (attribute == "d3cold_allowed" ? dev->d3cold_allowed : dev->sriov_drivers_autoprobe) = *flag != 0;
    return Status::Ok();
  }
  struct U32Attr {
    std::string_view name;
    std::optional<uint32_t> PciDevice::*field;
  };
  static constexpr U32Attr kU32[] = {{"sriov_numvfs", &PciDevice::sriov_numvfs},
                                     {"sriov_offset", &PciDevice::sriov_offset},
                                     {"sriov_stride", &PciDevice::sriov_stride},
                                     {"sriov_totalvfs", &PciDevice::sriov_totalvfs},
                                     {"sriov_vf_device", &PciDevice::sriov_vf_device}};
  for (const U32Attr& a : kU32) {
    if (attribute != a.name) continue;
    std::optional<uint64_t> n = GoParseUint(v, 10, 32);
    if (!n) return bad("integer");
    dev->*a.field = static_cast<uint32_t>(*n);
    return Status::Ok();
  }
  if (attribute == "sriov_vf_total_msix") {
    std::optional<int64_t> n = GoParseInt(v, 10, 64);
    if (!n) return bad("integer");
    dev->sriov_vf_total_msix = static_cast<uint64_t>(*n);
    return Status::Ok();
  }
  if (attribute == "power_state") {
    dev->power_state = kPciPowerStateOther;
    for (int i = 0; i < static_cast<int>(std::size(kPciPowerStates)); ++i) {
      if (v == kPciPowerStates[i]) dev->power_state = i;
    }
  }
  return Status::Ok();
}

void ParsePciIds(std::string_view content, PciIds* out) {
  std::string vendor, device, base_class, subclass;
  bool in_class = false;
  std::string_view line;
  std::string_view id, name;
  while (NextLine(&content, &line)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const bool tab1 = StartsWith(line, "\t");
    const bool tab2 = StartsWith(line, "\t\t");
    const bool tab3 = StartsWith(line, "\t\t\t");
    if (StartsWith(line, "C ")) {
      if (SplitIdName(line, &id, &name)) {
        base_class.assign(TrimSpace(id.substr(1)));
        out->classes[base_class] = std::string(name);
        in_class = true;
      }
      continue;
    }
    if (tab1 && !tab2 && in_class) {
      if (SplitIdName(line.substr(1), &id, &name) && !base_class.empty()) {
        subclass = base_class + std::string(id);
        out->subclasses[subclass] = std::string(name);
      }
      continue;
    }
    if (tab2 && !tab3 && in_class) {
      if (SplitIdName(line.substr(2), &id, &name) && !subclass.empty()) {
        out->prog_ifs[subclass + std::string(id)] = std::string(name);
      }
      continue;
    }
    if (!tab1) {
      if (SplitIdName(line, &id, &name)) {
        vendor.assign(id);
        out->vendors[vendor] = std::string(name);
        device.clear();
        in_class = false;
      }
      continue;
    }
    if (tab1 && !tab2) {
      if (SplitIdName(line.substr(1), &id, &name) && !vendor.empty()) {
        device.assign(id);
        out->devices[vendor + ":" + device] = std::string(name);
      }
      continue;
    }
    if (SplitIdName(line.substr(2), &id, &name) && !vendor.empty() && !device.empty()) {
      std::string_view parts[2];
      if (SplitFields(id, parts, 2) == 2) {
        out->subsystems[vendor + ":" + device + "/" + std::string(parts[0]) + ":" + std::string(parts[1])] =
            std::string(name);
      }
    }
  }
}

StatusOr<std::unique_ptr<Collector>> NewPcideviceCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<PcideviceCollector>(ctx));
}

}  // namespace nodex::collectors
