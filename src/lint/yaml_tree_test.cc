#include "lint/yaml_tree.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nodex::lint {
namespace {

// Parses text whole; the tree outlives the returned roots.
std::vector<YamlNode> Parse(YamlTree* tree, std::string_view text, YamlError* error = nullptr) {
  std::vector<YamlNode> roots;
  YamlError ignored;
  EXPECT_TRUE(tree->Parse(text, 1, &roots, error ? error : &ignored)) << (error ? error->message : ignored.message);
  return roots;
}

TEST(YamlTree, BlockMapsSequencesAndLines) {
  YamlTree tree;
  auto roots = Parse(&tree,
                     "# comment\n"
                     "kind: Pod\n"
                     "spec:\n"
                     "  containers:\n"
                     "  - name: a\n"
                     "    ports:\n"
                     "    - containerPort: 80\n"
                     "  - name: b\n");
  ASSERT_EQ(roots.size(), 1u);
  YamlNode root = roots[0];
  ASSERT_TRUE(root.IsMap());
  EXPECT_EQ(root.Line(), 2);  // a block map starts at its first key
  EXPECT_EQ(root.size(), 2u);
  EXPECT_EQ(root["kind"].Scalar(), "Pod");
  EXPECT_EQ(root["kind"].Line(), 2);
  YamlNode containers = root["spec"]["containers"];
  ASSERT_TRUE(containers.IsSequence());
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers.Item(0).Line(), 5);
  EXPECT_EQ(containers.Item(1)["name"].Scalar(), "b");
  EXPECT_EQ(containers.Item(1)["name"].Line(), 8);
  EXPECT_EQ(containers.Item(0)["ports"].Item(0)["containerPort"].Scalar(), "80");
  EXPECT_EQ(containers.Item(0)["ports"].Item(0)["containerPort"].Line(), 7);
  std::vector<std::string> names;
  for (const YamlNode& c : containers.Items()) names.emplace_back(c["name"].Scalar());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
}

TEST(YamlTree, MissingKeysAndWrongTypesAreUndefined) {
  YamlTree tree;
  auto roots = Parse(&tree, "a: [1, 2]\nb: x\n");
  YamlNode root = roots[0];
  EXPECT_FALSE(root["missing"].IsDefined());
  EXPECT_FALSE(root["missing"]["deeper"].IsDefined());
  EXPECT_FALSE(root["b"]["x"].IsDefined());  // a scalar has no keys
  EXPECT_FALSE(root["a"]["0"].IsDefined());  // nor a sequence
  EXPECT_FALSE(root["a"].Item(2).IsDefined());
  EXPECT_EQ(root["a"].Scalar(), "");
  EXPECT_EQ(root["b"].size(), 0u);
  EXPECT_EQ(root["missing"].Line(), 0);
  int n = 0;
  for (const auto& kv : root["b"].Pairs()) n += kv.first.IsDefined();
  for (const YamlNode& item : root.Items()) n += item.IsDefined();
  EXPECT_EQ(n, 0);
}

TEST(YamlTree, NullsAreNotScalars) {
  YamlTree tree;
  auto roots = Parse(&tree, "a:\nb: ~\nc: null\nd: ''\ne: 'null'\n");
  YamlNode root = roots[0];
  for (const char* key : {"a", "b", "c"}) {
    EXPECT_TRUE(root[key].IsDefined()) << key;
    EXPECT_TRUE(root[key].IsNull()) << key;
    EXPECT_FALSE(root[key].IsScalar()) << key;
  }
  EXPECT_TRUE(root["d"].IsScalar());  // quoted: a string, even when empty or "null"
  EXPECT_EQ(root["e"].Scalar(), "null");
}

TEST(YamlTree, FlowStyleAndQuoting) {
  YamlTree tree;
  auto roots = Parse(&tree,
                     "{apiVersion: v1, kind: Pod,\n"
                     " spec: {containers: [{name: c, args: ['--a=1', \"--b=\\t2\"]}]}}\n");
  YamlNode root = roots[0];
  EXPECT_EQ(root["kind"].Scalar(), "Pod");
  YamlNode args = root["spec"]["containers"].Item(0)["args"];
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args.Item(0).Scalar(), "--a=1");
  EXPECT_EQ(args.Item(1).Scalar(), "--b=\t2");
  EXPECT_EQ(args.Item(1).Line(), 2);
}

