// HN032: sshd, a node-local DNS cache or an ingress controller commonly hold
// these on the node already.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  for (const HostPortClaim& claim : HostPorts(o.pod)) {
    int port = claim.port->host_port;
    if (port != 22 && port != 53 && port != 80 && port != 443) continue;
    emit.Add(claim.port->line, claim.container, "host port " + std::to_string(port) + " is a standard service port");
  }
}

}  // namespace

extern const Rule kHN032 = {"HN032", Severity::kWarn, "host port is a standard service port (22, 53, 80, 443)",
                            "use a dedicated high port unless this workload is that service", Check};

}  // namespace nodex::lint
