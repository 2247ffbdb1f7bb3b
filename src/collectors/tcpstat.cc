#include "collectors/tcpstat.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <cstring>
#include <string>
#include <vector>

#include "collectors/rtnetlink.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kStates{"node_tcp_connection_states",
                             "TCP sockets per connection state, and bytes queued in all TCP receive/send queues.",
                             expo::MetricType::kGauge};

constexpr uint8_t kRxQueuedBytes = 12;
constexpr uint8_t kTxQueuedBytes = 13;

// A NETLINK_SOCK_DIAG socket kept open across scrapes; one dump per family.
class DiagSocket {
 public:
  ~DiagSocket() { Close(); }

  Status Dump(uint8_t family, TcpStateCounts* counts) {
    if (nl_ == nullptr) {
      nl_ = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
      if (nl_ == nullptr) return Status::Error(std::string("couldn't connect netlink: ") + std::strerror(errno));
      if (mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
        int err = errno;
        Close();
        return Status::Error(std::string("couldn't connect netlink: ") + std::strerror(err));
      }
      timeval tv{10, 0};
      setsockopt(mnl_socket_get_fd(nl_), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    }
    Status st = DumpOnce(family, counts);
    if (!st.ok()) Close();  // Never read the rest of a failed dump later.
    return st;
  }

 private:
  Status DumpOnce(uint8_t family, TcpStateCounts* counts) {
    alignas(nlmsghdr) uint8_t req[MNL_NLMSG_HDRLEN + sizeof(inet_diag_req_v2)] = {};
    nlmsghdr* nlh = mnl_nlmsg_put_header(req);
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = ++seq_ == 0 ? ++seq_ : seq_;
    auto* r = static_cast<inet_diag_req_v2*>(mnl_nlmsg_put_extra_header(nlh, sizeof(inet_diag_req_v2)));
    r->sdiag_family = family;
    r->sdiag_protocol = IPPROTO_TCP;
    r->idiag_states = 0xFFF;  // TCPF_ALL as node_exporter sends it.
    // node_exporter also asks for INET_DIAG_INFO but never reads it; the
    // counts do not depend on it, so the smaller dump is requested.
    if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0) {
      return Status::Error(std::string("netlink send: ") + std::strerror(errno));
    }
    constexpr size_t kBufferSize = 32768;
    if (buf_.empty()) buf_.resize(kBufferSize / sizeof(uint64_t));
    auto* buf = reinterpret_cast<uint8_t*>(buf_.data());
    for (;;) {
      ssize_t n = mnl_socket_recvfrom(nl_, buf, kBufferSize);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::Error(std::string("netlink receive: ") + std::strerror(errno));
      }
      StatusOr<bool> done = ParseTcpDiagBuffer({buf, static_cast<size_t>(n)}, seq_, counts);
      if (!done.ok()) return done.status();
      if (*done) return Status::Ok();
    }
  }

  void Close() {
    if (nl_ != nullptr) mnl_socket_close(nl_);
    nl_ = nullptr;
  }

  mnl_socket* nl_ = nullptr;
  uint32_t seq_ = 0;
  std::vector<uint64_t> buf_;
};

class TcpstatCollector : public Collector {
 public:
  explicit TcpstatCollector(const Context& ctx) : tcp6_path_(ctx.Proc("net/tcp6")) {}

  Status Collect(expo::MetricSet& out) override {
    counts_.Clear();
    Status st = socket_.Dump(AF_INET, &counts_);
    if (!st.ok()) return Status::Error("couldn't get tcpstats: " + st.message());
    // node_exporter asks for IPv6 sockets only when the procfs has tcp6.
    struct stat sb;
    if (stat(tcp6_path_.c_str(), &sb) == 0) {
      st = socket_.Dump(AF_INET6, &counts_);
      if (!st.ok()) return Status::Error("couldn't get tcp6stats: " + st.message());
    }
    double unknown = 0;
    bool any_unknown = false;
    for (int s = 0; s < 256; ++s) {
      if (!counts_.present[s]) continue;
      std::string_view name = TcpStateName(static_cast<uint8_t>(s));
      if (name == "unknown") {
        unknown += counts_.value[s];
        any_unknown = true;
        continue;
      }
      out.Add(kStates, counts_.value[s], {{"state", name}});
    }
    // Go would emit one "unknown" series per odd state (a duplicate-series
    // error); they are summed into one.
    if (any_unknown) out.Add(kStates, unknown, {{"state", "unknown"}});
    return Status::Ok();
  }

 private:
  std::string tcp6_path_;
  DiagSocket socket_;
  TcpStateCounts counts_;
};

}  // namespace

std::string_view TcpStateName(uint8_t state) {
  static constexpr std::string_view kNames[] = {
      "unknown",  "established", "syn_sent", "syn_recv", "fin_wait1",       "fin_wait2",      "time_wait",
      "close",    "close_wait",  "last_ack", "listen",   "closing",         "rx_queued_bytes", "tx_queued_bytes"};
  return state < std::size(kNames) ? kNames[state] : "unknown";
}

StatusOr<bool> ParseTcpDiagBuffer(std::span<const uint8_t> buffer, uint32_t seq, TcpStateCounts* counts) {
  return rtnl::WalkDump(buffer, seq, [counts](uint16_t type, std::span<const uint8_t> payload) -> Status {
    if (type != SOCK_DIAG_BY_FAMILY) return Status::Ok();
    inet_diag_msg msg;
    if (payload.size() < sizeof(msg)) return Status::Error("truncated inet_diag_msg");
    std::memcpy(&msg, payload.data(), sizeof(msg));
    counts->value[kTxQueuedBytes] += msg.idiag_wqueue;
    counts->present[kTxQueuedBytes] = true;
    counts->value[kRxQueuedBytes] += msg.idiag_rqueue;
    counts->present[kRxQueuedBytes] = true;
    counts->value[msg.idiag_state] += 1;
    counts->present[msg.idiag_state] = true;
    return Status::Ok();
  });
}

StatusOr<std::unique_ptr<Collector>> NewTcpstatCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<TcpstatCollector>(ctx));
}

}  // namespace nodex::collectors
