// HN011: the API server keys host ports by protocol/hostIP/hostPort; a
// duplicate makes a Pod invalid and DaemonSet pods FailedCreate.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  std::vector<HostPortClaim> claims = HostPorts(o.pod);
  for (size_t i = 0; i < claims.size(); ++i) {
    const ContainerPort& b = *claims[i].port;
    for (size_t j = 0; j < i; ++j) {
      const ContainerPort& a = *claims[j].port;
      if (a.protocol != b.protocol || a.host_ip != b.host_ip || a.host_port != b.host_port) continue;
      emit.Add(b.line, claims[i].container,
               "host port " + b.protocol + "/" + b.host_ip + ":" + std::to_string(b.host_port) +
                   " is claimed twice in the pod (also by container " + claims[j].container->name + ")");
      break;
    }
  }
}

}  // namespace

extern const Rule kHN011 = {"HN011", Severity::kError, "two ports of one pod claim the same protocol/hostIP/hostPort",
                            "remove the duplicate port or give it another number", Check};

}  // namespace nodex::lint
