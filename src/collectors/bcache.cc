#include "collectors/bcache.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "base/parse.h"
#include "base/split.h"
#include "collectors/go_strconv.h"
#include "collectors/procfs_helpers.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
using expo::MetricType;

constexpr Desc kAverageKeySize{"node_bcache_average_key_size_sectors", "Average data per btree key, in sectors.",
                               MetricType::kGauge};
constexpr Desc kBtreeCacheSize{"node_bcache_btree_cache_size_bytes", "Memory used by the btree cache.",
                               MetricType::kGauge};
constexpr Desc kCacheAvailable{"node_bcache_cache_available_percent",
                               "Percentage of the cache without dirty data (usable for writeback).",
                               MetricType::kGauge};
constexpr Desc kCongested{"node_bcache_congested", "Whether the cache set is congested.", MetricType::kGauge};
constexpr Desc kRootUsage{"node_bcache_root_usage_percent", "Percentage of the btree root node in use.",
                          MetricType::kGauge};
constexpr Desc kTreeDepth{"node_bcache_tree_depth", "Depth of the btree.", MetricType::kGauge};
constexpr Desc kActiveJournal{"node_bcache_active_journal_entries", "Journal entries newer than the index.",
                              MetricType::kGauge};
constexpr Desc kBtreeNodes{"node_bcache_btree_nodes", "Nodes in the btree.", MetricType::kGauge};
constexpr Desc kBtreeReadAvg{"node_bcache_btree_read_average_duration_seconds", "Average btree read time.",
                             MetricType::kGauge};
constexpr Desc kCacheReadRaces{"node_bcache_cache_read_races_total",
                               "Reads from the cache whose bucket was reused while the read was in flight.",
                               MetricType::kCounter};
constexpr Desc kDirtyData{"node_bcache_dirty_data_bytes", "Dirty data of this backing device held in the cache.",
                          MetricType::kGauge};
constexpr Desc kDirtyTarget{"node_bcache_dirty_target_bytes", "Dirty data target of this backing device.",
                            MetricType::kGauge};
constexpr Desc kWritebackRate{"node_bcache_writeback_rate", "Current writeback rate, in bytes per second.",
                              MetricType::kGauge};
constexpr Desc kWritebackP{"node_bcache_writeback_rate_proportional_term",
                           "Proportional term of the writeback rate controller.", MetricType::kGauge};
constexpr Desc kWritebackI{"node_bcache_writeback_rate_integral_term",
                           "Integral term of the writeback rate controller.", MetricType::kGauge};
constexpr Desc kWritebackChange{"node_bcache_writeback_change", "Last change of the writeback rate.",
                                MetricType::kGauge};
constexpr Desc kBypassed{"node_bcache_bypassed_bytes_total", "I/O (reads and writes) that bypassed the cache.",
                         MetricType::kCounter};
constexpr Desc kCacheHits{"node_bcache_cache_hits_total", "Cache hits, per I/O as bcache sees it.",
                          MetricType::kCounter};
constexpr Desc kCacheMisses{"node_bcache_cache_misses_total", "Cache misses, per I/O as bcache sees it.",
                            MetricType::kCounter};
constexpr Desc kBypassHits{"node_bcache_cache_bypass_hits_total", "Hits for I/O meant to skip the cache.",
                           MetricType::kCounter};
constexpr Desc kBypassMisses{"node_bcache_cache_bypass_misses_total", "Misses for I/O meant to skip the cache.",
                             MetricType::kCounter};
constexpr Desc kMissCollisions{"node_bcache_cache_miss_collisions_total",
                               "Cache-miss insertions that raced with a write of the same data.",
                               MetricType::kCounter};
constexpr Desc kReadaheads{"node_bcache_cache_readaheads_total", "Readaheads performed.", MetricType::kCounter};
constexpr Desc kIoErrors{"node_bcache_io_errors", "Errors on this cache device, decayed by io_error_halflife.",
                         MetricType::kGauge};
constexpr Desc kMetadataWritten{"node_bcache_metadata_written_bytes_total",
                                "Metadata (btree and other non-data) written to this cache device.",
                                MetricType::kCounter};
constexpr Desc kWritten{"node_bcache_written_bytes_total", "Data written to this cache device.",
                        MetricType::kCounter};
