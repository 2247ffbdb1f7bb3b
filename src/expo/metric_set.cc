#include "expo/metric_set.h"

#include <charconv>
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
  auto it = family_index_.find(desc.name);
  if (it == family_index_.end()) {
    const auto index = static_cast<uint32_t>(families_.size());
    families_.push_back(Family{std::string(desc.name), std::string(desc.help), desc.type, generation_});
    family_index_.emplace(std::string(desc.name), index);
    return static_cast<int32_t>(index);
  }
  Family& family = families_[it->second];
  if (family.generation != generation_) {
    if (family.help != desc.help) family.help.assign(desc.help);
    family.type = desc.type;
    family.generation = generation_;
  } else if (family.type != desc.type) {
    ++type_conflicts_;
    return -1;
  }
  return static_cast<int32_t>(it->second);
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
