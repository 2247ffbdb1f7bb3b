#include "collectors/ethtool.h"

#include <dirent.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <re2/re2.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>

#include "base/file_reader.h"
#include "collectors/procfs_helpers.h"

namespace nodex::collectors {
namespace {

using expo::Label;
using expo::MetricType;

static_assert(sizeof(ethtool_drvinfo) == 196);
static_assert(sizeof(ethtool_cmd) == 44);
static_assert(sizeof(ethtool_gstrings) == 12);
static_assert(sizeof(ethtool_stats) == 8);

// safchain's limit: more statistics than this are refused with an error.
constexpr uint32_t kMaxStats = 32768;

template <typename T>
T LoadAt(std::string_view buf, size_t offset) {
  T v;
  std::memcpy(&v, buf.data() + offset, sizeof(T));
  return v;
}

std::string_view CString(std::string_view field) {
  size_t nul = field.find('\0');
  return nul == std::string_view::npos ? field : field.substr(0, nul);
}

bool IsAlnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsInvalid(char c) { return !IsAlnum(c) && c != '_'; }

// True if `word` sits at pos and is followed by "_" or the end.
bool WordAt(std::string_view s, size_t pos, std::string_view word) {
  if (s.substr(pos, word.size()) != word) return false;
  size_t end = pos + word.size();
  return end == s.size() || s[end] == '_';
}

// Replaces each "rx"/"tx" word the way Go's ReplaceAllString does with
// (^|_)<word>(_|$) -> ${1}<replacement>${2}: matches are found left to right
// and never overlap, so in "tx_tx_x" the second "tx" has lost its leading "_"
// to the first match and stays.
std::string RenameWord(std::string_view s, std::string_view word, std::string_view replacement) {
  std::string out;
  out.reserve(s.size() + 16);
  size_t i = 0;
  while (i < s.size()) {
    size_t lead;
    if (i == 0 && WordAt(s, 0, word)) {
      lead = 0;
    } else if (s[i] == '_' && WordAt(s, i + 1, word)) {
      lead = 1;
    } else {
      out.push_back(s[i++]);
      continue;
    }
    out.append(s.substr(i, lead));
    out.append(replacement);
    i += lead + word.size();
    if (i < s.size()) out.push_back(s[i++]);  // The trailing "_".
  }
  return out;
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

constexpr EthtoolSpeedMode kSpeedModes[] = {
    {0, 10, "half", "10baseT"},
    {1, 10, "full", "10baseT"},
    {2, 100, "half", "100baseT"},
    {3, 100, "full", "100baseT"},
    {4, 1000, "half", "1000baseT"},
    {5, 1000, "full", "1000baseT"},
    {12, 10000, "full", "10000baseT"},
    {17, 1000, "full", "1000baseKX"},
    {18, 10000, "full", "10000baseKX4"},
    {19, 10000, "full", "10000baseKR"},
    {20, 10000, "full", "10000baseR_FEC"},
    {21, 20000, "full", "20000baseMLD2"},
    {22, 20000, "full", "20000baseKR2"},
    {23, 40000, "full", "40000baseKR4"},
    {24, 40000, "full", "40000baseCR4"},
    {25, 40000, "full", "40000baseSR4"},
    {26, 40000, "full", "40000baseLR4"},
    {27, 56000, "full", "56000baseKR4"},
    {28, 56000, "full", "56000baseCR4"},
    {29, 56000, "full", "56000baseSR4"},
    {30, 56000, "full", "56000baseLR4"},
    {31, 25000, "full", "25000baseCR"},
};

constexpr EthtoolPortType kPortTypes[] = {
    {7, "TP"}, {8, "AUI"}, {9, "MII"}, {10, "FIBRE"}, {11, "BNC"}, {16, "Backplane"},
};

struct Predefined {
  std::string_view stat;
  std::string_view metric;
  std::string_view help;
};
constexpr Predefined kPredefined[] = {
    {"rx_bytes", "node_ethtool_received_bytes_total", "Bytes the network device received (driver statistic rx_bytes)."},
    {"rx_dropped", "node_ethtool_received_dropped_total", "Received frames the device dropped (rx_dropped)."},
    {"rx_errors", "node_ethtool_received_errors_total", "Received frames with errors (rx_errors)."},
    {"rx_packets", "node_ethtool_received_packets_total", "Packets the network device received (rx_packets)."},
    {"tx_bytes", "node_ethtool_transmitted_bytes_total", "Bytes the network device sent (tx_bytes)."},
    {"tx_errors", "node_ethtool_transmitted_errors_total", "Frames that failed to send (tx_errors)."},
    {"tx_packets", "node_ethtool_transmitted_packets_total", "Packets the network device sent (tx_packets)."},
};

const Predefined* FindPredefined(std::string_view sanitized) {
  for (const Predefined& p : kPredefined) {
    if (p.stat == sanitized) return &p;
  }
  return nullptr;
}

constexpr expo::Desc kInfo{"node_ethtool_info",
                           "Driver information from ethtool: always 1, labelled with the driver's name, version, "
                           "firmware and expansion ROM versions and bus address.",
                           MetricType::kGauge};
constexpr expo::Desc kSupportedSpeed{"node_network_supported_speed_bytes",
                                     "Speed in bytes per second of each link mode the device supports.",
                                     MetricType::kGauge};
constexpr expo::Desc kAdvertisedSpeed{"node_network_advertised_speed_bytes",
                                      "Speed in bytes per second of each link mode the device advertises.",
                                      MetricType::kGauge};
constexpr expo::Desc kSupportedPort{"node_network_supported_port_info",
                                    "Port or PHY types the device supports; 1 for each supported type.",
                                    MetricType::kGauge};
constexpr expo::Desc kAutonegSupported{"node_network_autonegotiate_supported",
                                       "Whether the device supports autonegotiation (1) or not (0).",
                                       MetricType::kGauge};
constexpr expo::Desc kPauseSupported{"node_network_pause_supported",
                                     "Whether the device supports pause frames (1) or not (0).", MetricType::kGauge};
constexpr expo::Desc kAsymPauseSupported{"node_network_asymmetricpause_supported",
                                         "Whether the device supports asymmetric pause frames (1) or not (0).",
                                         MetricType::kGauge};
constexpr expo::Desc kAutonegAdvertised{"node_network_autonegotiate_advertised",
                                        "Whether the device advertises autonegotiation (1) or not (0).",
                                        MetricType::kGauge};
constexpr expo::Desc kPauseAdvertised{"node_network_pause_advertised",
                                      "Whether the device advertises pause frame support (1) or not (0).",
                                      MetricType::kGauge};
constexpr expo::Desc kAsymPauseAdvertised{"node_network_asymmetricpause_advertised",
                                          "Whether the device advertises asymmetric pause frames (1) or not (0).",
                                          MetricType::kGauge};
constexpr expo::Desc kAutoneg{"node_network_autonegotiate",
                              "The autonegotiation setting of the device as ethtool reports it (1 = on).",
                              MetricType::kGauge};

double Bit(uint32_t mask, uint8_t bit) { return (mask >> bit) & 1u ? 1.0 : 0.0; }

class KernelEthtoolIoctl : public EthtoolIoctl {
 public:
  explicit KernelEthtoolIoctl(UniqueFd fd) : fd_(std::move(fd)) {}

  int Request(std::string_view device, std::span<char> buf) override {
    if (device.empty() || device.size() >= IFNAMSIZ) return ENODEV;
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, device.data(), device.size());
    ifr.ifr_data = buf.data();
    int rc;
    do {
      rc = ::ioctl(fd_.get(), SIOCETHTOOL, &ifr);
    } while (rc < 0 && errno == EINTR);
    return rc < 0 ? errno : 0;
  }

 private:
  UniqueFd fd_;
};

// Request kinds, for per-device error state.
enum Op { kOpLink, kOpDriver, kOpStats, kOpCount };
constexpr std::string_view kOpMessages[kOpCount] = {"ethtool link info error", "ethtool driver info error",
                                                    "ethtool stats error"};
// Error state that is not an errno (a malformed or oversized answer).
constexpr int kBadAnswer = -1;

class EthtoolCollector : public Collector {
 public:
  EthtoolCollector(const Context& ctx, std::unique_ptr<EthtoolIoctl> ioctl, std::unique_ptr<RE2> include,
                   std::unique_ptr<RE2> exclude, std::unique_ptr<RE2> metrics)
      : net_dir_(ctx.Sys("class/net")),
        log_(ctx.log),
        ioctl_(std::move(ioctl)),
        include_(std::move(include)),
        exclude_(std::move(exclude)),
        metrics_(std::move(metrics)) {}