constexpr Desc kPrioUnused{"node_bcache_priority_stats_unused_percent",
                           "Percentage of this cache device holding no data.", MetricType::kGauge};
constexpr Desc kPrioMetadata{"node_bcache_priority_stats_metadata_percent",
                             "Percentage of this cache device used for bcache metadata.", MetricType::kGauge};

// Go's uint64(f) on amd64: values below 2^63 (negative ones too) go through
// a signed conversion; NaN and values out of range give 2^63.
uint64_t GoFloatToUint64(double f) {
  constexpr double kTwo63 = 9223372036854775808.0;
  constexpr uint64_t kIndefinite = uint64_t{1} << 63;
  if (std::isnan(f)) return kIndefinite;
  if (f < kTwo63) {
    if (f <= -kTwo63) return kIndefinite;
    return static_cast<uint64_t>(static_cast<int64_t>(f));
  }
  if (f >= 2 * kTwo63) return kIndefinite;
  return static_cast<uint64_t>(static_cast<int64_t>(f - kTwo63)) ^ kIndefinite;
}

// procfs' parsePseudoFloat: "<int>[.<tenths of 1024>]".
std::optional<double> ParsePseudoFloat(std::string_view s) {
  size_t dot = s.find('.');
  std::optional<double> int_part = sysfs::ParseGoFloat(s.substr(0, dot));
  if (!int_part) return std::nullopt;
  if (dot == std::string_view::npos) return int_part;
  std::string_view frac = s.substr(dot + 1);
  frac = frac.substr(0, frac.find('.'));  // Go's strings.Split keeps only the second piece.
  std::optional<double> frac_part = sysfs::ParseGoFloat(frac);
  if (!frac_part) return std::nullopt;
  return *int_part + *frac_part / 10.24;
}

double UnitMultiplier(char c) {
  switch (c) {
    case 'k': return 0x1p10;
    case 'M': return 0x1p20;
    case 'G': return 0x1p30;
    case 'T': return 0x1p40;
    case 'P': return 0x1p50;
    case 'E': return 0x1p60;
    case 'Z': return 0x1p70;
    case 'Y': return 0x1p80;
    default: return 0;
  }
}

std::string_view TrimSuffix(std::string_view s, std::string_view suffix) {
  if (s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix) s.remove_suffix(suffix.size());
  return s;
}

std::string_view LastField(std::string_view line) {
  std::string_view field, last;
  while (NextField(&line, &field)) last = field;
  return last;
}

struct PeriodStats {
  uint64_t bypassed = 0, cache_hits = 0, cache_misses = 0, bypass_hits = 0, bypass_misses = 0,
           miss_collisions = 0, readaheads = 0;
};

struct Bdev {
  std::string name;
  uint64_t dirty_data = 0;
  BcacheWritebackRateDebug wrd;
  PeriodStats total;
};

struct Cache {
  std::string name;
  uint64_t io_errors = 0, metadata_written = 0, written = 0;
  BcachePriorityStats priority;
};

struct CacheSet {
  std::string uuid;
  uint64_t average_key_size = 0, btree_cache_size = 0, cache_available_percent = 0, congested = 0,
           root_usage_percent = 0, tree_depth = 0;
  uint64_t active_journal_entries = 0, btree_nodes = 0, btree_read_average_us = 0, cache_read_races = 0;
  PeriodStats total;
  std::vector<Bdev> bdevs;
  size_t bdev_count = 0;
  std::vector<Cache> caches;
  size_t cache_count = 0;
};

class BcacheCollector : public Collector {
 public:
  BcacheCollector(const Context& ctx, bool priority_stats)
      : dir_(ctx.Sys("fs/bcache")), priority_stats_(priority_stats) {}

  Status Collect(expo::MetricSet& out) override {
    Status st = ReadAll();
    attrs_.Sweep();
    if (!st.ok()) return Status::Error("failed to retrieve bcache stats: " + st.message());
    for (size_t i = 0; i < set_count_; ++i) Emit(sets_[i], out);
    return Status::Ok();
  }

