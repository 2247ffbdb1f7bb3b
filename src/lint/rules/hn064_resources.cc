// HN064: a DaemonSet runs on every node; without requests it is not accounted
// for, without limits it can starve the node, and requests above limits are
// rejected by the API server.
#include <array>
#include <cstdlib>
#include <optional>
#include <string>

#include "base/parse.h"
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

// A Kubernetes quantity ("100m", "128Mi", "1.5G", "2e3") in base units.
std::optional<double> Quantity(std::string_view q) {
  static constexpr std::array<std::pair<std::string_view, double>, 15> kSuffixes = {{{"Ki", 1024.0},
                                                                                     {"Mi", 1048576.0},
                                                                                     {"Gi", 1073741824.0},
                                                                                     {"Ti", 1099511627776.0},
                                                                                     {"Pi", 1125899906842624.0},
                                                                                     {"Ei", 1152921504606846976.0},
                                                                                     {"n", 1e-9},
                                                                                     {"u", 1e-6},
                                                                                     {"m", 1e-3},
                                                                                     {"k", 1e3},
                                                                                     {"M", 1e6},
                                                                                     {"G", 1e9},
                                                                                     {"T", 1e12},
                                                                                     {"P", 1e15},
                                                                                     {"E", 1e18}}};
  double scale = 1;
  for (const auto& [suffix, factor] : kSuffixes) {
    if (q.size() > suffix.size() && q.substr(q.size() - suffix.size()) == suffix) {
      q.remove_suffix(suffix.size());
      scale = factor;
      break;
    }
  }
  auto v = ParseDouble(q);
  if (!v) return std::nullopt;
  return *v * scale;
}

void Check(const Object& o, const Context&, Emitter& emit) {
  for (const Container& c : o.pod.containers) {
    if (c.requests.empty() || c.limits.empty()) {
      std::string missing = c.requests.empty() && c.limits.empty() ? "requests and limits"
                            : c.requests.empty()                   ? "requests"
                                                                   : "limits";
      emit.Add(c.line, &c, "container has no resource " + missing);
      continue;
    }
    for (const auto& [resource, request] : c.requests) {
      auto limit = c.limits.find(resource);
      if (limit == c.limits.end()) continue;
      auto r = Quantity(request), l = Quantity(limit->second);
      if (r && l && *r > *l) {
        std::string message = resource;
        message.append(" request ").append(request).append(" is above its limit ").append(limit->second);
        emit.Add(c.line, &c, std::move(message));
      }
    }
  }
}

}  // namespace

extern const Rule kHN064 = {"HN064", Severity::kWarn,
                            "container without resource requests and limits, or requests above limits",
                            "set resources.requests and resources.limits (requests <= limits)", Check};

}  // namespace nodex::lint
