#include "collectors/nfsd.h"

#include <string>

#include "base/file_reader.h"
#include "base/split.h"
#include "collectors/nfs.h"

namespace nodex::collectors {
namespace {

using nfs_internal::RpcValues;

constexpr auto kCounter = expo::MetricType::kCounter;
constexpr auto kGauge = expo::MetricType::kGauge;

constexpr expo::Desc kReplyHits{"node_nfsd_reply_cache_hits_total",
                                "NFS server reply cache hits (a client retried and got the cached reply).", kCounter};
constexpr expo::Desc kReplyMisses{"node_nfsd_reply_cache_misses_total",
                                  "NFS server reply cache misses for requests that are cached.", kCounter};
constexpr expo::Desc kReplyNocache{"node_nfsd_reply_cache_nocache_total",
                                   "NFS server requests that bypass the reply cache.", kCounter};
constexpr expo::Desc kStaleHandles{"node_nfsd_file_handles_stale_total", "Stale file handles seen by the NFS server.",
                                   kCounter};
constexpr expo::Desc kBytesRead{"node_nfsd_disk_bytes_read_total", "Bytes the NFS server read from disk.", kCounter};
constexpr expo::Desc kBytesWritten{"node_nfsd_disk_bytes_written_total", "Bytes the NFS server wrote to disk.",
                                   kCounter};
constexpr expo::Desc kThreads{"node_nfsd_server_threads", "NFS server kernel threads running.", kGauge};
constexpr expo::Desc kRaSize{"node_nfsd_read_ahead_cache_size_blocks",
                             "Size of the NFS server read-ahead cache, in "
                             "blocks.",
                             kGauge};
constexpr expo::Desc kRaNotFound{"node_nfsd_read_ahead_cache_not_found_total",
                                 "NFS server read-ahead cache lookups that found nothing.", kCounter};
constexpr expo::Desc kPackets{"node_nfsd_packets_total", "NFS server network packets sent and received, by protocol.",
                              kCounter};
constexpr expo::Desc kConnections{"node_nfsd_connections_total", "TCP connections accepted by the NFS server.",
                                  kCounter};
constexpr expo::Desc kRpcErrors{"node_nfsd_rpc_errors_total", "Bad RPC calls received by the NFS server, by error.",
                                kCounter};
constexpr expo::Desc kServerRpcs{"node_nfsd_server_rpcs_total", "RPC calls received by the NFS server.", kCounter};
constexpr expo::Desc kRequests{"node_nfsd_requests_total", "NFS server procedure calls, by version and procedure.",
                               kCounter};

struct V4Op {
  std::string_view name;
  size_t index;  // Operation number: position in the proc4ops values.
};
// The operations node_exporter exports (procfs' V4Ops minus the unused and
// PUTPUBFH/PUTROOTFH slots).
constexpr V4Op kV4Ops[] = {
    {"Access", 3},     {"Close", 4},        {"Commit", 5},        {"Create", 6},
    {"DelegPurge", 7}, {"DelegReturn", 8},  {"GetAttr", 9},       {"GetFH", 10},
    {"Link", 11},      {"Lock", 12},        {"Lockt", 13},        {"Locku", 14},
    {"Lookup", 15},    {"LookupRoot", 16},  {"Nverify", 17},      {"Open", 18},
    {"OpenAttr", 19},  {"OpenConfirm", 20}, {"OpenDgrd", 21},     {"PutFH", 22},
    {"Read", 25},      {"ReadDir", 26},     {"ReadLink", 27},     {"Remove", 28},
    {"Rename", 29},    {"Renew", 30},       {"RestoreFH", 31},    {"SaveFH", 32},
    {"SecInfo", 33},   {"SetAttr", 34},     {"SetClientID", 35},  {"SetClientIDConfirm", 36},
    {"Verify", 37},    {"Write", 38},       {"RelLockOwner", 39},
};

bool CountMatches(const RpcValues& vals) { return vals.count >= 1 && vals.v[0] == vals.count - 1; }

class NfsdCollector : public Collector {
 public:
  explicit NfsdCollector(const Context& ctx) : file_(ctx.Proc("net/rpc/nfsd")) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    if (st.code() == StatusCode::kNoData) return Status::NoData("not collecting NFSd metrics: " + st.message());
    if (!st.ok()) return Status::Error("failed to retrieve nfsd stats: " + st.message());
    st = ParseNfsd(content, &stats_);
    if (!st.ok()) return Status::Error("failed to retrieve nfsd stats: " + st.message());

