// A compact, read-only YAML tree for `nodex lint`, built from libyaml's
// parser events (yaml_parser_parse): yaml-cpp 0.7's scanner alone cost ~57 ns
// a byte, libyaml's whole event pass a fraction of that, and a YAML::Node per
// value cost seconds and ~700 MB on ~20 MB of manifests. Here a node is a
// 16-byte record in one vector, children are index ranges into a second
// vector and every scalar (keys too) lives in one string arena.
//
// Values mean what lint read through yaml-cpp 0.7 before: tags are ignored
// ("!!str 1" is the scalar "1"); an untagged plain null, Null, NULL, ~ or
// empty value is null, not a scalar; `<<` is an ordinary key (no merging);
// duplicate keys are all kept, lookup returns the first; a node's line is the
// line of the event that started it (for a block map, its first key; for a
// left-out value, the line of what follows it). An alias is the index of its
// anchored node, so aliases share instead of copying, and an alias inside its
// own anchor makes a cycle: walkers must bound their depth. Unlike yaml-cpp,
// libyaml rejects invalid UTF-8, control characters and a quoted scalar left
// open at the end of the input.
#ifndef NODEX_LINT_YAML_TREE_H_
#define NODEX_LINT_YAML_TREE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nodex::lint {

class YamlTree;

// A handle on one node of a YamlTree (two words, copy freely). The default
// handle is "undefined", like a missing key; every accessor works on it.
class YamlNode {
 public:
  YamlNode() = default;

  bool IsDefined() const { return tree_ != nullptr; }
  bool IsNull() const;
  bool IsScalar() const;
  bool IsSequence() const;
  bool IsMap() const;

  // The scalar's value; empty unless IsScalar().
  std::string_view Scalar() const;
  // 1-based line in the input; 0 when undefined.
  int Line() const;
  // Items of a sequence or pairs of a map; 0 otherwise.
  size_t size() const;

  // The value of the first pair whose key is a scalar equal to key; undefined
  // when this is not a map or no key matches.
  YamlNode operator[](std::string_view key) const;
  YamlNode Item(size_t i) const;   // i < size() of a sequence
  YamlNode Key(size_t i) const;    // i < size() of a map
  YamlNode Value(size_t i) const;  // i < size() of a map

  // Range-for over a sequence's items / a map's (key, value) pairs; empty for
  // anything else.
  class ItemRange;
  class PairRange;
  ItemRange Items() const;
  PairRange Pairs() const;

  // Same tree and node (aliases of one anchor are the same node).
  bool operator==(const YamlNode& other) const { return tree_ == other.tree_ && index_ == other.index_; }

 private:
  friend class YamlTree;
  YamlNode(const YamlTree* tree, uint32_t index) : tree_(tree), index_(index) {}

  const YamlTree* tree_ = nullptr;
  uint32_t index_ = 0;
};

// An index range over one node's children, for range-for.
template <typename T, T (*Get)(const YamlNode&, size_t)>
class YamlChildRange {
 public:
  class Iterator {
   public:
    Iterator(const YamlNode* node, size_t i) : node_(node), i_(i) {}
    T operator*() const { return Get(*node_, i_); }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return i_ != other.i_; }

   private:
    const YamlNode* node_;
    size_t i_;
  };
  YamlChildRange(const YamlNode& node, size_t size) : node_(node), size_(size) {}
  Iterator begin() const { return {&node_, 0}; }
  Iterator end() const { return {&node_, size_}; }

 private:
  YamlNode node_;
  size_t size_;
};

inline YamlNode YamlItemAt(const YamlNode& n, size_t i) { return n.Item(i); }
inline std::pair<YamlNode, YamlNode> YamlPairAt(const YamlNode& n, size_t i) { return {n.Key(i), n.Value(i)}; }

class YamlNode::ItemRange : public YamlChildRange<YamlNode, &YamlItemAt> {
  using YamlChildRange::YamlChildRange;
};
class YamlNode::PairRange : public YamlChildRange<std::pair<YamlNode, YamlNode>, &YamlPairAt> {
  using YamlChildRange::YamlChildRange;
};
inline YamlNode::ItemRange YamlNode::Items() const { return ItemRange(*this, IsSequence() ? size() : 0); }
inline YamlNode::PairRange YamlNode::Pairs() const { return PairRange(*this, IsMap() ? size() : 0); }

// Where and why a YAML stream failed to parse.
struct YamlError {
  int line = 0;  // 1-based; 0 when there is no position (out of memory, too large)
  std::string message;
};

// The nodes of one parsed YAML stream (all of its documents).
class YamlTree {
 public:
  // Inputs this large are refused: node and arena offsets are 32-bit.
  static constexpr size_t kMaxInputBytes = size_t{1} << 30;

  // Parses every document of text with libyaml's event parser and appends
  // the root of each to *documents (an empty document is a null root). Lines
  // are counted from first_line, the 1-based line text starts at in its file.
  // Returns false with *error set on a syntax or encoding error (libyaml's
  // problem and context as the message), on an alias to an anchor not defined
  // before it in its document, on nesting deeper than yaml-cpp 0.7 allowed
  // (2000) and on an input over kMaxInputBytes. Never throws (but
  // std::bad_alloc).
  [[nodiscard]] bool Parse(std::string_view text, int first_line, std::vector<YamlNode>* documents, YamlError* error);

  size_t node_count() const { return nodes_.size(); }

 private:
  friend class YamlNode;
  friend class TreeBuilder;

  enum class Type : uint8_t { kNull, kScalar, kSequence, kMap };
  struct Record {
    Type type;
    uint32_t line;
    // kScalar: arena_[begin, begin + size). kSequence: children_[begin,
    // begin + size). kMap: children_[begin, begin + 2 * size), key then value.
    uint32_t begin;
    uint32_t size;
  };

  const Record& At(uint32_t index) const { return nodes_[index]; }

  std::vector<Record> nodes_;
  std::vector<uint32_t> children_;
  std::string arena_;
};

}  // namespace nodex::lint

#endif  // NODEX_LINT_YAML_TREE_H_
