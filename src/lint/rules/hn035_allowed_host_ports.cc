// HN035: clusters that restrict host ports (OpenShift SCCs, Gatekeeper and
// Kyverno policies) reject a pod whose port is outside the allowed ranges.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context& ctx, Emitter& emit) {
  const std::vector<PortRange>& allowed = ctx.options->allowed_host_ports;
  if (allowed.empty()) return;
  for (const HostPortClaim& claim : HostPorts(o.pod)) {
    bool ok = false;
    for (const PortRange& r : allowed) ok = ok || r.Contains(claim.port->host_port);
    if (ok) continue;
    emit.Add(claim.port->line, claim.container,
             "host port " + std::to_string(claim.port->host_port) + " is outside --allowed-host-ports");
  }
}

}  // namespace

extern const Rule kHN035 = {"HN035", Severity::kWarn, "host port outside --allowed-host-ports",
                            "use a port inside the allowed ranges or get the policy extended", Check};

}  // namespace nodex::lint