  Status Collect(expo::MetricSet& out) override {
    Status listed = ListDevices();
    if (!listed.ok()) return listed;
    if (devices_.empty()) return Status::Error("no network devices found");
    ++generation_;
    for (const std::string& device : devices_) {
      if ((exclude_ && procfs_helpers::Matches(*exclude_, device)) ||
          (include_ && !procfs_helpers::Matches(*include_, device))) {
        continue;
      }
      auto it = states_.find(device);
      if (it == states_.end()) it = states_.emplace(device, DeviceState{}).first;
      DeviceState& state = it->second;
      state.generation = generation_;
      CollectDevice(device, state, out);
    }
    std::erase_if(states_, [this](const auto& entry) { return entry.second.generation != generation_; });
    return Status::Ok();
  }

 private:
  struct DeviceState {
    uint64_t generation = 0;
    std::array<int, kOpCount> error{};  // 0, an errno, or kBadAnswer.
    std::string planned_strings;        // GSTRINGS data the plan was made from.
    std::vector<EthtoolMetricPlan> plan;
  };

  // Lists <sysfs>/class/net like procfs' NetClassDevices: every entry that is
  // not a regular file (the devices are symlinks).
  Status ListDevices() {
    DIR* dir = ::opendir(net_dir_.c_str());
    if (dir == nullptr) {
      int err = errno;
      devices_.clear();
      if (err == ENOENT || err == EACCES || err == ENOTDIR) {
        if (log_ != nullptr) log_->Debug("Could not read netclass file", {{"err", std::strerror(err)}});
        return Status::NoData("could not read " + net_dir_);
      }
      return Status::Error("could not get net class info: " + net_dir_ + ": " + std::strerror(err));
    }
    size_t n = 0;
    while (dirent* entry = ::readdir(dir)) {
      std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      unsigned char type = entry->d_type;
      if (type == DT_UNKNOWN) {
        struct stat st;
        if (::fstatat(::dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
          type = DT_REG;
        }
      }
      if (type == DT_REG) continue;
      if (n == devices_.size()) devices_.emplace_back();
      devices_[n++].assign(name);
    }
    ::closedir(dir);
    devices_.resize(n);
    std::sort(devices_.begin(), devices_.end());
    return Status::Ok();
  }

  // Logs a request's failure when the device's state for it changes.
  void NoteResult(std::string_view device, DeviceState& state, Op op, int error, std::string_view detail = {}) {
    int previous = state.error[op];
    state.error[op] = error;
    if (error == 0 || error == previous || log_ == nullptr) return;
    if (error == kBadAnswer) {
      log_->Error(kOpMessages[op], {{"err", detail}, {"device", device}});
      return;
    }
    char errno_buf[24];
    std::string_view errno_text = expo::IntLabel(errno_buf, error);
    if (error == EOPNOTSUPP) {
      log_->Debug(kOpMessages[op], {{"err", std::strerror(error)}, {"device", device}, {"errno", errno_text}});
    } else {
      log_->Error(kOpMessages[op], {{"err", std::strerror(error)}, {"device", device}, {"errno", errno_text}});
    }
  }

  void CollectDevice(const std::string& device, DeviceState& state, expo::MetricSet& out) {
    const Label dev{"device", device};

    // Link settings.
    ethtool_cmd cmd{};
    cmd.cmd = ETHTOOL_GSET;
    int rc = ioctl_->Request(device, std::span<char>(reinterpret_cast<char*>(&cmd), sizeof(cmd)));
    if (rc == 0) {
      StatusOr<EthtoolLinkSettings> link =
          ParseEthtoolCmd(std::string_view(reinterpret_cast<const char*>(&cmd), sizeof(cmd)));
      NoteResult(device, state, kOpLink, 0);
      EmitSpeeds(kSupportedSpeed, dev, link->supported, out);
      for (const EthtoolPortType& port : kPortTypes) {
        if (Bit(link->supported, port.bit) != 0) out.Add(kSupportedPort, 1, {dev, {"type", port.name}});
      }
      out.Add(kAutonegSupported, Bit(link->supported, kEthtoolAutonegBit), {dev});
      out.Add(kPauseSupported, Bit(link->supported, kEthtoolPauseBit), {dev});
      out.Add(kAsymPauseSupported, Bit(link->supported, kEthtoolAsymPauseBit), {dev});
      EmitSpeeds(kAdvertisedSpeed, dev, link->advertising, out);
      out.Add(kAutonegAdvertised, Bit(link->advertising, kEthtoolAutonegBit), {dev});
      out.Add(kPauseAdvertised, Bit(link->advertising, kEthtoolPauseBit), {dev});
      out.Add(kAsymPauseAdvertised, Bit(link->advertising, kEthtoolAsymPauseBit), {dev});
      out.Add(kAutoneg, link->autoneg, {dev});
    } else {
      NoteResult(device, state, kOpLink, rc);
    }

    // Driver information; its n_stats sizes the statistics requests.
    ethtool_drvinfo drv{};
    drv.cmd = ETHTOOL_GDRVINFO;
    rc = ioctl_->Request(device, std::span<char>(reinterpret_cast<char*>(&drv), sizeof(drv)));
    if (rc != 0) {
      // safchain's Stats starts with the same request, so it fails the same way.
      NoteResult(device, state, kOpDriver, rc);
      NoteResult(device, state, kOpStats, rc);
      return;
    }
    StatusOr<EthtoolDriverInfo> info =
        ParseEthtoolDriverInfo(std::string_view(reinterpret_cast<const char*>(&drv), sizeof(drv)));
    if (ValidUtf8(info->driver) && ValidUtf8(info->version) && ValidUtf8(info->firmware_version) &&
        ValidUtf8(info->bus_info) && ValidUtf8(info->expansion_rom_version)) {
      NoteResult(device, state, kOpDriver, 0);
      out.Add(kInfo, 1,
              {{"bus_info", info->bus_info},
               dev,
               {"driver", info->driver},
               {"expansion_rom_version", info->expansion_rom_version},
               {"firmware_version", info->firmware_version},
               {"version", info->version}});
    } else {
      NoteResult(device, state, kOpDriver, kBadAnswer, "driver information is not valid UTF-8");
    }

    CollectStats(device, state, info->n_stats, out);
  }

  void EmitSpeeds(const expo::Desc& desc, const Label& dev, uint32_t mask, expo::MetricSet& out) {
    for (const EthtoolSpeedMode& m : kSpeedModes) {
      if (Bit(mask, m.bit) != 0) {
        out.Add(desc, static_cast<double>(m.mbps) * 125000.0, {dev, {"duplex", m.duplex}, {"mode", m.mode}});
      }
    }
  }

  void CollectStats(const std::string& device, DeviceState& state, uint32_t count, expo::MetricSet& out) {
    if (count == 0) {
      NoteResult(device, state, kOpStats, 0);
      return;
    }
    if (count > kMaxStats) {
      NoteResult(device, state, kOpStats, kBadAnswer, "device reports more than 32768 statistics");
      return;
    }
    // The kernel writes as many entries as the driver has *now*, whatever
    // length we pass; headroom covers a count that grew since GDRVINFO, and
    // the decoder rejects answers that outgrew it.
    size_t capacity = count + count / 2 + 16;
    size_t strings_size = sizeof(ethtool_gstrings) + capacity * ETH_GSTRING_LEN;
    size_t stats_size = sizeof(ethtool_stats) + capacity * sizeof(uint64_t);
    if (strings_buf_.size() < strings_size) strings_buf_.resize(strings_size);
    if (stats_buf_.size() < stats_size) stats_buf_.resize(stats_size);

    ethtool_gstrings gs{};
    gs.cmd = ETHTOOL_GSTRINGS;
    gs.string_set = ETH_SS_STATS;
    gs.len = count;
    std::memcpy(strings_buf_.data(), &gs, sizeof(gs));
    int rc = ioctl_->Request(device, std::span<char>(strings_buf_.data(), strings_size));
    if (rc != 0) {
      NoteResult(device, state, kOpStats, rc);
      return;
    }
    ethtool_stats st{};
    st.cmd = ETHTOOL_GSTATS;
    st.n_stats = count;
    std::memcpy(stats_buf_.data(), &st, sizeof(st));
    rc = ioctl_->Request(device, std::span<char>(stats_buf_.data(), stats_size));
    if (rc != 0) {
      NoteResult(device, state, kOpStats, rc);
      return;
    }
    std::string_view strings(strings_buf_.data(), strings_size);
    Status parsed = ParseEthtoolStats(strings, std::string_view(stats_buf_.data(), stats_size), &stats_);
    if (!parsed.ok()) {
      NoteResult(device, state, kOpStats, kBadAnswer, parsed.message());
      return;
    }
    NoteResult(device, state, kOpStats, 0);

    // Names rarely change, so the plan is rebuilt only when they do.
    uint32_t answered = LoadAt<uint32_t>(strings, offsetof(ethtool_gstrings, len));
    std::string_view names = strings.substr(sizeof(ethtool_gstrings), size_t{answered} * ETH_GSTRING_LEN);
    if (names != state.planned_strings || state.planned_strings.empty()) {
      state.planned_strings.assign(names);
      PlanEthtoolMetrics(stats_, metrics_.get(), &state.plan);
    }
    const Label dev{"device", device};
    for (const EthtoolMetricPlan& p : state.plan) {
      out.Add(expo::Desc{p.name, p.help, MetricType::kUntyped}, static_cast<double>(stats_[p.stat].value), {dev});
    }
  }

  const std::string net_dir_;
  Logger* log_;
  std::unique_ptr<EthtoolIoctl> ioctl_;
  std::unique_ptr<RE2> include_;
  std::unique_ptr<RE2> exclude_;
  std::unique_ptr<RE2> metrics_;

  std::vector<std::string> devices_;
  std::map<std::string, DeviceState, std::less<>> states_;
  uint64_t generation_ = 0;
  std::vector<char> strings_buf_;
  std::vector<char> stats_buf_;
  std::vector<EthtoolStat> stats_;
};

}  // namespace

StatusOr<std::unique_ptr<EthtoolIoctl>> NewKernelEthtoolIoctl() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Status::Error(std::string("failed to initialize ethtool library: socket: ") + std::strerror(errno));
  }
  return std::unique_ptr<EthtoolIoctl>(std::make_unique<KernelEthtoolIoctl>(UniqueFd(fd)));
}

