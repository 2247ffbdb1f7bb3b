// Metric-name sanitising shared by collectors that build metric names from
// kernel-provided strings (rapl zone names, bcachefs counter names).
#ifndef NODEX_COLLECTORS_METRIC_NAME_H_
#define NODEX_COLLECTORS_METRIC_NAME_H_

#include <string>
#include <string_view>

namespace nodex::collectors {

inline bool IsMetricNameChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// node_exporter's SanitizeMetricName: every run of characters outside
// [0-9A-Za-z_], together with the underscores around it, becomes one '_'.
// Appends to *out.
inline void AppendSanitizedMetricName(std::string_view name, std::string* out) {
  size_t i = 0;
  while (i < name.size()) {
    size_t j = i;
    while (j < name.size() && name[j] == '_') ++j;
    if (j < name.size() && !IsMetricNameChar(name[j])) {
      while (j < name.size() && !IsMetricNameChar(name[j])) ++j;
      while (j < name.size() && name[j] == '_') ++j;
      out->push_back('_');
      i = j;
      continue;
    }
    if (j > i) {
      out->append(name.substr(i, j - i));
      i = j;
      continue;
    }
    out->push_back(name[i]);
    ++i;
  }
}

}  // namespace nodex::collectors

#endif  // NODEX_COLLECTORS_METRIC_NAME_H_
