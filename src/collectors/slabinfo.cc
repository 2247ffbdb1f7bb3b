#include "collectors/slabinfo.h"

#include <re2/re2.h>

#include <string>

#include "base/file_reader.h"
#include "collectors/go_strconv.h"
#include "collectors/procfs_helpers.h"

namespace nodex::collectors {
namespace {

constexpr expo::MetricType kGauge = expo::MetricType::kGauge;
constexpr expo::Desc kActiveObjects{"node_slabinfo_active_objects", "Objects of this slab cache currently in use.",
                                    kGauge};
constexpr expo::Desc kObjects{"node_slabinfo_objects", "Objects allocated in this slab cache, in use or free.", kGauge};
constexpr expo::Desc kObjectSize{"node_slabinfo_object_size_bytes", "Size of one object of this slab cache, in bytes.",
                                 kGauge};
constexpr expo::Desc kObjectsPerSlab{"node_slabinfo_objects_per_slab", "Objects that fit in one slab of this cache.",
                                     kGauge};
constexpr expo::Desc kPagesPerSlab{"node_slabinfo_pages_per_slab", "Pages making up one slab of this cache.", kGauge};

constexpr size_t kSlabFields = 16;

// Go's regexp \s, which procfs splits on: no vertical tab.
bool IsGoSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// Splits like procfs' ReplaceAll(`\s+`, " ") + Split(" "): leading or
// trailing whitespace yields an empty first or last field. Returns the field
// count; only the first kSlabFields are stored.
size_t SplitSlabLine(std::string_view line, std::string_view (&out)[kSlabFields]) {
  size_t n = 0;
  size_t i = 0;
  while (true) {
    size_t j = i;
    while (j < line.size() && !IsGoSpace(line[j])) ++j;
    if (n < kSlabFields) out[n] = line.substr(i, j - i);
    ++n;
    if (j == line.size()) break;
    while (j < line.size() && IsGoSpace(line[j])) ++j;
    i = j;
  }
  return n;
}

class SlabinfoCollector : public Collector {
 public:
  explicit SlabinfoCollector(const Context& ctx) : file_(ctx.Proc("slabinfo")) {}

  Status Init(const Context& ctx) {
    const FlagDef& include = kSlabinfoFlags[0];
    const FlagDef& exclude = kSlabinfoFlags[1];
    Status st = procfs_helpers::CompileFlagRegex(
        include.name, procfs_helpers::StringFlagOr(ctx, include.name, include.default_value), true, &include_);
    if (!st.ok()) return st;
    return procfs_helpers::CompileFlagRegex(
        exclude.name, procfs_helpers::StringFlagOr(ctx, exclude.name, exclude.default_value), true, &exclude_);
  }

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    // node_exporter fails on a missing or unreadable (non-root) file.
    if (!st.ok()) return Status::Error("couldn't get slabinfo: " + st.message());
    st = ParseSlabinfo(content, &slabs_);
    if (!st.ok()) return Status::Error("couldn't get slabinfo: " + st.message());
    for (const SlabinfoEntry& s : slabs_) {
      re2::StringPiece name(s.name.data(), s.name.size());
      if (exclude_ && RE2::PartialMatch(name, *exclude_)) continue;
      if (include_ && !RE2::PartialMatch(name, *include_)) continue;
      out.Add(kActiveObjects, static_cast<double>(s.active_objs), {{"slab", s.name}});
      out.Add(kObjects, static_cast<double>(s.num_objs), {{"slab", s.name}});
      out.Add(kObjectSize, static_cast<double>(s.objsize), {{"slab", s.name}});
      out.Add(kObjectsPerSlab, static_cast<double>(s.objperslab), {{"slab", s.name}});
      out.Add(kPagesPerSlab, static_cast<double>(s.pagesperslab), {{"slab", s.name}});
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
  std::unique_ptr<RE2> include_;
  std::unique_ptr<RE2> exclude_;
  std::vector<SlabinfoEntry> slabs_;
};

}  // namespace

Status ParseSlabinfo(std::string_view content, std::vector<SlabinfoEntry>* out) {
  out->clear();
  while (!content.empty()) {
    size_t nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    content.remove_prefix(nl == std::string_view::npos ? content.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // bufio.ScanLines drops it.
    if (line.find("slabinfo -") != std::string_view::npos || line.find("# name") != std::string_view::npos) continue;
    std::string_view f[kSlabFields];
    if (SplitSlabLine(line, f) != kSlabFields) return Status::Error("unable to read slabinfo line \"" + std::string(line) + "\"");
    SlabinfoEntry e;
    e.name = f[0];
    const std::pair<int, int64_t*> numbers[] = {
        {1, &e.active_objs}, {2, &e.num_objs},      {3, &e.objsize},       {4, &e.objperslab},
        {5, &e.pagesperslab}, {8, &e.limit},        {9, &e.batchcount},    {10, &e.sharedfactor},
        {13, &e.active_slabs}, {14, &e.num_slabs},  {15, &e.sharedavail},
    };
    for (const auto& [index, target] : numbers) {
      std::optional<int64_t> v = GoParseInt(f[index], 10, 64);
      if (!v) {
        return Status::Error("invalid number \"" + std::string(f[index]) + "\" in slabinfo line \"" + std::string(line) +
                             "\"");
      }
      *target = *v;
    }
    out->push_back(e);
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewSlabinfoCollector(const Context& ctx) {
  auto collector = std::make_unique<SlabinfoCollector>(ctx);
  Status st = collector->Init(ctx);
  if (!st.ok()) return st;
  return std::unique_ptr<Collector>(std::move(collector));
}

}  // namespace nodex::collectors
