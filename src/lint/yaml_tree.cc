#include "lint/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <istream>
#include <streambuf>

namespace nodex::lint {

bool YamlNode::IsNull() const { return tree_ != nullptr && tree_->At(index_).type == YamlTree::Type::kNull; }
bool YamlNode::IsScalar() const { return tree_ != nullptr && tree_->At(index_).type == YamlTree::Type::kScalar; }
bool YamlNode::IsSequence() const { return tree_ != nullptr && tree_->At(index_).type == YamlTree::Type::kSequence; }
bool YamlNode::IsMap() const { return tree_ != nullptr && tree_->At(index_).type == YamlTree::Type::kMap; }

std::string_view YamlNode::Scalar() const {
  if (!IsScalar()) return {};
  const YamlTree::Record& r = tree_->At(index_);
  return std::string_view(tree_->arena_).substr(r.begin, r.size);
}

int YamlNode::Line() const { return tree_ == nullptr ? 0 : static_cast<int>(tree_->At(index_).line); }

size_t YamlNode::size() const {
  if (!IsSequence() && !IsMap()) return 0;
  return tree_->At(index_).size;
}

YamlNode YamlNode::operator[](std::string_view key) const {
  size_t n = IsMap() ? size() : 0;
  for (size_t i = 0; i < n; ++i) {
    YamlNode k = Key(i);
    if (k.IsScalar() && k.Scalar() == key) return Value(i);
  }
  return {};
}

YamlNode YamlNode::Item(size_t i) const {
  if (!IsSequence() || i >= size()) return {};
  return {tree_, tree_->children_[tree_->At(index_).begin + i]};
}

YamlNode YamlNode::Key(size_t i) const {
  if (!IsMap() || i >= size()) return {};
  return {tree_, tree_->children_[tree_->At(index_).begin + 2 * i]};
}

YamlNode YamlNode::Value(size_t i) const {
  if (!IsMap() || i >= size()) return {};
  return {tree_, tree_->children_[tree_->At(index_).begin + 2 * i + 1]};
}

// Turns parser events into YamlTree records. Children of an open collection
// wait in scratch_ (they interleave with their own children's events) and are
// copied into one contiguous range when it closes, so a collection's record
// exists from its start event on and an alias to it inside it (a cycle) is
// just its index.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(YamlTree* tree, int first_line) : tree_(*tree), first_line_(first_line) {}

