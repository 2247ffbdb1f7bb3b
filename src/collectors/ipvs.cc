#include "collectors/ipvs.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/goip.h"
#include "collectors/procfs_helpers.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
constexpr expo::MetricType kC = expo::MetricType::kCounter;
constexpr expo::MetricType kG = expo::MetricType::kGauge;

constexpr Desc kConnections{"node_ipvs_connections_total", "IPVS connections handled since boot.", kC};
constexpr Desc kIncomingPackets{"node_ipvs_incoming_packets_total", "Packets IPVS received.", kC};
constexpr Desc kOutgoingPackets{"node_ipvs_outgoing_packets_total", "Packets IPVS sent.", kC};
constexpr Desc kIncomingBytes{"node_ipvs_incoming_bytes_total", "Bytes IPVS received.", kC};
constexpr Desc kOutgoingBytes{"node_ipvs_outgoing_bytes_total", "Bytes IPVS sent.", kC};
constexpr Desc kActive{"node_ipvs_backend_connections_active",
                       "Active connections per IPVS virtual service and real server.", kG};
constexpr Desc kInactive{"node_ipvs_backend_connections_inactive",
                         "Inactive connections per IPVS virtual service and real server.", kG};
constexpr Desc kWeight{"node_ipvs_backend_weight", "Weight of each IPVS real server within its virtual service.",
                       kG};

// node_exporter's full label list, in its canonical order.
enum IpvsLabel { kLocalAddress, kLocalPort, kRemoteAddress, kRemotePort, kProto, kLocalMark, kNumLabels };
constexpr std::array<std::string_view, kNumLabels> kLabelNames = {"local_address",  "local_port", "remote_address",
                                                                   "remote_port",    "proto",      "local_mark"};

int HexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<uint64_t> ParseHexU64(std::string_view s) { return ParseInt<uint64_t>(s, 16); }

