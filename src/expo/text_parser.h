// A parser for the Prometheus text exposition format 0.0.4, the input of the
// textfile collector. It accepts what client_golang's expfmt.TextParser
// accepts with legacy name validation (the parser node_exporter's textfile
// collector uses) and groups lines into families the same way:
//
//   # HELP http_requests_total Requests served.\nSecond line of help.
//   # TYPE http_requests_total counter
//   http_requests_total{code="200",path="/a\"b"} 1027 1395066363000
//   # TYPE rpc_seconds summary
//   rpc_seconds{quantile="0.5"} 0.012
//   rpc_seconds_sum 1.75e+03
//   rpc_seconds_count 2693
//
// Grouping rules (as in expfmt):
// - A name that is not yet a family but ends in _sum/_count (summary or
//   histogram) or _bucket (histogram) joins the family it is a suffix of, if
//   that family was already declared with that type.
// - Summary lines are grouped into one series per label set without
//   `quantile`; histogram lines per label set without `le`. _count and bucket
//   values are truncated to unsigned integers, as expfmt stores them.
// - Families only seen in HELP/TYPE lines are dropped; a family with samples
//   but no TYPE is untyped.
// Errors (the whole input is rejected, with the 1-based line number): every
// line, including the last, must end in '\n'; values and label floats in Go's
// ParseFloat syntax (NaN, +Inf, -Inf allowed; hex, '_' and out-of-range not);
// whitespace after a value must be followed by an integer timestamp and
// nothing else; a second HELP or TYPE for a family, TYPE after samples,
// unknown types, duplicate label names, __name__ as a label, invalid escapes
// (only \\, \n and \" exist), names outside [a-zA-Z_:][a-zA-Z0-9_:]* and
// label values that are not UTF-8.
// Quirks kept from expfmt: "# HELP name " with only trailing blanks sets no
// help; carriage returns are not whitespace (CRLF files fail); duplicate
// series are kept (callers decide).
#ifndef NODEX_EXPO_TEXT_PARSER_H_
#define NODEX_EXPO_TEXT_PARSER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "expo/metric_set.h"

namespace nodex::expo {

// Go's strconv.ParseFloat(s, 64) as expfmt uses it: decimal syntax, "NaN",
// "Inf"/"Infinity" with optional sign (any case); rejects 'p', 'P', '_', hex,
// and values that overflow. Exposed for tests.
[[nodiscard]] std::optional<double> ParseGoFloat(std::string_view s);

// The parse result. Reused across parses: Parse() clears it but keeps every
// buffer's capacity, so re-parsing a file of the same shape does not allocate.
class ParsedText {
 public:
  struct Ref {
    uint32_t off = 0;
    uint32_t len = 0;
  };
  struct LabelPair {
    Ref name;
    Ref value;
  };
  struct Family {
    Ref name;
    Ref help;
    bool has_help = false;
    MetricType type = MetricType::kUntyped;
    bool type_set = false;         // A TYPE line or a sample fixed the type.
    bool gauge_histogram = false;  // TYPE gauge_histogram: samples are an error.
    uint32_t first_metric = kNone;  // Linked through Metric::next.
    uint32_t last_metric = kNone;
    uint32_t metric_count = 0;
  };
  struct Metric {
    uint32_t next = kNone;
    uint32_t label_begin = 0;  // Labels in input order, without quantile/le.
    uint32_t label_count = 0;
    double value = 0;  // Counter, gauge, untyped: the value. Composite: the sum.
    double count = 0;  // Composite only.
    uint32_t first_bucket = kNone;  // Linked through BucketEntry::next, input order.
    uint32_t last_bucket = kNone;
    bool has_timestamp = false;
    int64_t timestamp_ms = 0;
    uint64_t signature = 0;  // Composite grouping key.
  };
  struct BucketEntry {
    double bound;  // `le` or `quantile`.
    double value;
    uint32_t next;
  };
  static constexpr uint32_t kNone = UINT32_MAX;

  // Families in order of first appearance (HELP, TYPE or sample line), only
  // those with at least one sample.
  const std::vector<uint32_t>& family_order() const { return order_; }
  const Family& family(uint32_t i) const { return families_[i]; }
  const Metric& metric(uint32_t i) const { return metrics_[i]; }
  const LabelPair& label(uint32_t i) const { return labels_[i]; }
  const BucketEntry& bucket(uint32_t i) const { return buckets_[i]; }
  std::string_view Text(Ref r) const { return std::string_view(arena_).substr(r.off, r.len); }

  // Number of families with samples.
  size_t size() const { return order_.size(); }
  bool HasTimestamps() const;

 private:
  friend class TextParser;
  void Clear();

  std::vector<Family> families_;
  std::vector<uint32_t> order_;
  std::vector<Metric> metrics_;
  std::vector<LabelPair> labels_;
  std::vector<BucketEntry> buckets_;
  std::string arena_;
  std::vector<uint32_t> slots_;  // Open-addressing index of families_ by name.
  // The parser's scratch space, kept here so re-parsing does not allocate.
  std::string scratch_;
  std::string name_;
  std::vector<LabelPair> pending_;
};

// Parses `input` into *out (cleared first). On error *out holds partial
// results and must not be used. The message reads
// "text format parsing error in line N: ...".
[[nodiscard]] Status ParseText(std::string_view input, ParsedText* out);

}  // namespace nodex::expo

#endif  // NODEX_EXPO_TEXT_PARSER_H_