  void OnDocumentStart(const YAML::Mark&) override {
    anchors_.clear();
    open_.clear();
    scratch_.clear();
    root_ = kNone;
    events_ = 0;
    lone_null_ = false;
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    lone_null_ = ++events_ == 1;
    null_mark_ = mark;
    Add(YamlTree::Type::kNull, mark, anchor, 0, 0);
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    ++events_;
    // The parser rejects an unknown anchor before it reports the alias.
    if (anchor < anchors_.size() && anchors_[anchor] != kNone) AddChild(anchors_[anchor]);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string& value) override {
    ++events_;
    auto begin = static_cast<uint32_t>(tree_.arena_.size());
    tree_.arena_.append(value);
    Add(YamlTree::Type::kScalar, mark, anchor, begin, static_cast<uint32_t>(value.size()));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    ++events_;
    Open(YamlTree::Type::kSequence, mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    ++events_;
    Open(YamlTree::Type::kMap, mark, anchor);
  }
  void OnMapEnd() override { Close(); }

  // The root of the document just handled, if it had one.
  bool HasRoot() const { return root_ != kNone; }
  uint32_t root() const { return root_; }
  // The document was only a null (what yaml-cpp 0.7 reports when it stalls).
  bool LoneNull() const { return lone_null_ && events_ == 1; }
  const YAML::Mark& null_mark() const { return null_mark_; }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;

  struct OpenCollection {
    uint32_t index;
    size_t first_child;  // in scratch_
  };

  uint32_t Add(YamlTree::Type type, const YAML::Mark& mark, YAML::anchor_t anchor, uint32_t begin, uint32_t size) {
    auto index = static_cast<uint32_t>(tree_.nodes_.size());
    uint32_t line = mark.is_null() ? 0 : static_cast<uint32_t>(mark.line + first_line_);
    tree_.nodes_.push_back({type, line, begin, size});
    if (anchor != YAML::NullAnchor) {
      if (anchor >= anchors_.size()) anchors_.resize(anchor + 1, kNone);
      anchors_[anchor] = index;
    }
    AddChild(index);
    return index;
  }

  void AddChild(uint32_t index) {
    if (open_.empty()) {
      if (root_ == kNone) root_ = index;
    } else {
      scratch_.push_back(index);
    }
  }

  void Open(YamlTree::Type type, const YAML::Mark& mark, YAML::anchor_t anchor) {
    uint32_t index = Add(type, mark, anchor, 0, 0);
    open_.push_back({index, scratch_.size()});
  }

  void Close() {
    if (open_.empty()) return;
    OpenCollection top = open_.back();
    open_.pop_back();
    size_t count = scratch_.size() - top.first_child;
    YamlTree::Record& r = tree_.nodes_[top.index];
    if (r.type == YamlTree::Type::kMap) count &= ~size_t{1};  // pairs only
    r.begin = static_cast<uint32_t>(tree_.children_.size());
    r.size = static_cast<uint32_t>(r.type == YamlTree::Type::kMap ? count / 2 : count);
    auto first = scratch_.begin() + static_cast<std::ptrdiff_t>(top.first_child);
    tree_.children_.insert(tree_.children_.end(), first, first + static_cast<std::ptrdiff_t>(count));
    scratch_.resize(top.first_child);
  }

  YamlTree& tree_;
  const int first_line_;
  std::vector<uint32_t> anchors_;  // anchor id -> node, per document
  std::vector<OpenCollection> open_;
  std::vector<uint32_t> scratch_;
  uint32_t root_ = kNone;
  size_t events_ = 0;
  bool lone_null_ = false;
  YAML::Mark null_mark_;
};

namespace {

// yaml-cpp reads from a std::istream; this one reads the caller's bytes in
// place instead of copying them into a std::istringstream. The get area is
// never written: putting back a character that differs fails.
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view text) {
    char* p = const_cast<char*>(text.data());
    setg(p, p, p + text.size());
  }
};

}  // namespace

bool YamlTree::Parse(std::string_view text, int first_line, std::vector<YamlNode>* documents, YamlError* error) {
  if (text.size() > kMaxInputBytes) {
    *error = {0, "input larger than " + std::to_string(kMaxInputBytes >> 20) + " MiB"};
    return false;
  }
  // Node count and arena size are bounded by the input's size (an event
  // consumes at least one byte, a scalar is never longer than its source),
  // so reserving up front makes appending cheap.
  nodes_.reserve(nodes_.size() + text.size() / 8);
  children_.reserve(children_.size() + text.size() / 8);
  arena_.reserve(arena_.size() + text.size() / 2);
  // yaml-cpp reports syntax errors and its own limits as exceptions; they
  // stop here.
  try {
    ViewBuf buf(text);
    std::istream in(&buf);
    YAML::Parser parser(in);
    TreeBuilder builder(this, first_line);
    int last_null_pos = -1;
    size_t count = 0;
    while (parser.HandleNextDocument(builder)) {
      bool stalled = ++count > text.size() + 1;
      if (builder.LoneNull()) {
        stalled = stalled || builder.null_mark().pos == last_null_pos;
        last_null_pos = builder.null_mark().pos;
      }
      if (stalled) {
        *error = {builder.null_mark().line + first_line, "unexpected content after a document"};
        return false;
      }
      if (builder.HasRoot()) documents->push_back(YamlNode(this, builder.root()));
    }
  } catch (const YAML::Exception& e) {
    *error = {e.mark.is_null() ? 0 : e.mark.line + first_line, e.msg};
    return false;
  } catch (const std::exception& e) {
    *error = {0, e.what()};
    return false;
  }
  return true;
}

}  // namespace nodex::lint
