#include "collectors/qdisc.h"

#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "base/file_reader.h"
#include "collectors/go_json.h"
#include "collectors/procfs_helpers.h"
#include "collectors/rtnetlink.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kBytes{"node_qdisc_bytes_total", "Bytes sent through the queueing discipline.",
                            expo::MetricType::kCounter};
constexpr expo::Desc kPackets{"node_qdisc_packets_total", "Packets sent through the queueing discipline.",
                              expo::MetricType::kCounter};
constexpr expo::Desc kDrops{"node_qdisc_drops_total", "Packets the queueing discipline dropped.",
                            expo::MetricType::kCounter};
constexpr expo::Desc kRequeues{"node_qdisc_requeues_total",
                               "Packets that were dequeued but could not be sent, and were queued again.",
                               expo::MetricType::kCounter};
constexpr expo::Desc kOverlimits{"node_qdisc_overlimits_total", "Packets that exceeded the qdisc's limits.",
                                 expo::MetricType::kCounter};
constexpr expo::Desc kQlen{"node_qdisc_current_queue_length", "Packets waiting in the queue right now.",
                           expo::MetricType::kGauge};
constexpr expo::Desc kBacklog{"node_qdisc_backlog", "Bytes waiting in the queue right now.", expo::MetricType::kGauge};

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// The legacy struct tc_stats: u64 bytes then seven u32; 36 bytes of data
// (the kernel sends sizeof, which pads it to 40).
constexpr size_t kTcStatsLen = 36;

Status DecodeStats2(std::span<const uint8_t> payload, QdiscInfo* q) {
  Status st;
  bool ok = rtnl::ForEachAttr(payload.data(), payload.size(), [&](const rtnl::Attr& a) {
    if (!st.ok()) return;
    const uint8_t* p = a.payload.data();
    if (a.type == TCA_STATS_BASIC) {
      if (a.payload.size() < 12) {
        st = Status::Error("short TCA_STATS_BASIC attribute");
        return;
      }
      q->bytes = Load<uint64_t>(p);
      q->packets = Load<uint32_t>(p + 8);
    } else if (a.type == TCA_STATS_QUEUE) {
      if (a.payload.size() < 20) {
        st = Status::Error("short TCA_STATS_QUEUE attribute");
        return;
      }
      q->qlen = Load<uint32_t>(p);
      q->backlog = Load<uint32_t>(p + 4);
      q->drops = Load<uint32_t>(p + 8);
      q->requeues = Load<uint32_t>(p + 12);
      q->overlimits = Load<uint32_t>(p + 16);
    }
  });
  if (!ok) return Status::Error("failed to unmarshal TCA_STATS2 attributes");
  return st;
}

Status DecodeQdiscMessage(std::span<const uint8_t> payload, QdiscInfo* q) {
  tcmsg tcm;
  if (payload.size() < sizeof(tcm)) return Status::Error("short RTM_NEWQDISC message");
  std::memcpy(&tcm, payload.data(), sizeof(tcm));
  q->ifindex = tcm.tcm_ifindex;
  q->iface.clear();
  q->handle = tcm.tcm_handle;
  q->parent = tcm.tcm_parent == TC_H_ROOT ? 0 : tcm.tcm_parent;
  q->kind.clear();
  q->bytes = 0;
  q->packets = q->drops = q->requeues = q->overlimits = q->qlen = q->backlog = 0;
  const size_t off = std::min<size_t>(NLMSG_ALIGN(sizeof(tcm)), payload.size());
  Status st;
  bool ok = rtnl::ForEachAttr(payload.data() + off, payload.size() - off, [&](const rtnl::Attr& a) {
    if (!st.ok()) return;
    switch (a.type) {
      case TCA_KIND:
        q->kind.assign(rtnl::AttrString(a));
        break;
      case TCA_STATS2:
        st = DecodeStats2(a.payload, q);
        break;
      case TCA_STATS: {
        if (a.payload.size() < kTcStatsLen) {
          st = Status::Error("short TCA_STATS attribute");
          return;
        }
        const uint8_t* p = a.payload.data();
        q->bytes = Load<uint64_t>(p);
        q->packets = Load<uint32_t>(p + 8);
        q->drops = Load<uint32_t>(p + 12);
        q->overlimits = Load<uint32_t>(p + 16);
        q->qlen = Load<uint32_t>(p + 28);
        q->backlog = Load<uint32_t>(p + 32);
        break;
      }
      default:
        break;
    }
  });
  if (!ok) return Status::Error("failed to unmarshal qdisc attributes");
  return st;
}

