#include "expo/text_parser.h"

#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <locale.h>
#include <string>

#include "base/parse.h"
#include "base/utf8.h"

namespace nodex::expo {
namespace {

constexpr uint32_t kNone = ParsedText::kNone;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsLegacyMetricName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!(IsAlpha(c) || c == '_' || c == ':' || (i > 0 && IsDigit(c)))) return false;
  }
  return true;
}

bool IsLegacyLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!(IsAlpha(c) || c == '_' || (i > 0 && IsDigit(c)))) return false;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

// Go's uint64(f) on amd64 (expfmt stores _count and bucket values so):
// truncation toward zero; out-of-range and NaN give 1<<63, negatives wrap.
uint64_t GoFloatToUint64(double v) {
  constexpr double k2p63 = 9223372036854775808.0;
  constexpr uint64_t kIndefinite = uint64_t{1} << 63;
  if (std::isnan(v)) return kIndefinite;
  if (v < k2p63) {
    if (v <= -k2p63) return kIndefinite;
    return static_cast<uint64_t>(static_cast<int64_t>(v));
  }
  const double w = v - k2p63;
  if (w >= k2p63) return kIndefinite;
  return static_cast<uint64_t>(static_cast<int64_t>(w)) | kIndefinite;
}

bool IsCount(std::string_view n) { return n.size() > 6 && n.substr(n.size() - 6) == "_count"; }
bool IsSum(std::string_view n) { return n.size() > 4 && n.substr(n.size() - 4) == "_sum"; }
bool IsBucket(std::string_view n) { return n.size() > 7 && n.substr(n.size() - 7) == "_bucket"; }

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out.append("\\n");
      continue;
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string QuoteChar(char c) {
  if (c == '\n') return "'\\n'";
  return std::string("'") + c + "'";
}

uint64_t LabelPairHash(std::string_view name, std::string_view value) {
  const uint64_t a = std::hash<std::string_view>{}(name);
  const uint64_t b = std::hash<std::string_view>{}(value);
  return (a * 0x9E3779B97F4A7C15ull) ^ (b + 0x7F4A7C159E3779B9ull + (a << 6) + (a >> 2));
}

// strconv.ParseInt(s, 10, 64): one optional sign, then decimal digits.
std::optional<int64_t> ParseGoInt64(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || !IsDigit(s[0])) return std::nullopt;
  std::optional<uint64_t> magnitude = ParseU64(s);
  constexpr uint64_t kLimit = uint64_t{1} << 63;
  if (!magnitude || *magnitude > (negative ? kLimit : kLimit - 1)) return std::nullopt;
  return negative ? static_cast<int64_t>(0 - *magnitude) : static_cast<int64_t>(*magnitude);
}

}  // namespace

std::optional<double> ParseGoFloat(std::string_view s) {
  if (s.empty() || s.find_first_of("pP_") != std::string_view::npos) return std::nullopt;
  std::string_view body = s;
  bool negative = false;
  const bool signed_input = body[0] == '+' || body[0] == '-';
  if (signed_input) {
    negative = body[0] == '-';
    body.remove_prefix(1);
    if (body.empty() || body[0] == '+' || body[0] == '-') return std::nullopt;
  }
  if (EqualsIgnoreCase(body, "inf") || EqualsIgnoreCase(body, "infinity")) return negative ? -HUGE_VAL : HUGE_VAL;
  if (!signed_input && EqualsIgnoreCase(body, "nan")) return std::nan("");
  double value = 0;
  const char* end = body.data() + body.size();
  auto [ptr, ec] = std::from_chars(body.data(), end, value, std::chars_format::general);
  if (ptr != end) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Overflow is an error in Go, underflow rounds to zero or a subnormal.
    static locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
    std::string copy(body);
    value = strtod_l(copy.c_str(), nullptr, c_locale);
    if (std::isinf(value)) return std::nullopt;
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  // from_chars also spells NaN and Inf in ways Go does not ("nan(1)", "INFINITY" handled above).
  if (!std::isfinite(value)) return std::nullopt;
  return negative ? -value : value;
}

bool ParsedText::HasTimestamps() const {
  for (const Metric& m : metrics_) {
    if (m.has_timestamp) return true;
  }
  return false;
}

void ParsedText::Clear() {
  families_.clear();
  order_.clear();
  metrics_.clear();
  labels_.clear();
  buckets_.clear();
  arena_.clear();
  slots_.assign(slots_.size(), kNone);
}

