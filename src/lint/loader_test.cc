#include "lint/loader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nodex::lint {
namespace {

TEST(ParseManifests, MultiDocumentListsAndNonKubernetesYaml) {
  const std::string text =
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"
      "---\n"
      "# a values file, not an object\nreplicas: 3\n"
      "---\n"
      "apiVersion: v1\nkind: List\nitems:\n"
      "- apiVersion: apps/v1\n  kind: DaemonSet\n  metadata: {name: b}\n"
      "- {apiVersion: v1, kind: DeploymentList, items: [{apiVersion: apps/v1, kind: Deployment}]}\n"
      "- not an object\n"
      "---\n"
      "- just\n- a list\n"
      "---\n";
  std::vector<Document> docs;
  Status st = ParseManifests(text, "m.yaml", &docs);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].node["kind"].Scalar(), "Namespace");
  EXPECT_EQ(docs[1].node["kind"].Scalar(), "DaemonSet");
  EXPECT_EQ(docs[1].node.Mark().line + 1, 11);
  EXPECT_EQ(docs[2].node["kind"].Scalar(), "Deployment");
  EXPECT_EQ(docs[2].file, "m.yaml");
}

TEST(ParseManifests, BrokenYamlNamesFileAndLine) {
  std::vector<Document> docs;
  Status st = ParseManifests("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n", "bad.yaml", &docs);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message().rfind("bad.yaml:", 0), 0u) << st.message();
  EXPECT_NE(st.message().find("invalid YAML"), std::string::npos);
}

// yaml-cpp 0.7's LoadAll alone never returns on these.
TEST(ParseManifests, StrayContentAfterDocumentIsAnError) {
  for (const char* text : {"{a: 1},", ",", "apiVersion: v1\nkind: Pod\n---\n,\n"}) {
    std::vector<Document> docs;
    Status st = ParseManifests(text, "s.yaml", &docs);
    EXPECT_FALSE(st.ok()) << text;
    EXPECT_EQ(st.message().rfind("s.yaml:", 0), 0u) << st.message();
  }
  std::vector<Document> docs;
  EXPECT_TRUE(ParseManifests("---\n---\n...\n---\n", "e.yaml", &docs).ok());
}

TEST(ParseManifests, EmptyAndBinaryInput) {
  std::vector<Document> docs;
  EXPECT_TRUE(ParseManifests("", "e.yaml", &docs).ok());
  EXPECT_TRUE(docs.empty());
  (void)ParseManifests(std::string("\0\xff\x01: [", 5), "b.yaml", &docs);  // must not crash or throw
}

TEST(LoadPaths, WalksDirectoriesForYamlOnly) {
  char tmpl[] = "/tmp/nodex-lint-loader.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  ASSERT_EQ(system(("mkdir -p " + dir + "/sub").c_str()), 0);
  auto write = [](const std::string& path, const std::string& text) {
    FILE* f = fopen(path.c_str(), "we");
    ASSERT_NE(f, nullptr);
    fputs(text.c_str(), f);
    fclose(f);
  };
  write(dir + "/b.yaml", "{apiVersion: v1, kind: Pod, metadata: {name: b}}\n");
  write(dir + "/sub/a.yml", "{apiVersion: v1, kind: Pod, metadata: {name: a}}\n");
  write(dir + "/README.md", "not: [yaml\n");
  std::vector<Document> docs;
  Status st = LoadPaths({dir}, &docs);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].file, dir + "/b.yaml");
  EXPECT_EQ(docs[1].file, dir + "/sub/a.yml");
  EXPECT_FALSE(LoadPaths({dir + "/missing.yaml"}, &docs).ok());
  ASSERT_EQ(system(("rm -rf " + dir).c_str()), 0);
}

}  // namespace
}  // namespace nodex::lint
