// HN042: hostNetwork, ports and dnsPolicy are immutable on a Pod; changing
// them means delete and recreate, which a workload controller does for you.
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  if (o.kind != "Pod" || !o.pod.host_network) return;
  emit.Add(o.pod.host_network_line, nullptr,
           "bare Pod with hostNetwork: hostNetwork, ports and dnsPolicy cannot be changed without delete and recreate");
}

}  // namespace

extern const Rule kHN042 = {"HN042", Severity::kInfo, "bare Pod with hostNetwork",
                            "run it from a DaemonSet or Deployment", Check};

}  // namespace nodex::lint
