// Fuzzes the ethtool collector's decoders of SIOCETHTOOL answers and its
// statistic naming. The first input byte picks the target, the rest is its
// input:
//   0  ParseEthtoolDriverInfo (struct ethtool_drvinfo)
//   1  ParseEthtoolCmd (struct ethtool_cmd)
//   2  ParseEthtoolStats + PlanEthtoolMetrics: a little-endian u16 length of
//      the ethtool_gstrings answer, that answer, then the ethtool_stats answer
//   3  SanitizeEthtoolStatName / EthtoolMetricName on raw text
// Every produced metric name must be a valid Prometheus name below
// node_ethtool, and every plan entry must point at a decoded statistic.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/ethtool.h"

namespace {

using nodex::collectors::EthtoolMetricName;

bool ValidName(std::string_view name) {
  if (name.rfind("node_ethtool", 0) != 0) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto info = nodex::collectors::ParseEthtoolDriverInfo(input);
      if (info.ok() && (info->driver.size() > 32 || info->bus_info.size() > 32)) std::abort();
      break;
    }
    case 1: {
      auto link = nodex::collectors::ParseEthtoolCmd(input);
      if (link.ok() != (input.size() >= 44)) std::abort();
      break;
    }
    case 2: {
      if (input.size() < 2) return 0;
      size_t len = static_cast<uint8_t>(input[0]) | (static_cast<size_t>(static_cast<uint8_t>(input[1])) << 8);
      input.remove_prefix(2);
      if (len > input.size()) len = input.size();
      std::vector<nodex::collectors::EthtoolStat> stats;
      if (!nodex::collectors::ParseEthtoolStats(input.substr(0, len), input.substr(len), &stats).ok()) return 0;
      std::vector<nodex::collectors::EthtoolMetricPlan> plan;
      nodex::collectors::PlanEthtoolMetrics(stats, nullptr, &plan);
      for (size_t i = 0; i < plan.size(); ++i) {
        if (plan[i].stat >= stats.size() || !ValidName(plan[i].name)) std::abort();
        if (i > 0 && !(plan[i - 1].name < plan[i].name)) std::abort();  // Sorted, no duplicates.
      }
      break;
    }
    case 3: {
      std::string sanitized = nodex::collectors::SanitizeEthtoolStatName(input);
      if (sanitized.size() > input.size()) std::abort();
      if (!ValidName(EthtoolMetricName(input))) std::abort();
      break;
    }
  }
  return 0;
}
