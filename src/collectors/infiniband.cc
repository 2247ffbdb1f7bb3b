#include "collectors/infiniband.h"

#include <dirent.h>
#include <sys/stat.h>

#include <bitset>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
constexpr expo::MetricType kC = expo::MetricType::kCounter;
constexpr expo::MetricType kG = expo::MetricType::kGauge;

constexpr Desc kInfo{"node_infiniband_info",
                     "InfiniBand device identity (board, firmware, HCA type) from sysfs; always 1.", kG};
constexpr Desc kState{"node_infiniband_state_id",
                      "Logical port state id (1 down, 2 init, 3 armed, 4 active, 5 active-defer).", kG};
constexpr Desc kPhysState{"node_infiniband_physical_state_id",
                          "Physical port state id (1 sleep, 2 polling, 3 disabled, 5 link up, ...).", kG};
constexpr Desc kRate{"node_infiniband_rate_bytes_per_second", "Port signalling rate in bytes per second.", kG};

enum CounterDir : uint8_t { kCounters, kCountersExt, kHwCounters };

struct CounterSpec {
  CounterDir dir;
  std::string_view file;
  Desc desc;
  bool times_four = false;  // Data counters count 32-bit words (4 lanes).
  bool lifespan = false;    // hw_counters/lifespan: milliseconds, exported as a gauge in seconds.
};