StatusOr<EthtoolDriverInfo> ParseEthtoolDriverInfo(std::string_view buf) {
  if (buf.size() < sizeof(ethtool_drvinfo)) {
    return Status::Error("ethtool_drvinfo answer too short: " + std::to_string(buf.size()) + " bytes");
  }
  EthtoolDriverInfo info;
  info.driver = CString(buf.substr(offsetof(ethtool_drvinfo, driver), sizeof(ethtool_drvinfo::driver)));
  info.version = CString(buf.substr(offsetof(ethtool_drvinfo, version), sizeof(ethtool_drvinfo::version)));
  info.firmware_version =
      CString(buf.substr(offsetof(ethtool_drvinfo, fw_version), sizeof(ethtool_drvinfo::fw_version)));
  info.bus_info = CString(buf.substr(offsetof(ethtool_drvinfo, bus_info), sizeof(ethtool_drvinfo::bus_info)));
  info.expansion_rom_version =
      CString(buf.substr(offsetof(ethtool_drvinfo, erom_version), sizeof(ethtool_drvinfo::erom_version)));
  info.n_stats = LoadAt<uint32_t>(buf, offsetof(ethtool_drvinfo, n_stats));
  return info;
}

StatusOr<EthtoolLinkSettings> ParseEthtoolCmd(std::string_view buf) {
  if (buf.size() < sizeof(ethtool_cmd)) {
    return Status::Error("ethtool_cmd answer too short: " + std::to_string(buf.size()) + " bytes");
  }
  EthtoolLinkSettings link;
  link.supported = LoadAt<uint32_t>(buf, offsetof(ethtool_cmd, supported));
  link.advertising = LoadAt<uint32_t>(buf, offsetof(ethtool_cmd, advertising));
  link.autoneg = LoadAt<uint8_t>(buf, offsetof(ethtool_cmd, autoneg));
  return link;
}

