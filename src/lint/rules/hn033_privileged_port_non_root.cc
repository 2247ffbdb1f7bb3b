// HN033: binding below 1024 needs root or CAP_NET_BIND_SERVICE in the
// effective set, which a non-root process does not get from the runtime.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  for (const HostPortClaim& claim : HostPorts(o.pod)) {
    // Without hostNetwork the runtime binds the host port; the process binds
    // containerPort, so only a low containerPort matters to it.
    if (claim.port->host_port >= 1024 || claim.port->container_port >= 1024) continue;
    if (!claim.container->security.NonRoot()) continue;
    emit.Add(claim.port->line, claim.container,
             "port " + std::to_string(claim.port->host_port) + " is below 1024 but the container runs as non-root");
  }
}

}  // namespace

extern const Rule kHN033 = {"HN033", Severity::kWarn, "host port below 1024 in a non-root container",
                            "use a port >= 1024", Check};

}  // namespace nodex::lint
