#include "collectors/os.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "collectors/testing/kit.h"
#include "collectors/testing/scratch.h"
#include "expo/text_writer.h"

namespace nodex::collectors {
namespace {

std::unique_ptr<Collector> Make(const std::string& rootfs) {
  Context ctx;
  ctx.paths.rootfs = rootfs;
  return testing::MustCreate(NewOsCollector, ctx);
}

// An empty root file system with /etc and /usr/lib.
void MakeEtcAndUsrLib(const testing::ScratchTree& root) {
  root.MakeDir("etc");
  root.MakeDir("usr/lib");
}

std::string Render(const expo::MetricSet& set) {
  std::string text;
  expo::TextWriter().Write(set, &text);
  return text;
}

// Parses one line on its own; returns the value of KEY_UNDER_TEST or the error.
StatusOr<std::string> ParseOne(const std::string& value) {
  OsRelease r;
  Status st = ParseOsRelease("NAME=" + value + "\n", &r);
  if (!st.ok()) return st;
  return r.name;
}

TEST(ParseOsReleaseTest, RealCaptureFromThisMachine) {
  OsRelease r;
  ASSERT_TRUE(ParseOsRelease(testing::ReadTestdata("src/collectors/testdata/os/debian12/usr/lib/os-release"), &r).ok());
  EXPECT_EQ(r.pretty_name, "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(r.name, "Debian GNU/Linux");
  EXPECT_EQ(r.version_id, "12");
  EXPECT_EQ(r.version, "12 (bookworm)");
  EXPECT_EQ(r.version_codename, "bookworm");
  EXPECT_EQ(r.id, "debian");
  EXPECT_EQ(r.id_like, "");
  EXPECT_EQ(r.support_end, "");
}

TEST(ParseOsReleaseTest, QuotingRulesOfGoEnvparse) {
  EXPECT_EQ(*ParseOne("plain"), "plain");
  EXPECT_EQ(*ParseOne("  spaced words  "), "spaced words");
  EXPECT_EQ(*ParseOne("\"double quoted \""), "double quoted ");
  EXPECT_EQ(*ParseOne("'single \\n quoted'"), "single \\n quoted");
  EXPECT_EQ(*ParseOne("mixed' and '\"parts\""), "mixed and parts");
  EXPECT_EQ(*ParseOne("value # comment"), "value");
  EXPECT_EQ(*ParseOne("value#comment"), "value");
  EXPECT_EQ(*ParseOne("\"in # quotes\" # out"), "in # quotes");
  EXPECT_EQ(*ParseOne("\"keep \" # the space in quotes"), "keep ");
  EXPECT_EQ(*ParseOne("unquoted\\text"), "unquoted\\text");
  EXPECT_EQ(*ParseOne("\"\\\" \\\\ \\/ \\n \\t \\r \\b \\f\""), "\" \\ / \n \t \r \b \f");
  EXPECT_EQ(*ParseOne("\"caf\\u00e9 \\u20AC\""), "caf\xc3\xa9 \xe2\x82\xac");
  EXPECT_EQ(*ParseOne("\"\\ud83d\\ude00\""), "\xf0\x9f\x98\x80");  // Surrogate pair.
  EXPECT_EQ(*ParseOne("\"\\ud83d\\u0041\""), "\xef\xbf\xbd");      // Bad pair: U+FFFD.
  EXPECT_EQ(*ParseOne("\"\\ude00\\ud83d\""), "\xef\xbf\xbd");      // Reversed pair.
  EXPECT_EQ(*ParseOne("caf\xc3\xa9 # comment"), "caf\xc3\xa9");    // Multi-byte kept whole.
  EXPECT_EQ(*ParseOne(""), "");
  EXPECT_EQ(*ParseOne("\"\""), "");
  EXPECT_EQ(*ParseOne("a=b=c"), "a=b=c");
}

TEST(ParseOsReleaseTest, KeysCommentsAndBlankLines) {
  OsRelease r;
  ASSERT_TRUE(
      ParseOsRelease("\n  # comment\n\r\n  ID = x  \nexport VERSION_ID=1.2\nID=y\nexport=z\n_OTHER9=1\n", &r).ok());
  EXPECT_EQ(r.id, "y");  // Last one wins.
  EXPECT_EQ(r.version_id, "1.2");
  ASSERT_TRUE(ParseOsRelease("ID=crlf\r\nNAME=\"x\"\r\n", &r).ok());
  EXPECT_EQ(r.id, "crlf");
  EXPECT_EQ(r.name, "x");
  ASSERT_TRUE(ParseOsRelease("", &r).ok());
  EXPECT_EQ(r.id, "");  // Reset by each parse.
}

TEST(ParseOsReleaseTest, RejectsMalformedFiles) {
  OsRelease r;
  for (const char* bad : {
           "NAME\n",                 // no '='
           "=value\n",               // empty key
           "1NAME=x\n",              // key starts with a digit
           "NA-ME=x\n",              // bad key character
           "export  NAME=x\n",       // two spaces after export
           "NAME=\"unterminated\n",  // truncated quote
           "NAME='unterminated\n", "NAME=\"trailing escape\\\"\n", "NAME=\"bad \\q escape\"\n",
           "NAME=\"\\u12\"\n",    // short \u
           "NAME=\"\\u12zz\"\n",  // non-hex
           "NAME=\"\\ud83d\"\n",  // lone high surrogate
           "NAME=\"\\ud83dx\\ude00\"\n",
           "NAME=a\tb\n",            // control character inside the value
           "NAME=\"\\\xc3\xa9\"\n",  // multi-byte after a backslash
           "OTHER=\"x\nNAME=ok\n",   // unused keys must parse too
       }) {
    EXPECT_FALSE(ParseOsRelease(bad, &r).ok()) << bad;
  }
  EXPECT_FALSE(ParseOsRelease("NAME=" + std::string(70000, 'x') + "\n", &r).ok());
  EXPECT_FALSE(ParseOsRelease(std::string("NAME=a\0b\n", 9), &r).ok());
}

TEST(ParseOsVersionTest, MajorMinorPrefix) {
  EXPECT_DOUBLE_EQ(*ParseOsVersion("20.04"), 20.04);
  EXPECT_DOUBLE_EQ(*ParseOsVersion("12"), 12);
  EXPECT_DOUBLE_EQ(*ParseOsVersion("3.19.1"), 3.19);
  EXPECT_DOUBLE_EQ(*ParseOsVersion("1."), 1);
  EXPECT_DOUBLE_EQ(*ParseOsVersion("0.5"), 0.5);
  EXPECT_DOUBLE_EQ(*ParseOsVersion("2024.04-beta"), 2024.04);
  EXPECT_DOUBLE_EQ(*ParseOsVersion("rolling"), 0);
  EXPECT_DOUBLE_EQ(*ParseOsVersion("v1.2"), 0);
  EXPECT_DOUBLE_EQ(*ParseOsVersion(""), 0);
  EXPECT_DOUBLE_EQ(*ParseOsVersion("0." + std::string(400, '0') + "1"), 0);  // Underflow is 0, as in Go.
  EXPECT_FALSE(ParseOsVersion(std::string(400, '9')).ok());                  // Overflow fails, as in Go.
}

TEST(ParseSupportEndTest, DateOnly) {
  EXPECT_EQ(*ParseSupportEnd("2025-05-13"), 1747094400);
  EXPECT_EQ(*ParseSupportEnd("1970-01-01"), 0);
  EXPECT_EQ(*ParseSupportEnd("2024-02-29"), 1709164800);
  EXPECT_EQ(*ParseSupportEnd("1900-03-01"), -2203891200);
  EXPECT_EQ(*ParseSupportEnd("9999-12-31"), 253402214400);
  for (const char* bad :
       {"", "2025-5-13", "2025-05-1", "25-05-13", "2025/05/13", "2025-13-01", "2025-00-10", "2025-01-32", "2025-01-00",
        "2023-02-29", "1900-02-29", "-025-01-01", "2025-+1-01", "2025-01-01x", "2025-01-01 ", "soon"}) {
    EXPECT_FALSE(ParseSupportEnd(bad).ok()) << bad;
  }
}

TEST(OsCollectorTest, RealCaptureThroughSymlinkedEtc) {
  auto collector = Make("src/collectors/testdata/os/debian12");
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  std::string text = Render(set);
  EXPECT_NE(text.find("node_os_info{build_id=\"\",id=\"debian\",id_like=\"\",image_id=\"\",image_version=\"\","
                      "name=\"Debian GNU/Linux\",pretty_name=\"Debian GNU/Linux 12 (bookworm)\",variant=\"\","
                      "variant_id=\"\",version=\"12 (bookworm)\",version_codename=\"bookworm\",version_id=\"12\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("node_os_version{id=\"debian\",id_like=\"\",name=\"Debian GNU/Linux\"} 12\n"), std::string::npos)
      << text;
  EXPECT_EQ(set.Count("node_os_support_end_timestamp_seconds"), 0u);
}

TEST(OsCollectorTest, HandWrittenFedoraWithEveryLabel) {
  auto collector = Make("src/collectors/testdata/os/fedora");
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_os_info", {{"build_id", "2024.04.1"},
                                      {"id", "fedora"},
                                      {"id_like", ""},
                                      {"image_id", "fedora-\"ws\"\xc3\xa9"},
                                      {"image_version", "40.20240416"},
                                      {"name", "Fedora Linux"},
                                      {"pretty_name", "Fedora Linux 40 (Workstation Edition)"},
                                      {"variant", "Workstation Edition"},
                                      {"variant_id", "workstation"},
                                      {"version", "40 (Workstation Edition)"},
                                      {"version_codename", ""},
                                      {"version_id", "40"}}),
            1);
  EXPECT_EQ(set.Find("node_os_version", {{"id", "fedora"}, {"name", "Fedora Linux"}}), 40);
  EXPECT_EQ(set.Find("node_os_support_end_timestamp_seconds"), 1747094400);
}

TEST(OsCollectorTest, FallsBackToUsrLib) {
  auto collector = Make("src/collectors/testdata/os/alpine");
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_DOUBLE_EQ(set.Find("node_os_version", {{"id", "alpine"}}), 3.19);
  EXPECT_EQ(set.Find("node_os_info", {{"pretty_name", "Alpine Linux v3.19"}, {"version_id", "3.19.1"}}), 1);
}

TEST(OsCollectorTest, MalformedEtcFileDoesNotFallBack) {
  auto collector = Make("src/collectors/testdata/os/badquote");
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);  // Cached failure.
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(OsCollectorTest, NoFileIsNoData) {
  testing::ScratchTree root("os_none");
  MakeEtcAndUsrLib(root);
  auto collector = Make(root.root());
  expo::MetricSet set;
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kNoData);
  EXPECT_EQ(set.samples().size(), 0u);
}

