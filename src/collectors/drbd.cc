#include "collectors/drbd.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
using expo::MetricType;

struct CounterKey {
  std::string_view key;
  double multiplier;
  Desc desc;
};

constexpr CounterKey kCounters[] = {
    {"ns",
     1024,
     {"node_drbd_network_sent_bytes_total", "Bytes sent to the peer over the network.", MetricType::kCounter}},
    {"nr",
     1,
     {"node_drbd_network_received_bytes_total", "Data received from the peer over the network.", MetricType::kCounter}},
    {"dw",
     1024,
     {"node_drbd_disk_written_bytes_total", "Bytes written to the local backing disk.", MetricType::kCounter}},
    {"dr", 1024, {"node_drbd_disk_read_bytes_total", "Bytes read from the local backing disk.", MetricType::kCounter}},
    {"al",
     1,
     {"node_drbd_activitylog_writes_total", "Writes to the activity log area of the metadata.", MetricType::kCounter}},
    {"bm", 1, {"node_drbd_bitmap_writes_total", "Writes to the bitmap area of the metadata.", MetricType::kCounter}},
    {"lo", 1, {"node_drbd_local_pending", "Requests open against the local disk.", MetricType::kGauge}},
    {"pe", 1, {"node_drbd_remote_pending", "Requests sent to the peer and not yet answered.", MetricType::kGauge}},
    {"ua",
     1,
     {"node_drbd_remote_unacknowledged", "Requests received from the peer and not yet acknowledged.",
      MetricType::kGauge}},
    {"ap",
     1,
     {"node_drbd_application_pending", "Block I/O requests handed to DRBD and not yet completed.", MetricType::kGauge}},
    {"ep", 1, {"node_drbd_epochs", "Write epochs currently in flight.", MetricType::kGauge}},
    {"oos",
     1024,
     {"node_drbd_out_of_sync_bytes", "Bytes known to differ between the local disk and the peer.", MetricType::kGauge}},
};

struct PairKey {
  std::string_view key;
  std::string_view ok_value;
  Desc desc;
};

constexpr PairKey kPairs[] = {
    {"ro", "Primary", {"node_drbd_node_role_is_primary", "1 if the node holds the Primary role.", MetricType::kGauge}},
    {"ds", "UpToDate", {"node_drbd_disk_state_is_up_to_date", "1 if the node's disk is UpToDate.", MetricType::kGauge}},
};

constexpr Desc kConnected{"node_drbd_connected", "1 if the device is connected to its peer.", MetricType::kGauge};

class DrbdCollector : public Collector {
 public:
  explicit DrbdCollector(const Context& ctx) : file_(ctx.Proc("drbd")) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    // No DRBD module loaded: node_exporter reports ErrNoData.
    if (st.code() == StatusCode::kNoData) return st;
    if (!st.ok()) return Status::Error("couldn't read drbd stats: " + st.message());
    return ParseDrbd(content, &out);
  }

 private:
  KeptOpenFile file_;
};

}  // namespace

Status ParseDrbd(std::string_view content, expo::MetricSet* out) {
  // "drbd" + up to 20 digits, or "unknown" before the first device.
  char device_buf[32] = "unknown";
  std::string_view device = device_buf;
  std::string_view word;
  while (NextField(&content, &word)) {
    std::string_view key, value;
    if (!SplitOnce(word, ':', &key, &value) || value.find(':') != std::string_view::npos) continue;

    if (value.empty()) {
      if (std::optional<uint64_t> id = ParseU64(key)) {
        // Re-formatted, as Go's "drbd%d" does ("01:" is drbd1).
        char* end = std::to_chars(device_buf + 4, device_buf + sizeof(device_buf), *id).ptr;
        std::copy_n("drbd", 4, device_buf);
        device = std::string_view(device_buf, static_cast<size_t>(end - device_buf));
        continue;
      }
    }

    bool handled = false;
    for (const CounterKey& c : kCounters) {
      if (key != c.key) continue;
      std::optional<double> v = ParseDouble(value);
      if (!v) return Status::Error("invalid drbd value in \"" + std::string(word) + "\"");
      out->Add(c.desc, *v * c.multiplier, {{"device", device}});
      handled = true;
      break;
    }
    if (handled) continue;

    for (const PairKey& p : kPairs) {
      if (key != p.key) continue;
      std::string_view local, remote;
      if (!SplitOnce(value, '/', &local, &remote)) {
        return Status::Error("invalid drbd state pair in \"" + std::string(word) + "\"");
      }
      // Go's strings.Split: the remote part ends at a further '/'.
      remote = remote.substr(0, remote.find('/'));
      out->Add(p.desc, local == p.ok_value ? 1 : 0, {{"device", device}, {"node", "local"}});
      out->Add(p.desc, remote == p.ok_value ? 1 : 0, {{"device", device}, {"node", "remote"}});
      handled = true;
      break;
    }
    if (handled) continue;

    if (key == "cs") out->Add(kConnected, value == "Connected" ? 1 : 0, {{"device", device}});
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewDrbdCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<DrbdCollector>(ctx));
}

}  // namespace nodex::collectors