TEST(YamlTree, MultiLineScalars) {
  YamlTree tree;
  auto roots = Parse(&tree,
                     "literal: |\n"
                     "  one\n"
                     "  two\n"
                     "folded: >-\n"
                     "  one\n"
                     "  two\n"
                     "plain: one\n"
                     "  two\n"
                     "quoted: \"one\n"
                     "  two\"\n"
                     "after: x\n");
  YamlNode root = roots[0];
  EXPECT_EQ(root["literal"].Scalar(), "one\ntwo\n");
  EXPECT_EQ(root["folded"].Scalar(), "one two");
  EXPECT_EQ(root["plain"].Scalar(), "one two");
  EXPECT_EQ(root["quoted"].Scalar(), "one two");
  EXPECT_EQ(root["after"].Line(), 11);
}

TEST(YamlTree, TagsAreIgnored) {
  YamlTree tree;
  auto roots = Parse(&tree, "a: !!str 9100\nb: !custom {x: 1}\nc: !!int '7'\n!!str d: e\n");
  YamlNode root = roots[0];
  EXPECT_EQ(root["a"].Scalar(), "9100");
  EXPECT_EQ(root["b"]["x"].Scalar(), "1");
  EXPECT_EQ(root["c"].Scalar(), "7");
  EXPECT_EQ(root["d"].Scalar(), "e");
}

TEST(YamlTree, AnchorsAndAliasesShareNodes) {
  YamlTree tree;
  auto roots = Parse(&tree,
                     "base: &b {name: c, ports: [{containerPort: 9}]}\n"
                     "one: *b\n"
                     "list: [*b, *b]\n"
                     "scalar: &s hello\n"
                     "again: *s\n"
                     "base: &b other\n"  // re-anchoring: later aliases see the new node
                     "later: *b\n");
  YamlNode root = roots[0];
  EXPECT_TRUE(root["one"] == root["base"]);  // the first "base" key
  EXPECT_EQ(root["list"].Item(1)["ports"].Item(0)["containerPort"].Scalar(), "9");
  EXPECT_EQ(root["list"].Item(0).Line(), 1);  // an alias is its anchor's node, line included
  EXPECT_EQ(root["again"].Scalar(), "hello");
  EXPECT_EQ(root["later"].Scalar(), "other");
}

TEST(YamlTree, RecursiveAliasIsACycle) {
  YamlTree tree;
  auto roots = Parse(&tree, "spec: &s\n  containers: [{name: c, args: [*s]}]\n");
  YamlNode spec = roots[0]["spec"];
  YamlNode inner = spec["containers"].Item(0)["args"].Item(0);
  EXPECT_TRUE(inner == spec);
  EXPECT_TRUE(inner["containers"].Item(0)["args"].Item(0) == spec);
}

TEST(YamlTree, AnchorsDoNotCrossDocuments) {
  YamlTree tree;
  std::vector<YamlNode> roots;
  YamlError error;
  EXPECT_FALSE(tree.Parse("a: &x 1\n---\nb: *x\n", 1, &roots, &error));
  EXPECT_EQ(error.line, 3);
  EXPECT_NE(error.message.find("anchor"), std::string::npos) << error.message;
}

// yaml-cpp 0.7 had no merge keys and lint read `<<` as a key like any other;
// libyaml does not merge either, and the tree keeps it that way.
TEST(YamlTree, MergeKeyIsAnOrdinaryKey) {
  YamlTree tree;
  auto roots = Parse(&tree, "base: &b {hostNetwork: true}\nspec:\n  <<: *b\n  dnsPolicy: Default\n");
  YamlNode spec = roots[0]["spec"];
  EXPECT_FALSE(spec["hostNetwork"].IsDefined());
  EXPECT_TRUE(spec["<<"]["hostNetwork"].IsScalar());
  EXPECT_EQ(spec.size(), 2u);
}

TEST(YamlTree, DuplicateKeysAreKeptAndLookupFindsTheFirst) {
  YamlTree tree;
  auto roots = Parse(&tree, "a: 1\nb: 2\na: 3\n");
  YamlNode root = roots[0];
  EXPECT_EQ(root.size(), 3u);
  EXPECT_EQ(root["a"].Scalar(), "1");
  EXPECT_EQ(root.Value(2).Scalar(), "3");
  EXPECT_EQ(root.Key(2).Line(), 3);
}

TEST(YamlTree, ComplexKeysNeverMatch) {
  YamlTree tree;
  auto roots = Parse(&tree, "? [kind]\n: Pod\n? {a: b}\n: x\nkind: Service\n");
  EXPECT_EQ(roots[0]["kind"].Scalar(), "Service");
  EXPECT_TRUE(roots[0].Key(0).IsSequence());
}

