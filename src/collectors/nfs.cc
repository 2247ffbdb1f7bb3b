#include "collectors/nfs.h"

#include <string>

#include "base/file_reader.h"
#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace nfs_internal {

bool ParseRpcValues(std::string_view rest, size_t limit, RpcValues* out) {
  out->count = 0;
  std::string_view token;
  while (out->count < limit && NextField(&rest, &token)) {
    std::optional<uint64_t> v = sysfs::ParseGoUint(token);
    if (!v) return false;
    if (out->count < RpcValues::kMaxStored) out->v[out->count] = *v;
    ++out->count;
  }
  return true;
}

}  // namespace nfs_internal

namespace {

using nfs_internal::RpcValues;

constexpr expo::Desc kPackets{"node_nfs_packets_total", "NFS client network packets sent and received, by protocol.",
                              expo::MetricType::kCounter};
constexpr expo::Desc kConnections{"node_nfs_connections_total", "NFS client TCP connections made.",
                                  expo::MetricType::kCounter};
constexpr expo::Desc kRpcs{"node_nfs_rpcs_total", "RPC calls made by the NFS client.", expo::MetricType::kCounter};
constexpr expo::Desc kRetransmissions{"node_nfs_rpc_retransmissions_total", "RPC calls the NFS client retransmitted.",
                                      expo::MetricType::kCounter};
constexpr expo::Desc kAuthRefreshes{"node_nfs_rpc_authentication_refreshes_total",
                                    "RPC authentication credential refreshes by the NFS client.",
                                    expo::MetricType::kCounter};
constexpr expo::Desc kRequests{"node_nfs_requests_total",
                               "NFS procedure calls made by the client, by version and "
                               "procedure.",
                               expo::MetricType::kCounter};

// The procN lines: a count followed by exactly that many values.
bool CountMatches(const RpcValues& vals) { return vals.count >= 1 && vals.v[0] == vals.count - 1; }

template <size_t N>
void CopyProcedures(const RpcValues& vals, std::array<uint64_t, N>* dst) {
  for (size_t i = 0; i < N; ++i) (*dst)[i] = vals.at(i + 1);
}

class NfsCollector : public Collector {
 public:
  explicit NfsCollector(const Context& ctx) : file_(ctx.Proc("net/rpc/nfs")) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    if (st.code() == StatusCode::kNoData) return Status::NoData("not collecting NFS metrics: " + st.message());
    if (!st.ok()) return Status::Error("failed to retrieve nfs stats: " + st.message());
    st = ParseNfsClient(content, &stats_);
    if (!st.ok()) return Status::Error("failed to retrieve nfs stats: " + st.message());

    out.Add(kPackets, static_cast<double>(stats_.udp_count), {{"protocol", "udp"}});
    out.Add(kPackets, static_cast<double>(stats_.tcp_count), {{"protocol", "tcp"}});
    out.Add(kConnections, static_cast<double>(stats_.tcp_connect));
    out.Add(kRpcs, static_cast<double>(stats_.rpc_count));
    out.Add(kRetransmissions, static_cast<double>(stats_.retransmissions));
    out.Add(kAuthRefreshes, static_cast<double>(stats_.auth_refreshes));
    AddRequests(out, "2", kNfsV2Procedures, stats_.v2);
    AddRequests(out, "3", kNfsV3Procedures, stats_.v3);
    AddRequests(out, "4", kNfsV4ClientProcedures, stats_.v4);
    return Status::Ok();
  }

 private:
  template <size_t N>
  static void AddRequests(expo::MetricSet& out, std::string_view proto, const std::array<std::string_view, N>& names,
                          const std::array<uint64_t, N>& values) {
    for (size_t i = 0; i < N; ++i) {
      out.Add(kRequests, static_cast<double>(values[i]), {{"proto", proto}, {"method", names[i]}});
    }
  }

  KeptOpenFile file_;
  NfsClientStats stats_;
};

}  // namespace

Status ParseNfsClient(std::string_view content, NfsClientStats* out) {
  *out = NfsClientStats{};
  RpcValues vals;
  std::string_view rest = content;
  std::string_view line;
  bool too_long = false;
  while (nfs_internal::NextScannerLine(&rest, &line, &too_long)) {
    if (too_long) return Status::Error("error scanning NFS file: line too long");
    std::string_view fields = line;
    std::string_view key;
    if (!NextField(&fields, &key) || !nfs_internal::ParseRpcValues(fields, SIZE_MAX, &vals)) {
      return Status::Error("invalid NFS metric line \"" + std::string(line) + "\"");
    }
    if (vals.count == 0) return Status::Error("invalid NFS metric line \"" + std::string(line) + "\"");
    bool ok = true;
    if (key == "net") {
      ok = vals.count == 4;
      if (ok) {
        out->net_count = vals.v[0];
        out->udp_count = vals.v[1];
        out->tcp_count = vals.v[2];
        out->tcp_connect = vals.v[3];
      }
    } else if (key == "rpc") {
      ok = vals.count == 3;
      if (ok) {
        out->rpc_count = vals.v[0];
        out->retransmissions = vals.v[1];
        out->auth_refreshes = vals.v[2];
      }
    } else if (key == "proc2") {
      ok = CountMatches(vals) && vals.v[0] >= out->v2.size();
      if (ok) CopyProcedures(vals, &out->v2);
    } else if (key == "proc3") {
      ok = CountMatches(vals) && vals.v[0] >= out->v3.size();
      if (ok) CopyProcedures(vals, &out->v3);
    } else if (key == "proc4") {
      // Older kernels report fewer operations; the rest stay zero.
      ok = CountMatches(vals);
      if (ok) CopyProcedures(vals, &out->v4);
    } else {
      return Status::Error("unknown NFS metric line \"" + std::string(key) + "\"");
    }
    if (!ok) return Status::Error("invalid NFS " + std::string(key) + " line \"" + std::string(line) + "\"");
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewNfsCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<NfsCollector>(ctx));
}

}  // namespace nodex::collectors
