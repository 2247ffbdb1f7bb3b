// HN050: net.* sysctls are per network namespace; under hostNetwork they
// would change the node's, so the API server rejects them.
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  if (!o.pod.host_network) return;
  for (const Located& s : o.pod.sysctls) {
    if (s.value.rfind("net.", 0) != 0) continue;
    emit.Add(s.line, nullptr, "sysctl " + s.value + " with hostNetwork; the API server rejects it");
  }
}

}  // namespace

extern const Rule kHN050 = {"HN050", Severity::kError, "net.* sysctl with hostNetwork",
                            "set it on the node (or drop hostNetwork)", Check};

}  // namespace nodex::lint
