#include "lint/yaml_tree.h"

#include <yaml.h>

#include <algorithm>
#include <string>
#include <unordered_map>

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

// Turns libyaml's parser events into YamlTree records. Children of an open
// collection wait in scratch_ (they interleave with their own children's
// events) and are copied into one contiguous range when it closes, so a
// collection's record exists from its start event on and an alias to it
// inside it (a cycle) is just its index.
class TreeBuilder {
 public:
  // yaml-cpp 0.7 refused nodes nested deeper than this (its DepthGuard); the
  // tree keeps the limit so walkers that recurse stay well inside the stack.
  static constexpr size_t kMaxDepth = 2000;

  TreeBuilder(YamlTree* tree, int first_line) : tree_(*tree), first_line_(first_line) {}

  void StartDocument() {
    anchors_.clear();
    pending_null_ = kNone;
    open_.clear();
    scratch_.clear();
    root_ = kNone;
  }

  // Adds the node of one event; false with *error set when it cannot be.
  bool Handle(const yaml_event_t& event, YamlError* error) {
    if (pending_null_ != kNone) {
      tree_.nodes_[pending_null_].line = static_cast<uint32_t>(Line(event.start_mark));
      pending_null_ = kNone;
    }
    switch (event.type) {
      case YAML_DOCUMENT_START_EVENT:
        StartDocument();
        return true;
      case YAML_SCALAR_EVENT: {
        const auto& s = event.data.scalar;
        std::string_view value(reinterpret_cast<const char*>(s.value), s.length);
        if (!CheckDepth(event, error)) return false;
        if (s.tag == nullptr && s.style == YAML_PLAIN_SCALAR_STYLE && IsNullString(value)) {
          uint32_t index = Add(YamlTree::Type::kNull, event.start_mark, s.anchor, 0, 0);
          // A value left out ("a:" then a newline) is an empty scalar where
          // the value would be; yaml-cpp put it at the token after it, and
          // findings keep the lines they had.
          if (event.start_mark.index == event.end_mark.index) pending_null_ = index;
          return true;
        }
        auto begin = static_cast<uint32_t>(tree_.arena_.size());
        tree_.arena_.append(value);
        Add(YamlTree::Type::kScalar, event.start_mark, s.anchor, begin, static_cast<uint32_t>(value.size()));
        return true;
      }
      case YAML_ALIAS_EVENT: {
        auto it = anchors_.find(reinterpret_cast<const char*>(event.data.alias.anchor));
        if (it == anchors_.end()) {
          // libyaml leaves resolving aliases to its caller.
          *error = {Line(event.start_mark), "alias *" +
                                                std::string(reinterpret_cast<const char*>(event.data.alias.anchor)) +
                                                " names no anchor earlier in its document"};
          return false;
        }
        if (!CheckDepth(event, error)) return false;
        AddChild(it->second);
        return true;
      }
      case YAML_SEQUENCE_START_EVENT:
        if (!CheckDepth(event, error)) return false;
        Open(YamlTree::Type::kSequence, event.start_mark, event.data.sequence_start.anchor);
        return true;
      case YAML_MAPPING_START_EVENT:
        if (!CheckDepth(event, error)) return false;
        Open(YamlTree::Type::kMap, event.start_mark, event.data.mapping_start.anchor);
        return true;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        Close();
        return true;
      default:  // stream start/end, document end: nothing to build
        return true;
    }
  }

  // The root of the document just ended, if it had one.
  bool HasRoot() const { return root_ != kNone; }
  uint32_t root() const { return root_; }

  // libyaml's marks count lines from 0, like yaml-cpp's did.
  int Line(const yaml_mark_t& mark) const { return static_cast<int>(mark.line) + first_line_; }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;

  struct OpenCollection {
    uint32_t index;
    size_t first_child;  // in scratch_
  };

  // What yaml-cpp 0.7 read as null: an untagged plain scalar spelled so.
  static bool IsNullString(std::string_view v) {
    return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
  }

