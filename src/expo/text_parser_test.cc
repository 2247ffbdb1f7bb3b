#include "expo/text_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace nodex::expo {
namespace {

// One line per series: name{labels} value, or for composites
// name{labels} sum=S count=C [bound:value ...]; labels in input order.
std::vector<std::string> Dump(const ParsedText& p) {
  std::vector<std::string> out;
  for (uint32_t f : p.family_order()) {
    const ParsedText::Family& fam = p.family(f);
    std::string head = "#" + std::string(p.Text(fam.name)) + " " + std::string(MetricTypeName(fam.type));
    if (fam.has_help) head += " help=" + std::string(p.Text(fam.help));
    out.push_back(head);
    for (uint32_t m = fam.first_metric; m != ParsedText::kNone; m = p.metric(m).next) {
      const ParsedText::Metric& metric = p.metric(m);
      std::string line(p.Text(fam.name));
      line += "{";
      for (uint32_t i = 0; i < metric.label_count; ++i) {
        const ParsedText::LabelPair& l = p.label(metric.label_begin + i);
        if (i > 0) line += ",";
        line += std::string(p.Text(l.name)) + "=" + std::string(p.Text(l.value));
      }
      line += "} ";
      char buf[64];
      if (fam.type == MetricType::kSummary || fam.type == MetricType::kHistogram) {
        snprintf(buf, sizeof buf, "sum=%g count=%g", metric.value, metric.count);
        line += buf;
        for (uint32_t b = metric.first_bucket; b != ParsedText::kNone; b = p.bucket(b).next) {
          snprintf(buf, sizeof buf, " %g:%g", p.bucket(b).bound, p.bucket(b).value);
          line += buf;
        }
      } else {
        snprintf(buf, sizeof buf, "%g", metric.value);
        line += buf;
      }
      if (metric.has_timestamp) line += " @" + std::to_string(metric.timestamp_ms);
      out.push_back(line);
    }
  }
  return out;
}

std::vector<std::string> ParseOk(std::string_view in) {
  ParsedText p;
  Status st = ParseText(in, &p);
  EXPECT_TRUE(st.ok()) << st.message() << "\ninput:\n" << in;
  return Dump(p);
}

std::string ParseErr(std::string_view in) {
  ParsedText p;
  Status st = ParseText(in, &p);
  EXPECT_FALSE(st.ok()) << "input:\n" << in;
  return st.message();
}

using V = std::vector<std::string>;

TEST(ParseGoFloatTest, GoSyntax) {
  EXPECT_EQ(ParseGoFloat("1.5"), 1.5);
  EXPECT_EQ(ParseGoFloat("-3e3"), -3000);
  EXPECT_EQ(ParseGoFloat("+2"), 2);
  EXPECT_EQ(ParseGoFloat(".5"), 0.5);
  EXPECT_EQ(ParseGoFloat("+Inf"), HUGE_VAL);
  EXPECT_EQ(ParseGoFloat("-inf"), -HUGE_VAL);
  EXPECT_EQ(ParseGoFloat("Infinity"), HUGE_VAL);
  EXPECT_TRUE(std::isnan(*ParseGoFloat("NaN")));
  EXPECT_EQ(ParseGoFloat("1e-400"), 0.0);
  for (const char* bad : {"", "+", "-", "1e999", "-1e999", "0x1p-3", "0x10", "1_000", "+nan", "nan(1)", "infin",
                          "1.5x", " 1", "1 ", "++1", "+-1", "0b1"}) {
    EXPECT_FALSE(ParseGoFloat(bad).has_value()) << bad;
  }
}

TEST(TextParserTest, EmptyAndBlankInput) {
  EXPECT_EQ(ParseOk(""), V{});
  EXPECT_EQ(ParseOk("\n\n  \t\n"), V{});
  EXPECT_EQ(ParseOk("# just a comment\n#\n# HELP\n# TYPE only_type counter\n"), V{});
  EXPECT_EQ(ParseOk("  "), V{});  // Trailing blanks without newline are fine.
}

TEST(TextParserTest, MinimalAndTimestamps) {
  EXPECT_EQ(ParseOk("minimal 1.234\nanother -3e3 103948\n# c\nno_labels{} 3\n  indented{a=\"b\",} 4\n"),
            (V{"#minimal untyped", "minimal{} 1.234", "#another untyped", "another{} -3000 @103948",
               "#no_labels untyped", "no_labels{} 3", "#indented untyped", "indented{a=b} 4"}));
  EXPECT_EQ(ParseOk("t 1 -5\n"), (V{"#t untyped", "t{} 1 @-5"}));
}

TEST(TextParserTest, HelpTypeAndEscapes) {
  EXPECT_EQ(ParseOk("# HELP m Some \\\\ help \\n with \"quotes\" \\\"\n# TYPE m gauge\n"
                    "m{l=\"a\\\\b\\\"c\\nd\", x = \"\" } 5\nm 6\n"),
            (V{"#m gauge help=Some \\ help \n with \"quotes\" \"", "m{l=a\\b\"c\nd,x=} 5", "m{} 6"}));
  // Trailing blanks after the name: no help at all, like expfmt.
  EXPECT_EQ(ParseOk("# HELP m \nm 1\n"), (V{"#m untyped", "m{} 1"}));
  EXPECT_EQ(ParseOk("# TYPE m COUNTER\nm 1\n"), (V{"#m counter", "m{} 1"}));
}

TEST(TextParserTest, SummaryGroupsByLabelsWithoutQuantile) {
  EXPECT_EQ(ParseOk("# TYPE s summary\n"
                    "s{a=\"1\",quantile=\"0.5\"} 10\n"
                    "s{quantile=\"0.9\",a=\"1\"} 20\n"
                    "s_sum{a=\"1\"} 100\n"
                    "s_count{a=\"1\"} 7.9\n"
                    "s{a=\"2\",quantile=\"0.5\"} 1\n"
                    "s_count{a=\"2\"} -1\n"),  // -1 wraps, as uint64(-1.0) does in Go on amd64.
            (V{"#s summary", "s{a=1} sum=100 count=7 0.5:10 0.9:20", "s{a=2} sum=0 count=1.84467e+19 0.5:1"}));
}

TEST(TextParserTest, HistogramGroupsByLabelsWithoutLe) {
  EXPECT_EQ(ParseOk("# HELP h Latency.\n# TYPE h histogram\n"
                    "h_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 3.7\nh_sum 2\nh_count 3\n"
                    "h_bucket{x=\"y\",le=\"1\"} 2\n"),
            (V{"#h histogram help=Latency.", "h{} sum=2 count=3 0.5:1 inf:3", "h{x=y} sum=0 count=0 1:2"}));
  // _sum of a name that is not a summary/histogram is its own family.
  EXPECT_EQ(ParseOk("g 1\ng_sum 2\n"), (V{"#g untyped", "g{} 1", "#g_sum untyped", "g_sum{} 2"}));
  // le is an ordinary label outside histograms.
  EXPECT_EQ(ParseOk("u_bucket{le=\"1\"} 2\n"), (V{"#u_bucket untyped", "u_bucket{le=1} 2"}));
}

TEST(TextParserTest, DuplicateSeriesAreKept) {
  EXPECT_EQ(ParseOk("d{a=\"1\"} 1\nd{a=\"1\"} 2\n"), (V{"#d untyped", "d{a=1} 1", "d{a=1} 2"}));
}

TEST(TextParserTest, QuotedNamesMustBeLegacy) {
  EXPECT_EQ(ParseOk("{\"q_name\",a=\"b\"} 1\n"), (V{"#q_name untyped", "q_name{a=b} 1"}));
  EXPECT_NE(ParseErr("{\"metric.name\",a=\"b\"} 1\n").find("invalid metric name \"metric.name\""), std::string::npos);
  EXPECT_NE(ParseErr("m{\"dotted.label\"=\"b\"} 1\n").find("invalid label name"), std::string::npos);
  EXPECT_NE(ParseErr("{\"a\",\"b\"} 1\n").find("multiple metric names"), std::string::npos);
  EXPECT_NE(ParseErr("{a=\"b\"} 1\n").find("invalid metric name"), std::string::npos);
}

TEST(TextParserTest, RejectsMalformedInput) {
  const char* cases[] = {
      "m 1",                                   // No final newline.
      "# HELP m help",                         // No final newline in a comment.
      "m\n",                                   // No value.
      "m 1 \n",                                // Blank after value without timestamp.
      "m 1 2 3\n",                             // Spurious text after timestamp.
      "m 1 1.5\n",                             // Non-integer timestamp.
      "m 1 99999999999999999999\n",            // Timestamp out of range.
      "m abc\n",                               // Non-numeric value.
      "m 1e999\n",                             // Value out of range.
      "m 0x1p3\n",                             // Hex float.
      "m 1\r\n",                               // CRLF.
      "m{a=b} 1\n",                            // Unquoted label value.
      "m{a=\"b\" 1\n",                         // Unclosed braces.
      "m{a=\"b} 1\n",                          // Unclosed quote.
      "m{a=\"\\t\"} 1\n",                      // Invalid escape.
      "m{a=\"1\",a=\"2\"} 1\n",                // Duplicate label.
      "m{__name__=\"x\"} 1\n",                 // Reserved label.
      "m{1a=\"x\"} 1\n",                       // Bad label name.
      "m{a:b=\"x\"} 1\n",                      // ':' in label name.
      "m{a=\"\xbd\"} 1\n",                     // Invalid UTF-8.
      "1m 1\n",                                // Bad metric name.
      "# HELP m a\n# HELP m b\nm 1\n",         // Second HELP.
      "# TYPE m gauge\n# TYPE m gauge\nm 1\n", // Second TYPE.
      "m 1\n# TYPE m gauge\n",                 // TYPE after samples.
      "# TYPE m gauge \nm 1\n",                // Trailing blank in type.
      "# TYPE m info\nm 1\n",                  // Unknown type.
      "# TYPE m gauge_histogram\nm 1\n",       // Known type, samples unsupported.
      "# HELP m bad \\t escape\n",             // Invalid help escape.
      "# HELP m- x\n",                         // Bad name in comment.
      "# TYPE s summary\ns{quantile=\"x\"} 1\n",   // Bad quantile.
      "# TYPE h histogram\nh_bucket{le=\"0x1p-3\"} 1\n",  // Bad le.
  };
  for (const char* in : cases) {
    std::string msg = ParseErr(in);
    EXPECT_EQ(msg.rfind("text format parsing error in line ", 0), 0u) << msg;
  }
  EXPECT_NE(ParseErr("a 1\nb 2\nc x\n").find("line 3"), std::string::npos);
}

TEST(TextParserTest, HugeAndSpecialValues) {
  EXPECT_EQ(ParseOk("a 1.7976931348623157e308\nb -Inf\nc NaN\nd +Inf\n"),
            (V{"#a untyped", "a{} 1.79769e+308", "#b untyped", "b{} -inf", "#c untyped", "c{} nan", "#d untyped",
               "d{} inf"}));
}

TEST(TextParserTest, ReuseAcrossParses) {
  ParsedText p;
  ASSERT_TRUE(ParseText("a{x=\"1\"} 1\nb 2\n", &p).ok());
  ASSERT_TRUE(ParseText("b 3\n", &p).ok());
  EXPECT_EQ(Dump(p), (V{"#b untyped", "b{} 3"}));
  EXPECT_FALSE(p.HasTimestamps());
  ASSERT_TRUE(ParseText("b 3 17\n", &p).ok());
  EXPECT_TRUE(p.HasTimestamps());
}

}  // namespace
}  // namespace nodex::expo
