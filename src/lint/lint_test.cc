#include "lint/lint.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nodex::lint {
namespace {

std::vector<Finding> Lint(const std::string& yaml, const EngineInput& in = {}) {
  std::vector<Document> docs;
  EXPECT_TRUE(ParseManifests(yaml, "t.yaml", &docs).ok());
  std::vector<Object> objects = NormaliseAll(docs, {});
  return RunRules(objects, in);
}

bool Has(const std::vector<Finding>& findings, std::string_view rule) {
  for (const Finding& f : findings) {
    if (f.rule == rule) return true;
  }
  return false;
}

const char* kHostNetPod =
    "{apiVersion: v1, kind: Pod, metadata: {name: p%s}, spec: {hostNetwork: true, containers: [{name: c}]}}";

std::string PodWith(const std::string& metadata_extra) {
  char buf[512];
  snprintf(buf, sizeof buf, kHostNetPod, metadata_extra.c_str());
  return buf;
}

TEST(RunRules, IgnoreAnnotationSuppressesOneRule) {
  std::vector<Finding> f = Lint(PodWith(", annotations: {nodex.dev/ignore-HN002: 'node DNS on purpose'}"));
  EXPECT_FALSE(Has(f, "HN002"));
  EXPECT_TRUE(Has(f, "HN014"));
}

TEST(RunRules, DisableSkipsRule) {
  EngineInput in;
  in.disabled = {"HN014"};
  std::vector<Finding> f = Lint(PodWith(""), in);
  EXPECT_TRUE(Has(f, "HN002"));
  EXPECT_FALSE(Has(f, "HN014"));
}

TEST(RunRules, FindingsSortedByLineWithinObject) {
  std::vector<Finding> f = Lint(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n"
      "  dnsPolicy: ClusterFirst\n  hostNetwork: true\n");
  ASSERT_GE(f.size(), 2u);
  for (size_t i = 1; i < f.size(); ++i) EXPECT_LE(f[i - 1].line, f[i].line);
  EXPECT_EQ(f[0].file, "t.yaml");
}

// RunLint end to end on argv, output captured from stdout.
int RunArgs(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  int rc = RunLint(static_cast<int>(argv.size()), argv.data());
  testing::internal::GetCapturedStdout();
  testing::internal::GetCapturedStderr();
  return rc;
}

TEST(RunLint, UsageErrorsExitTwo) {
  EXPECT_EQ(RunArgs({"lint"}), 2);
  EXPECT_EQ(RunArgs({"lint", "-o", "xml", "x.yaml"}), 2);
  EXPECT_EQ(RunArgs({"lint", "--disable", "HN999", "x.yaml"}), 2);
  EXPECT_EQ(RunArgs({"lint", "--nodeport-range", "5-1", "x.yaml"}), 2);
  EXPECT_EQ(RunArgs({"lint", "/nonexistent/nodex-lint.yaml"}), 2);
  EXPECT_EQ(RunArgs({"lint", "--list-rules"}), 0);
}

}  // namespace
}  // namespace nodex::lint