Status ParseEthtoolStats(std::string_view gstrings, std::string_view gstats, std::vector<EthtoolStat>* out) {
  out->clear();
  if (gstrings.size() < sizeof(ethtool_gstrings)) return Status::Error("ethtool_gstrings answer too short");
  if (gstats.size() < sizeof(ethtool_stats)) return Status::Error("ethtool_stats answer too short");
  uint32_t n_strings = LoadAt<uint32_t>(gstrings, offsetof(ethtool_gstrings, len));
  uint32_t n_stats = LoadAt<uint32_t>(gstats, offsetof(ethtool_stats, n_stats));
  if (n_strings != n_stats) {
    return Status::Error("ethtool reports " + std::to_string(n_strings) + " statistic names but " +
                         std::to_string(n_stats) + " values");
  }
  if (n_strings > (gstrings.size() - sizeof(ethtool_gstrings)) / ETH_GSTRING_LEN) {
    return Status::Error("ethtool reports " + std::to_string(n_strings) +
                         " statistic names, more than its buffer holds");
  }
  if (n_stats > (gstats.size() - sizeof(ethtool_stats)) / sizeof(uint64_t)) {
    return Status::Error("ethtool reports " + std::to_string(n_stats) +
                         " statistic values, more than its buffer holds");
  }
  for (uint32_t i = 0; i < n_strings; ++i) {
    std::string_view name =
        CString(gstrings.substr(sizeof(ethtool_gstrings) + size_t{i} * ETH_GSTRING_LEN, ETH_GSTRING_LEN));
    if (name.empty()) continue;
    out->push_back({name, LoadAt<uint64_t>(gstats, sizeof(ethtool_stats) + size_t{i} * sizeof(uint64_t))});
  }
  return Status::Ok();
}

