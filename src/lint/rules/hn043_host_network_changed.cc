// HN043: flipping hostNetwork changes the pod's IP, its port claims and its
// DNS; a Pod rejects the update, a workload rolls every replica.
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context& ctx, Emitter& emit) {
  auto it = ctx.previous_workloads.find({o.kind, o.ns, o.name});
  if (it == ctx.previous_workloads.end()) return;
  const Object& old = *it->second;
  if (old.pod.host_network == o.pod.host_network) return;
  std::string change = o.pod.host_network ? "hostNetwork turned on" : "hostNetwork turned off";
  emit.Add(o.pod.host_network_line, nullptr,
           o.kind == "Pod" ? change + " (was " + old.file + "); a Pod cannot be updated, delete and recreate it"
                           : change + " (was " + old.file + "); the rollout changes pod IPs, port claims and DNS");
}

}  // namespace

extern const Rule kHN043 = {"HN043", Severity::kWarn, "hostNetwork changed since --previous",
                            "plan the change: recreate the Pod, or roll out knowing ports and DNS change", Check};

}  // namespace nodex::lint
