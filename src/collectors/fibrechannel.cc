#include "collectors/fibrechannel.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kCounter = expo::MetricType::kCounter;
constexpr expo::Desc kInfo{"node_fibrechannel_info",
                           "Attributes of a Fibre Channel host adapter port as labels; the value is always 1.",
                           expo::MetricType::kGauge};

// statistics/ file -> counter family, in node_exporter's emission order.
struct CounterDef {
  std::string_view file;
  expo::Desc desc;
};
constexpr CounterDef kCounters[] = {
    {"dumped_frames", {"node_fibrechannel_dumped_frames_total", "Frames the port dropped.", kCounter}},
    {"error_frames", {"node_fibrechannel_error_frames_total", "Frames received with errors.", kCounter}},
    {"invalid_crc_count", {"node_fibrechannel_invalid_crc_total", "Frames received with a bad CRC.", kCounter}},
    {"rx_frames", {"node_fibrechannel_rx_frames_total", "Frames received by the port.", kCounter}},
    {"rx_words", {"node_fibrechannel_rx_words_total", "Words received by the port.", kCounter}},
    {"tx_frames", {"node_fibrechannel_tx_frames_total", "Frames sent by the port.", kCounter}},
    {"tx_words", {"node_fibrechannel_tx_words_total", "Words sent by the port.", kCounter}},
    {"seconds_since_last_reset",
     {"node_fibrechannel_seconds_since_last_reset_total", "Seconds since the port statistics were reset.", kCounter}},
    {"invalid_tx_word_count",
     {"node_fibrechannel_invalid_tx_words_total", "Invalid transmission words received.", kCounter}},
    {"link_failure_count", {"node_fibrechannel_link_failure_total", "Link failures seen by the port.", kCounter}},
    {"loss_of_sync_count",
     {"node_fibrechannel_loss_of_sync_total", "Losses of bit or word synchronisation.", kCounter}},
    {"loss_of_signal_count", {"node_fibrechannel_loss_of_signal_total", "Losses of signal on the link.", kCounter}},
    {"nos_count",
     {"node_fibrechannel_nos_total", "Not_Operational primitive sequences received by the port.", kCounter}},
    {"fcp_packet_aborts", {"node_fibrechannel_fcp_packet_aborts_total", "FCP packets aborted.", kCounter}},
};
constexpr size_t kNumCounters = sizeof(kCounters) / sizeof(kCounters[0]);

// Info attributes in label order; the four name attributes lose their "0x".
struct InfoAttr {
  std::string_view file;
  std::string_view label;
  bool strip_hex;
};
constexpr InfoAttr kInfoAttrs[] = {
    {"speed", "speed", false},
    {"port_state", "port_state", false},
    {"port_type", "port_type", false},
    {"port_id", "port_id", true},
    {"port_name", "port_name", true},
    {"fabric_name", "fabric_name", true},
    {"symbolic_name", "symbolic_name", false},
    {"supported_classes", "supported_classes", false},
    {"supported_speeds", "supported_speeds", false},
    {"dev_loss_tmo", "dev_loss_tmo", false},
};
constexpr size_t kNumInfo = sizeof(kInfoAttrs) / sizeof(kInfoAttrs[0]);

struct HostData {
  std::string name;
  std::string info[kNumInfo];
  uint64_t counters[kNumCounters];
};

class FibrechannelCollector : public Collector {
 public:
  explicit FibrechannelCollector(const Context& ctx) : dir_(ctx.Sys("class/fc_host")) {}