 private:
  // Everything is read before anything is emitted: like procfs, one bad file
  // fails the scrape with no bcache samples at all.
  Status ReadAll() {
    set_count_ = 0;
    size_t count = 0;
    if (sysfs::ListDir(dir_, &set_entries_, &count) != 0) return Status::Ok();  // No bcache loaded.
    for (size_t i = 0; i < count; ++i) {
      const std::string& name = set_entries_[i].name;
      if (name.find('-') == std::string::npos) continue;  // register, register_quiet, ...
      if (set_count_ == sets_.size()) sets_.emplace_back();
      CacheSet& set = sets_[set_count_++];
      set.uuid = name;
      base_.assign(dir_).append("/").append(name);
      if (Status st = ReadSet(&set); !st.ok()) return st;
    }
    return Status::Ok();
  }

  Status ReadSet(CacheSet* s) {
    const std::string& b = base_;
    Status st;
    auto v = [&](std::string_view rel, uint64_t* dst) {
      if (st.ok()) st = ReadValue(b, rel, dst);
    };
    v("average_key_size", &s->average_key_size);
    v("btree_cache_size", &s->btree_cache_size);
    v("cache_available_percent", &s->cache_available_percent);
    v("congested", &s->congested);
    v("root_usage_percent", &s->root_usage_percent);
    v("tree_depth", &s->tree_depth);
    v("internal/active_journal_entries", &s->active_journal_entries);
    v("internal/btree_nodes", &s->btree_nodes);
    v("internal/btree_read_average_duration_us", &s->btree_read_average_us);
    v("internal/cache_read_races", &s->cache_read_races);
    PeriodStats five_minute;  // Read only so that a broken file fails the scrape as in procfs.
    if (st.ok()) st = ReadPeriod(b, "stats_five_minute/", &five_minute);
    if (st.ok()) st = ReadPeriod(b, "stats_total/", &s->total);
    if (!st.ok()) return st;

    size_t count = 0;
    if (int err = sysfs::ListDir(b, &dev_entries_, &count); err != 0) {
      return Status::Error("cannot list " + b + ": " + std::strerror(err));
    }
    s->bdev_count = 0;
    s->cache_count = 0;
    for (size_t i = 0; i < count; ++i) {
      const std::string& name = dev_entries_[i].name;
      if (!sysfs::MatchesDigitGlob(name, "bdev")) continue;
      if (s->bdev_count == s->bdevs.size()) s->bdevs.emplace_back();
      Bdev& d = s->bdevs[s->bdev_count++];
      d.name = name;
      dev_.assign(b).append("/").append(name);
      if (st = ReadValue(dev_, "dirty_data", &d.dirty_data); !st.ok()) return st;
      d.wrd = BcacheWritebackRateDebug();
      if (st = ReadLines(dev_, "writeback_rate_debug"); !st.ok()) return st;
      if (st = ParseBcacheWritebackRateDebug(text_, &d.wrd); !st.ok()) {
        return Status::Error("failed to parse: " + path_ + " (" + st.message() + ")");
      }
      if (st = ReadPeriod(dev_, "stats_five_minute/", &five_minute); !st.ok()) return st;
      // procfs reads the backing device's totals from the cache set's directory.
      if (st = ReadPeriod(b, "stats_total/", &d.total); !st.ok()) return st;
    }
    for (size_t i = 0; i < count; ++i) {
      const std::string& name = dev_entries_[i].name;
      if (!sysfs::MatchesDigitGlob(name, "cache")) continue;
      if (s->cache_count == s->caches.size()) s->caches.emplace_back();
      Cache& c = s->caches[s->cache_count++];
      c.name = name;
      dev_.assign(b).append("/").append(name);
      auto cv = [&](std::string_view rel, uint64_t* dst) {
        if (st.ok()) st = ReadValue(dev_, rel, dst);
      };
      cv("io_errors", &c.io_errors);
      cv("metadata_written", &c.metadata_written);
      cv("written", &c.written);
      if (!st.ok()) return st;
      c.priority = BcachePriorityStats();
      if (priority_stats_) {
        if (st = ReadLines(dev_, "priority_stats"); !st.ok()) return st;
        if (st = ParseBcachePriorityStats(text_, &c.priority); !st.ok()) {
          return Status::Error("failed to parse: " + path_ + " (" + st.message() + ")");
        }
      }
    }
    return Status::Ok();
  }

