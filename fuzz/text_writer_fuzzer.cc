// Fuzzes MetricSet + TextWriter: the input is read as a program of Add,
// AddComposite, Clear and Write calls with names, labels and values taken
// from the bytes. Every write is parsed back line by line and checked:
// HELP/TYPE before samples, families strictly ascending, valid escapes,
// sample names matching their family, parseable values, and counts that add
// up with the duplicates and non-UTF-8 series reported. Writing twice must give the same bytes.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "expo/metric_set.h"
#include "expo/text_writer.h"

namespace {

using nodex::expo::Bucket;
using nodex::expo::Desc;
using nodex::expo::Label;
using nodex::expo::MetricSet;
using nodex::expo::MetricType;
using nodex::expo::TextWriter;
using nodex::expo::WriteResult;

#define CHECK(cond)                \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  bool empty() const { return n_ == 0; }
  uint8_t Byte() {
    if (n_ == 0) return 0;
    --n_;
    return *p_++;
  }
  std::string Raw(size_t len) {
    if (len > n_) len = n_;
    std::string s(reinterpret_cast<const char*>(p_), len);
    p_ += len;
    n_ -= len;
    return s;
  }
  double Double() {
    // Mostly small, readable values; sometimes raw bits (NaN, Inf, -0...).
    const uint8_t kind = Byte();
    if (kind % 4 != 0) return static_cast<double>(static_cast<int8_t>(Byte())) / (1 + kind % 3);
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = bits << 8 | Byte();
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  // A small alphabet makes families and series collide (merges, duplicates);
  // now and then a raw name exercises quoting.
  std::string Name() {
    const uint8_t mode = Byte();
    const size_t len = 1 + mode % 4;
    if (mode >= 240) return Raw(len);
    static constexpr char kFirst[] = "ab_:";
    static constexpr char kRest[] = "ab0_";
    std::string s;
    for (size_t i = 0; i < len; ++i) s.push_back(i == 0 ? kFirst[Byte() % 4] : kRest[Byte() % 4]);
    return s;
  }

 private:
  const uint8_t* p_;
  size_t n_;
};

bool IsLegacy(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
          (i > 0 && c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return true;
}

// Reads an escaped string up to (not including) the closing quote, or to the
// end of `line` when quote is false. Only \\, \n and (quoted) \" are valid.
std::string Unescape(std::string_view* line, bool quoted) {
  std::string out;
  while (true) {
    if (line->empty()) {
      CHECK(!quoted);
      return out;
    }
    const char c = line->front();
    line->remove_prefix(1);
    if (quoted && c == '"') return out;
    if (c == '\\') {
      CHECK(!line->empty());
      const char e = line->front();
      line->remove_prefix(1);
      if (e == 'n') {
        out.push_back('\n');
      } else {
        CHECK(e == '\\' || (quoted && e == '"'));
        out.push_back(e);
      }
    } else {
      CHECK(c != '\n');
      out.push_back(c);
    }
  }
}

// A name: legacy characters, or a quoted string.
std::string ParseName(std::string_view* line) {
  if (!line->empty() && line->front() == '"') {
    line->remove_prefix(1);
    std::string name = Unescape(line, true);
    CHECK(!IsLegacy(name));
    return name;
  }
  size_t i = 0;
  while (i < line->size() && IsLegacy(line->substr(0, i + 1))) ++i;
  CHECK(i > 0);
  std::string name(line->substr(0, i));
  line->remove_prefix(i);
  return name;
}

void CheckValue(std::string_view v) {
  if (v == "NaN" || v == "+Inf" || v == "-Inf") return;
  CHECK(!v.empty() && v.size() < 32 && v.front() != '+');
  const std::string s(v);
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  CHECK(end == s.c_str() + s.size());
  CHECK(std::isfinite(d));
}

struct Checked {
  size_t samples = 0;
  size_t series = 0;
};

Checked CheckOutput(const std::string& out) {
  Checked result;
  CHECK(out.empty() || out.back() == '\n');
  std::string family;
  std::string help_name;
  std::string type;
  bool have_family = false;
  std::string_view rest(out);
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);

    if (line.substr(0, 7) == "# HELP ") {
      line.remove_prefix(7);
      CHECK(help_name.empty());
      help_name = ParseName(&line);
      CHECK(!line.empty() && line.front() == ' ');
      line.remove_prefix(1);
      const std::string help = Unescape(&line, false);
      CHECK(!help.empty());
      continue;
    }
    if (line.substr(0, 7) == "# TYPE ") {
      line.remove_prefix(7);
      std::string name = ParseName(&line);
      CHECK(help_name.empty() || help_name == name);
      help_name.clear();
      CHECK(!have_family || family < name);  // Sorted, each family once.
      family = std::move(name);
      have_family = true;
      CHECK(!line.empty() && line.front() == ' ');
      line.remove_prefix(1);
      type = std::string(line);
      CHECK(type == "counter" || type == "gauge" || type == "untyped" || type == "summary" || type == "histogram");
      continue;
    }

    CHECK(have_family && help_name.empty());
    std::string name;
    bool in_braces = false;
    if (!line.empty() && line.front() == '{') {
      line.remove_prefix(1);
      CHECK(!line.empty() && line.front() == '"');
      name = ParseName(&line);
      in_braces = true;
    } else {
      name = ParseName(&line);
      if (!line.empty() && line.front() == '{') {
        line.remove_prefix(1);
        in_braces = true;
        CHECK(!line.empty() && line.front() != '}');
      }
    }
    const bool composite = type == "histogram" || type == "summary";
    std::string_view suffix;
    if (composite) {
      CHECK(name.compare(0, family.size(), family) == 0);
      suffix = std::string_view(name).substr(family.size());
      CHECK(suffix == "_sum" || suffix == "_count" || (type == "histogram" ? suffix == "_bucket" : suffix.empty()));
    } else {
      CHECK(name == family);
    }
    std::vector<std::pair<std::string, std::string>> pairs;
    if (in_braces) {
      CHECK(!line.empty());
      if (line.front() == ',') line.remove_prefix(1);  // After a quoted metric name.
      bool first = true;
      while (!line.empty() && line.front() != '}') {
        if (!first) {
          CHECK(line.front() == ',');
          line.remove_prefix(1);
        }
        first = false;
        std::string label = ParseName(&line);
        CHECK(line.substr(0, 2) == "=\"");
        line.remove_prefix(2);
        pairs.emplace_back(std::move(label), Unescape(&line, true));
      }
      CHECK(!line.empty() && line.front() == '}');
      line.remove_prefix(1);
    }
    // le / quantile comes last, after the pairs sorted by name.
    const bool has_extra = (type == "histogram" && suffix == "_bucket") || (type == "summary" && suffix.empty());
    if (has_extra) {
      CHECK(!pairs.empty() && pairs.back().first == (type == "histogram" ? "le" : "quantile"));
      CheckValue(pairs.back().second);
      pairs.pop_back();
    }
    for (size_t i = 1; i < pairs.size(); ++i) CHECK(pairs[i - 1].first <= pairs[i].first);
    CHECK(!line.empty() && line.front() == ' ');
    line.remove_prefix(1);
    CheckValue(line);

    ++result.samples;
    if (!composite || suffix == "_count") ++result.series;
  }
  CHECK(help_name.empty());
  return result;
}