    const NfsdStats& s = stats_;
    out.Add(kReplyHits, static_cast<double>(s.rc_hits));
    out.Add(kReplyMisses, static_cast<double>(s.rc_misses));
    out.Add(kReplyNocache, static_cast<double>(s.rc_nocache));
    out.Add(kStaleHandles, static_cast<double>(s.fh_stale));
    out.Add(kBytesRead, static_cast<double>(s.io_read));
    out.Add(kBytesWritten, static_cast<double>(s.io_write));
    out.Add(kThreads, static_cast<double>(s.threads));
    out.Add(kRaSize, static_cast<double>(s.ra_cache_size));
    out.Add(kRaNotFound, static_cast<double>(s.ra_not_found));
    out.Add(kPackets, static_cast<double>(s.udp_count), {{"proto", "udp"}});
    out.Add(kPackets, static_cast<double>(s.tcp_count), {{"proto", "tcp"}});
    out.Add(kConnections, static_cast<double>(s.tcp_connect));
    out.Add(kRpcErrors, static_cast<double>(s.bad_fmt), {{"error", "fmt"}});
    out.Add(kRpcErrors, static_cast<double>(s.bad_auth), {{"error", "auth"}});
    out.Add(kRpcErrors, static_cast<double>(s.bad_client), {{"error", "cInt"}});
    out.Add(kServerRpcs, static_cast<double>(s.rpc_count));
    // node_exporter leaves out the Null procedure of v2 and v3.
    for (size_t i = 1; i < s.v2.size(); ++i) {
      out.Add(kRequests, static_cast<double>(s.v2[i]), {{"proto", "2"}, {"method", kNfsV2Procedures[i]}});
    }
    for (size_t i = 1; i < s.v3.size(); ++i) {
      out.Add(kRequests, static_cast<double>(s.v3[i]), {{"proto", "3"}, {"method", kNfsV3Procedures[i]}});
    }
    for (const V4Op& op : kV4Ops) {
      out.Add(kRequests, static_cast<double>(s.v4ops[op.index]), {{"proto", "4"}, {"method", op.name}});
    }
    out.Add(kRequests, static_cast<double>(s.wdeleg_getattr), {{"proto", "4"}, {"method", "WdelegGetattr"}});
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
  NfsdStats stats_;
};

}  // namespace

Status ParseNfsd(std::string_view content, NfsdStats* out) {
  *out = NfsdStats{};
  RpcValues vals;
  std::string_view rest = content;
  std::string_view line;
  bool too_long = false;
  while (nfs_internal::NextScannerLine(&rest, &line, &too_long)) {
    if (too_long) return Status::Error("error scanning NFSd file: line too long");
    std::string_view fields = line;
    std::string_view key;
    std::string_view probe = line;
    std::string_view tok;
    size_t nfields = 0;
    while (nfields < 3 && NextField(&probe, &tok)) ++nfields;
    if (nfields < 2) return Status::Error("invalid NFSd metric line \"" + std::string(line) + "\"");
    NextField(&fields, &key);
    // th's later values are floats (time histogram); procfs reads only two.
    size_t limit = SIZE_MAX;
    if (key == "th") {
      if (nfields < 3) return Status::Error("invalid NFSd th line \"" + std::string(line) + "\"");
      limit = 2;
    }
    if (!nfs_internal::ParseRpcValues(fields, limit, &vals)) {
      return Status::Error("invalid value in NFSd metric line \"" + std::string(line) + "\"");
    }
    const uint64_t* v = vals.v.data();
    bool ok = true;
    if (key == "rc") {
      ok = vals.count == 3;
      if (ok) out->rc_hits = v[0], out->rc_misses = v[1], out->rc_nocache = v[2];
    } else if (key == "fh") {
      ok = vals.count == 5;
      if (ok) out->fh_stale = v[0];
    } else if (key == "io") {
      ok = vals.count == 2;
      if (ok) out->io_read = v[0], out->io_write = v[1];
    } else if (key == "th") {
      ok = vals.count == 2;
      if (ok) out->threads = v[0];
    } else if (key == "ra") {
      ok = vals.count == 12;
      if (ok) out->ra_cache_size = v[0], out->ra_not_found = v[11];
    } else if (key == "net") {
      ok = vals.count == 4;
      if (ok) out->net_count = v[0], out->udp_count = v[1], out->tcp_count = v[2], out->tcp_connect = v[3];
    } else if (key == "rpc") {
      ok = vals.count == 5;
      if (ok) {
        out->rpc_count = v[0], out->bad_count = v[1], out->bad_fmt = v[2];
        out->bad_auth = v[3], out->bad_client = v[4];
      }
    } else if (key == "proc2") {
      ok = CountMatches(vals) && v[0] >= 18;
      if (ok) {
        for (size_t i = 0; i < out->v2.size(); ++i) out->v2[i] = vals.at(i + 1);
      }
    } else if (key == "proc3") {
      ok = CountMatches(vals) && v[0] >= 22;
      if (ok) {
        for (size_t i = 0; i < out->v3.size(); ++i) out->v3[i] = vals.at(i + 1);
      }
    } else if (key == "proc4") {
      ok = CountMatches(vals) && v[0] == 2;
    } else if (key == "proc4ops") {
      ok = CountMatches(vals) && v[0] >= 39;
      if (ok) {
        // Operation 40 (RELEASE_LOCKOWNER) exists only with more than 39 values.
        for (size_t i = 0; i < out->v4ops.size(); ++i) out->v4ops[i] = vals.at(i + 1);
      }
    } else if (key == "wdeleg_getattr") {
      out->wdeleg_getattr = v[0];
    } else {
      return Status::Error("unknown NFSd metric line \"" + std::string(key) + "\"");
    }
    if (!ok) return Status::Error("invalid NFSd " + std::string(key) + " line \"" + std::string(line) + "\"");
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewNfsdCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<NfsdCollector>(ctx));
}

}  // namespace nodex::collectors
