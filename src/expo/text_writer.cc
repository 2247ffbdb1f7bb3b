#include "expo/text_writer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

#include "base/utf8.h"
#include "expo/format_float.h"

namespace nodex::expo {
namespace {

using Sample = MetricSet::Sample;
using LabelRef = MetricSet::LabelRef;

// Bytes that AppendEscaped escapes: a table lookup per byte instead of a
// memchr over the specials per byte, which was a tenth of a scrape's
// user-space instructions.
enum EscapeClass : uint8_t {
  kEscape = 1,        // '\' and newline: escaped everywhere.
  kEscapeQuoted = 2,  // kEscape plus '"': escaped inside quotes.
};

constexpr std::array<uint8_t, 256> kEscapeClass = [] {
  std::array<uint8_t, 256> t{};
  t['\\'] = t['\n'] = kEscape | kEscapeQuoted;
  t['"'] = kEscapeQuoted;
  return t;
}();

// Escapes '\' and newline, and '"' when `quote` is set (label values and
// quoted names); HELP text keeps its double quotes, as in expfmt.
void AppendEscaped(std::string* out, std::string_view s, bool quote) {
  const uint8_t special = quote ? kEscapeQuoted : kEscape;
  size_t run = 0;  // Start of the bytes not yet appended.
  for (size_t i = 0; i < s.size(); ++i) {
    if (!(kEscapeClass[static_cast<unsigned char>(s[i])] & special)) continue;
    out->append(s.data() + run, i - run);
    out->push_back('\\');
    out->push_back(s[i] == '\n' ? 'n' : s[i]);
    run = i + 1;
  }
  out->append(s.data() + run, s.size() - run);
}

void AppendName(std::string* out, std::string_view name, bool legacy) {
  if (legacy) {
    out->append(name);
    return;
  }
  out->push_back('"');
  AppendEscaped(out, name, true);
  out->push_back('"');
}

void AppendValue(std::string* out, double v) {
  char buf[kFloatBufferSize];
  out->append(buf, FormatSampleValue(v, buf));
}

// Writes `name+suffix{labels...,extra_name="extra"} value\n`. The extra pair
// (le or quantile) comes after the sorted labels, as in expfmt.
void AppendSampleLine(std::string* out, const MetricSet& set, std::string_view name, bool name_is_legacy,
                      std::string_view suffix, const Sample& s, std::string_view extra_name, double extra,
                      double value) {
  char sep = '{';
  if (name_is_legacy) {
    out->append(name);
    out->append(suffix);
  } else {
    out->push_back('{');
    out->push_back('"');
    AppendEscaped(out, name, true);
    AppendEscaped(out, suffix, true);
    out->push_back('"');
    sep = ',';
  }
  const LabelRef* labels = set.labels().data() + s.label_begin;
  for (uint32_t i = 0; i < s.label_count; ++i) {
    out->push_back(sep);
    sep = ',';
    const std::string_view label_name = set.LabelName(labels[i]);
    AppendName(out, label_name, IsLegacyName(label_name));
    out->append("=\"");
    AppendEscaped(out, set.LabelValue(labels[i]), true);
    out->push_back('"');
  }
  if (!extra_name.empty()) {
    out->push_back(sep);
    sep = ',';
    out->append(extra_name);
    out->append("=\"");
    AppendValue(out, extra);
    out->push_back('"');
  }
  if (sep == ',') out->push_back('}');
  out->push_back(' ');
  AppendValue(out, value);
  out->push_back('\n');
}

// Label values compared position by position; equal values then compare
// names so that identical series end up adjacent for duplicate detection.
int CompareLabels(const MetricSet& set, const Sample& a, const Sample& b) {
  if (a.label_count != b.label_count) return a.label_count < b.label_count ? -1 : 1;
  const LabelRef* la = set.labels().data() + a.label_begin;
  const LabelRef* lb = set.labels().data() + b.label_begin;
  for (uint32_t i = 0; i < a.label_count; ++i) {
    const int c = set.LabelValue(la[i]).compare(set.LabelValue(lb[i]));
    if (c != 0) return c;
  }
  for (uint32_t i = 0; i < a.label_count; ++i) {
    const int c = set.LabelName(la[i]).compare(set.LabelName(lb[i]));
    if (c != 0) return c;
  }
  return 0;
}

// The first label whose value is not UTF-8, or nullptr.
const LabelRef* InvalidUtf8Label(const MetricSet& set, const Sample& s) {
  const LabelRef* l = set.labels().data() + s.label_begin;
  for (uint32_t i = 0; i < s.label_count; ++i) {
    if (!IsValidUtf8(set.LabelValue(l[i]))) return &l[i];
  }
  return nullptr;
}

std::string SeriesText(const MetricSet& set, const Sample& s) {
  std::string text;
  const MetricSet::Family& f = set.families()[s.family];
  AppendSampleLine(&text, set, f.name, f.legacy_name, "", s, "", 0, 0);
  // Drop the " 0\n" value: the duplicate is identified by name and labels.
  text.resize(text.size() - 3);
  return text;
}

}  // namespace

WriteResult TextWriter::Write(const MetricSet& set, std::string* out) {
  WriteResult result;
  out->clear();
  const auto& samples = set.samples();
  const auto& families = set.families();

  // Family by name, then client_golang's series order; the sample index breaks
  // ties so the first of several duplicates is the one kept. That makes the
  // order total, so exactly one permutation is sorted under it.
  // *label_cmp is CompareLabels of the two samples, or 1 if their families
  // differ.
  auto less = [&](uint32_t x, uint32_t y, int* label_cmp) {
    const Sample& a = samples[x];
    const Sample& b = samples[y];
    *label_cmp = 1;
    if (a.family != b.family) return families[a.family].name < families[b.family].name;
    *label_cmp = CompareLabels(set, a, b);
    if (*label_cmp != 0) return *label_cmp < 0;
    return x < y;
  };
  // Collectors add the same series in the same order on every scrape, so the
  // previous scrape's order is usually still the sorted one: checking that
  // takes n-1 comparisons where sorting takes n log n. The same pass marks
  // duplicates (equal labels next to each other in one family).
  duplicate_.resize(samples.size());
  bool sorted = order_.size() == samples.size();
  for (size_t k = 1; sorted && k < order_.size(); ++k) {
    int c;
    sorted = less(order_[k - 1], order_[k], &c);
    duplicate_[k] = c == 0;
  }
  if (!sorted) {
    order_.resize(samples.size());
    for (uint32_t i = 0; i < order_.size(); ++i) order_[i] = i;
    std::sort(order_.begin(), order_.end(), [&](uint32_t x, uint32_t y) {
      int c;
      return less(x, y, &c);
    });
    for (size_t k = 1; k < order_.size(); ++k) {
      int c;
      less(order_[k - 1], order_[k], &c);
      duplicate_[k] = c == 0;
    }
  }

  uint32_t current_family = UINT32_MAX;
  bool legacy = true;
  for (size_t k = 0; k < order_.size(); ++k) {
    const Sample& s = samples[order_[k]];
    if (const LabelRef* bad = InvalidUtf8Label(set, s); bad != nullptr) {
      std::string text(families[s.family].name);
      text.push_back('{');
      text.append(set.LabelName(*bad));
      text.push_back('}');
      result.invalid_utf8.push_back(std::move(text));
      continue;
    }
    if (s.family == current_family) {
      if (duplicate_[k]) {
        result.duplicates.push_back(SeriesText(set, s));
        continue;
      }
    } else {
      current_family = s.family;
      const MetricSet::Family& f = families[s.family];
      legacy = f.legacy_name;
      if (!f.help.empty()) {
        out->append("# HELP ");
        AppendName(out, f.name, legacy);
        out->push_back(' ');
        AppendEscaped(out, f.help, false);
        out->push_back('\n');
      }
      out->append("# TYPE ");
      AppendName(out, f.name, legacy);
      out->push_back(' ');
      out->append(MetricTypeName(f.type));
      out->push_back('\n');
    }

    const std::string_view name = families[s.family].name;
    switch (families[s.family].type) {
      case MetricType::kCounter:
      case MetricType::kGauge:
      case MetricType::kUntyped:
        AppendSampleLine(out, set, name, legacy, "", s, "", 0, s.value);
        result.samples_written += 1;
        break;
      case MetricType::kSummary: {
        for (uint32_t i = 0; i < s.bucket_count; ++i) {
          const Bucket& q = set.buckets()[s.bucket_begin + i];
          AppendSampleLine(out, set, name, legacy, "", s, "quantile", q.bound, q.value);
        }
        AppendSampleLine(out, set, name, legacy, "_sum", s, "", 0, s.value);
        AppendSampleLine(out, set, name, legacy, "_count", s, "", 0, s.count);
        result.samples_written += s.bucket_count + 2;
        break;
      }
      case MetricType::kHistogram: {
        bool inf_seen = false;
        for (uint32_t i = 0; i < s.bucket_count; ++i) {
          const Bucket& b = set.buckets()[s.bucket_begin + i];
          AppendSampleLine(out, set, name, legacy, "_bucket", s, "le", b.bound, b.value);
          inf_seen |= std::isinf(b.bound) && b.bound > 0;
        }
        result.samples_written += s.bucket_count + 2;
        if (!inf_seen) {
          AppendSampleLine(out, set, name, legacy, "_bucket", s, "le", HUGE_VAL, s.count);
          result.samples_written += 1;
        }
        AppendSampleLine(out, set, name, legacy, "_sum", s, "", 0, s.value);
        AppendSampleLine(out, set, name, legacy, "_count", s, "", 0, s.count);
        break;
      }
    }
  }
  return result;
}

}  // namespace nodex::expo
