#include "collectors/swap.h"

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"

namespace nodex::collectors {
namespace {

using expo::Desc;
using expo::MetricType;

constexpr Desc kSize{"node_swap_size_bytes", "Size of the swap area in bytes.", MetricType::kGauge};
constexpr Desc kUsed{"node_swap_used_bytes", "Bytes of the swap area in use.", MetricType::kGauge};
constexpr Desc kPriority{"node_swap_priority", "Priority of the swap area; higher is used first.", MetricType::kGauge};

// Go's strconv.Atoi on 64-bit: an optional '+' or '-', then decimal digits.
std::optional<int64_t> ParseAtoi(std::string_view s) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  return ParseI64(s);
}

// Go multiplies the int KiB count by 1024 with wrap-around.
double KibToBytes(int64_t kib) { return static_cast<double>(static_cast<int64_t>(static_cast<uint64_t>(kib) * 1024u)); }

class SwapCollector : public Collector {
 public:
  explicit SwapCollector(const Context& ctx) : file_(ctx.Proc("swaps")) {}

  Status Collect(expo::MetricSet& out) override {
    std::string_view content;
    Status st = file_.Read(&content);
    // node_exporter fails the collector when /proc/swaps cannot be read.
    if (!st.ok()) return Status::Error("couldn't get swap information: " + st.message());
    st = ParseSwaps(content, &areas_);
    if (!st.ok()) return Status::Error("couldn't get swap information: " + st.message());
    for (const SwapArea& a : areas_) {
      const expo::Label labels[] = {{"device", a.filename}, {"type", a.type}};
      out.Add(kSize, KibToBytes(a.size_kib), labels);
      out.Add(kUsed, KibToBytes(a.used_kib), labels);
      out.Add(kPriority, static_cast<double>(a.priority), labels);
    }
    return Status::Ok();
  }

 private:
  KeptOpenFile file_;
  std::vector<SwapArea> areas_;
};

}  // namespace

Status ParseSwaps(std::string_view content, std::vector<SwapArea>* out) {
  out->clear();
  std::string_view line;
  if (!NextLine(&content, &line)) return Status::Ok();  // The header, whatever it says.
  while (NextLine(&content, &line)) {
    std::string_view f[5];
    if (SplitFields(line, f, 5) < 5) return Status::Error("too few fields in swap line \"" + std::string(line) + "\"");
    std::optional<int64_t> size = ParseAtoi(f[2]);
    std::optional<int64_t> used = ParseAtoi(f[3]);
    std::optional<int64_t> priority = ParseAtoi(f[4]);
    if (!size || !used || !priority) return Status::Error("invalid number in swap line \"" + std::string(line) + "\"");
    out->push_back(SwapArea{f[0], f[1], *size, *used, *priority});
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewSwapCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<SwapCollector>(ctx));
}

}  // namespace nodex::collectors
