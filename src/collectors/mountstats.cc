#include "collectors/mountstats.h"

#include <cstdint>
#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/filesystem.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
using expo::Label;
using expo::MetricType;

// node_exporter reduces millisecond and idle-time counters modulo 2^53 so the
// float64 conversion stays exact.
constexpr uint64_t kFloat64Mantissa = uint64_t{1} << 53;

// Most counters are at most this many per line; rdma xprt lines are the
// longest (up to 28 counters on current kernels, 31 is procfs' hard limit).
constexpr size_t kMaxTransportCounters = 31;

Status ParseError(std::string_view what, std::string_view line) {
  return Status::Error("invalid mountstats " + std::string(what) + ": \"" + std::string(TrimSpace(line)) + "\"");
}

// Parses every remaining field of *rest as a counter into out[0..max);
// returns the number of fields, or -1 if one is not an unsigned integer or
// there are more than max.
int ParseCounters(std::string_view rest, uint64_t* out, size_t max) {
  std::string_view field;
  size_t n = 0;
  while (NextField(&rest, &field)) {
    if (n == max) return -1;
    std::optional<uint64_t> v = ParseU64(field);
    if (!v) return -1;
    out[n++] = *v;
  }
  return static_cast<int>(n);
}

// time.ParseDuration(age + "s").Seconds() for the unit-less decimal the
// kernel prints: [+-]digits[.digits], within Go's int64-nanosecond range.
std::optional<double> ParseAgeSeconds(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() && frac.empty()) return std::nullopt;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  for (char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  constexpr int64_t kMaxSeconds = INT64_MAX / 1'000'000'000;
  int64_t seconds = 0;
  for (char c : whole) {
    if (seconds > (kMaxSeconds - (c - '0')) / 10) return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  int64_t nanos = 0;
  int64_t scale = 100'000'000;
  for (char c : frac) {
    if (scale == 0) break;  // Go drops digits beyond nanosecond precision.
    nanos += (c - '0') * scale;
    scale /= 10;
  }
  if (seconds == kMaxSeconds && nanos > INT64_MAX % 1'000'000'000) return std::nullopt;
  double value = static_cast<double>(seconds) + static_cast<double>(nanos) / 1e9;
  return negative ? -value : value;
}

Status ParseTransport(std::string_view line, std::string_view rest, std::string_view stat_version,
                      NfsTransportStats* t) {
  std::string_view protocol;
  if (!NextField(&rest, &protocol)) return ParseError("xprt line", line);
  uint64_t ns[kMaxTransportCounters] = {};
  int n = ParseCounters(rest, ns, kMaxTransportCounters);
  if (n < 0) return ParseError("xprt line", line);
  bool tcp = protocol == "tcp", udp = protocol == "udp", rdma = protocol == "rdma";
  if (stat_version == "1.0") {
    if (!tcp && !udp) return ParseError("xprt protocol for statvers 1.0", line);
    if (n != (tcp ? 10 : 7)) return ParseError("xprt line for statvers 1.0", line);
  } else if (stat_version == "1.1") {
    if (!tcp && !udp && !rdma) return ParseError("xprt protocol for statvers 1.1", line);
    if ((tcp && n != 13) || (udp && n != 10) || (rdma && n < 20)) return ParseError("xprt line for statvers 1.1", line);
  } else {
    return ParseError("statvers (xprt)", line);
  }
  *t = NfsTransportStats{};
  t->protocol = protocol;
  t->port = ns[0];
  t->bind = ns[1];
  // udp has no connect count, connect idle time or idle time.
  const uint64_t* tail = udp ? ns + 2 : ns + 5;
  if (!udp) {
    t->connect = ns[2];
    t->connect_idle_time = ns[3];
    t->idle_time_seconds = ns[4];
  }
  t->sends = tail[0];
  t->receives = tail[1];
  t->bad_transaction_ids = tail[2];
  t->cumulative_active_requests = tail[3];
  t->cumulative_backlog = tail[4];
  // rdma puts its own counters where tcp/udp have the three queue fields.
  if (!rdma) {
    t->maximum_rpc_slots_used = tail[5];
    t->cumulative_sending_queue = tail[6];
    t->cumulative_pending_queue = tail[7];
  }
  return Status::Ok();
}

// The tab-indented lines after an NFS device line, up to and including the
// per-op table.
Status ParseNfsBlock(std::string_view* rest, MountStatsEntry* m, MountStats* out) {
  std::string_view line;
  while (NextLine(rest, &line)) {
    std::string_view fields = line;
    std::string_view key;
    if (!NextField(&fields, &key)) break;  // Blank line: the block is over.
    std::string_view first_value = fields;
    std::string_view value;
    bool has_value = NextField(&first_value, &value);
    if (key == "opts:") {
      if (!has_value) return ParseError("opts line", line);
    } else if (key == "age:") {
      if (!has_value) return ParseError("age line", line);
      std::optional<double> age = ParseAgeSeconds(value);
      if (!age) return ParseError("age", line);
      m->age_seconds = *age;
    } else if (key == "bytes:") {
      uint64_t ns[8];
      if (!has_value || ParseCounters(fields, ns, 8) != 8) return ParseError("bytes line", line);
      m->bytes = NfsBytesStats{ns[0], ns[1], ns[2], ns[3], ns[4], ns[5], ns[6], ns[7]};
    } else if (key == "events:") {
      if (!has_value || ParseCounters(fields, m->events, kNfsEventCount) != static_cast<int>(kNfsEventCount)) {
        return ParseError("events line", line);
      }
    } else if (key == "xprt:") {
      NfsTransportStats t;
      Status st = ParseTransport(line, fields, m->stat_version, &t);
      if (!st.ok()) return st;
      out->transports.push_back(t);
      ++m->transport_count;
    } else if (key == "per-op") {
      break;
    }
  }
  // The per-op table runs to the next blank line (or the end of the file).
  while (NextLine(rest, &line)) {
    std::string_view fields = line;
    std::string_view name;
    if (!NextField(&fields, &name)) break;
    uint64_t ns[9] = {};
    // Lines may grow more counters in later kernels: count them all, keep nine.
    std::string_view field;
    size_t n = 0;
    while (NextField(&fields, &field)) {
      std::optional<uint64_t> v = ParseU64(field);
      if (!v) return ParseError("per-op line", line);
      if (n < 9) ns[n] = *v;
      ++n;
    }
    if (n < 8) return ParseError("per-op line", line);
    if (name.ends_with(':')) name.remove_suffix(1);
    out->operations.push_back(NfsOperationStats{name, ns[0], ns[1], ns[2], ns[3], ns[4], ns[5], ns[6], ns[7], ns[8]});
    ++m->operation_count;
  }
  return Status::Ok();
}

}  // namespace

Status ParseMountStats(std::string_view content, MountStats* out) {
  out->Clear();
  std::string_view rest = content;
  std::string_view line;
  while (NextLine(&rest, &line)) {
    std::string_view f[9];
    size_t n = SplitFields(line, f, 9);
    if (n == 0 || f[0] != "device") continue;
    if (n < 8 || f[2] != "mounted" || f[3] != "on" || f[5] != "with" || f[6] != "fstype") {
      return ParseError("device line", line);
    }
    MountStatsEntry m;
    m.device = f[1];
    m.mount_point = f[4];
    m.fs_type = f[7];
    if (n > 8) {
      if (m.fs_type != "nfs" && m.fs_type != "nfs4") return ParseError("device line (stats for a non-NFS mount)", line);
      m.has_nfs_stats = true;
      m.stat_version = f[8];
      if (m.stat_version.starts_with("statvers=")) m.stat_version.remove_prefix(9);
      m.transport_begin = static_cast<uint32_t>(out->transports.size());
      m.operation_begin = static_cast<uint32_t>(out->operations.size());
      Status st = ParseNfsBlock(&rest, &m, out);
      if (!st.ok()) return st;
    }
    out->mounts.push_back(m);
  }
  return Status::Ok();
}

std::string_view MountAddrOption(std::string_view super_options) {
  std::string_view addr;
  while (true) {
    size_t comma = super_options.find(',');
    std::string_view opt = super_options.substr(0, comma);
    std::string_view key = opt, value;
    if (size_t eq = opt.find('='); eq != std::string_view::npos) {
      key = opt.substr(0, eq);
      value = opt.substr(eq + 1);
    }
    if (key == "addr") addr = value;
    if (comma == std::string_view::npos) break;
    super_options.remove_prefix(comma + 1);
  }
  return addr;
}

namespace {

constexpr Desc kAge{"node_mountstats_nfs_age_seconds_total", "Seconds since the NFS mount was made.",
                    MetricType::kCounter};
constexpr Desc kMountpointInfo{"node_mountstats_nfs_mountpoint_info",
                               "Always 1; labels name a mount point of an NFS export.", MetricType::kGauge};

struct BytesDesc {
  uint64_t NfsBytesStats::*field;
  Desc desc;
};
constexpr BytesDesc kBytes[] = {
    {&NfsBytesStats::read,
     {"node_mountstats_nfs_read_bytes_total", "Bytes read by applications with read(2).", MetricType::kCounter}},
    {&NfsBytesStats::write,
     {"node_mountstats_nfs_write_bytes_total", "Bytes written by applications with write(2).", MetricType::kCounter}},
    {&NfsBytesStats::direct_read,
     {"node_mountstats_nfs_direct_read_bytes_total", "Bytes read by applications from files opened O_DIRECT.",
      MetricType::kCounter}},
    {&NfsBytesStats::direct_write,
     {"node_mountstats_nfs_direct_write_bytes_total", "Bytes written by applications to files opened O_DIRECT.",
      MetricType::kCounter}},
    {&NfsBytesStats::read_total,
     {"node_mountstats_nfs_total_read_bytes_total", "Bytes the client fetched from the server with READ calls.",
      MetricType::kCounter}},
    {&NfsBytesStats::write_total,
     {"node_mountstats_nfs_total_write_bytes_total", "Bytes the client sent to the server with WRITE calls.",
      MetricType::kCounter}},
    {&NfsBytesStats::read_pages,
     {"node_mountstats_nfs_read_pages_total", "Pages read through mmap(2)ed files.", MetricType::kCounter}},
    {&NfsBytesStats::write_pages,
     {"node_mountstats_nfs_write_pages_total", "Pages written through mmap(2)ed files.", MetricType::kCounter}},
};

struct EventDesc {
  NfsEvent event;
  Desc desc;
};
constexpr EventDesc kEvents[] = {
    {kNfsEventInodeRevalidate,
     {"node_mountstats_nfs_event_inode_revalidate_total", "Revalidations of cached inode attributes with the server.",
      MetricType::kCounter}},
    {kNfsEventDnodeRevalidate,
     {"node_mountstats_nfs_event_dnode_revalidate_total", "Revalidations of cached directory entries with the server.",
      MetricType::kCounter}},
    {kNfsEventDataInvalidate,
     {"node_mountstats_nfs_event_data_invalidate_total", "Times an inode's cached data was dropped.",
      MetricType::kCounter}},
    {kNfsEventAttributeInvalidate,
     {"node_mountstats_nfs_event_attribute_invalidate_total", "Times an inode's cached attributes were invalidated.",
      MetricType::kCounter}},
    {kNfsEventVfsOpen,
     {"node_mountstats_nfs_event_vfs_open_total", "Files and directories opened.", MetricType::kCounter}},
    {kNfsEventVfsLookup, {"node_mountstats_nfs_event_vfs_lookup_total", "Directory lookups.", MetricType::kCounter}},
    {kNfsEventVfsAccess, {"node_mountstats_nfs_event_vfs_access_total", "Permission checks.", MetricType::kCounter}},
    {kNfsEventVfsUpdatePage,
     {"node_mountstats_nfs_event_vfs_update_page_total", "Page updates (potential writes).", MetricType::kCounter}},
    {kNfsEventVfsReadPage,
     {"node_mountstats_nfs_event_vfs_read_page_total", "Single pages read.", MetricType::kCounter}},
    {kNfsEventVfsReadPages,
     {"node_mountstats_nfs_event_vfs_read_pages_total", "Batched page reads.", MetricType::kCounter}},
    {kNfsEventVfsWritePage,
     {"node_mountstats_nfs_event_vfs_write_page_total", "Single pages written.", MetricType::kCounter}},
    {kNfsEventVfsWritePages,
     {"node_mountstats_nfs_event_vfs_write_pages_total", "Batched page writes.", MetricType::kCounter}},
    {kNfsEventVfsGetdents,
     {"node_mountstats_nfs_event_vfs_getdents_total", "Directory listings read with getdents(2).",
      MetricType::kCounter}},
    {kNfsEventVfsSetattr,
     {"node_mountstats_nfs_event_vfs_setattr_total", "Inode attribute changes.", MetricType::kCounter}},
    {kNfsEventVfsFlush,
     {"node_mountstats_nfs_event_vfs_flush_total", "Forced flushes of pending writes to the server.",
      MetricType::kCounter}},
    {kNfsEventVfsFsync,
     {"node_mountstats_nfs_event_vfs_fsync_total", "fsync(2) calls on files and directories.", MetricType::kCounter}},
    {kNfsEventVfsLock, {"node_mountstats_nfs_event_vfs_lock_total", "File locking attempts.", MetricType::kCounter}},
    {kNfsEventVfsFileRelease,
     {"node_mountstats_nfs_event_vfs_file_release_total", "Files closed and released.", MetricType::kCounter}},
    {kNfsEventTruncation, {"node_mountstats_nfs_event_truncation_total", "File truncations.", MetricType::kCounter}},
    {kNfsEventWriteExtension,
     {"node_mountstats_nfs_event_write_extension_total", "Files grown by writes past their end.",
      MetricType::kCounter}},
    {kNfsEventSillyRename,
     {"node_mountstats_nfs_event_silly_rename_total", "Files removed while another process still had them open.",
      MetricType::kCounter}},
    {kNfsEventShortRead,
     {"node_mountstats_nfs_event_short_read_total", "Reads where the server returned less data than asked for.",
      MetricType::kCounter}},
    {kNfsEventShortWrite,
     {"node_mountstats_nfs_event_short_write_total", "Writes where the server stored less data than sent.",
      MetricType::kCounter}},
    {kNfsEventJukeboxDelay,
     {"node_mountstats_nfs_event_jukebox_delay_total", "EJUKEBOX replies (data being fetched from offline storage).",
      MetricType::kCounter}},
    {kNfsEventPnfsRead,
     {"node_mountstats_nfs_event_pnfs_read_total", "pNFS reads (NFS v4.1 and later).", MetricType::kCounter}},
    {kNfsEventPnfsWrite,
     {"node_mountstats_nfs_event_pnfs_write_total", "pNFS writes (NFS v4.1 and later).", MetricType::kCounter}},
};

constexpr Desc kTransportBind{"node_mountstats_nfs_transport_bind_total",
                              "Times the client bound a fresh transport to the server.", MetricType::kCounter};
constexpr Desc kTransportConnect{"node_mountstats_nfs_transport_connect_total",
                                 "TCP connections the client made to the server.", MetricType::kCounter};
constexpr Desc kTransportIdle{"node_mountstats_nfs_transport_idle_time_seconds",
                              "Seconds since the transport last carried RPC traffic.", MetricType::kGauge};
constexpr Desc kTransportSends{"node_mountstats_nfs_transport_sends_total", "RPC requests sent to the server.",
                               MetricType::kCounter};
constexpr Desc kTransportReceives{"node_mountstats_nfs_transport_receives_total",
                                  "RPC replies received from the server.", MetricType::kCounter};
constexpr Desc kTransportBadXids{"node_mountstats_nfs_transport_bad_transaction_ids_total",
                                 "Replies whose transaction ID matched no outstanding request.", MetricType::kCounter};
constexpr Desc kTransportBacklog{"node_mountstats_nfs_transport_backlog_queue_total",
                                 "Running sum of the backlog queue length, added at each request.",
                                 MetricType::kCounter};
constexpr Desc kTransportMaxSlots{"node_mountstats_nfs_transport_maximum_rpc_slots",
                                  "Most RPC requests ever in flight at once.", MetricType::kGauge};
constexpr Desc kTransportSending{"node_mountstats_nfs_transport_sending_queue_total",
                                 "Running sum of the sending queue length, added at each request.",
                                 MetricType::kCounter};
constexpr Desc kTransportPending{"node_mountstats_nfs_transport_pending_queue_total",
                                 "Running sum of the pending queue length, added at each request.",
                                 MetricType::kCounter};

constexpr Desc kOpRequests{"node_mountstats_nfs_operations_requests_total", "Requests made, per NFS operation.",
                           MetricType::kCounter};
constexpr Desc kOpTransmissions{"node_mountstats_nfs_operations_transmissions_total",
                                "RPC transmissions (including retransmissions), per NFS operation.",
                                MetricType::kCounter};
constexpr Desc kOpMajorTimeouts{"node_mountstats_nfs_operations_major_timeouts_total",
                                "Requests that hit a major timeout, per NFS operation.", MetricType::kCounter};
constexpr Desc kOpSent{"node_mountstats_nfs_operations_sent_bytes_total",
                       "Bytes sent including RPC headers, per NFS operation.", MetricType::kCounter};
constexpr Desc kOpReceived{"node_mountstats_nfs_operations_received_bytes_total",
                           "Bytes received including RPC headers, per NFS operation.", MetricType::kCounter};
constexpr Desc kOpQueueTime{"node_mountstats_nfs_operations_queue_time_seconds_total",
                            "Seconds requests waited before being sent, per NFS operation.", MetricType::kCounter};
constexpr Desc kOpResponseTime{"node_mountstats_nfs_operations_response_time_seconds_total",
                               "Seconds from sending a request to receiving its reply, per NFS operation.",
                               MetricType::kCounter};
constexpr Desc kOpRequestTime{"node_mountstats_nfs_operations_request_time_seconds_total",
                              "Seconds from queueing a request to completing it, per NFS operation.",
                              MetricType::kCounter};

double Milliseconds(uint64_t ms) { return static_cast<double>(ms % kFloat64Mantissa) / 1000.0; }

struct DeviceKey {
  std::string_view device, protocol, addr;
};
struct MountpointKey {
  std::string_view device, protocol, addr, mount_point;
};

class MountstatsCollector : public Collector {
 public:
  explicit MountstatsCollector(const Context& ctx)
      : mountstats_file_(ctx.Proc("self/mountstats")), mountinfo_file_(ctx.Proc("self/mountinfo")) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = mountstats_file_.Read(&content);
    if (!st.ok()) return Status::Error("failed to parse mountstats: " + st.message());
    st = ParseMountStats(content, &stats_);
    if (!st.ok()) return Status::Error("failed to parse mountstats: " + st.message());

    std::string_view info;
    st = mountinfo_file_.Read(&info);
    if (!st.ok()) return Status::Error("failed to parse mountinfo: " + st.message());
    st = ParseMountInfo(info, &mountinfo_);
    if (!st.ok()) return Status::Error("failed to parse mountinfo: " + st.message());

    devices_seen_.clear();
    mountpoints_seen_.clear();
    for (size_t idx = 0; idx < stats_.mounts.size(); ++idx) {
      const MountStatsEntry& m = stats_.mounts[idx];
      if (!m.has_nfs_stats) continue;
      std::string_view addr = idx < mountinfo_.size() ? MountAddrOption(mountinfo_[idx].super_options) : "";
      for (const NfsTransportStats& t : stats_.Transports(m)) {
        if (!SeenMountpoint({m.device, t.protocol, addr, m.mount_point})) {
          out.Add(kMountpointInfo, 1,
                  {{"export", m.device}, {"protocol", t.protocol}, {"mountaddr", addr}, {"mountpoint", m.mount_point}});
        }
        if (SeenDevice({m.device, t.protocol, addr})) break;
        EmitStats(out, m, t.protocol, addr);
      }
    }
    return Status::Ok();
  }

 private:
  bool SeenDevice(const DeviceKey& key) {
    for (const DeviceKey& k : devices_seen_) {
      if (k.device == key.device && k.protocol == key.protocol && k.addr == key.addr) return true;
    }
    devices_seen_.push_back(key);
    return false;
  }

  bool SeenMountpoint(const MountpointKey& key) {
    for (const MountpointKey& k : mountpoints_seen_) {
      if (k.device == key.device && k.protocol == key.protocol && k.addr == key.addr &&
          k.mount_point == key.mount_point) {
        return true;
      }
    }
    mountpoints_seen_.push_back(key);
    return false;
  }

  void EmitStats(expo::MetricSet& out, const MountStatsEntry& m, std::string_view protocol, std::string_view addr) {
    const Label labels[] = {{"export", m.device}, {"protocol", protocol}, {"mountaddr", addr}};
    out.Add(kAge, m.age_seconds, labels);
    for (const BytesDesc& b : kBytes) out.Add(b.desc, static_cast<double>(m.bytes.*b.field), labels);

    uint32_t index = 0;
    for (const NfsTransportStats& t : stats_.Transports(m)) {
      char buf[24];
      const Label tl[] = {labels[0], labels[1], labels[2], {"transport", expo::IntLabel(buf, index++)}};
      out.Add(kTransportBind, static_cast<double>(t.bind), tl);
      out.Add(kTransportConnect, static_cast<double>(t.connect), tl);
      out.Add(kTransportIdle, static_cast<double>(t.idle_time_seconds % kFloat64Mantissa), tl);
      out.Add(kTransportSends, static_cast<double>(t.sends), tl);
      out.Add(kTransportReceives, static_cast<double>(t.receives), tl);
      out.Add(kTransportBadXids, static_cast<double>(t.bad_transaction_ids), tl);
      out.Add(kTransportBacklog, static_cast<double>(t.cumulative_backlog), tl);
      out.Add(kTransportMaxSlots, static_cast<double>(t.maximum_rpc_slots_used), tl);
      out.Add(kTransportSending, static_cast<double>(t.cumulative_sending_queue), tl);
      out.Add(kTransportPending, static_cast<double>(t.cumulative_pending_queue), tl);
    }

    for (const NfsOperationStats& op : stats_.Operations(m)) {
      const Label ol[] = {labels[0], labels[1], labels[2], {"operation", op.operation}};
      out.Add(kOpRequests, static_cast<double>(op.requests), ol);
      out.Add(kOpTransmissions, static_cast<double>(op.transmissions), ol);
      out.Add(kOpMajorTimeouts, static_cast<double>(op.major_timeouts), ol);
      out.Add(kOpSent, static_cast<double>(op.bytes_sent), ol);
      out.Add(kOpReceived, static_cast<double>(op.bytes_received), ol);
      out.Add(kOpQueueTime, Milliseconds(op.queue_milliseconds), ol);
      out.Add(kOpResponseTime, Milliseconds(op.response_milliseconds), ol);
      out.Add(kOpRequestTime, Milliseconds(op.request_milliseconds), ol);
    }

    for (const EventDesc& e : kEvents) out.Add(e.desc, static_cast<double>(m.events[e.event]), labels);
  }

  KeptOpenFile mountstats_file_;
  KeptOpenFile mountinfo_file_;
  MountStats stats_;
  std::vector<MountInfoEntry> mountinfo_;
  std::vector<DeviceKey> devices_seen_;
  std::vector<MountpointKey> mountpoints_seen_;
};

}  // namespace

StatusOr<std::unique_ptr<Collector>> NewMountstatsCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<MountstatsCollector>(ctx));
}

}  // namespace nodex::collectors
