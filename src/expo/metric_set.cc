#include "expo/metric_set.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <limits>

namespace nodex::expo {
namespace {

bool IsComposite(MetricType type) { return type == MetricType::kSummary || type == MetricType::kHistogram; }

// Orders bounds ascending with NaN last, so a NaN from a broken source cannot
// make the order depend on where it appeared.
bool BoundLess(double a, double b) { return a < b || (!std::isnan(a) && std::isnan(b)); }

}  // namespace

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kUntyped: return "untyped";
    case MetricType::kSummary: return "summary";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

bool IsLegacyName(std::string_view name) {
  // One table lookup per byte: the writer checks every label name of every
  // sample, so this is on the scrape path.
  static constexpr auto kClass = [] {
    std::array<uint8_t, 256> t{};  // 1: may start a name, 2: may continue one.
    for (int c = 0; c < 256; ++c) {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':') t[c] = 1 | 2;
      if (c >= '0' && c <= '9') t[c] = 2;
    }
    return t;
  }();
  if (name.empty() || !(kClass[static_cast<unsigned char>(name[0])] & 1)) return false;
  for (size_t i = 1; i < name.size(); ++i) {
    if (!(kClass[static_cast<unsigned char>(name[i])] & 2)) return false;
  }
  return true;
}

std::string_view IntLabel(char (&buf)[24], int64_t v) {
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string_view(buf, static_cast<size_t>(res.ptr - buf));
}

// The family table outlives Clear(), so a family seen in an earlier scrape is
// found without allocating; the first Desc of the current scrape (tracked by
// generation) decides help and type, as the first registration would in
// client_golang.
int32_t MetricSet::FamilyIndex(const Desc& desc) {
  // expfmt refuses a nameless family; there is nothing to expose it as.
  if (desc.name.empty()) return -1;
  // Collectors pass a family's name from a constant or from a string they
  // keep, so the same family comes with the same characters' address every
  // scrape: a slot picked by that address remembers the family, and comparing
  // one name is much cheaper than hashing it and probing the table (a few
  // percent of a scrape). A buffer reused for other names only misses.
  const uint64_t address = reinterpret_cast<uintptr_t>(desc.name.data());
  uint32_t& hint = family_hints_[(address * 0x9E3779B97F4A7C15ull) >> (64 - kFamilyHintBits)];
  uint32_t index = hint - 1;  // 0 means empty.
  if (index >= families_.size() || families_[index].name != desc.name) {
    auto it = family_index_.find(desc.name);
    if (it == family_index_.end()) {
      index = static_cast<uint32_t>(families_.size());
      families_.push_back(
          Family{std::string(desc.name), std::string(desc.help), desc.type, generation_, IsLegacyName(desc.name)});
      family_index_.emplace(std::string(desc.name), index);
      hint = index + 1;
      return static_cast<int32_t>(index);
    }
    index = it->second;
    hint = index + 1;
  }
  Family& family = families_[index];
  if (family.generation != generation_) {
    if (family.help != desc.help) family.help.assign(desc.help);
    family.type = desc.type;
    family.generation = generation_;
  } else if (family.type != desc.type) {
    ++type_conflicts_;
    return -1;
  }
  return static_cast<int32_t>(index);
}

uint32_t MetricSet::Intern(std::string_view s) {
  const auto off = static_cast<uint32_t>(arena_.size());
  arena_.append(s);
  return off;
}

// Pairs are stored sorted by name so the writer can compare and print series
// positionally; the insertion sort suits the handful of labels a series has.
void MetricSet::AppendLabels(std::span<const Label> labels, Sample* sample) {
  sample->label_begin = static_cast<uint32_t>(labels_.size());
  sample->label_count = static_cast<uint32_t>(labels.size());
  for (const Label& l : labels) {
    LabelRef ref;
    ref.name_off = Intern(l.name);
    ref.name_len = static_cast<uint32_t>(l.name.size());
    ref.value_off = Intern(l.value);
    ref.value_len = static_cast<uint32_t>(l.value.size());
    size_t i = labels_.size();
    labels_.push_back(ref);
    while (i > sample->label_begin && LabelName(labels_[i - 1]) > LabelName(ref)) {
      labels_[i] = labels_[i - 1];
      --i;
    }
    labels_[i] = ref;
  }
}

void MetricSet::Add(const Desc& desc, double value, std::span<const Label> labels) {
  // A lone value cannot be rendered as a histogram or summary.
  if (IsComposite(desc.type)) {
    ++type_conflicts_;
    return;
  }
  const int32_t family = FamilyIndex(desc);
  if (family < 0) return;
  Sample sample{};
  sample.family = static_cast<uint32_t>(family);
  AppendLabels(labels, &sample);
  sample.bucket_begin = static_cast<uint32_t>(buckets_.size());
  sample.bucket_count = 0;
  sample.value = value;
  sample.count = 0;
  samples_.push_back(sample);
}

void MetricSet::AddComposite(const Desc& desc, std::span<const Label> labels, double sum, double count,
                             std::span<const Bucket> buckets) {
  if (!IsComposite(desc.type)) {
    ++type_conflicts_;
    return;
  }
  const int32_t family = FamilyIndex(desc);
  if (family < 0) return;
  Sample sample{};
  sample.family = static_cast<uint32_t>(family);
  AppendLabels(labels, &sample);
  sample.bucket_begin = static_cast<uint32_t>(buckets_.size());
  sample.bucket_count = static_cast<uint32_t>(buckets.size());
  for (const Bucket& b : buckets) {
    size_t i = buckets_.size();
    buckets_.push_back(b);
    while (i > sample.bucket_begin && BoundLess(b.bound, buckets_[i - 1].bound)) {
      buckets_[i] = buckets_[i - 1];
      --i;
    }
    buckets_[i] = b;
  }
  sample.value = sum;
  sample.count = count;
  samples_.push_back(sample);
}

void MetricSet::Clear() {
  samples_.clear();
  labels_.clear();
  buckets_.clear();
  arena_.clear();
  type_conflicts_ = 0;
  ++generation_;
}

double MetricSet::Find(std::string_view name, std::initializer_list<Label> labels) const {
  auto it = family_index_.find(name);
  if (it == family_index_.end()) return std::numeric_limits<double>::quiet_NaN();
  for (const Sample& s : samples_) {
    if (s.family != it->second) continue;
    bool all = true;
    for (const Label& want : labels) {
      bool found = false;
      for (uint32_t i = 0; i < s.label_count && !found; ++i) {
        const LabelRef& l = labels_[s.label_begin + i];
        found = LabelName(l) == want.name && LabelValue(l) == want.value;
      }
      if (!found) {
        all = false;
        break;
      }
    }
    if (all) return s.value;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

size_t MetricSet::Count(std::string_view name) const {
  auto it = family_index_.find(name);
  if (it == family_index_.end()) return 0;
  size_t n = 0;
  for (const Sample& s : samples_) n += s.family == it->second;
  return n;
}

}  // namespace nodex::expo
