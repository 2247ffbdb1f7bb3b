#include "collectors/buddyinfo.h"

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kBlocks{"node_buddyinfo_blocks", "Free memory blocks per NUMA node and zone, by order (2^size pages).",
                             expo::MetricType::kGauge};

std::string_view TrimComma(std::string_view s) {
  if (!s.empty() && s.back() == ',') s.remove_suffix(1);
  return s;
}

class BuddyinfoCollector : public Collector {
 public:
  explicit BuddyinfoCollector(const Context& ctx) : file_(ctx.Proc("buddyinfo")) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    // Like node_exporter, a missing file is an ordinary failure, not "no data".
    if (!st.ok()) return Status::Error("couldn't get buddyinfo: " + st.message());
    st = ParseBuddyinfo(content, &info_);
    if (!st.ok()) return Status::Error("couldn't get buddyinfo: " + st.message());
    char size_buf[24];
    for (const BuddyinfoZone& z : info_.zones) {
      for (uint32_t i = 0; i < z.sizes_count; ++i) {
        out.Add(kBlocks, info_.sizes[z.sizes_begin + i],
                {{"node", z.node}, {"zone", z.zone}, {"size", expo::IntLabel(size_buf, i)}});
      }
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
  Buddyinfo info_;
};

}  // namespace

Status ParseBuddyinfo(std::string_view content, Buddyinfo* out) {
  out->zones.clear();
  out->sizes.clear();
  long bucket_count = -1;
  std::string_view line;
  while (NextLine(&content, &line)) {
    std::string_view rest = line;
    std::string_view head[4];
    size_t n = 0;
    while (n < 4 && NextField(&rest, &head[n])) ++n;
    if (n < 4) return Status::Error("invalid number of fields in buddyinfo line \"" + std::string(line) + "\"");
    BuddyinfoZone zone;
    zone.node = TrimComma(head[1]);
    zone.zone = TrimComma(head[3]);
    zone.sizes_begin = static_cast<uint32_t>(out->sizes.size());
    std::string_view field;
    while (NextField(&rest, &field)) {
      std::optional<double> v = ParseDouble(field);
      if (!v) return Status::Error("invalid value \"" + std::string(field) + "\" in buddyinfo");
      out->sizes.push_back(*v);
    }
    zone.sizes_count = static_cast<uint32_t>(out->sizes.size() - zone.sizes_begin);
    if (bucket_count == -1) {
      bucket_count = zone.sizes_count;
    } else if (bucket_count != static_cast<long>(zone.sizes_count)) {
      return Status::Error("mismatch in number of buddyinfo buckets, previous count " + std::to_string(bucket_count) +
                           ", new count " + std::to_string(zone.sizes_count));
    }
    out->zones.push_back(zone);
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewBuddyinfoCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<BuddyinfoCollector>(ctx));
}

}  // namespace nodex::collectors