std::span<const EthtoolSpeedMode> EthtoolSpeedModes() { return kSpeedModes; }
std::span<const EthtoolPortType> EthtoolPortTypes() { return kPortTypes; }

std::string SanitizeEthtoolStatName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  size_t i = 0;
  while (i < name.size()) {
    if (IsAlnum(name[i])) {
      out.push_back(name[i++]);
      continue;
    }
    size_t j = i;
    while (j < name.size() && name[j] == '_') ++j;
    if (j < name.size() && IsInvalid(name[j])) {
      while (j < name.size() && IsInvalid(name[j])) ++j;
      while (j < name.size() && name[j] == '_') ++j;
      out.push_back('_');
    } else {
      out.append(name.substr(i, j - i));
    }
    i = j;
  }
  return out;
}

std::string EthtoolMetricName(std::string_view name) {
  std::string s = SanitizeEthtoolStatName(name);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  size_t first = s.find_first_not_of('_');
  std::string_view trimmed = first == std::string::npos ? std::string_view() : std::string_view(s).substr(first);
  std::string renamed = RenameWord(RenameWord(trimmed, "rx", "received"), "tx", "transmitted");
  return renamed.empty() ? std::string("node_ethtool") : "node_ethtool_" + renamed;
}

std::string_view EthtoolPredefinedMetricName(std::string_view sanitized) {
  const Predefined* p = FindPredefined(sanitized);
  return p == nullptr ? std::string_view() : p->metric;
}

