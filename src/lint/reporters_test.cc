#include "lint/reporters.h"

#include <gtest/gtest.h>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

std::vector<Finding> Sample() {
  Finding a{"HN034",
            Severity::kError,
            "a.yaml",
            12,
            "DaemonSet",
            "monitoring",
            "node-exporter",
            "exporter",
            "host port \"TCP/9100\" is claimed twice",
            "fix it"};
  Finding b{"HN021", Severity::kInfo, "dir/my file.yaml", 3, "Namespace", "mon", "mon", std::nullopt, "bad", "fix"};
  return {a, b};
}

TEST(FormatText, LineFormatAndSummary) {
  std::vector<Finding> f = Sample();
  EXPECT_EQ(FormatText(f, Summarise(f, 3)),
            "a.yaml:12: error HN034 DaemonSet/monitoring/node-exporter/exporter: host port \"TCP/9100\" is claimed "
            "twice (fix: fix it)\n"
            "dir/my file.yaml:3: info HN021 Namespace/mon: bad (fix: fix)\n"
            "3 objects: 1 error, 0 warn, 1 info\n");
}

TEST(FormatJson, Shape) {
  std::vector<Finding> f = Sample();
  std::string json = FormatJson(f, Summarise(f, 3));
  EXPECT_EQ(json.rfind("{\"findings\":[{\"rule\":\"HN034\",\"severity\":\"error\",\"file\":\"a.yaml\",\"line\":12,"
                       "\"kind\":\"DaemonSet\",\"namespace\":\"monitoring\",\"name\":\"node-exporter\","
                       "\"container\":\"exporter\",\"message\":\"host port \\\"TCP/9100\\\" is claimed twice\"",
                       0),
            0u)
      << json;
  EXPECT_NE(json.find("\"container\":null"), std::string::npos);
  EXPECT_NE(json.find("\"summary\":{\"error\":1,\"warn\":0,\"info\":1,\"objects\":3}}"), std::string::npos);
}

TEST(FormatSarif, ResultsAndRules) {
  std::string sarif = FormatSarif(Sample(), AllRules(), "1.2.3");
  EXPECT_NE(sarif.find("\"version\":\"2.1.0\""), std::string::npos);
  EXPECT_NE(sarif.find("\"id\":\"HN080\""), std::string::npos);
  EXPECT_NE(sarif.find("\"ruleId\":\"HN034\",\"ruleIndex\":18,\"level\":\"error\""), std::string::npos) << sarif;
  EXPECT_NE(sarif.find("\"level\":\"note\""), std::string::npos);
  EXPECT_NE(sarif.find("\"uri\":\"dir/my%20file.yaml\""), std::string::npos);
  EXPECT_NE(sarif.find("\"region\":{\"startLine\":12}"), std::string::npos);
}

TEST(AppendJsonString, EscapesControlCharacters) {
  std::string out;
  AppendJsonString(&out, std::string("a\"\\\n\x01", 5));
  EXPECT_EQ(out, "\"a\\\"\\\\\\n\\u0001\"");
}

TEST(FormatRuleTable, ListsEveryRule) {
  std::string table = FormatRuleTable(AllRules());
  for (const Rule* r : AllRules()) EXPECT_NE(table.find(std::string(r->id) + "  "), std::string::npos) << r->id;
}

}  // namespace
}  // namespace nodex::lint