#define IB_NAME(x) "node_infiniband_" x
constexpr CounterSpec kSpecs[] = {
    {kCounters, "excessive_buffer_overrun_errors",
     {IB_NAME("excessive_buffer_overrun_errors_total"), "Flow-control periods with receive buffer overruns.", kC}},
    {kCounters, "link_downed", {IB_NAME("link_downed_total"), "Times the link went down after failed recovery.", kC}},
    {kCounters, "link_error_recovery",
     {IB_NAME("link_error_recovery_total"), "Times the link recovered from an error state.", kC}},
    {kCounters, "local_link_integrity_errors",
     {IB_NAME("local_link_integrity_errors_total"), "Times local physical errors exceeded their threshold.", kC}},
    {kCounters, "multicast_rcv_packets",
     {IB_NAME("multicast_packets_received_total"), "Multicast packets received, errors included.", kC}},
    {kCounters, "multicast_xmit_packets",
     {IB_NAME("multicast_packets_transmitted_total"), "Multicast packets sent, errors included.", kC}},
    {kCounters, "port_rcv_constraint_errors",
     {IB_NAME("port_constraint_errors_received_total"), "Received packets discarded by switch port constraints.", kC}},
    {kCounters, "port_rcv_data", {IB_NAME("port_data_received_bytes_total"), "Data bytes received.", kC}, true},
    {kCounters, "port_rcv_discards",
     {IB_NAME("port_discards_received_total"), "Inbound packets discarded (port down or congested).", kC}},
    {kCounters, "port_rcv_errors", {IB_NAME("port_errors_received_total"), "Received packets with errors.", kC}},
    {kCounters, "port_rcv_packets",
     {IB_NAME("port_packets_received_total"), "Packets received on all virtual lanes, errors included.", kC}},
    {kCounters, "port_rcv_remote_physical_errors",
     {IB_NAME("port_receive_remote_physical_errors_total"), "Received packets marked bad by the sender (EBP).", kC}},
    {kCounters, "port_rcv_switch_relay_errors",
     {IB_NAME("port_receive_switch_relay_errors_total"), "Packets the switch could not forward.", kC}},
    {kCounters, "port_xmit_constraint_errors",
     {IB_NAME("port_constraint_errors_transmitted_total"), "Packets not sent because of switch port constraints.",
      kC}},
    {kCounters, "port_xmit_data", {IB_NAME("port_data_transmitted_bytes_total"), "Data bytes sent.", kC}, true},
    {kCounters, "port_xmit_discards",
     {IB_NAME("port_discards_transmitted_total"), "Outbound packets discarded (port down or congested).", kC}},
    {kCounters, "port_xmit_packets",
     {IB_NAME("port_packets_transmitted_total"), "Packets sent on all virtual lanes, errors included.", kC}},
    {kCounters, "port_xmit_wait",
     {IB_NAME("port_transmit_wait_total"), "Ticks in which the port had data to send but sent none.", kC}},
    {kCounters, "symbol_error", {IB_NAME("symbol_error_total"), "Minor link errors on the physical lanes.", kC}},
    {kCounters, "unicast_rcv_packets",
     {IB_NAME("unicast_packets_received_total"), "Unicast packets received, errors included.", kC}},
    {kCounters, "unicast_xmit_packets",
     {IB_NAME("unicast_packets_transmitted_total"), "Unicast packets sent, errors included.", kC}},
    {kCounters, "VL15_dropped", {IB_NAME("vl15_dropped_total"), "Incoming VL15 packets dropped for lack of resources.", kC}},

    {kCountersExt, "port_multicast_rcv_packets",
     {IB_NAME("legacy_multicast_packets_received_total"), "Multicast packets received (counters_ext).", kC}},
    {kCountersExt, "port_multicast_xmit_packets",
     {IB_NAME("legacy_multicast_packets_transmitted_total"), "Multicast packets sent (counters_ext).", kC}},
    {kCountersExt, "port_rcv_data_64",
     {IB_NAME("legacy_data_received_bytes_total"), "Data bytes received (counters_ext).", kC}, true},
    {kCountersExt, "port_rcv_packets_64",
     {IB_NAME("legacy_packets_received_total"), "Packets received (counters_ext).", kC}},
    {kCountersExt, "port_unicast_rcv_packets",
     {IB_NAME("legacy_unicast_packets_received_total"), "Unicast packets received (counters_ext).", kC}},
    {kCountersExt, "port_unicast_xmit_packets",
     {IB_NAME("legacy_unicast_packets_transmitted_total"), "Unicast packets sent (counters_ext).", kC}},
    {kCountersExt, "port_xmit_data_64",
     {IB_NAME("legacy_data_transmitted_bytes_total"), "Data bytes sent (counters_ext).", kC}, true},
    {kCountersExt, "port_xmit_packets_64",
     {IB_NAME("legacy_packets_transmitted_total"), "Packets sent (counters_ext).", kC}},

    {kHwCounters, "lifespan",
     {IB_NAME("lifespan_seconds"), "Refresh period of the hardware counters in seconds.", kG}, false, true},
    {kHwCounters, "duplicate_request",
     {IB_NAME("duplicate_requests_packets_total"), "Duplicate request packets received.", kC}},
    {kHwCounters, "implied_nak_seq_err",
     {IB_NAME("implied_nak_seq_errors_total"), "Implied NAK sequence errors.", kC}},
    {kHwCounters, "local_ack_timeout_err",
     {IB_NAME("local_ack_timeout_errors_total"), "ACK timeouts on the sender side.", kC}},
    {kHwCounters, "np_cnp_sent", {IB_NAME("np_cnp_packets_sent_total"), "Congestion notification packets sent.", kC}},
    {kHwCounters, "np_ecn_marked_roce_packets",
     {IB_NAME("np_ecn_marked_roce_packets_received_total"), "ECN-marked RoCE packets received.", kC}},
    {kHwCounters, "out_of_buffer",
     {IB_NAME("out_of_buffer_drops_total"), "Packets dropped for lack of receive WQEs.", kC}},
    {kHwCounters, "out_of_sequence",
     {IB_NAME("out_of_sequence_packets_received_total"), "Out-of-sequence packets received.", kC}},
    {kHwCounters, "packet_seq_err",
     {IB_NAME("packet_sequence_errors_total"), "Packet sequence error NAKs received.", kC}},
    {kHwCounters, "req_cqe_error", {IB_NAME("req_cqes_errors_total"), "Requester completions with errors.", kC}},
    {kHwCounters, "req_cqe_flush_error",
     {IB_NAME("req_cqes_flush_errors_total"), "Requester completions flushed with errors.", kC}},
    {kHwCounters, "req_remote_access_errors",
     {IB_NAME("req_remote_access_errors_total"), "Requester remote access errors.", kC}},
    {kHwCounters, "req_remote_invalid_request",
     {IB_NAME("req_remote_invalid_request_errors_total"), "Requester remote invalid request errors.", kC}},
    {kHwCounters, "resp_cqe_error", {IB_NAME("resp_cqes_errors_total"), "Responder completions with errors.", kC}},
    {kHwCounters, "resp_cqe_flush_error",
     {IB_NAME("resp_cqes_flush_errors_total"), "Responder completions flushed with errors.", kC}},
    {kHwCounters, "resp_local_length_error",
     {IB_NAME("resp_local_length_errors_total"), "Responder local length errors.", kC}},
    {kHwCounters, "resp_remote_access_errors",
     {IB_NAME("resp_remote_access_errors_total"), "Responder remote access errors.", kC}},
    {kHwCounters, "rnr_nak_retry_err",
     {IB_NAME("rnr_nak_retry_packets_received_total"), "Receiver-not-ready NAKs received.", kC}},
    {kHwCounters, "roce_adp_retrans", {IB_NAME("roce_adp_retransmits_total"), "RoCE adaptive retransmissions.", kC}},
    {kHwCounters, "roce_adp_retrans_to",
     {IB_NAME("roce_adp_retransmits_timeout_total"), "RoCE adaptive retransmission timeouts.", kC}},
    {kHwCounters, "roce_slow_restart",
     {IB_NAME("roce_slow_restart_used_total"), "Times RoCE slow restart was used.", kC}},
    {kHwCounters, "roce_slow_restart_cnps",
     {IB_NAME("roce_slow_restart_cnps_total"), "CNPs generated by RoCE slow restart.", kC}},
    {kHwCounters, "roce_slow_restart_trans",
     {IB_NAME("roce_slow_restart_total"), "Transitions into RoCE slow restart.", kC}},
    {kHwCounters, "rp_cnp_handled",
     {IB_NAME("rp_cnp_packets_handled_total"), "Congestion notification packets handled.", kC}},
    {kHwCounters, "rp_cnp_ignored",
     {IB_NAME("rp_cnp_ignored_packets_received_total"), "Congestion notification packets ignored.", kC}},
    {kHwCounters, "rx_atomic_requests", {IB_NAME("rx_atomic_requests_total"), "ATOMIC requests received.", kC}},
    {kHwCounters, "rx_dct_connect",
     {IB_NAME("rx_dct_connect_requests_total"), "DCT connection requests received.", kC}},
    {kHwCounters, "rx_read_requests", {IB_NAME("rx_read_requests_total"), "READ requests received.", kC}},
    {kHwCounters, "rx_write_requests", {IB_NAME("rx_write_requests_total"), "WRITE requests received.", kC}},
    {kHwCounters, "rx_icrc_encapsulated",
     {IB_NAME("rx_icrc_encapsulated_errors_total"), "RoCE packets with ICRC errors.", kC}},
};
#undef IB_NAME
constexpr size_t kNumSpecs = sizeof(kSpecs) / sizeof(kSpecs[0]);
constexpr std::string_view kDirNames[] = {"counters", "counters_ext", "hw_counters"};