// One parse: a line-oriented walk over the input mirroring expfmt's state
// machine, writing into a ParsedText.
class TextParser {
 public:
  explicit TextParser(ParsedText* out)
      : out_(out), scratch_(out->scratch_), name_(out->name_), pending_(out->pending_) {}

  Status Run(std::string_view input) {
    out_->Clear();
    std::string_view rest = input;
    while (!rest.empty()) {
      ++line_no_;
      const size_t nl = rest.find('\n');
      if (nl == std::string_view::npos) {
        // expfmt needs every line terminated; trailing blanks are fine.
        for (char c : rest) {
          if (!IsBlank(c)) return Error("unexpected end of input stream");
        }
        break;
      }
      Status st = ParseLine(rest.substr(0, nl));
      if (!st.ok()) return st;
      rest.remove_prefix(nl + 1);
    }
    for (uint32_t i = 0; i < out_->families_.size(); ++i) {
      if (out_->families_[i].metric_count > 0) out_->order_.push_back(i);
    }
    return Status::Ok();
  }

 private:
  Status Error(std::string_view msg) const {
    std::string m = "text format parsing error in line ";
    m.append(std::to_string(line_no_));
    m.append(": ");
    m.append(msg);
    return Status::Error(std::move(m));
  }

  static size_t SkipBlanks(std::string_view line, size_t pos) {
    while (pos < line.size() && IsBlank(line[pos])) ++pos;
    return pos;
  }

  // Reads a name at *pos into scratch_: either bare ([a-zA-Z0-9_] plus ':'
  // for metric names, not starting with a digit) or double-quoted with
  // escapes. An empty result means no name starts here.
  Status ReadName(std::string_view line, size_t* pos, bool metric) {
    scratch_.clear();
    size_t p = *pos;
    if (p < line.size() && line[p] == '"') {
      ++p;
      while (true) {
        if (p >= line.size()) return Error((metric ? "metric name " : "label name ") + Quote(scratch_) +
                                           " contains unescaped new-line");
        const char c = line[p++];
        if (c == '"') break;
        if (c == '\\') {
          if (p >= line.size()) return Error("invalid escape sequence '\\\\n'");
          const char e = line[p++];
          if (e == '\\' || e == '"') {
            scratch_.push_back(e);
          } else if (e == 'n') {
            scratch_.push_back('\n');
          } else {
            return Error(std::string("invalid escape sequence '\\") + e + "'");
          }
          continue;
        }
        scratch_.push_back(c);
      }
      // An empty quoted name is still a name (and fails validation).
      if (scratch_.empty()) scratch_.push_back('"');
      *pos = p;
      return Status::Ok();
    }
    if (p < line.size() && (IsAlpha(line[p]) || line[p] == '_' || (metric && line[p] == ':'))) {
      while (p < line.size() && (IsAlpha(line[p]) || IsDigit(line[p]) || line[p] == '_' || (metric && line[p] == ':'))) {
        scratch_.push_back(line[p++]);
      }
    }
    *pos = p;
    return Status::Ok();
  }

  ParsedText::Ref Append(std::string_view s) {
    ParsedText::Ref r{static_cast<uint32_t>(out_->arena_.size()), static_cast<uint32_t>(s.size())};
    out_->arena_.append(s);
    return r;
  }

  uint32_t Lookup(std::string_view name) const {
    const auto& slots = out_->slots_;
    if (slots.empty()) return kNone;
    const size_t mask = slots.size() - 1;
    for (size_t i = std::hash<std::string_view>{}(name) & mask;; i = (i + 1) & mask) {
      const uint32_t f = slots[i];
      if (f == kNone) return kNone;
      if (out_->Text(out_->families_[f].name) == name) return f;
    }
  }

  void InsertSlot(uint32_t family) {
    auto& slots = out_->slots_;
    const size_t mask = slots.size() - 1;
    size_t i = std::hash<std::string_view>{}(out_->Text(out_->families_[family].name)) & mask;
    while (slots[i] != kNone) i = (i + 1) & mask;
    slots[i] = family;
  }

  uint32_t Create(std::string_view name) {
    const auto index = static_cast<uint32_t>(out_->families_.size());
    ParsedText::Family f;
    f.name = Append(name);
    out_->families_.push_back(f);
    if ((out_->families_.size()) * 2 > out_->slots_.size()) {
      out_->slots_.assign(out_->slots_.empty() ? 64 : out_->slots_.size() * 2, kNone);
      for (uint32_t i = 0; i < out_->families_.size(); ++i) InsertSlot(i);
    } else {
      InsertSlot(index);
    }
    return index;
  }

