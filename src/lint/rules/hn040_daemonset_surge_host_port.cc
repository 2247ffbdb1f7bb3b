// HN040: a DaemonSet's surge pod lands on the node its old pod still holds
// the host port on, so it can never schedule and the rollout stalls.
#include <string>

#include "lint/normalise.h"
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  if (o.kind != "DaemonSet" || o.strategy_type == "OnDelete" || !SurgeAboveZero(o.max_surge)) return;
  std::vector<HostPortClaim> claims = HostPorts(o.pod);
  if (claims.empty()) return;
  emit.Add(o.strategy_line, nullptr,
           "rollingUpdate.maxSurge " + o.max_surge + " with host port " + std::to_string(claims[0].port->host_port) +
               ": the surge pod can never schedule next to the old one");
}

}  // namespace

extern const Rule kHN040 = {"HN040", Severity::kError, "DaemonSet with host ports and maxSurge > 0",
                            "set rollingUpdate.maxSurge: 0 and use maxUnavailable", Check};

}  // namespace nodex::lint