// procfs' parseIPPort.
Status ParseIpPort(std::string_view s, IpvsAddress* addr, uint16_t* port) {
  if (s.size() == 13) {
    addr->len = 4;
    for (int i = 0; i < 4; ++i) {
      int hi = HexNibble(s[2 * i]), lo = HexNibble(s[2 * i + 1]);
      if (hi < 0 || lo < 0) return Status::Error("invalid hex IPv4 address: " + std::string(s.substr(0, 8)));
      addr->bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
  } else if (s.size() == 46) {
    char buf[40];
    std::memcpy(buf, s.data() + 1, 39);
    buf[39] = '\0';
    uint8_t v4[4];
    if (inet_pton(AF_INET6, buf, addr->bytes) == 1) {
      addr->len = 16;
    } else if (inet_pton(AF_INET, buf, v4) == 1) {
      // Go's net.ParseIP also takes dotted quads; they print as IPv4.
      addr->len = 4;
      std::memcpy(addr->bytes, v4, 4);
    } else {
      return Status::Error("invalid IPv6 address: " + std::string(s.substr(1, 39)));
    }
  } else {
    return Status::Error("unexpected IP:Port: " + std::string(s));
  }
  std::optional<uint64_t> p = ParseHexU64(s.substr(s.size() - 4));
  if (!p || *p > 0xffff) return Status::Error("invalid port in " + std::string(s));
  *port = static_cast<uint16_t>(*p);
  return Status::Ok();
}

void AppendDecimal(uint64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

// One backend's label values plus its counters; kept across scrapes so the
// strings' capacity is reused.
struct Row {
  std::array<std::string, kNumLabels> values;
  std::string key;
  uint64_t active = 0, inactive = 0, weight = 0;
};

class IpvsCollector : public Collector {
 public:
  IpvsCollector(const Context& ctx, std::vector<IpvsLabel> labels)
      : stats_file_(ctx.Proc("net/ip_vs_stats")), backends_file_(ctx.Proc("net/ip_vs")), labels_(std::move(labels)) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = stats_file_.Read(&content);
    if (!st.ok()) {
      if (st.code() == StatusCode::kNoData) {
        return Status::NoData("ipvs collector metrics are not available for this system");
      }
      return Status::Error("could not get IPVS stats: " + st.message());
    }
    StatusOr<IpvsStats> stats = ParseIpvsStats(content);
    if (!stats.ok()) return Status::Error("could not get IPVS stats: " + stats.status().message());
    out.Add(kConnections, static_cast<double>(stats->connections));
    out.Add(kIncomingPackets, static_cast<double>(stats->incoming_packets));
    out.Add(kOutgoingPackets, static_cast<double>(stats->outgoing_packets));
    out.Add(kIncomingBytes, static_cast<double>(stats->incoming_bytes));
    out.Add(kOutgoingBytes, static_cast<double>(stats->outgoing_bytes));

    st = backends_file_.Read(&content);
    if (!st.ok()) return Status::Error("could not get backend status: " + st.message());
    st = ParseIpvsBackends(content, &backends_);
    if (!st.ok()) return Status::Error("could not get backend status: " + st.message());

    if (rows_.size() < backends_.size()) rows_.resize(backends_.size());
    order_.clear();
    for (size_t i = 0; i < backends_.size(); ++i) {
      FillRow(backends_[i], &rows_[i]);
      order_.push_back(static_cast<uint32_t>(i));
    }
    // node_exporter sums backends whose kept label values are equal (keyed
    // by the values joined with "-"); sort by that key and merge neighbours.
    std::stable_sort(order_.begin(), order_.end(),
                     [this](uint32_t a, uint32_t b) { return rows_[a].key < rows_[b].key; });
    expo::Label labels[kNumLabels];
    for (size_t i = 0; i < order_.size();) {
      const Row& first = rows_[order_[i]];
      uint64_t active = 0, inactive = 0, weight = 0;
      size_t j = i;
      for (; j < order_.size() && rows_[order_[j]].key == first.key; ++j) {
        const Row& r = rows_[order_[j]];
        active += r.active;
        inactive += r.inactive;
        weight += r.weight;
      }
      // Go keeps the label values of the last backend with this key; they
      // are identical to the first one's unless a value contains "-".
      const Row& last = rows_[order_[j - 1]];
      for (size_t k = 0; k < labels_.size(); ++k) labels[k] = {kLabelNames[labels_[k]], last.values[k]};
      std::span<const expo::Label> span(labels, labels_.size());
      out.Add(kActive, static_cast<double>(active), span);
      out.Add(kInactive, static_cast<double>(inactive), span);
      out.Add(kWeight, static_cast<double>(weight), span);
      i = j;
    }
    return Status::Ok();
  }

 private:
  void FillRow(const IpvsBackend& b, Row* row) const {
    row->key.clear();
    for (size_t k = 0; k < labels_.size(); ++k) {
      std::string& v = row->values[k];
      v.clear();
      switch (labels_[k]) {
        case kLocalAddress:
          AppendIpvsAddress(b.local_address, &v);
          break;
        case kLocalPort:
          AppendDecimal(b.local_port, &v);
          break;
        case kRemoteAddress:
          AppendIpvsAddress(b.remote_address, &v);
          break;
        case kRemotePort:
          AppendDecimal(b.remote_port, &v);
          break;
        case kProto:
          v.assign(b.proto);
          break;
        case kLocalMark:
          v.assign(b.local_mark);
          break;
        case kNumLabels:
          break;
      }
      if (k > 0) row->key.push_back('-');
      row->key.append(v);
    }
    row->active = b.active_conn;
    row->inactive = b.inact_conn;
    row->weight = b.weight;
  }

  KeptOpenFile stats_file_;
  KeptOpenFile backends_file_;
  std::vector<IpvsLabel> labels_;
  std::vector<IpvsBackend> backends_;
  std::vector<Row> rows_;
  std::vector<uint32_t> order_;
};

// node_exporter's parseIpvsLabels: keep the known labels in canonical order,
// reject unknown ones (listed sorted).
StatusOr<std::vector<IpvsLabel>> ParseLabelFlag(std::string_view flag) {
  bool wanted[kNumLabels] = {};
  std::vector<std::string> unknown;
  while (true) {
    size_t comma = flag.find(',');
    std::string_view item = flag.substr(0, comma);
    if (!item.empty()) {
      auto it = std::find(kLabelNames.begin(), kLabelNames.end(), item);
      if (it != kLabelNames.end()) {
        wanted[it - kLabelNames.begin()] = true;
      } else if (std::find(unknown.begin(), unknown.end(), item) == unknown.end()) {
        unknown.emplace_back(item);
      }
    }
    if (comma == std::string_view::npos) break;
    flag.remove_prefix(comma + 1);
  }
  if (!unknown.empty()) {
    std::sort(unknown.begin(), unknown.end());
    std::string joined;
    for (const std::string& u : unknown) {
      if (!joined.empty()) joined += ", ";
      joined += u;
    }
    return Status::Error("--collector.ipvs.backend-labels: unknown IPVS backend labels: \"" + joined + "\"");
  }
  std::vector<IpvsLabel> labels;
  for (int i = 0; i < kNumLabels; ++i) {
    if (wanted[i]) labels.push_back(static_cast<IpvsLabel>(i));
  }
  return labels;
}

}  // namespace

