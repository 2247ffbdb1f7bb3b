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
  EXPECT_EQ(docs[1].node.Line(), 11);
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

// yaml-cpp 0.7's LoadAll alone never returned on these; they are errors.
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

// A stream of n small Pods, one per document, each 12 lines long; an alias
// inside each document, and a block scalar that holds a line of dashes.
std::string ManyPods(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p" + std::to_string(i) +
            "\n  annotations:\n    note: |\n      ---\n      not a document\nspec: &s\n"
            "  containers: [{name: c, args: [--port=9100]}]\ncopy: *s\n";
  }
  return text;
}

// Big inputs are parsed in pieces cut at `---` lines (on as many threads as
// there are CPUs): the objects, their order and their lines must be what one
// parse of the whole gives.
TEST(ParseManifests, LargeStreamInPiecesKeepsOrderAndLines) {
  const int n = 8000;  // ~1.6 MB, several pieces
  std::string text = ManyPods(n);
  ASSERT_GT(text.size(), 1u << 20);
  std::vector<Document> docs;
  Status st = ParseManifests(text, "big.yaml", &docs);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(docs.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const YamlNode& d = docs[i].node;
    ASSERT_EQ(d["metadata"]["name"].Scalar(), "p" + std::to_string(i));
    ASSERT_EQ(d.Line(), 12 * i + 2);
    ASSERT_EQ(d["spec"]["containers"].Line(), 12 * i + 11);
    ASSERT_TRUE(d["copy"] == d["spec"]);
    ASSERT_EQ(d["metadata"]["annotations"]["note"].Scalar(), "---\nnot a document\n");
  }
}

// Whatever the cut, an error is the one a parse of the whole input reports.
TEST(ParseManifests, ErrorsInPiecesAreTheWholeInputsErrors) {
  std::string good = ManyPods(4000);
  const std::string half = good.substr(0, good.find("---\n", good.size() / 2));
  const std::string rest = good.substr(half.size());
  for (std::string bad : {half + "---\nmetadata: [x\n" + rest,  // broken flow, mid-stream
                          half + "---\nkey: \"open\n" + rest,   // quote open across a cut
                          half + "---\nkey: [a,\n" + rest,      // flow open across a cut
                          half + "---\nx: *undefined\n" + rest, good + "---\n{a: 1},\n"}) {
    YamlTree whole;
    std::vector<YamlNode> roots;
    YamlError error;
    ASSERT_FALSE(whole.Parse(bad, 1, &roots, &error));
    std::vector<Document> docs;
    Status st = ParseManifests(bad, "bad.yaml", &docs);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.message(), "bad.yaml:" + std::to_string(error.line) + ": invalid YAML: " + error.message);
    EXPECT_GT(error.line, 12 * 2000);
  }
}

// CRLF line ends are cut like LF ones; a stream with a directive (which
// applies to the documents after it) is parsed whole.
TEST(ParseManifests, DirectivesAndCarriageReturns) {
  std::string crlf;
  for (char c : ManyPods(3000)) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  std::vector<Document> docs;
  ASSERT_TRUE(ParseManifests(crlf, "crlf.yaml", &docs).ok());
  ASSERT_EQ(docs.size(), 3000u);
  EXPECT_EQ(docs[2999].node.Line(), 12 * 2999 + 2);
  docs.clear();
  ASSERT_TRUE(ParseManifests("%YAML 1.2\n" + ManyPods(3000), "d.yaml", &docs).ok());
  ASSERT_EQ(docs.size(), 3000u);
  EXPECT_EQ(docs[2999].node.Line(), 12 * 2999 + 3);
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