Status DecodeFixtureEntry(const nlohmann::json& entry, QdiscInfo* q) {
  if (entry.is_null()) return Status::Ok();
  if (!entry.is_object()) return Status::Error("results.json: entry is not an object");
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    std::string_view key = it.key();
    const nlohmann::json& v = it.value();
    bool ok = true;
    if (GoJsonKeyIs(key, "IfaceName")) {
      ok = GoJsonString(v, &q->iface);
    } else if (GoJsonKeyIs(key, "Kind")) {
      ok = GoJsonString(v, &q->kind);
    } else if (GoJsonKeyIs(key, "Parent")) {
      ok = GoJsonUint(v, &q->parent);
    } else if (GoJsonKeyIs(key, "Handle")) {
      ok = GoJsonUint(v, &q->handle);
    } else if (GoJsonKeyIs(key, "Bytes")) {
      ok = GoJsonUint(v, &q->bytes);
    } else if (GoJsonKeyIs(key, "Packets")) {
      ok = GoJsonUint(v, &q->packets);
    } else if (GoJsonKeyIs(key, "Drops")) {
      ok = GoJsonUint(v, &q->drops);
    } else if (GoJsonKeyIs(key, "Requeues")) {
      ok = GoJsonUint(v, &q->requeues);
    } else if (GoJsonKeyIs(key, "Overlimits")) {
      ok = GoJsonUint(v, &q->overlimits);
    } else if (GoJsonKeyIs(key, "Qlen")) {
      ok = GoJsonUint(v, &q->qlen);
    } else if (GoJsonKeyIs(key, "Backlog")) {
      ok = GoJsonUint(v, &q->backlog);
    }
    if (!ok) return Status::Error("results.json: cannot decode field " + std::string(key));
  }
  return Status::Ok();
}

class QdiscCollector : public Collector {
 public:
  QdiscCollector(std::string fixtures, std::unique_ptr<RE2> include, std::unique_ptr<RE2> exclude)
      : fixtures_(std::move(fixtures)), include_(std::move(include)), exclude_(std::move(exclude)) {}

  Status Collect(expo::MetricSet& out) override {
    std::lock_guard<std::mutex> lock(mu_);
    Status st = fixtures_.empty() ? GatherNetlink() : GatherFixture();
    if (!st.ok()) return st;
    for (size_t i = 0; i < count_; ++i) {
      const QdiscInfo& q = qdiscs_[i];
      // Only root qdiscs, as node_exporter reports them.
      if (q.parent != 0) continue;
      if (Ignored(q.iface)) continue;
      const expo::Label labels[] = {{"device", q.iface}, {"kind", q.kind}};
      out.Add(kBytes, static_cast<double>(q.bytes), labels);
      out.Add(kPackets, q.packets, labels);
      out.Add(kDrops, q.drops, labels);
      out.Add(kRequeues, q.requeues, labels);
      out.Add(kOverlimits, q.overlimits, labels);
      out.Add(kQlen, q.qlen, labels);
      out.Add(kBacklog, q.backlog, labels);
    }
    return Status::Ok();
  }

 private:
  bool Ignored(std::string_view name) const {
    return (exclude_ && procfs_helpers::Matches(*exclude_, name)) ||
           (include_ && !procfs_helpers::Matches(*include_, name));
  }

  Status GatherFixture() {
    count_ = 0;
    Status st = ReadFileOnce(JoinPath(fixtures_, "results.json"), &fixture_buf_);
    if (!st.ok()) return Status::Error("qdisc fixtures: " + st.message());
    st = ParseQdiscFixture(fixture_buf_, &qdiscs_);
    if (!st.ok()) return st;
    count_ = qdiscs_.size();
    return Status::Ok();
  }