int FindSpec(CounterDir dir, std::string_view file) {
  for (size_t i = 0; i < kNumSpecs; ++i) {
    if (kSpecs[i].dir == dir && kSpecs[i].file == file) return static_cast<int>(i);
  }
  return -1;
}

// Errors from procfs are wrapped with %w, so node_exporter's
// errors.Is(err, os.ErrNotExist) turns any missing file into "no data".
Status ErrnoStatus(int err, std::string_view what, std::string_view path) {
  std::string msg = "error obtaining InfiniBand class info: " + std::string(what) + " " + std::string(path) + ": " +
                    std::strerror(err);
  if (err == ENOENT) return Status::NoData(std::move(msg));
  return Status::Error(std::move(msg));
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Go's os.ReadDir entry type check: d_type, or lstat when unknown.
bool IsRegular(const std::string& dir, const sysfs::DirEntry& e, std::string* scratch) {
  if (e.type != DT_UNKNOWN) return e.type == DT_REG;
  scratch->assign(dir);
  scratch->push_back('/');
  scratch->append(e.name);
  struct stat st;
  return lstat(scratch->c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

struct Device {
  std::string name, board_id, fw_ver, hca_type;
};

struct Port {
  uint32_t device = 0;
  uint32_t number = 0;
  uint32_t state = 0;
  uint32_t phys_state = 0;
  uint64_t rate = 0;
  uint64_t values[kNumSpecs] = {};
  std::bitset<kNumSpecs> present;
};

class InfinibandCollector : public Collector {
 public:
  explicit InfinibandCollector(const Context& ctx) : class_dir_(ctx.Sys("class/infiniband")) {}

  Status Collect(expo::MetricSet& out) override {
    Status st = Scan();
    attrs_.Sweep();
    if (!st.ok()) return st;
    for (size_t d = 0; d < num_devices_; ++d) {
      const Device& dev = devices_[d];
      out.Add(kInfo, 1,
              {{"device", dev.name}, {"board_id", dev.board_id}, {"firmware_version", dev.fw_ver},
               {"hca_type", dev.hca_type}});
    }
    for (size_t p = 0; p < num_ports_; ++p) {
      const Port& port = ports_[p];
      char buf[24];
      expo::Label labels[2] = {{"device", devices_[port.device].name},
                               {"port", expo::IntLabel(buf, port.number)}};
      std::span<const expo::Label> span(labels, 2);
      out.Add(kState, port.state, span);
      out.Add(kPhysState, port.phys_state, span);
      out.Add(kRate, static_cast<double>(port.rate), span);
      for (size_t i = 0; i < kNumSpecs; ++i) {
        if (!port.present[i]) continue;
        uint64_t v = port.values[i];
        if (kSpecs[i].lifespan) v /= 1000;
        out.Add(kSpecs[i].desc, static_cast<double>(v), span);
      }
    }
    return Status::Ok();
  }

 private:
  // Reads the whole class before anything is emitted: procfs returns
  // either every device or an error.
  Status Scan() {
    num_devices_ = num_ports_ = 0;
    size_t n = 0;
    int err = sysfs::ListDir(class_dir_, &device_entries_, &n);
    if (err != 0) {
      if (err == ENOENT) return Status::NoData("infiniband statistics not found");
      return ErrnoStatus(err, "listing", class_dir_);
    }
    for (size_t i = 0; i < n; ++i) {
      if (num_devices_ == devices_.size()) devices_.emplace_back();
      Device& dev = devices_[num_devices_];
      dev.name = device_entries_[i].name;
      Status st = ScanDevice(dev, static_cast<uint32_t>(num_devices_));
      if (!st.ok()) return st;
      ++num_devices_;
    }
    return Status::Ok();
  }

  // Reads a SysReadFile-style attribute (128 bytes, trimmed).
  int ReadShort(std::string_view* value) {
    int err = attrs_.Read(path_, sysfs::kSysReadFileSize, value);
    if (err == 0) *value = TrimSpace(*value);
    return err;
  }

  void SetPath(std::string_view dev, std::string_view rel) {
    path_.assign(class_dir_);
    path_.push_back('/');
    path_.append(dev);
    if (!rel.empty()) {
      path_.push_back('/');
      path_.append(rel);
    }
  }

  Status ScanDevice(Device& dev, uint32_t index) {
    std::string_view value;
    SetPath(dev.name, "fw_ver");
    int err = ReadShort(&value);
    if (err != 0) return ErrnoStatus(err, "failed to read HCA firmware version", path_);
    dev.fw_ver.assign(value);
    dev.board_id.clear();
    dev.hca_type.clear();
    for (std::string_view f : {"board_id", "hca_type"}) {
      SetPath(dev.name, f);
      err = ReadShort(&value);
      if (err == ENOENT) continue;
      if (err != 0) return ErrnoStatus(err, "failed to read file", path_);
      (f == "board_id" ? dev.board_id : dev.hca_type).assign(value);
    }

    SetPath(dev.name, "ports");
    ports_dir_ = path_;
    size_t n = 0;
    err = sysfs::ListDir(ports_dir_, &port_entries_, &n);
    if (err != 0) return ErrnoStatus(err, "failed to list InfiniBand ports at", ports_dir_);
    size_t first_port = num_ports_;
    for (size_t i = 0; i < n; ++i) {
      const std::string& name = port_entries_[i].name;
      std::optional<uint64_t> number = sysfs::ParseGoUint(name);
      if (!number || *number > UINT32_MAX) {
        return Status::Error("error obtaining InfiniBand class info: failed to convert " + name + " into uint");
      }
      // procfs keys ports by number: a later entry with the same number wins.
      size_t slot = num_ports_;
      for (size_t k = first_port; k < num_ports_; ++k) {
        if (ports_[k].number == *number) slot = k;
      }
      if (slot == ports_.size()) ports_.emplace_back();
      Port& port = ports_[slot];
      port.device = index;
      port.number = static_cast<uint32_t>(*number);
      port.present.reset();
      Status st = ScanPort(dev.name, name, port);
      if (!st.ok()) return st;
      if (slot == num_ports_) ++num_ports_;
    }
    return Status::Ok();
  }

  Status ReadPortAttr(std::string_view what, std::string_view* value) {
    port_attr_path_.assign(port_dir_);
    port_attr_path_.push_back('/');
    port_attr_path_.append(what);
    int err = attrs_.Read(port_attr_path_, sysfs::kAttrPageSize, value);
    if (err != 0) return ErrnoStatus(err, "failed to read", port_attr_path_);
    return Status::Ok();
  }

  Status ScanPort(std::string_view device, std::string_view port_name, Port& port) {
    port_dir_.assign(class_dir_);
    port_dir_.append("/").append(device).append("/ports/").append(port_name);
    std::string_view value;
    Status st = ReadPortAttr("state", &value);
    if (!st.ok()) return st;
    StatusOr<uint32_t> state = ParseInfinibandState(value);
    if (!state.ok()) return ParseError("state", state.status());
    port.state = *state;
    st = ReadPortAttr("phys_state", &value);
    if (!st.ok()) return st;
    StatusOr<uint32_t> phys = ParseInfinibandState(value);
    if (!phys.ok()) return ParseError("phys_state", phys.status());
    port.phys_state = *phys;
    st = ReadPortAttr("rate", &value);
    if (!st.ok()) return st;
    StatusOr<uint64_t> rate = ParseInfinibandRate(value);
    if (!rate.ok()) return ParseError("rate", rate.status());
    port.rate = *rate;

    // Intel irdma and NVIDIA nvs_ devices have no counters/ directory;
    // hw_counters/ is read only for irdma and mlx5 devices.
    if (!StartsWith(device, "irdma") && !StartsWith(device, "nvs_")) {
      st = ScanCounterDir(kCounters, true, port);
      if (!st.ok()) return st;
      st = ScanCounterDir(kCountersExt, false, port);
      if (!st.ok()) return st;
    }
    if (StartsWith(device, "irdma") || StartsWith(device, "mlx5_")) {
      st = ScanCounterDir(kHwCounters, true, port);
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

  Status ParseError(std::string_view file, const Status& st) const {
    return Status::Error("error obtaining InfiniBand class info: could not parse " + std::string(file) +
                         " file in \"" + port_dir_ + "\": " + st.message());
  }

  Status ScanCounterDir(CounterDir dir, bool required, Port& port) {
    counter_dir_.assign(port_dir_);
    counter_dir_.push_back('/');
    counter_dir_.append(kDirNames[dir]);
    size_t n = 0;
    int err = sysfs::ListDir(counter_dir_, &counter_entries_, &n);
    if (err == ENOENT && !required) return Status::Ok();
    if (err != 0) return ErrnoStatus(err, "listing", counter_dir_);
    for (size_t i = 0; i < n; ++i) {
      const sysfs::DirEntry& e = counter_entries_[i];
      if (!IsRegular(counter_dir_, e, &path_)) continue;
      path_.assign(counter_dir_);
      path_.push_back('/');
      path_.append(e.name);
      std::string_view value;
      err = attrs_.Read(path_, sysfs::kSysReadFileSize, &value);
      if (err == ENOENT || err == EACCES || err == EPERM || err == EOPNOTSUPP) continue;
      if (err != 0) return ErrnoStatus(err, "failed to read file", path_);
      int spec = FindSpec(dir, e.name);
      if (spec < 0) continue;
      uint64_t v = 0;
      switch (ParseInfinibandCounter(value, &v)) {
        case InfinibandCounterResult::kValue:
          port.values[spec] = kSpecs[spec].times_four ? v * 4 : v;
          port.present.set(spec);
          break;
        case InfinibandCounterResult::kNotAvailable:
          break;
        case InfinibandCounterResult::kInvalid:
          return Status::Error("error obtaining InfiniBand class info: invalid counter value in " + path_ + ": \"" +
                               std::string(TrimSpace(value)) + "\"");
      }
    }
    return Status::Ok();
  }

  std::string class_dir_;
  sysfs::AttrFiles attrs_;
  std::string path_, ports_dir_, port_dir_, port_attr_path_, counter_dir_;
  std::vector<sysfs::DirEntry> device_entries_, port_entries_, counter_entries_;
  std::vector<Device> devices_;
  size_t num_devices_ = 0;
  std::vector<Port> ports_;
  size_t num_ports_ = 0;
};

}  // namespace

StatusOr<uint32_t> ParseInfinibandState(std::string_view content) {
  size_t colon = content.find(':');
  if (colon == std::string_view::npos || content.find(':', colon + 1) != std::string_view::npos) {
    return Status::Error("failed to split \"" + std::string(content) + "\" into 'ID: NAME'");
  }
  std::string_view id = TrimSpace(content.substr(0, colon));
  std::optional<uint64_t> v = sysfs::ParseGoUint(id);
  if (!v || *v > UINT32_MAX) return Status::Error("failed to convert \"" + std::string(id) + "\" into uint");
  return static_cast<uint32_t>(*v);
}

StatusOr<uint64_t> ParseInfinibandRate(std::string_view content) {
  size_t space = content.find(' ');
  if (space == std::string_view::npos) return Status::Error("failed to split \"" + std::string(content) + "\"");
  std::string_view num = TrimSpace(content.substr(0, space));
  std::string_view body = num;
  if (!body.empty() && body.front() == '+') body.remove_prefix(1);
  float f = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), f, std::chars_format::general);
  if (body.empty() || body.front() == '-' || ec != std::errc() || ptr != body.data() + body.size() ||
      !std::isfinite(f)) {
    return Status::Error("failed to convert \"" + std::string(num) + "\" into a rate");
  }
  double bytes = static_cast<double>(f) * 125000000.0;
  if (bytes >= 18446744073709551616.0) return Status::Error("rate out of range: " + std::string(num));
  return static_cast<uint64_t>(bytes);
}

InfinibandCounterResult ParseInfinibandCounter(std::string_view content, uint64_t* value) {
  std::string_view s = TrimSpace(content);
  // Go's ParseUint(s, 0, 64): 0x/0o/0b prefixes and a leading 0 for octal.
  int base = 10;
  std::string_view digits = s;
  if (digits.size() >= 2 && digits[0] == '0') {
    char p = static_cast<char>(digits[1] | 0x20);
    if (p == 'x') {
      base = 16;
      digits.remove_prefix(2);
    } else if (p == 'o') {
      base = 8;
      digits.remove_prefix(2);
    } else if (p == 'b') {
      base = 2;
      digits.remove_prefix(2);
    } else {
      base = 8;
      digits.remove_prefix(1);
    }
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (!digits.empty() && digits.front() != '-' && digits.front() != '+' && ec == std::errc() &&
      ptr == digits.data() + digits.size()) {
    *value = v;
    return InfinibandCounterResult::kValue;
  }
  if (content.find("N/A (no PMA)") != std::string_view::npos) return InfinibandCounterResult::kNotAvailable;
  return InfinibandCounterResult::kInvalid;
}

StatusOr<std::unique_ptr<Collector>> NewInfinibandCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<InfinibandCollector>(ctx));
}

}  // namespace nodex::collectors
