#include "collectors/udp_queues.h"

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/go_strconv.h"

namespace nodex::collectors {
namespace {

// A /proc/net/udp line is padded to 127 bytes plus '\n' (seq_setwidth); a
// udp6 line (ip6_dgram_sock_seq_show) with two full IPv6 addresses and a
// 64-bit inode and pointer is about 210.
constexpr size_t kLongestSocketLine = 256;

constexpr expo::Desc kQueues{"node_udp_queues", "Bytes queued in UDP sockets, by queue and IP version.",
                             expo::MetricType::kGauge};

bool IsHex(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

// "hexaddr:hexport" as procfs checks it: exactly one ':', an even number of
// hex digits decoding to 4 or 16 bytes, a hex port.
bool ValidAddress(std::string_view s) {
  std::string_view ip, port;
  if (!SplitOnce(s, ':', &ip, &port) || port.find(':') != std::string_view::npos) return false;
  if (ip.size() != 8 && ip.size() != 32) return false;
  for (char c : ip) {
    if (!IsHex(c)) return false;
  }
  return ParseInt<uint64_t>(port, 16).has_value();
}

std::string Excerpt(std::string_view s) { return std::string(s.substr(0, 48)); }

class UdpQueuesCollector : public Collector {
 public:
  explicit UdpQueuesCollector(const Context& ctx)
      : udp_(ctx.Proc("net/udp"), ReadEnd::Records(kLongestSocketLine)),
        udp6_(ctx.Proc("net/udp6"), ReadEnd::Records(kLongestSocketLine)),
        log_(ctx.log) {}

  Status Collect(expo::MetricSet& out) override {
    Status v4 = CollectFile(udp_, "v4", out);
    if (!v4.ok() && v4.code() != StatusCode::kNoData) return v4;
    Status v6 = CollectFile(udp6_, "v6", out);
    if (!v6.ok() && v6.code() != StatusCode::kNoData) return v6;
    if (v4.code() == StatusCode::kNoData && v6.code() == StatusCode::kNoData) {
      return Status::NoData("no /proc/net/udp or /proc/net/udp6");
    }
    return Status::Ok();
  }

 private:
  Status CollectFile(KeptOpenFile& file, std::string_view ip, expo::MetricSet& out) {
    std::string_view content;
    Status st = file.Read(&content);
    if (st.code() == StatusCode::kNoData) {
      if (log_ != nullptr && log_->Enabled(LogLevel::kDebug)) {
        log_->Debug(ip == "v4" ? "not collecting ipv4 based metrics" : "not collecting ipv6 based metrics");
      }
      return st;
    }
    const char* what = ip == "v4" ? "couldn't get udp queued bytes: " : "couldn't get udp6 queued bytes: ";
    if (!st.ok()) return Status::Error(what + st.message());
    StatusOr<UdpQueueSummary> s = ParseUdpQueues(content);
    if (!s.ok()) return Status::Error(what + s.status().message());
    out.Add(kQueues, static_cast<double>(s->tx_queue), {{"queue", "tx"}, {"ip", ip}});
    out.Add(kQueues, static_cast<double>(s->rx_queue), {{"queue", "rx"}, {"ip", ip}});
    return Status::Ok();
  }

  KeptOpenFile udp_;
  KeptOpenFile udp6_;
  Logger* log_;
};

}  // namespace

StatusOr<UdpQueueSummary> ParseUdpQueues(std::string_view content) {
  UdpQueueSummary sum;
  std::string_view line;
  bool header = true;
  while (NextLine(&content, &line)) {
    if (header) {
      header = false;
      continue;
    }
    std::string_view f[10];
    size_t n = SplitFields(line, f, 10);
    if (n < 10) return Status::Error("cannot parse net socket line as it has less then 10 columns: " + Excerpt(line));
    std::string_view sl, after;
    if (!SplitOnce(f[0], ':', &sl, &after) || after.find(':') != std::string_view::npos) {
      return Status::Error("cannot parse sl field in socket line: " + Excerpt(f[0]));
    }
    if (!GoParseUint(sl, 0, 64)) return Status::Error("cannot parse sl value in socket line: " + Excerpt(f[0]));
    if (!ValidAddress(f[1])) return Status::Error("cannot parse local_address field in socket line: " + Excerpt(f[1]));
    if (!ValidAddress(f[2])) return Status::Error("cannot parse rem_address field in socket line: " + Excerpt(f[2]));
    if (!ParseInt<uint64_t>(f[3], 16)) return Status::Error("cannot parse st value in socket line: " + Excerpt(f[3]));
    std::string_view tx, rx;
    if (!SplitOnce(f[4], ':', &tx, &rx) || rx.find(':') != std::string_view::npos) {
      return Status::Error("cannot parse tx/rx queues in socket line as it has a missing colon: " + Excerpt(f[4]));
    }
    std::optional<uint64_t> txv = ParseInt<uint64_t>(tx, 16);
    std::optional<uint64_t> rxv = ParseInt<uint64_t>(rx, 16);
    if (!txv || !rxv) return Status::Error("cannot parse tx/rx queue values in socket line: " + Excerpt(f[4]));
    if (!GoParseUint(f[7], 0, 64)) return Status::Error("cannot parse uid value in socket line: " + Excerpt(f[7]));
    if (!GoParseUint(f[9], 0, 64)) return Status::Error("cannot parse inode value in socket line: " + Excerpt(f[9]));
    sum.tx_queue += *txv;
    sum.rx_queue += *rxv;
    ++sum.sockets;
  }
  return sum;
}

StatusOr<std::unique_ptr<Collector>> NewUdpQueuesCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<UdpQueuesCollector>(ctx));
}

}  // namespace nodex::collectors