  Status GatherNetlink() {
    count_ = 0;
    link_count_ = 0;
    Status st = socket_.Dump(RTM_GETQDISC, sizeof(tcmsg), AF_UNSPEC,
                             [this](std::span<const uint8_t> buf, uint32_t seq) -> StatusOr<bool> {
                               return DecodeQdiscDump(buf, seq, &qdiscs_, &count_);
                             });
    if (!st.ok()) return Status::Error("failed to get qdiscs: " + st.message());
    static const rtnl::LinkDumpRequest kNamesOnly(/*skip_stats=*/true);
    st = socket_.Dump(RTM_GETLINK, kNamesOnly.header(),
                      [this](std::span<const uint8_t> buf, uint32_t seq) -> StatusOr<bool> {
                        return rtnl::DecodeLinkNames(buf, seq, &links_, &link_count_);
                      });
    if (!st.ok()) return Status::Error("failed to get links: " + st.message());
    auto end = links_.begin() + static_cast<std::ptrdiff_t>(link_count_);
    std::sort(links_.begin(), end,
              [](const rtnl::LinkName& a, const rtnl::LinkName& b) { return a.ifindex < b.ifindex; });
    size_t kept = 0;
    for (size_t i = 0; i < count_; ++i) {
      auto it = std::lower_bound(links_.begin(), end, qdiscs_[i].ifindex,
                                 [](const rtnl::LinkName& l, int32_t index) { return l.ifindex < index; });
      // ema/qdisc fails the whole scrape when a link vanished between its
      // dump and the name lookup; a link removed mid-scrape simply drops
      // its qdiscs here.
      if (it == end || it->ifindex != qdiscs_[i].ifindex) continue;
      if (kept != i) std::swap(qdiscs_[kept], qdiscs_[i]);
      qdiscs_[kept].iface.assign(it->name);
      ++kept;
    }
    count_ = kept;
    return Status::Ok();
  }

  std::mutex mu_;
  const std::string fixtures_;
  std::unique_ptr<RE2> include_;
  std::unique_ptr<RE2> exclude_;
  rtnl::Socket socket_;
  std::vector<QdiscInfo> qdiscs_;  // [0, count_) hold this scrape's qdiscs.
  size_t count_ = 0;
  std::vector<rtnl::LinkName> links_;
  size_t link_count_ = 0;
  std::string fixture_buf_;
};

}  // namespace

StatusOr<bool> DecodeQdiscDump(std::span<const uint8_t> buf, uint32_t seq, std::vector<QdiscInfo>* out,
                               size_t* count) {
  return rtnl::WalkDump(buf, seq, [out, count](uint16_t type, std::span<const uint8_t> payload) -> Status {
    if (type != RTM_NEWQDISC) return Status::Ok();
    if (*count == out->size()) out->emplace_back();
    Status st = DecodeQdiscMessage(payload, &(*out)[*count]);
    if (!st.ok()) return st;
    ++*count;
    return Status::Ok();
  });
}

Status ParseQdiscFixture(std::string_view json, std::vector<QdiscInfo>* out) {
  out->clear();
  try {
    nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Status::Error("results.json: invalid JSON");
    if (doc.is_null()) return Status::Ok();
    if (!doc.is_array()) return Status::Error("results.json: not a JSON array");
    out->resize(doc.size());
    for (size_t i = 0; i < doc.size(); ++i) {
      Status st = DecodeFixtureEntry(doc[i], &(*out)[i]);
      if (!st.ok()) {
        out->clear();
        return st;
      }
    }
  } catch (const std::exception& e) {
    out->clear();
    return Status::Error(std::string("results.json: ") + e.what());
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewQdiscCollector(const Context& ctx) {
  using procfs_helpers::StringFlagOr;
  std::string fixtures(StringFlagOr(ctx, "collector.qdisc.fixtures", ""));
  std::string include(StringFlagOr(ctx, "collector.qdisc.device-include", ""));
  std::string exclude(StringFlagOr(ctx, "collector.qdisc.device-exclude", ""));
  if (!include.empty() && !exclude.empty()) {
    return Status::Error("collector.qdisc.device-include and collector.qdisc.device-exclude are mutually exclusive");
  }
  std::unique_ptr<RE2> include_re, exclude_re;
  Status st = procfs_helpers::CompileFlagRegex("collector.qdisc.device-include", include, true, &include_re);
  if (!st.ok()) return st;
  st = procfs_helpers::CompileFlagRegex("collector.qdisc.device-exclude", exclude, true, &exclude_re);
  if (!st.ok()) return st;
  return std::unique_ptr<Collector>(
      std::make_unique<QdiscCollector>(std::move(fixtures), std::move(include_re), std::move(exclude_re)));
}

}  // namespace nodex::collectors
