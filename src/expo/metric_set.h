// MetricSet: everything one scrape produced, in the shape the exposition
// writer needs. Collectors append samples; the writer sorts and renders them.
// A MetricSet is reused across scrapes: Clear() keeps every buffer's capacity,
// so a steady-state scrape appends into memory that is already there and does
// not allocate per sample.
#ifndef NODEX_EXPO_METRIC_SET_H_
#define NODEX_EXPO_METRIC_SET_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace nodex::expo {

enum class MetricType : uint8_t { kCounter, kGauge, kUntyped, kSummary, kHistogram };

std::string_view MetricTypeName(MetricType type);

// A metric family's name, help text and type. Collectors declare these as
// static constants; the strings are copied on first use, so dynamic families
// (textfile, sysctl) may pass temporaries.
struct Desc {
  std::string_view name;
  std::string_view help;
  MetricType type;
};

struct Label {
  std::string_view name;
  std::string_view value;
};

// One bucket of a histogram (cumulative count at upper bound `le`) or one
// quantile of a summary.
struct Bucket {
  double bound;  // `le` for histograms, `quantile` for summaries.
  double value;
};

class MetricSet {
 public:
  // A counter, gauge or untyped sample. Label values are copied; their order
  // does not matter (the writer orders pairs by name, as node_exporter does).
  void Add(const Desc& desc, double value, std::initializer_list<Label> labels = {}) {
    Add(desc, value, std::span<const Label>(labels.begin(), labels.size()));
  }
  void Add(const Desc& desc, double value, std::span<const Label> labels);

  // A whole histogram or summary series: `buckets` are cumulative counts by
  // upper bound (histogram) or values by quantile (summary); +Inf is added by
  // the writer for histograms if absent.
  void AddComposite(const Desc& desc, std::span<const Label> labels, double sum, double count,
                    std::span<const Bucket> buckets);

  // Forgets all samples but keeps capacity and the family table.
  void Clear();

  // --- Read side, for the writer and tests. ---
  struct Family {
    std::string name;
    std::string help;
    MetricType type;
    uint64_t generation;  // Scrape in which the family was last used.
    bool legacy_name;     // IsLegacyName(name), computed once per family.
  };
  struct LabelRef {
    uint32_t name_off, name_len, value_off, value_len;
  };
  struct Sample {
    uint32_t family;
    uint32_t label_begin;  // Index into labels().
    uint32_t label_count;
    uint32_t bucket_begin;  // Index into buckets(), composite samples only.
    uint32_t bucket_count;
    double value;  // Plain samples: the value. Composite: the sum.
    double count;  // Composite samples only.
  };

  const std::vector<Family>& families() const { return families_; }
  const std::vector<Sample>& samples() const { return samples_; }
  const std::vector<LabelRef>& labels() const { return labels_; }
  const std::vector<Bucket>& buckets() const { return buckets_; }
  std::string_view Text(uint32_t off, uint32_t len) const { return std::string_view(arena_).substr(off, len); }
  std::string_view LabelName(const LabelRef& l) const { return Text(l.name_off, l.name_len); }
  std::string_view LabelValue(const LabelRef& l) const { return Text(l.value_off, l.value_len); }

  // Number of samples whose family was first declared with another type;
  // they are dropped (node_exporter would fail the whole family).
  size_t type_conflicts() const { return type_conflicts_; }

  // Test helper: the value of the first sample of `name` whose labels include
  // all of `labels`, or NaN.
  double Find(std::string_view name, std::initializer_list<Label> labels = {}) const;
  // Test helper: number of samples in family `name`.
  size_t Count(std::string_view name) const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  int32_t FamilyIndex(const Desc& desc);
  uint32_t Intern(std::string_view s);
  void AppendLabels(std::span<const Label> labels, Sample* sample);

  std::vector<Family> families_;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> family_index_;
  std::vector<Sample> samples_;
  std::vector<LabelRef> labels_;
  std::vector<Bucket> buckets_;
  std::string arena_;
  static constexpr int kFamilyHintBits = 8;
  // Family index + 1 by the address of the Desc name's characters; see
  // FamilyIndex. A hint only: always checked against the name.
  std::array<uint32_t, 1u << kFamilyHintBits> family_hints_{};
  uint64_t generation_ = 1;
  size_t type_conflicts_ = 0;
};

// Whether `name` matches the legacy metric and label name pattern
// [a-zA-Z_:][a-zA-Z0-9_:]*. expfmt writes names outside it quoted.
bool IsLegacyName(std::string_view name);

// Formats an integer label value such as cpu="3" into buf without allocating.
std::string_view IntLabel(char (&buf)[24], int64_t v);

}  // namespace nodex::expo

#endif  // NODEX_EXPO_METRIC_SET_H_