void PlanEthtoolMetrics(std::span<const EthtoolStat> stats, const re2::RE2* include,
                        std::vector<EthtoolMetricPlan>* out) {
  out->clear();
  // Last value wins for a name the driver lists twice (a Go map in safchain).
  std::unordered_map<std::string_view, uint32_t> last;
  for (uint32_t i = 0; i < stats.size(); ++i) last[stats[i].name] = i;

  struct Candidate {
    std::string full_name;
    std::string sanitized;
    uint32_t stat;
  };
  std::vector<Candidate> candidates;
  for (const auto& [raw, index] : last) {
    std::string sanitized = SanitizeEthtoolStatName(raw);
    if (include != nullptr && !procfs_helpers::Matches(*include, sanitized)) continue;
    candidates.push_back({EthtoolMetricName(sanitized), std::move(sanitized), index});
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.full_name < b.full_name; });
  for (size_t i = 0; i < candidates.size();) {
    size_t j = i + 1;
    while (j < candidates.size() && candidates[j].full_name == candidates[i].full_name) ++j;
    if (j == i + 1) {
      const Candidate& c = candidates[i];
      EthtoolMetricPlan plan;
      plan.stat = c.stat;
      if (const Predefined* p = FindPredefined(c.sanitized)) {
        plan.name = std::string(p->metric);
        plan.help = std::string(p->help);
      } else {
        plan.name = c.full_name;
        plan.help = "Driver statistic " + c.sanitized + " of the network device, as ethtool -S reports it.";
      }
      out->push_back(std::move(plan));
    }
    i = j;
  }
  // A predefined name can meet a computed one (rx_bytes and rx_bytes_total
  // both become node_ethtool_received_bytes_total): keep neither, as for
  // other clashes, rather than serve a duplicate series.
  std::sort(out->begin(), out->end(),
            [](const EthtoolMetricPlan& a, const EthtoolMetricPlan& b) { return a.name < b.name; });
  auto same_name = [](const EthtoolMetricPlan& a, const EthtoolMetricPlan& b) { return a.name == b.name; };
  if (std::adjacent_find(out->begin(), out->end(), same_name) != out->end()) {
    std::vector<EthtoolMetricPlan> kept;
    for (size_t i = 0; i < out->size();) {
      size_t j = i + 1;
      while (j < out->size() && (*out)[j].name == (*out)[i].name) ++j;
      if (j == i + 1) kept.push_back(std::move((*out)[i]));
      i = j;
    }
    *out = std::move(kept);
  }
}