  Status Collect(expo::MetricSet& out) override {
    size_t count = 0;
    int err = sysfs::ListDir(dir_, &entries_, &count);
    if (err != 0) return ListError(dir_, err);
    if (hosts_.size() < count) hosts_.resize(count);
    for (size_t i = 0; i < count; ++i) {
      Status st = ReadHost(entries_[i].name, &hosts_[i]);
      if (!st.ok()) {
        files_.Sweep();
        return st;
      }
    }
    files_.Sweep();
    for (size_t i = 0; i < count; ++i) {
      const HostData& h = hosts_[i];
      expo::Label labels[kNumInfo + 1];
      labels[0] = {"fc_host", h.name};
      for (size_t a = 0; a < kNumInfo; ++a) labels[a + 1] = {kInfoAttrs[a].label, h.info[a]};
      out.Add(kInfo, 1, std::span<const expo::Label>(labels, kNumInfo + 1));
      for (size_t c = 0; c < kNumCounters; ++c) {
        if (!FibreChannelCounterImplemented(h.counters[c])) continue;
        out.Add(kCounters[c].desc, static_cast<double>(h.counters[c]), {{"fc_host", h.name}});
      }
    }
    return Status::Ok();
  }

 private:
  // procfs returns listing errors unwrapped, so node_exporter's os.IsNotExist
  // check turns a missing directory anywhere in the walk into "no data".
  static Status ListError(const std::string& dir, int err) {
    if (err == ENOENT) return Status::NoData("fibrechannel statistics not found");
    return Status::Error("error obtaining FibreChannel class info: \"" + dir + "\": " + std::strerror(err));
  }

  Status ReadHost(const std::string& name, HostData* h) {
    h->name.assign(name);
    host_dir_.assign(dir_).append("/").append(name);
    for (size_t a = 0; a < kNumInfo; ++a) {
      h->info[a].clear();
      path_.assign(host_dir_).append("/").append(kInfoAttrs[a].file);
      std::string_view content;
      int err = files_.Read(path_, sysfs::kSysReadFileSize, &content);
      if (err == ENOENT) continue;  // Drivers may leave attributes out.
      if (err != 0) return Status::Error("failed to read file \"" + path_ + "\": " + std::strerror(err));
      std::string_view v = TrimSpace(content);
      h->info[a].assign(kInfoAttrs[a].strip_hex ? FibreChannelStripHexPrefix(v) : v);
    }
    for (uint64_t& c : h->counters) c = 0;
    stats_dir_.assign(host_dir_).append("/statistics");
    size_t count = 0;
    int err = sysfs::ListDir(stats_dir_, &stat_entries_, &count);
    if (err != 0) return ListError(stats_dir_, err);
    for (size_t i = 0; i < count; ++i) {
      const sysfs::DirEntry& e = stat_entries_[i];
      if (e.type != DT_REG || e.name == "reset_statistics") continue;
      path_.assign(stats_dir_).append("/").append(e.name);
      std::string_view content;
      err = files_.Read(path_, sysfs::kSysReadFileSize, &content);
      // Write-only and unsupported statistics are skipped, as in procfs.
      if (err == ENOENT || err == EOPNOTSUPP) continue;
      if (err != 0) return Status::Error("failed to read file \"" + path_ + "\": " + std::strerror(err));
      for (size_t c = 0; c < kNumCounters; ++c) {
        if (kCounters[c].file != e.name) continue;
        std::optional<uint64_t> v = ParseFibreChannelCounter(content);
        if (!v) {
          return Status::Error("invalid value \"" + std::string(TrimSpace(content)) + "\" in \"" + path_ + "\"");
        }
        h->counters[c] = *v;
      }
    }
    return Status::Ok();
  }

  std::string dir_, host_dir_, stats_dir_, path_;
  std::vector<sysfs::DirEntry> entries_, stat_entries_;
  std::vector<HostData> hosts_;
  sysfs::AttrFiles files_;
};

}  // namespace

std::optional<uint64_t> ParseFibreChannelCounter(std::string_view content) {
  return GoParseUint(TrimSpace(content), 0, 64);
}

StatusOr<std::unique_ptr<Collector>> NewFibrechannelCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<FibrechannelCollector>(ctx));
}

}  // namespace nodex::collectors
