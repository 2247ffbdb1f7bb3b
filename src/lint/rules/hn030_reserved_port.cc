// HN030: the API server, kubelet, kube-proxy and CNI agents already hold these
// ports on every node; a pod claiming one never starts or breaks the node.
#include <algorithm>
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context& ctx, Emitter& emit) {
  const std::vector<int>& reserved = ctx.options->reserved_ports;
  for (const HostPortClaim& claim : HostPorts(o.pod)) {
    int port = claim.port->host_port;
    if (std::find(reserved.begin(), reserved.end(), port) == reserved.end()) continue;
    emit.Add(claim.port->line, claim.container,
             "host port " + std::to_string(port) + " is reserved for node components");
  }
}

}  // namespace

extern const Rule kHN030 = {"HN030", Severity::kError, "host port in the reserved list",
                            "pick another port (the reserved list is set with --reserved-ports)", Check};

}  // namespace nodex::lint
