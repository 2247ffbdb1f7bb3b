#include "expo/gzip.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace nodex::expo {
namespace {

TEST(GzipTest, RoundTrip) {
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    text += "node_cpu_seconds_total{cpu=\"" + std::to_string(i % 64) + "\",mode=\"idle\"} 1234.5\n";
  }
  GzipCompressor gz;
  std::string compressed;
  ASSERT_TRUE(gz.Compress(text, &compressed));
  ASSERT_GE(compressed.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(compressed[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>(compressed[1]), 0x8b);
  EXPECT_LT(compressed.size(), text.size() / 10);
  std::string back;
  ASSERT_TRUE(GzipDecompress(compressed, &back));
  EXPECT_EQ(back, text);
}

TEST(GzipTest, RoundTripEmptyAndRandomAndReuse) {
  GzipCompressor gz(6);
  std::string compressed;
  std::string back;
  ASSERT_TRUE(gz.Compress("", &compressed));
  ASSERT_TRUE(GzipDecompress(compressed, &back));
  EXPECT_EQ(back, "");

  std::mt19937 rng(1);
  std::string noise(300000, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  ASSERT_TRUE(gz.Compress(noise, &compressed));
  ASSERT_TRUE(GzipDecompress(compressed, &back));
  EXPECT_EQ(back, noise);

  ASSERT_TRUE(gz.Compress("short", &compressed));  // Reused output buffer shrinks.
  ASSERT_TRUE(GzipDecompress(compressed, &back));
  EXPECT_EQ(back, "short");
}

std::string ScrapeLikeText(int lines, int seed) {
  std::string text;
  for (int i = 0; i < lines; ++i) {
    text += "node_network_receive_bytes_total{device=\"eth" + std::to_string(i % 16) + "\"} " +
            std::to_string(static_cast<long long>(i) * 7919 + seed) + "\n";
  }
  return text;
}

TEST(GzipTest, FreshOutputIsSizedFromThePreviousRatio) {
  GzipCompressor gz;
  std::string first;
  ASSERT_TRUE(gz.Compress(ScrapeLikeText(5000, 1), &first));
  // The first call has no ratio yet and sizes for the worst case.
  const std::string text = ScrapeLikeText(5200, 2);
  std::string fresh;
  ASSERT_TRUE(gz.Compress(text, &fresh));
  // Not the worst-case bound, which is a little more than the input.
  EXPECT_LT(fresh.capacity(), text.size() / 2);
  std::string back;
  ASSERT_TRUE(GzipDecompress(fresh, &back));
  EXPECT_EQ(back, text);
}

TEST(GzipTest, OutputThatOutgrowsTheGuessIsCompressedAgain) {
  GzipCompressor gz;
  std::string compressed;
  ASSERT_TRUE(gz.Compress(std::string(100000, 'a'), &compressed));  // ~1000:1.
  std::mt19937 rng(7);
  std::string noise(100000, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  std::string fresh;
  ASSERT_TRUE(gz.Compress(noise, &fresh));
  EXPECT_GT(fresh.size(), noise.size());  // Stored: the guess from 'a's was far too small.
  std::string back;
  ASSERT_TRUE(GzipDecompress(fresh, &back));
  EXPECT_EQ(back, noise);
  // And back to compressible input after the incompressible one.
  const std::string text = ScrapeLikeText(3000, 3);
  ASSERT_TRUE(gz.Compress(text, &fresh));
  ASSERT_TRUE(GzipDecompress(fresh, &back));
  EXPECT_EQ(back, text);
}

TEST(GzipTest, DecompressGrowsBeyondTrailerHint) {
  // The output size is first guessed from the last 4 bytes (ISIZE). With a
  // second member appended, that guess is the second member's size, so the
  // buffer has to grow to fit the first member, which is what is returned.
  const std::string text(1 << 20, 'a');
  GzipCompressor gz;
  std::string first;
  std::string second;
  ASSERT_TRUE(gz.Compress(text, &first));
  ASSERT_TRUE(gz.Compress("x", &second));
  std::string back;
  ASSERT_TRUE(GzipDecompress(first + second, &back));
  EXPECT_EQ(back, text);

  // A corrupted ISIZE fails libdeflate's trailer check instead.
  std::string lying = first;
  lying[lying.size() - 1] ^= 0x7f;
  EXPECT_FALSE(GzipDecompress(lying, &back));
  EXPECT_EQ(back, "");
}

TEST(GzipTest, DecompressRejectsGarbage) {
  std::string out = "stale";
  EXPECT_FALSE(GzipDecompress("", &out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(GzipDecompress("not gzip at all, definitely not", &out));
  GzipCompressor gz;
  std::string compressed;
  ASSERT_TRUE(gz.Compress("hello hello hello", &compressed));
  EXPECT_FALSE(GzipDecompress(compressed.substr(0, compressed.size() - 5), &out));  // Truncated.
}

TEST(AcceptsGzipTest, Tokens) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("GZIP"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_TRUE(AcceptsGzip("deflate,gzip"));
  EXPECT_TRUE(AcceptsGzip("  br ,  gzip  "));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
  EXPECT_FALSE(AcceptsGzip("gzipx"));
  EXPECT_FALSE(AcceptsGzip("xgzip"));
}

TEST(AcceptsGzipTest, QualityValues) {
  EXPECT_TRUE(AcceptsGzip("gzip;q=1.0"));
  EXPECT_TRUE(AcceptsGzip("gzip; q=0.5"));
  EXPECT_TRUE(AcceptsGzip("gzip;Q=0.001"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.000"));
  EXPECT_FALSE(AcceptsGzip("gzip ; q=0 , deflate"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_TRUE(AcceptsGzip("*;q=0.1"));
  // An explicit entry overrides the wildcard either way.
  EXPECT_FALSE(AcceptsGzip("gzip;q=0, *"));
  EXPECT_TRUE(AcceptsGzip("*;q=0, gzip"));
  // Malformed qualities accept nothing.
  EXPECT_FALSE(AcceptsGzip("gzip;q=abc"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=2"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.12345"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=bad, gzip;q=0.3"));
}

}  // namespace
}  // namespace nodex::expo
