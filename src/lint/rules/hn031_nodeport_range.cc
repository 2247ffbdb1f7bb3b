// HN031: kube-proxy opens NodePort Services on every node; a host port in that
// range collides the day a Service is given the same number.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context& ctx, Emitter& emit) {
  const PortRange& range = ctx.options->nodeport_range;
  for (const HostPortClaim& claim : HostPorts(o.pod)) {
    if (!range.Contains(claim.port->host_port)) continue;
    emit.Add(claim.port->line, claim.container,
             "host port " + std::to_string(claim.port->host_port) + " is in the NodePort range " +
                 std::to_string(range.low) + "-" + std::to_string(range.high));
  }
}

}  // namespace

extern const Rule kHN031 = {"HN031", Severity::kWarn, "host port in the NodePort range",
                            "pick a port outside the NodePort range (--nodeport-range)", Check};

}  // namespace nodex::lint
