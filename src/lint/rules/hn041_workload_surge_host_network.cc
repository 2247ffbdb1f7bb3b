// HN041: a surge replica of a host-network Deployment needs a node where the
// old replica does not hold its ports; on a small or full cluster the rollout
// waits for one.
#include <string>

#include "lint/normalise.h"
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  if (o.kind != "Deployment" && o.kind != "StatefulSet") return;
  if (o.strategy_type == "Recreate" || o.strategy_type == "OnDelete" || !SurgeAboveZero(o.max_surge)) return;
  bool host_port = false;
  for (const HostPortClaim& claim : HostPorts(o.pod)) host_port = host_port || claim.port->host_port_explicit;
  if (!o.pod.host_network && !host_port) return;
  emit.Add(o.strategy_line, nullptr,
           std::string(o.pod.host_network ? "hostNetwork" : "hostPort") + " with maxSurge " + o.max_surge +
               (o.max_surge_defaulted ? " (the default)" : "") +
               ": surge pods need a node without the old pod's ports");
}

}  // namespace

extern const Rule kHN041 = {"HN041", Severity::kWarn,
                            "Deployment/StatefulSet with host network or ports and maxSurge > 0",
                            "set maxSurge: 0 (with maxUnavailable >= 1) or strategy Recreate", Check};

}  // namespace nodex::lint