void WriteAndCheck(const MetricSet& set, TextWriter* writer) {
  std::string out;
  const WriteResult r = writer->Write(set, &out);
  const Checked c = CheckOutput(out);
  CHECK(c.samples == r.samples_written);
  // Every series is written, dropped as a duplicate, or dropped for a label
  // value that is not UTF-8.
  CHECK(c.series + r.duplicates.size() + r.invalid_utf8.size() == set.samples().size());
  std::string again;
  const WriteResult r2 = writer->Write(set, &again);
  CHECK(again == out);
  CHECK(r2.duplicates == r.duplicates);
  CHECK(r2.invalid_utf8 == r.invalid_utf8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in(data, size);
  MetricSet set;
  TextWriter writer;
  for (int op = 0; op < 512 && !in.empty(); ++op) {
    const uint8_t kind = in.Byte() % 16;
    if (kind == 14) {
      set.Clear();
      continue;
    }
    if (kind == 15) {
      WriteAndCheck(set, &writer);
      continue;
    }
    const std::string name = in.Name();
    const std::string help = in.Raw(in.Byte() % 8);
    const auto type = static_cast<MetricType>(in.Byte() % 5);
    const size_t label_count = in.Byte() % 4;
    std::vector<std::string> strings;
    strings.reserve(label_count * 2);
    std::vector<Label> labels;
    for (size_t i = 0; i < label_count; ++i) {
      strings.push_back(in.Name());
      strings.push_back(in.Raw(in.Byte() % 6));
      labels.push_back(Label{strings[strings.size() - 2], strings.back()});
    }
    const Desc desc{name, help, type};
    if (kind < 10) {
      set.Add(desc, in.Double(), labels);
    } else {
      std::vector<Bucket> buckets(in.Byte() % 5);
      for (Bucket& b : buckets) b = Bucket{in.Double(), in.Double()};
      const double sum = in.Double();
      set.AddComposite(desc, labels, sum, in.Double(), buckets);
    }
  }
  WriteAndCheck(set, &writer);
  return 0;
}
