#include "collectors/conntrack.h"

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

// /proc/net/stat/nf_conntrack: a header of about 165 bytes, then one line of
// "%08x " fields per CPU (about 155 bytes).
constexpr size_t kStatLongestLine = 512;

using expo::Desc;
constexpr expo::MetricType kG = expo::MetricType::kGauge;

constexpr Desc kEntries{"node_nf_conntrack_entries", "Flow entries currently allocated by connection tracking.", kG};
constexpr Desc kLimit{"node_nf_conntrack_entries_limit", "Capacity of the connection tracking table.", kG};
constexpr Desc kFound{"node_nf_conntrack_stat_found", "Conntrack lookups that found an entry.", kG};
constexpr Desc kInvalid{"node_nf_conntrack_stat_invalid", "Packets conntrack could not track.", kG};
constexpr Desc kIgnore{"node_nf_conntrack_stat_ignore", "Packets that already had a conntrack entry attached.", kG};
constexpr Desc kInsert{"node_nf_conntrack_stat_insert", "Entries inserted into the conntrack table.", kG};
constexpr Desc kInsertFailed{"node_nf_conntrack_stat_insert_failed",
                             "Conntrack insertions that failed (e.g. the entry already existed).", kG};
constexpr Desc kDrop{"node_nf_conntrack_stat_drop", "Packets dropped because conntrack failed for them.", kG};
constexpr Desc kEarlyDrop{"node_nf_conntrack_stat_early_drop",
                          "Conntrack entries dropped to make room while the table was full.", kG};
constexpr Desc kSearchRestart{"node_nf_conntrack_stat_search_restart",
                              "Conntrack lookups restarted because the hash table was resized.", kG};

class ConntrackCollector : public Collector {
 public:
  explicit ConntrackCollector(const Context& ctx)
      : count_(ctx.Proc("sys/net/netfilter/nf_conntrack_count"), ReadEnd::OneRecord()),
        max_(ctx.Proc("sys/net/netfilter/nf_conntrack_max"), ReadEnd::OneRecord()),
        stat_(ctx.Proc("net/stat/nf_conntrack"), ReadEnd::Records(kStatLongestLine)),
        log_(ctx.log) {}

  Status Collect(expo::MetricSet& out) override {
    // Same order as node_exporter: a later failure keeps earlier samples.
    StatusOr<uint64_t> count = ReadValue(count_);
    if (!count.ok()) return count.status();
    out.Add(kEntries, static_cast<double>(*count));
    StatusOr<uint64_t> max = ReadValue(max_);
    if (!max.ok()) return max.status();
    out.Add(kLimit, static_cast<double>(*max));

    std::string_view content;
    Status st = stat_.Read(&content);
    if (!st.ok()) return HandleError(st);
    StatusOr<ConntrackStats> s = ParseConntrackStat(content);
    if (!s.ok()) return Status::Error("failed to retrieve conntrack stats: " + s.status().message());
    out.Add(kFound, static_cast<double>(s->found));
    out.Add(kInvalid, static_cast<double>(s->invalid));
    out.Add(kIgnore, static_cast<double>(s->ignore));
    out.Add(kInsert, static_cast<double>(s->insert));
    out.Add(kInsertFailed, static_cast<double>(s->insert_failed));
    out.Add(kDrop, static_cast<double>(s->drop));
    out.Add(kEarlyDrop, static_cast<double>(s->early_drop));
    out.Add(kSearchRestart, static_cast<double>(s->search_restart));
    return Status::Ok();
  }

 private:
  Status HandleError(const Status& st) {
    if (st.code() == StatusCode::kNoData) {
      if (log_ != nullptr && log_->Enabled(LogLevel::kDebug)) log_->Debug("conntrack probably not loaded");
      return Status::NoData("conntrack probably not loaded");
    }
    return Status::Error("failed to retrieve conntrack stats: " + st.message());
  }

  StatusOr<uint64_t> ReadValue(KeptOpenFile& file) {
    std::string_view content;
    Status st = file.Read(&content);
    if (!st.ok()) return HandleError(st);
    StatusOr<uint64_t> v = ParseConntrackValue(content);
    if (!v.ok())
      return Status::Error("failed to retrieve conntrack stats: " + file.path() + ": " + v.status().message());
    return v;
  }

  KeptOpenFile count_;
  KeptOpenFile max_;
  KeptOpenFile stat_;
  Logger* log_;
};

std::string Excerpt(std::string_view s) { return std::string(s.substr(0, 32)); }

}  // namespace

StatusOr<ConntrackStats> ParseConntrackStat(std::string_view content) {
  ConntrackStats sum;
  std::string_view line;
  bool header = true;
  while (NextLine(&content, &line)) {
    if (header) {
      header = false;
      continue;
    }
    constexpr size_t kMaxFields = 17;
    size_t n = 0;
    std::string_view rest = line, field;
    uint64_t v[kMaxFields] = {};
    while (NextField(&rest, &field)) {
      std::optional<uint64_t> x = ParseInt<uint64_t>(field, 16);
      if (!x) return Status::Error("invalid conntrack stat value \"" + Excerpt(field) + "\"");
      if (n < kMaxFields) v[n] = *x;
      ++n;
    }
    if (n < 16 || n > 17) {
      return Status::Error("invalid conntrack stat entry, invalid number of fields: " + std::to_string(n));
    }
    sum.found += v[2];
    sum.invalid += v[4];
    sum.ignore += v[5];
    sum.insert += v[8];
    sum.insert_failed += v[9];
    sum.drop += v[10];
    sum.early_drop += v[11];
    if (n == 17) sum.search_restart += v[16];
    ++sum.cpus;
  }
  return sum;
}

StatusOr<uint64_t> ParseConntrackValue(std::string_view content) {
  std::string_view t = TrimSpace(content);
  std::optional<uint64_t> v = ParseU64(t);
  if (!v) return Status::Error("invalid value \"" + Excerpt(t) + "\"");
  return *v;
}

StatusOr<std::unique_ptr<Collector>> NewConntrackCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<ConntrackCollector>(ctx));
}

}  // namespace nodex::collectors