  Status ReadPeriod(const std::string& dir, std::string_view sub, PeriodStats* p) {
    struct Field {
      std::string_view name;
      uint64_t PeriodStats::*member;
    };
    static constexpr Field kFields[] = {
        {"bypassed", &PeriodStats::bypassed},
        {"cache_bypass_hits", &PeriodStats::bypass_hits},
        {"cache_bypass_misses", &PeriodStats::bypass_misses},
        {"cache_hits", &PeriodStats::cache_hits},
        {"cache_miss_collisions", &PeriodStats::miss_collisions},
        {"cache_misses", &PeriodStats::cache_misses},
        {"cache_readaheads", &PeriodStats::readaheads},
    };
    for (const Field& f : kFields) {
      rel_.assign(sub).append(f.name);
      if (Status st = ReadValue(dir, rel_, &(p->*f.member)); !st.ok()) return st;
    }
    return Status::Ok();
  }

  // procfs' readValue: the whole file minus its last byte (the newline).
  Status ReadValue(const std::string& dir, std::string_view rel, uint64_t* out) {
    path_.assign(dir).append("/").append(rel);
    std::string_view content;
    if (attrs_.Read(path_, sysfs::kAttrPageSize, &content) != 0) return Status::Error("failed to read: " + path_);
    if (content.empty()) return Status::Error("zero-length reply: " + path_);
    content.remove_suffix(1);
    std::optional<uint64_t> v = ParseBcacheValue(content);
    if (!v) return Status::Error("invalid value in " + path_ + ": '" + std::string(content) + "'");
    *out = *v;
    return Status::Ok();
  }

  Status ReadLines(const std::string& dir, std::string_view rel) {
    path_.assign(dir).append("/").append(rel);
    std::string_view content;
    if (attrs_.Read(path_, sysfs::kAttrPageSize, &content) != 0) return Status::Error("failed to read: " + path_);
    text_.assign(content);
    return Status::Ok();
  }

  void Emit(const CacheSet& s, expo::MetricSet& out) const {
    const expo::Label uuid{"uuid", s.uuid};
    auto set_metric = [&](const Desc& d, double v) { out.Add(d, v, {uuid}); };
    set_metric(kAverageKeySize, static_cast<double>(s.average_key_size));
    set_metric(kBtreeCacheSize, static_cast<double>(s.btree_cache_size));
    set_metric(kCacheAvailable, static_cast<double>(s.cache_available_percent));
    set_metric(kCongested, static_cast<double>(s.congested));
    set_metric(kRootUsage, static_cast<double>(s.root_usage_percent));
    set_metric(kTreeDepth, static_cast<double>(s.tree_depth));
    set_metric(kActiveJournal, static_cast<double>(s.active_journal_entries));
    set_metric(kBtreeNodes, static_cast<double>(s.btree_nodes));
    set_metric(kBtreeReadAvg, static_cast<double>(s.btree_read_average_us) * 1e-9);
    set_metric(kCacheReadRaces, static_cast<double>(s.cache_read_races));
    for (size_t i = 0; i < s.bdev_count; ++i) {
      const Bdev& d = s.bdevs[i];
      const expo::Label dev{"backing_device", d.name};
      auto m = [&](const Desc& desc, double v) { out.Add(desc, v, {uuid, dev}); };
      m(kDirtyData, static_cast<double>(d.dirty_data));
      m(kDirtyTarget, static_cast<double>(d.wrd.target));
      m(kWritebackRate, static_cast<double>(d.wrd.rate));
      m(kWritebackP, static_cast<double>(d.wrd.proportional));
      m(kWritebackI, static_cast<double>(d.wrd.integral));
      m(kWritebackChange, static_cast<double>(d.wrd.change));
      m(kBypassed, static_cast<double>(d.total.bypassed));
      m(kCacheHits, static_cast<double>(d.total.cache_hits));
      m(kCacheMisses, static_cast<double>(d.total.cache_misses));
      m(kBypassHits, static_cast<double>(d.total.bypass_hits));
      m(kBypassMisses, static_cast<double>(d.total.bypass_misses));
      m(kMissCollisions, static_cast<double>(d.total.miss_collisions));
      // node_exporter leaves the readahead counter out while it is zero.
      if (d.total.readaheads != 0) m(kReadaheads, static_cast<double>(d.total.readaheads));
    }
    for (size_t i = 0; i < s.cache_count; ++i) {
      const Cache& c = s.caches[i];
      const expo::Label dev{"cache_device", c.name};
      auto m = [&](const Desc& desc, double v) { out.Add(desc, v, {uuid, dev}); };
      m(kIoErrors, static_cast<double>(c.io_errors));
      m(kMetadataWritten, static_cast<double>(c.metadata_written));
      m(kWritten, static_cast<double>(c.written));
      if (priority_stats_) {
        m(kPrioUnused, static_cast<double>(c.priority.unused_percent));
        m(kPrioMetadata, static_cast<double>(c.priority.metadata_percent));
      }
    }
  }

