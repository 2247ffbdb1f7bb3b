#include "collectors/zoneinfo.h"

#include <deque>
#include <string>

#include "base/file_reader.h"
#include "base/split.h"
#include "collectors/go_strconv.h"

namespace nodex::collectors {

namespace {
constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::MetricType kCounter = expo::MetricType::kCounter;
}  // namespace

// node_exporter's two description maps (zoneinfo_linux.go), keyed here by the
// procfs field's source key.
const std::array<ZoneinfoField, kZoneinfoFieldCount> kZoneinfoFields = {{
    {"nr_free_pages", {"node_zoneinfo_nr_free_pages", "Free pages in the zone.", kGauge}},
    {"min", {"node_zoneinfo_min_pages", "Zone watermark min, in pages.", kGauge}},
    {"low", {"node_zoneinfo_low_pages", "Zone watermark low, in pages.", kGauge}},
    {"high", {"node_zoneinfo_high_pages", "Zone watermark high, in pages.", kGauge}},
    {"scanned", {"node_zoneinfo_scanned_pages", "Pages scanned since the last reclaim (old kernels).", kGauge}},
    {"spanned", {"node_zoneinfo_spanned_pages", "Pages spanned by the zone, holes included.", kGauge}},
    {"present", {"node_zoneinfo_present_pages", "Physical pages present in the zone.", kGauge}},
    {"managed", {"node_zoneinfo_managed_pages", "Present pages managed by the buddy allocator.", kGauge}},
    {"nr_active_anon", {"node_zoneinfo_nr_active_anon_pages", "Anonymous pages on the active LRU list.", kGauge}},
    {"nr_inactive_anon", {"node_zoneinfo_nr_inactive_anon_pages", "Anonymous pages on the inactive LRU list.", kGauge}},
    {"nr_isolated_anon", {"node_zoneinfo_nr_isolated_anon_pages", "Anonymous pages temporarily isolated from the LRU.", kGauge}},
    {"nr_anon_pages", {"node_zoneinfo_nr_anon_pages", "Anonymous pages in use.", kGauge}},
    {"nr_anon_transparent_hugepages", {"node_zoneinfo_nr_anon_transparent_hugepages", "Anonymous transparent huge pages in use.", kGauge}},
    {"nr_active_file", {"node_zoneinfo_nr_active_file_pages", "File-backed pages on the active LRU list.", kGauge}},
    {"nr_inactive_file", {"node_zoneinfo_nr_inactive_file_pages", "File-backed pages on the inactive LRU list.", kGauge}},
    {"nr_isolated_file", {"node_zoneinfo_nr_isolated_file_pages", "File-backed pages temporarily isolated from the LRU.", kGauge}},
    {"nr_file_pages", {"node_zoneinfo_nr_file_pages", "File-backed pages.", kGauge}},
    {"nr_slab_reclaimable", {"node_zoneinfo_nr_slab_reclaimable_pages", "Reclaimable slab pages.", kGauge}},
    {"nr_slab_unreclaimable", {"node_zoneinfo_nr_slab_unreclaimable_pages", "Unreclaimable slab pages.", kGauge}},
    {"nr_mlock_stack", {"node_zoneinfo_nr_mlock_stack_pages", "mlock()ed pages moved off the LRU.", kGauge}},
    {"nr_kernel_stack", {"node_zoneinfo_nr_kernel_stacks", "Kernel stacks.", kGauge}},
    {"nr_mapped", {"node_zoneinfo_nr_mapped_pages", "Mapped pages.", kGauge}},
    {"nr_dirty", {"node_zoneinfo_nr_dirty_pages", "Dirty pages.", kGauge}},
    {"nr_writeback", {"node_zoneinfo_nr_writeback_pages", "Pages under writeback.", kGauge}},
    {"nr_unevictable", {"node_zoneinfo_nr_unevictable_pages", "Unevictable pages.", kGauge}},
    {"nr_shmem", {"node_zoneinfo_nr_shmem_pages", "Shared memory pages, tmpfs and GEM included.", kGauge}},
    {"nr_dirtied", {"node_zoneinfo_nr_dirtied_total", "Pages dirtied since boot.", kCounter}},
    {"nr_written", {"node_zoneinfo_nr_written_total", "Pages written since boot.", kCounter}},
    {"numa_hit", {"node_zoneinfo_numa_hit_total", "Allocations satisfied from the intended node.", kCounter}},
    {"numa_miss", {"node_zoneinfo_numa_miss_total", "Allocations satisfied here although another node was intended.", kCounter}},
    {"numa_foreign", {"node_zoneinfo_numa_foreign_total", "Allocations intended here but satisfied elsewhere.", kCounter}},
    {"numa_interleave", {"node_zoneinfo_numa_interleave_total", "Interleave-policy allocations that preferred this zone.", kCounter}},
    {"numa_local", {"node_zoneinfo_numa_local_total", "Allocations made by a CPU of this node.", kCounter}},
    {"numa_other", {"node_zoneinfo_numa_other_total", "Allocations made by a CPU of another node.", kCounter}},
}};

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWord(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsGoSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// The leftmost match of `(\d+), zone\s+(\w+)` in line, as procfs' nodeZoneRE.
bool FindNodeZone(std::string_view line, std::string_view* node, std::string_view* zone) {
  static constexpr std::string_view kSep = ", zone";
  for (size_t pos = line.find(kSep); pos != std::string_view::npos; pos = line.find(kSep, pos + 1)) {
    size_t begin = pos;
    while (begin > 0 && IsDigit(line[begin - 1])) --begin;
    if (begin == pos) continue;
    size_t i = pos + kSep.size();
    size_t ws = i;
    while (i < line.size() && IsGoSpace(line[i])) ++i;
    if (i == ws) continue;
    size_t word = i;
    while (i < line.size() && IsWord(line[i])) ++i;
    if (i == word) continue;
    *node = line.substr(begin, pos - begin);
    *zone = line.substr(word, i - word);
    return true;
  }
  return false;
}

int FindField(std::string_view key) {
  for (size_t i = 0; i < kZoneinfoFields.size(); ++i) {
    if (kZoneinfoFields[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

// "protection: (0, 2039, 31932)": procfs takes the text between the first
// and second ':', drops the first '(' and ')', trims, and splits on ", ".
Status ParseProtection(std::string_view line, std::vector<int64_t>* out, ZoneinfoZone* zone) {
  std::string_view rest = line.substr(line.find(':') + 1);
  rest = rest.substr(0, rest.find(':'));
  std::string_view text = TrimSpace(rest);
  std::string spliced;  // Only for layouts the kernel does not write.
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')' &&
      text.substr(1, text.size() - 2).find_first_of("()") == std::string_view::npos) {
    text = TrimSpace(text.substr(1, text.size() - 2));
  } else if (rest.find_first_of("()") != std::string_view::npos) {
    spliced.assign(rest);
    if (size_t p = spliced.find('('); p != std::string::npos) spliced.erase(p, 1);
    if (size_t p = spliced.find(')'); p != std::string::npos) spliced.erase(p, 1);
    text = TrimSpace(spliced);
  }
  const uint32_t begin = static_cast<uint32_t>(out->size());
  while (true) {
    size_t sep = text.find(", ");
    std::string_view item = text.substr(0, sep);
    std::optional<int64_t> v = GoParseInt(item, 10, 64);
    if (!v) {
      out->resize(begin);
      return Status::Error("invalid protection value \"" + std::string(item) + "\" in zoneinfo line \"" +
                           std::string(line) + "\"");
    }
    out->push_back(*v);
    if (sep == std::string_view::npos) break;
    text.remove_prefix(sep + 2);
  }
  zone->protection_begin = begin;
  zone->protection_count = static_cast<uint32_t>(out->size() - begin);
  return Status::Ok();
}

Status ParseBlock(std::string_view block, Zoneinfo* out) {
  ZoneinfoZone zone;
  bool has_header = false;
  bool has_data = false;
  std::string_view line;
  while (NextLine(&block, &line)) {
    std::string_view node_view, zone_view;
    if (FindNodeZone(line, &node_view, &zone_view)) {
      zone.node = node_view;
      zone.zone = zone_view;
      has_header = true;
      continue;
    }
    std::string_view trimmed = TrimSpace(line);
    if (trimmed.rfind("per-node stats", 0) == 0) continue;
    std::string_view fields[2];
    if (SplitFields(trimmed, fields, 2) < 2) continue;
    if (fields[0] == "protection:") {
      Status st = ParseProtection(line, &out->protection, &zone);
      if (!st.ok()) return st;
      has_data = true;
      continue;
    }
    int index = FindField(fields[0]);
    if (index < 0) continue;
    std::optional<int64_t> v = GoParseInt(fields[1], 0, 64);
    if (!v) return Status::Error("invalid value in zoneinfo line \"" + std::string(line) + "\"");
    zone.value[index] = *v;
    zone.present.set(index);
    has_data = true;
  }
  if (!has_header) {
    if (has_data) return Status::Error("zoneinfo values without a \"Node N, zone NAME\" header");
    return Status::Ok();
  }
  out->zones.push_back(zone);
  return Status::Ok();
}

class ZoneinfoCollector : public Collector {
 public:
  explicit ZoneinfoCollector(const Context& ctx) : file_(ctx.Proc("zoneinfo")) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    // node_exporter fails on a missing file; it is not "no data".
    if (!st.ok()) return Status::Error("couldn't get zoneinfo: " + st.message());
    st = ParseZoneinfo(content, &info_);
    if (!st.ok()) return Status::Error("couldn't get zoneinfo: " + st.message());
    for (const ZoneinfoZone& z : info_.zones) {
      for (size_t i = 0; i < kZoneinfoFieldCount; ++i) {
        if (!z.present[i]) continue;
        out.Add(kZoneinfoFields[i].desc, static_cast<double>(z.value[i]), {{"node", z.node}, {"zone", z.zone}});
      }
      for (uint32_t i = 0; i < z.protection_count; ++i) {
        out.Add(ProtectionDesc(i), static_cast<double>(info_.protection[z.protection_begin + i]),
                {{"node", z.node}, {"zone", z.zone}});
      }
    }
    return Status::Ok();
  }

 private:
  // node_zoneinfo_protection_<i>: names are built once per index and kept
  // (a deque keeps earlier strings in place as it grows).
  expo::Desc ProtectionDesc(uint32_t i) {
    while (protection_names_.size() <= i) {
      protection_names_.push_back("node_zoneinfo_protection_" + std::to_string(protection_names_.size()));
      protection_help_.push_back("Lowmem reserve against allocations that could use zone type " +
                                 std::to_string(protection_help_.size()) + ", in pages.");
    }
    return expo::Desc{protection_names_[i], protection_help_[i], kGauge};
  }

  KeptOpenFile file_;
  Zoneinfo info_;
  std::deque<std::string> protection_names_;
  std::deque<std::string> protection_help_;
};

}  // namespace

Status ParseZoneinfo(std::string_view content, Zoneinfo* out) {
  out->zones.clear();
  out->protection.clear();
  static constexpr std::string_view kBlockSep = "\nNode";
  while (true) {
    size_t sep = content.find(kBlockSep);
    Status st = ParseBlock(content.substr(0, sep), out);
    if (!st.ok()) return st;
    if (sep == std::string_view::npos) break;
    content.remove_prefix(sep + kBlockSep.size());
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewZoneinfoCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<ZoneinfoCollector>(ctx));
}

}  // namespace nodex::collectors
