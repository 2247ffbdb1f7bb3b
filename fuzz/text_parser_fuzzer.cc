// Fuzzes ParseText (Prometheus text exposition format, the textfile
// collector's input) and checks the result's internal links: every family in
// order has samples, and every label, metric and bucket index is in range.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "expo/text_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using nodex::expo::ParsedText;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  static ParsedText parsed;  // Reused, as the collector does.
  if (!nodex::expo::ParseText(input, &parsed).ok()) return 0;
  for (uint32_t f : parsed.family_order()) {
    const ParsedText::Family& family = parsed.family(f);
    if (family.metric_count == 0 || parsed.Text(family.name).empty()) std::abort();
    uint32_t seen = 0;
    for (uint32_t m = family.first_metric; m != ParsedText::kNone; m = parsed.metric(m).next) {
      const ParsedText::Metric& metric = parsed.metric(m);
      for (uint32_t i = 0; i < metric.label_count; ++i) {
        if (parsed.Text(parsed.label(metric.label_begin + i).name).empty()) std::abort();
      }
      size_t buckets = 0;
      for (uint32_t b = metric.first_bucket; b != ParsedText::kNone; b = parsed.bucket(b).next) {
        if (++buckets > size) std::abort();  // A cycle: more buckets than input bytes.
      }
      if (++seen > family.metric_count) std::abort();
    }
    if (seen != family.metric_count) std::abort();
  }
  return 0;
}