TEST(YamlTree, DocumentsAndFirstLine) {
  YamlTree tree;
  std::vector<YamlNode> roots;
  YamlError error;
  ASSERT_TRUE(tree.Parse("a: 1\n---\n---\n- x\n...\n--- scalar\n", 40, &roots, &error)) << error.message;
  ASSERT_EQ(roots.size(), 4u);
  EXPECT_EQ(roots[0]["a"].Line(), 40);
  EXPECT_TRUE(roots[1].IsNull());  // an empty document
  EXPECT_TRUE(roots[2].IsSequence());
  EXPECT_EQ(roots[2].Line(), 43);
  EXPECT_EQ(roots[3].Scalar(), "scalar");
  EXPECT_EQ(roots[3].Line(), 45);
}

TEST(YamlTree, SyntaxErrorsCarryTheLine) {
  YamlTree tree;
  std::vector<YamlNode> roots;
  YamlError error;
  EXPECT_FALSE(tree.Parse("a: 1\nb: [x\n", 10, &roots, &error));
  EXPECT_GE(error.line, 11);
  EXPECT_FALSE(error.message.empty());
}

// Content after a document's end is an error at its line (yaml-cpp 0.7
// reported empty documents forever on these).
TEST(YamlTree, StallsEndTheParse) {
  for (const char* text : {"{a: 1},", ",", "a: 1\n---\n,\n"}) {
    YamlTree tree;
    std::vector<YamlNode> roots;
    YamlError error;
    EXPECT_FALSE(tree.Parse(text, 1, &roots, &error)) << text;
    EXPECT_GT(error.line, 0) << text;
  }
}

// The nesting limit yaml-cpp 0.7 had is kept (walkers recurse), as an error
// at the line of the node too deep; 2000 levels still parse.
TEST(YamlTree, DeepNestingIsAnError) {
  std::string deep(100000, '[');
  YamlTree tree;
  std::vector<YamlNode> roots;
  YamlError error;
  EXPECT_FALSE(tree.Parse(deep, 1, &roots, &error));
  EXPECT_EQ(error.line, 1);
  EXPECT_NE(error.message.find("nesting"), std::string::npos) << error.message;
  std::string lines;
  for (int i = 0; i < 2001; ++i) lines += std::string(i, ' ') + "- \n";  // 2001 levels
  YamlTree tree2;
  EXPECT_FALSE(tree2.Parse(lines, 1, &roots, &error));
  EXPECT_EQ(error.line, 2001);
  std::string ok = std::string(1999, '[') + "x" + std::string(1999, ']');
  YamlTree tree3;
  roots.clear();
  EXPECT_TRUE(tree3.Parse(ok, 1, &roots, &error)) << error.message;
}

// libyaml's problem, and the line of it, is the error.
TEST(YamlTree, ErrorsNameTheProblemAndLine) {
  struct Case {
    const char* text;
    int line;
    const char* words;
  } cases[] = {
      {"a: 1\nb: [x\nc: 2\n", 3, "did not find expected ',' or ']'"},
      {"a: 1\n b: 2\n", 2, "mapping values are not allowed"},
      {"a:\n  - b\n c: d\n", 3, "did not find expected key"},
      {"a: 1\nb: \"open\n", 3, "quoted scalar"},
      {"a: 1\nb: *nope\n", 2, "*nope names no anchor"},
      {"a: 1\nb: \xff\n", 2, "invalid leading UTF-8 octet"},
  };
  for (const Case& c : cases) {
    YamlTree tree;
    std::vector<YamlNode> roots;
    YamlError error;
    EXPECT_FALSE(tree.Parse(c.text, 1, &roots, &error)) << c.text;
    EXPECT_EQ(error.line, c.line) << c.text;
    EXPECT_NE(error.message.find(c.words), std::string::npos) << error.message;
  }
}

// A left-out value is null at the line of what follows it, as with yaml-cpp.
TEST(YamlTree, LeftOutValuesTakeTheNextLine) {
  YamlTree tree;
  auto roots = Parse(&tree, "a:\n\nb: x\nc: &n\nd: ~\ne:\n");
  YamlNode root = roots[0];
  EXPECT_TRUE(root["a"].IsNull());
  EXPECT_EQ(root["a"].Line(), 3);
  EXPECT_EQ(root["c"].Line(), 4);  // an anchor is where the node starts
  EXPECT_EQ(root["d"].Line(), 5);
  EXPECT_EQ(root["e"].Line(), 7);
}

}  // namespace
}  // namespace nodex::lint