TEST(OsCollectorTest, VersionZeroOmitsVersionMetric) {
  testing::ScratchTree root("os_rolling");
  MakeEtcAndUsrLib(root);
  root.Write("etc/os-release", "ID=arch\nNAME=\"Arch Linux\"\nVERSION_ID=rolling\n");
  expo::MetricSet set;
  ASSERT_TRUE(Make(root.root())->Collect(set).ok());
  EXPECT_EQ(set.Count("node_os_info"), 1u);
  EXPECT_EQ(set.Count("node_os_version"), 0u);
}

TEST(OsCollectorTest, BadSupportEndFails) {
  testing::ScratchTree root("os_badend");
  MakeEtcAndUsrLib(root);
  root.Write("etc/os-release", "ID=x\nSUPPORT_END=2025-02-30\n");
  expo::MetricSet set;
  EXPECT_EQ(Make(root.root())->Collect(set).code(), StatusCode::kError);
}

TEST(OsCollectorTest, RereadsOnlyWhenTheFileChanges) {
  testing::ScratchTree root("os_cache");
  MakeEtcAndUsrLib(root);
  std::string path = root.Path("etc/os-release");
  root.Write("etc/os-release", "ID=one\nVERSION_ID=1\n");
  auto collector = Make(root.root());
  expo::MetricSet set;
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_os_version", {{"id", "one"}}), 1);

  // Same size, same inode, mtime put back: looks unchanged, so the cached
  // parse is served (node_exporter caches on path + mtime the same way).
  auto mtime = std::filesystem::last_write_time(path);
  root.Write("etc/os-release", "ID=two\nVERSION_ID=2\n");
  std::filesystem::last_write_time(path, mtime);
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_os_version", {{"id", "one"}}), 1);

  // A real change is picked up, including from broken to fixed.
  root.Write("etc/os-release", "ID=\"broken\n");
  set.Clear();
  EXPECT_EQ(collector->Collect(set).code(), StatusCode::kError);
  root.Write("etc/os-release", "ID=three\nVERSION_ID=3.5\n");
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_os_version", {{"id", "three"}}), 3.5);

  // Removing /etc/os-release switches to /usr/lib/os-release.
  std::filesystem::remove(path);
  root.Write("usr/lib/os-release", "ID=vendor\nVERSION_ID=7\n");
  set.Clear();
  ASSERT_TRUE(collector->Collect(set).ok());
  EXPECT_EQ(set.Find("node_os_version", {{"id", "vendor"}}), 7);
}

TEST(OsCollectorTest, MatchesNodeExporterOnConformanceFixtures) {
  NODEX_REQUIRE_KIT(kit);
  testing::ScopedKitDir in_kit(kit);
  auto collector = NewOsCollector(testing::KitContext(nullptr, nullptr));
  ASSERT_TRUE(collector.ok());
  expo::MetricSet set;
  ASSERT_TRUE((*collector)->Collect(set).ok());
  const std::vector<std::string> families = {"node_os_info", "node_os_version",
                                             "node_os_support_end_timestamp_seconds"};
  std::vector<std::string> expected = testing::ExpectedLines(kit, families);
  EXPECT_EQ(expected.size(), 4u);
  EXPECT_EQ(testing::RenderedLines(set, families), expected);
}

}  // namespace
}  // namespace nodex::collectors