  // expfmt's setOrCreateCurrentMF: exact name, then the summary or histogram
  // this name is a _sum/_count/_bucket line of, else a new family.
  uint32_t FamilyFor(std::string_view name) {
    is_sum_ = is_count_ = false;
    uint32_t f = Lookup(name);
    if (f != kNone) return f;
    if (IsCount(name) || IsSum(name)) {
      const std::string_view base = name.substr(0, name.size() - (IsCount(name) ? 6 : 4));
      f = Lookup(base);
      if (f != kNone && out_->families_[f].type_set && out_->families_[f].type == MetricType::kSummary) {
        is_count_ = IsCount(name);
        is_sum_ = IsSum(name);
        return f;
      }
    }
    if (IsCount(name) || IsSum(name) || IsBucket(name)) {
      const size_t cut = IsCount(name) ? 6 : IsSum(name) ? 4 : 7;
      f = Lookup(name.substr(0, name.size() - cut));
      if (f != kNone && out_->families_[f].type_set && out_->families_[f].type == MetricType::kHistogram) {
        is_count_ = IsCount(name);
        is_sum_ = IsSum(name);
        return f;
      }
    }
    return Create(name);
  }

  Status ParseLine(std::string_view line) {
    size_t pos = SkipBlanks(line, 0);
    if (pos == line.size()) return Status::Ok();
    if (line[pos] == '#') return ParseComment(line, pos + 1);
    return ParseSample(line, pos);
  }

