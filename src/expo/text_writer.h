// The Prometheus text exposition format 0.0.4, byte-compatible with what
// node_exporter (client_golang's expfmt) writes:
//   # HELP <name> <help, with \ and newline escaped>
//   # TYPE <name> <counter|gauge|untyped|summary|histogram>
//   <name>{<label>="<value, with \ " and newline escaped>",...} <value>
// Families sorted by name; within a family, series by label count, then by
// label values compared as bytes; label pairs in each series sorted by name.
#ifndef NODEX_EXPO_TEXT_WRITER_H_
#define NODEX_EXPO_TEXT_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "expo/metric_set.h"

namespace nodex::expo {

inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

struct WriteResult {
  size_t samples_written = 0;
  // Series that repeated an earlier one (same family and labels); each is
  // dropped and its text is listed here for logging.
  std::vector<std::string> duplicates;
  // Series dropped because a label value is not UTF-8 (the format requires
  // it, and one such line makes Prometheus reject the whole page; client_golang
  // drops the metric the same way). "family{label}" of each, for logging.
  std::vector<std::string> invalid_utf8;
};

class TextWriter {
 public:
  // Renders `set` into *out (cleared first). Reuses internal scratch space,
  // so one TextWriter per server avoids per-scrape allocation.
  WriteResult Write(const MetricSet& set, std::string* out);

 private:
  // The previous scrape's sample order, reused while it stays sorted.
  std::vector<uint32_t> order_;
  // duplicate_[k]: order_[k] repeats the series of order_[k - 1].
  std::vector<uint8_t> duplicate_;
};

}  // namespace nodex::expo

#endif  // NODEX_EXPO_TEXT_WRITER_H_