StatusOr<IpvsStats> ParseIpvsStats(std::string_view content) {
  // strings.SplitN(content, "\n", 4) must yield four parts.
  std::string_view rest = content, line;
  std::string_view lines[3];
  for (int i = 0; i < 3; ++i) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return Status::Error("ip_vs_stats corrupt: too short");
    lines[i] = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
  }
  std::string_view fields[5];
  if (SplitFields(lines[2], fields, 5) != 5) {
    return Status::Error("ip_vs_stats corrupt: unexpected number of fields");
  }
  uint64_t values[5];
  for (int i = 0; i < 5; ++i) {
    std::optional<uint64_t> v = ParseHexU64(fields[i]);
    if (!v) return Status::Error("ip_vs_stats: invalid counter \"" + std::string(fields[i]) + "\"");
    values[i] = *v;
  }
  return IpvsStats{values[0], values[1], values[2], values[3], values[4]};
}

Status ParseIpvsBackends(std::string_view content, std::vector<IpvsBackend>* out) {
  out->clear();
  IpvsBackend service;  // The current virtual service's fields.
  std::string_view rest = content, line;
  while (NextLine(&rest, &line)) {
    std::string_view f[6];
    size_t n = SplitFields(line, f, 6);
    if (n == 0) continue;
    if (f[0] == "IP" || f[0] == "Prot") continue;
    if (n < 2) return Status::Error("ip_vs: line with a single field: " + std::string(line));
    if (f[1] == "RemoteAddress:Port") continue;
    if (f[0] == "TCP" || f[0] == "UDP") {
      service.proto = f[0];
      service.local_mark = {};
      Status st = ParseIpPort(f[1], &service.local_address, &service.local_port);
      if (!st.ok()) return st;
    } else if (f[0] == "FWM") {
      service.proto = f[0];
      service.local_mark = f[1];
      service.local_address = IpvsAddress{};
      service.local_port = 0;
    } else if (f[0] == "->") {
      if (n < 6) continue;
      IpvsBackend b = service;
      Status st = ParseIpPort(f[1], &b.remote_address, &b.remote_port);
      if (!st.ok()) return st;
      std::optional<uint64_t> weight = ParseU64(f[3]), active = ParseU64(f[4]), inactive = ParseU64(f[5]);
      if (!weight || !active || !inactive) return Status::Error("ip_vs: invalid counter in: " + std::string(line));
      b.weight = *weight;
      b.active_conn = *active;
      b.inact_conn = *inactive;
      out->push_back(b);
    }
  }
  return Status::Ok();
}

void AppendIpvsAddress(const IpvsAddress& addr, std::string* out) {
  if (addr.len == 0) return;  // node_exporter prints a missing address as "".
  goip::AppendIp(addr.bytes, addr.len, out);
}

StatusOr<std::unique_ptr<Collector>> NewIpvsCollector(const Context& ctx) {
  std::string_view flag =
      procfs_helpers::StringFlagOr(ctx, "collector.ipvs.backend-labels", kIpvsFlags[0].default_value);
  StatusOr<std::vector<IpvsLabel>> labels = ParseLabelFlag(flag);
  if (!labels.ok()) return labels.status();
  return std::unique_ptr<Collector>(std::make_unique<IpvsCollector>(ctx, std::move(*labels)));
}

}  // namespace nodex::collectors