  Status ParseComment(std::string_view line, size_t pos) {
    pos = SkipBlanks(line, pos);
    if (pos == line.size()) return Status::Ok();
    size_t end = pos;
    while (end < line.size() && !IsBlank(line[end])) ++end;
    const std::string_view keyword = line.substr(pos, end - pos);
    if (end == line.size() || (keyword != "HELP" && keyword != "TYPE")) return Status::Ok();
    pos = SkipBlanks(line, end);
    if (Status st = ReadName(line, &pos, true); !st.ok()) return st;
    if (pos == line.size()) return Status::Ok();
    if (scratch_.empty() || !IsBlank(line[pos])) return Error("invalid metric name in comment");
    if (!IsLegacyMetricName(scratch_)) return Error("invalid metric name " + Quote(scratch_));
    const uint32_t f = FamilyFor(scratch_);
    pos = SkipBlanks(line, pos);
    if (pos == line.size()) return Status::Ok();
    ParsedText::Family& family = out_->families_[f];
    const std::string_view rest = line.substr(pos);
    if (keyword == "HELP") {
      if (family.has_help) return Error("second HELP line for metric name " + Quote(out_->Text(family.name)));
      scratch_.clear();
      for (size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] != '\\') {
          scratch_.push_back(rest[i]);
          continue;
        }
        const char e = i + 1 < rest.size() ? rest[i + 1] : '\n';
        if (e == '\\' || e == '"') {
          scratch_.push_back(e);
        } else if (e == 'n') {
          scratch_.push_back('\n');
        } else {
          return Error("invalid escape sequence '\\" + (e == '\n' ? std::string("n'") : std::string(1, e) + "'"));
        }
        ++i;
      }
      ParsedText::Ref help = Append(scratch_);
      ParsedText::Family& fam = out_->families_[f];
      fam.help = help;
      fam.has_help = true;
      return Status::Ok();
    }
    if (family.type_set || family.gauge_histogram) {
      return Error("second TYPE line for metric name " + Quote(out_->Text(family.name)) +
                   ", or TYPE reported after samples");
    }
    static constexpr struct {
      std::string_view name;
      MetricType type;
    } kTypes[] = {{"counter", MetricType::kCounter},
                  {"gauge", MetricType::kGauge},
                  {"summary", MetricType::kSummary},
                  {"untyped", MetricType::kUntyped},
                  {"histogram", MetricType::kHistogram}};
    for (const auto& t : kTypes) {
      if (EqualsIgnoreCase(rest, t.name)) {
        family.type = t.type;
        family.type_set = true;
        return Status::Ok();
      }
    }
    if (EqualsIgnoreCase(rest, "gauge_histogram")) {
      family.gauge_histogram = true;
      return Status::Ok();
    }
    return Error("unknown metric type " + Quote(rest));
  }

  Status ParseSample(std::string_view line, size_t pos) {
    const bool braces_first = line[pos] == '{';
    name_.clear();
    if (!braces_first) {
      if (Status st = ReadName(line, &pos, true); !st.ok()) return st;
      if (scratch_.empty()) return Error("invalid metric name");
      if (!IsLegacyMetricName(scratch_)) return Error("invalid metric name " + Quote(scratch_));
      name_ = scratch_;
      pos = SkipBlanks(line, pos);
    }
    const size_t label_mark = out_->labels_.size();
    const size_t arena_mark = out_->arena_.size();
    pending_.clear();
    if (pos < line.size() && line[pos] == '{') {
      ++pos;
      while (true) {
        pos = SkipBlanks(line, pos);
        if (pos < line.size() && line[pos] == '}') {
          ++pos;
          break;
        }
        if (Status st = ReadName(line, &pos, false); !st.ok()) return st;
        if (scratch_.empty()) return Error("invalid label name for metric " + Quote(name_));
        pos = SkipBlanks(line, pos);
        if (pos >= line.size() || line[pos] != '=') {
          if (braces_first && pos < line.size() && (line[pos] == ',' || line[pos] == '}')) {
            if (!name_.empty()) return Error("multiple metric names");
            if (!IsLegacyMetricName(scratch_)) return Error("invalid metric name " + Quote(scratch_));
            name_ = scratch_;
            if (line[pos++] == '}') break;
            continue;
          }
          return Error("expected '=' after label name, found " + QuoteChar(pos < line.size() ? line[pos] : '\n'));
        }
        if (!IsLegacyLabelName(scratch_)) return Error("invalid label name " + Quote(scratch_));
        if (scratch_ == "__name__") return Error("label name \"__name__\" is reserved");
        const ParsedText::Ref label_name = Append(scratch_);
        pos = SkipBlanks(line, pos + 1);
        if (pos >= line.size() || line[pos] != '"') {
          return Error("expected '\"' at start of label value, found " +
                       QuoteChar(pos < line.size() ? line[pos] : '\n'));
        }
        ++pos;
        scratch_.clear();
        while (true) {
          if (pos >= line.size()) return Error("label value " + Quote(scratch_) + " contains unescaped new-line");
          const char c = line[pos++];
          if (c == '"') break;
          if (c != '\\') {
            scratch_.push_back(c);
            continue;
          }
          if (pos >= line.size()) return Error("invalid escape sequence '\\n'");
          const char e = line[pos++];
          if (e == '\\' || e == '"') {
            scratch_.push_back(e);
          } else if (e == 'n') {
            scratch_.push_back('\n');
          } else {
            return Error(std::string("invalid escape sequence '\\") + e + "'");
          }
        }
        if (!IsValidUtf8(scratch_)) return Error("invalid label value " + Quote(scratch_));
        pending_.push_back({label_name, Append(scratch_)});
        pos = SkipBlanks(line, pos);
        if (pos < line.size() && line[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < line.size() && line[pos] == '}') {
          ++pos;
          break;
        }
        return Error("unexpected end of label value " + Quote(scratch_));
      }
      if (name_.empty()) return Error("invalid metric name");
      pos = SkipBlanks(line, pos);
    }

    const uint32_t f = FamilyFor(name_);
    {
      ParsedText::Family& family = out_->families_[f];
      if (!family.type_set && !family.gauge_histogram) {
        family.type = MetricType::kUntyped;
        family.type_set = true;
      }
    }
    const ParsedText::Family& family = out_->families_[f];
    const bool summary = family.type_set && family.type == MetricType::kSummary;
    const bool histogram = family.type_set && family.type == MetricType::kHistogram;

    // Split off quantile/le; the rest are the series' labels.
    double bound = std::nan("");
    uint64_t signature = 0;
    for (const ParsedText::LabelPair& l : pending_) {
      const std::string_view ln = out_->Text(l.name);
      const std::string_view lv = out_->Text(l.value);
      if ((summary && ln == "quantile") || (histogram && ln == "le")) {
        std::optional<double> b = ParseGoFloat(lv);
        if (!b) return Error("expected float as value for '" + std::string(ln) + "' label, got " + Quote(lv));
        bound = *b;
        continue;
      }
      for (size_t i = label_mark; i < out_->labels_.size(); ++i) {
        if (out_->Text(out_->labels_[i].name) == ln) return Error("duplicate label names for metric " + Quote(name_));
      }
      out_->labels_.push_back(l);
      signature += LabelPairHash(ln, lv);
    }
    const auto label_count = static_cast<uint32_t>(out_->labels_.size() - label_mark);

    // The value, then an optional timestamp and nothing else.
    size_t end = pos;
    while (end < line.size() && !IsBlank(line[end])) ++end;
    const std::string_view token = line.substr(pos, end - pos);
    std::optional<double> value = ParseGoFloat(token);
    if (!value) return Error("expected float as value, got " + Quote(token));
    bool has_timestamp = false;
    int64_t timestamp = 0;
    if (end < line.size()) {
      pos = SkipBlanks(line, end);
      end = pos;
      while (end < line.size() && !IsBlank(line[end])) ++end;
      std::string_view ts = line.substr(pos, end - pos);
      std::optional<int64_t> parsed = ParseGoInt64(ts);
      if (!parsed) return Error("expected integer as timestamp, got " + Quote(ts));
      if (end < line.size()) return Error("spurious string after timestamp: " + Quote(line.substr(end)));
      has_timestamp = true;
      timestamp = *parsed;
    }
    if (family.gauge_histogram) return Error("unexpected type for metric name " + Quote(name_));

    uint32_t m = kNone;
    if (summary || histogram) {
      for (uint32_t i = family.first_metric; i != kNone; i = out_->metrics_[i].next) {
        if (out_->metrics_[i].signature == signature && SameLabels(out_->metrics_[i], label_mark, label_count)) {
          m = i;
          break;
        }
      }
      if (m != kNone) {
        // The series exists: this line's labels are not needed.
        out_->labels_.resize(label_mark);
        out_->arena_.resize(arena_mark);
      }
    }
    if (m == kNone) {
      m = static_cast<uint32_t>(out_->metrics_.size());
      ParsedText::Metric metric;
      metric.label_begin = static_cast<uint32_t>(label_mark);
      metric.label_count = label_count;
      metric.signature = signature;
      out_->metrics_.push_back(metric);
      ParsedText::Family& fam = out_->families_[f];
      if (fam.last_metric == kNone) {
        fam.first_metric = m;
      } else {
        out_->metrics_[fam.last_metric].next = m;
      }
      fam.last_metric = m;
      ++fam.metric_count;
    }
    ParsedText::Metric& metric = out_->metrics_[m];
    if (has_timestamp) {
      metric.has_timestamp = true;
      metric.timestamp_ms = timestamp;
    }
    if (!summary && !histogram) {
      metric.value = *value;
    } else if (is_count_) {
      metric.count = static_cast<double>(GoFloatToUint64(*value));
    } else if (is_sum_) {
      metric.value = *value;
    } else if (!std::isnan(bound)) {
      const double v = histogram ? static_cast<double>(GoFloatToUint64(*value)) : *value;
      const auto b = static_cast<uint32_t>(out_->buckets_.size());
      out_->buckets_.push_back({bound, v, kNone});
      ParsedText::Metric& mm = out_->metrics_[m];
      if (mm.last_bucket == kNone) {
        mm.first_bucket = b;
      } else {
        out_->buckets_[mm.last_bucket].next = b;
      }
      mm.last_bucket = b;
    }
    return Status::Ok();
  }

  bool SameLabels(const ParsedText::Metric& m, size_t begin, uint32_t count) const {
    if (m.label_count != count) return false;
    for (uint32_t i = 0; i < count; ++i) {
      const ParsedText::LabelPair& want = out_->labels_[begin + i];
      bool found = false;
      for (uint32_t k = 0; k < m.label_count && !found; ++k) {
        const ParsedText::LabelPair& have = out_->labels_[m.label_begin + k];
        found = out_->Text(have.name) == out_->Text(want.name) && out_->Text(have.value) == out_->Text(want.value);
      }
      if (!found) return false;
    }
    return true;
  }

  ParsedText* out_;
  int line_no_ = 0;
  bool is_sum_ = false;
  bool is_count_ = false;
  std::string& scratch_;
  std::string& name_;
  std::vector<ParsedText::LabelPair>& pending_;
};

Status ParseText(std::string_view input, ParsedText* out) {
  TextParser parser(out);
  return parser.Run(input);
}

}  // namespace nodex::expo
