#include "expo/format_float.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

namespace nodex::expo {
namespace {

std::string Sample(double v) {
  char buf[kFloatBufferSize];
  return std::string(buf, FormatSampleValue(v, buf));
}

struct GoCase {
  double value;
  const char* go;  // strconv.FormatFloat(value, 'g', -1, 64)
};

// Outputs of Go's strconv.FormatFloat(v, 'g', -1, 64).
const GoCase kGoCases[] = {
    {0.0, "0"},
    {-0.0, "-0"},
    {1.0, "1"},
    {-1.0, "-1"},
    {-1.5, "-1.5"},
    {0.1, "0.1"},
    {0.5, "0.5"},
    {1.0 / 3.0, "0.3333333333333333"},
    {2.0 / 3.0, "0.6666666666666666"},
    {0.1 + 0.2, "0.30000000000000004"},
    {100, "100"},
    {1234.5678, "1234.5678"},
    // The lower cut-off: exponent -4 is plain, -5 is exponent form.
    {0.0001, "0.0001"},
    {0.00012345, "0.00012345"},
    {1e-05, "1e-05"},
    {1.5e-05, "1.5e-05"},
    {0.000099999, "9.9999e-05"},
    // The upper cut-off: exponent 5 is plain, 6 is exponent form.
    {123456, "123456"},
    {999999, "999999"},
    {100000, "100000"},
    {123456.5, "123456.5"},
    {1e6, "1e+06"},
    {1000001, "1.000001e+06"},
    {1234567, "1.234567e+06"},
    {-1234567, "-1.234567e+06"},
    {999999.9999, "999999.9999"},
    {1e21, "1e+21"},
    {1e100, "1e+100"},
    {1e-100, "1e-100"},
    {1.305e-06, "1.305e-06"},
    {3.0e9, "3e+09"},
    {4294967296.0, "4.294967296e+09"},
    {18446744073709551615.0, "1.8446744073709552e+19"},
    {9007199254740992.0, "9.007199254740992e+15"},
    {9007199254740993.0, "9.007199254740992e+15"},  // 2^53+1 rounds to 2^53.
    {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
    {-std::numeric_limits<double>::max(), "-1.7976931348623157e+308"},
    {std::numeric_limits<double>::min(), "2.2250738585072014e-308"},
    {std::numeric_limits<double>::denorm_min(), "5e-324"},
    {-std::numeric_limits<double>::denorm_min(), "-5e-324"},
    {2.225073858507201e-308, "2.225073858507201e-308"},  // Largest subnormal.
    {5e-324 * 3, "1.5e-323"},
    {123.456e-3, "0.123456"},
    {1.7e+308, "1.7e+308"},
    {std::numeric_limits<double>::quiet_NaN(), "NaN"},
    {std::numeric_limits<double>::infinity(), "+Inf"},
    {-std::numeric_limits<double>::infinity(), "-Inf"},
};

TEST(FormatGoFloatTest, MatchesGoTable) {
  for (const GoCase& c : kGoCases) {
    EXPECT_EQ(GoFloat(c.value), c.go) << "value bits 0x" << std::hex << std::bit_cast<uint64_t>(c.value);
  }
}

TEST(FormatSampleValueTest, ExpfmtSpecialCases) {
  EXPECT_EQ(Sample(0.0), "0");
  EXPECT_EQ(Sample(-0.0), "0");
  EXPECT_EQ(Sample(1.0), "1");
  EXPECT_EQ(Sample(-1.0), "-1");
  EXPECT_EQ(Sample(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(Sample(-std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(Sample(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(Sample(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(Sample(1e-05), "1e-05");
  EXPECT_EQ(Sample(1234567), "1.234567e+06");
  EXPECT_EQ(Sample(18446744073709551615.0), "1.8446744073709552e+19");
}

TEST(FormatSampleValueTest, MatchesGoFloatOtherwise) {
  for (const GoCase& c : kGoCases) {
    if (c.value == 0) continue;
    EXPECT_EQ(Sample(c.value), c.go);
  }
}

// Checks the property the fuzzer also checks: for every finite double, the
// text parses back to exactly the same bits, fits the buffer, and uses
// exponent form exactly when Go would.
void CheckRoundTrip(double v) {
  char buf[kFloatBufferSize + 1];
  const size_t n = FormatGoFloat(v, buf);
  ASSERT_LT(n, kFloatBufferSize);
  buf[n] = '\0';
  char* end = nullptr;
  const double back = std::strtod(buf, &end);
  ASSERT_EQ(end, buf + n) << buf;
  ASSERT_EQ(std::bit_cast<uint64_t>(back), std::bit_cast<uint64_t>(v)) << buf;
  const std::string s(buf, n);
  const double mag = std::fabs(v);
  const bool exponent_form = s.find('e') != std::string::npos;
  if (mag != 0) {
    ASSERT_EQ(exponent_form, mag < 1e-4 || mag >= 1e6) << buf;
  }
}

TEST(FormatGoFloatTest, RandomBitPatternsRoundTrip) {
  std::mt19937_64 rng(20240601);
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    const double v = std::bit_cast<double>(rng());
    if (!std::isfinite(v)) continue;
    CheckRoundTrip(v);
    ++checked;
  }
  EXPECT_GT(checked, 190000);
}

TEST(FormatGoFloatTest, RandomIntegersAndDecimalsRoundTrip) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    CheckRoundTrip(static_cast<double>(rng() >> (rng() % 64)));
    CheckRoundTrip(static_cast<double>(rng() % 100000000) / 1000.0);
    CheckRoundTrip(std::ldexp(static_cast<double>(rng() % 1024), -static_cast<int>(rng() % 1100)));
  }
}

TEST(FormatGoFloatTest, NeighboursOfCutOffsRoundTrip) {
  for (double edge : {1e-4, 1e6, 1e-5, 1e21, 1.0, 0.1, 5e-324, 2.2250738585072014e-308}) {
    double down = edge;
    double up = edge;
    for (int i = 0; i < 50; ++i) {
      down = std::nextafter(down, 0.0);
      up = std::nextafter(up, HUGE_VAL);
      CheckRoundTrip(down);
      CheckRoundTrip(up);
      CheckRoundTrip(-up);
    }
  }
}

}  // namespace
}  // namespace nodex::expo