  bool CheckDepth(const yaml_event_t& event, YamlError* error) const {
    if (open_.size() < kMaxDepth) return true;
    *error = {Line(event.start_mark), "nesting deeper than " + std::to_string(kMaxDepth) + " levels"};
    return false;
  }

  uint32_t Add(YamlTree::Type type, const yaml_mark_t& mark, const yaml_char_t* anchor, uint32_t begin,
               uint32_t size) {
    auto index = static_cast<uint32_t>(tree_.nodes_.size());
    tree_.nodes_.push_back({type, static_cast<uint32_t>(Line(mark)), begin, size});
    // A later anchor of the same name replaces the earlier one.
    if (anchor != nullptr) anchors_[reinterpret_cast<const char*>(anchor)] = index;
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

  void Open(YamlTree::Type type, const yaml_mark_t& mark, const yaml_char_t* anchor) {
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
  std::unordered_map<std::string, uint32_t> anchors_;  // per document
  std::vector<OpenCollection> open_;
  std::vector<uint32_t> scratch_;
  uint32_t root_ = kNone;
  uint32_t pending_null_ = kNone;  // an empty value whose line comes with the next event
};

namespace {

// Owns a libyaml parser (and the event it last produced) so every return
// path frees them.
class LibyamlParser {
 public:
  LibyamlParser(const LibyamlParser&) = delete;
  LibyamlParser& operator=(const LibyamlParser&) = delete;
  explicit LibyamlParser(std::string_view text) {
    ok_ = yaml_parser_initialize(&parser_) != 0;
    // libyaml asserts a non-null input, which an empty string_view need not have.
    const char* data = text.empty() ? "" : text.data();
    if (ok_) yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(data), text.size());
  }
  ~LibyamlParser() {
    if (has_event_) yaml_event_delete(&event_);
    if (ok_) yaml_parser_delete(&parser_);
  }

  bool initialized() const { return ok_; }

  // The next event, or null on an error (then see parser()).
  const yaml_event_t* Next() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = yaml_parser_parse(&parser_, &event_) != 0;
    return has_event_ ? &event_ : nullptr;
  }

  const yaml_parser_t& parser() const { return parser_; }

 private:
  yaml_parser_t parser_;
  yaml_event_t event_;
  bool ok_ = false;
  bool has_event_ = false;
};

// libyaml's account of a failure, e.g. "did not find expected ',' or ']'
// while parsing a flow sequence started at line 2". Reader errors (bad
// UTF-8, control characters) carry only a byte offset.
YamlError ParserError(const yaml_parser_t& p, std::string_view text, int first_line) {
  YamlError error;
  if (p.error == YAML_MEMORY_ERROR) return {0, "out of memory"};
  if (p.error == YAML_READER_ERROR) {
    size_t offset = std::min(p.problem_offset, text.size());
    error.line = first_line + static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
  } else {
    error.line = first_line + static_cast<int>(p.problem_mark.line);
  }
  error.message = p.problem != nullptr ? p.problem : "syntax error";
  if (p.context != nullptr) {
    error.message += std::string(" ") + p.context;
    if (p.error != YAML_READER_ERROR) {
      error.message += " started at line " + std::to_string(first_line + static_cast<int>(p.context_mark.line));
    }
  }
  return error;
}

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
  LibyamlParser parser(text);
  if (!parser.initialized()) {
    *error = {0, "out of memory"};
    return false;
  }
  TreeBuilder builder(this, first_line);
  for (;;) {
    const yaml_event_t* event = parser.Next();
    if (event == nullptr) {
      *error = ParserError(parser.parser(), text, first_line);
      return false;
    }
    if (!builder.Handle(*event, error)) return false;
    if (event->type == YAML_DOCUMENT_END_EVENT && builder.HasRoot()) {
      documents->push_back(YamlNode(this, builder.root()));
    }
    if (event->type == YAML_STREAM_END_EVENT) return true;
  }
}

}  // namespace nodex::lint
