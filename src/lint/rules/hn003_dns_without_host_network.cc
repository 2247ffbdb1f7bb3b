// HN003: ClusterFirstWithHostNet only differs from ClusterFirst under
// hostNetwork; elsewhere it usually means hostNetwork was dropped by mistake.
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  if (o.pod.host_network || o.pod.dns_policy != "ClusterFirstWithHostNet") return;
  emit.Add(o.pod.dns_policy_line, nullptr, "dnsPolicy ClusterFirstWithHostNet has no effect without hostNetwork");
}

}  // namespace

extern const Rule kHN003 = {"HN003", Severity::kInfo, "ClusterFirstWithHostNet on a pod without hostNetwork",
                            "remove dnsPolicy (ClusterFirst is the default) or set hostNetwork: true if intended",
                            Check};

}  // namespace nodex::lint