StatusOr<std::unique_ptr<Collector>> NewEthtoolCollectorWithIoctl(const Context& ctx,
                                                                  std::unique_ptr<EthtoolIoctl> ioctl) {
  using procfs_helpers::CompileFlagRegex;
  using procfs_helpers::StringFlagOr;
  std::unique_ptr<RE2> include, exclude, metrics;
  Status st = CompileFlagRegex(kEthtoolFlags[0].name, StringFlagOr(ctx, kEthtoolFlags[0].name, ""), true, &include);
  if (!st.ok()) return st;
  st = CompileFlagRegex(kEthtoolFlags[1].name, StringFlagOr(ctx, kEthtoolFlags[1].name, ""), true, &exclude);
  if (!st.ok()) return st;
  st = CompileFlagRegex(kEthtoolFlags[2].name, StringFlagOr(ctx, kEthtoolFlags[2].name, kEthtoolFlags[2].default_value),
                        true, &metrics);
  if (!st.ok()) return st;
  return std::unique_ptr<Collector>(std::make_unique<EthtoolCollector>(ctx, std::move(ioctl), std::move(include),
                                                                       std::move(exclude), std::move(metrics)));
}

StatusOr<std::unique_ptr<Collector>> NewEthtoolCollector(const Context& ctx) {
  StatusOr<std::unique_ptr<EthtoolIoctl>> ioctl = NewKernelEthtoolIoctl();
  if (!ioctl.ok()) return ioctl.status();
  return NewEthtoolCollectorWithIoctl(ctx, std::move(ioctl.value()));
}

}  // namespace nodex::collectors