  std::string dir_;
  bool priority_stats_;
  sysfs::AttrFiles attrs_;
  std::vector<sysfs::DirEntry> set_entries_;
  std::vector<sysfs::DirEntry> dev_entries_;
  std::vector<CacheSet> sets_;
  size_t set_count_ = 0;
  std::string base_, dev_, path_, rel_, text_;
};

}  // namespace

std::optional<uint64_t> ParseBcacheValue(std::string_view s) {
  if (s.empty()) return std::nullopt;
  unsigned char last = static_cast<unsigned char>(s.back());
  if (last > '9') {
    double mul = UnitMultiplier(static_cast<char>(last));
    std::optional<double> mant = ParsePseudoFloat(s.substr(0, s.size() - 1));
    if (!mant) return std::nullopt;
    return GoFloatToUint64(*mant * mul);
  }
  std::optional<double> mant = sysfs::ParseGoFloat(s);
  if (!mant) return std::nullopt;
  return GoFloatToUint64(*mant);
}

std::optional<int64_t> ParseBcacheSignedValue(std::string_view s) {
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  std::optional<uint64_t> v = ParseBcacheValue(s);
  if (!v) return std::nullopt;
  return static_cast<int64_t>(negative ? uint64_t{0} - *v : *v);
}

Status ParseBcachePriorityStats(std::string_view content, BcachePriorityStats* out) {
  std::string_view line;
  while (NextLine(&content, &line)) {
    uint64_t* dst = nullptr;
    if (line.substr(0, 7) == "Unused:") {
      dst = &out->unused_percent;
    } else if (line.substr(0, 9) == "Metadata:") {
      dst = &out->metadata_percent;
    } else {
      continue;
    }
    std::string_view value = TrimSuffix(LastField(line), "%");
    std::optional<uint64_t> v = GoParseUint(value, 10, 64);
    if (!v) return Status::Error("invalid priority_stats value '" + std::string(value) + "'");
    *dst = *v;
  }
  return Status::Ok();
}

Status ParseBcacheWritebackRateDebug(std::string_view content, BcacheWritebackRateDebug* out) {
  std::string_view line;
  while (NextLine(&content, &line)) {
    auto starts = [&](std::string_view p) { return line.substr(0, p.size()) == p; };
    std::string_view last = LastField(line);
    bool ok = true;
    if (starts("rate:")) {
      auto v = ParseBcacheValue(TrimSuffix(last, "/sec"));
      ok = v.has_value();
      if (ok) out->rate = *v;
    } else if (starts("dirty:")) {
      auto v = ParseBcacheValue(last);
      ok = v.has_value();
      if (ok) out->dirty = *v;
    } else if (starts("target:")) {
      auto v = ParseBcacheValue(last);
      ok = v.has_value();
      if (ok) out->target = *v;
    } else if (starts("proportional:")) {
      auto v = ParseBcacheSignedValue(last);
      ok = v.has_value();
      if (ok) out->proportional = *v;
    } else if (starts("integral:")) {
      auto v = ParseBcacheSignedValue(last);
      ok = v.has_value();
      if (ok) out->integral = *v;
    } else if (starts("change:")) {
      auto v = ParseBcacheSignedValue(TrimSuffix(last, "/sec"));
      ok = v.has_value();
      if (ok) out->change = *v;
    } else if (starts("next io:")) {
      auto v = GoParseInt(TrimSuffix(last, "ms"), 10, 64);
      ok = v.has_value();
      if (ok) out->next_io_ms = *v;
    }
    if (!ok) return Status::Error("invalid writeback_rate_debug line '" + std::string(line) + "'");
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewBcacheCollector(const Context& ctx) {
  bool priority = procfs_helpers::BoolFlagOr(ctx, "collector.bcache.priorityStats", false);
  return std::unique_ptr<Collector>(std::make_unique<BcacheCollector>(ctx, priority));
}

}  // namespace nodex::collectors
