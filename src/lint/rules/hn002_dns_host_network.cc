// HN002: hostNetwork pods resolve with the node's resolv.conf unless told
// otherwise, so cluster Service names silently stop resolving.
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  const PodSpec& pod = o.pod;
  if (!pod.host_network || (!pod.dns_policy.empty() && pod.dns_policy != "ClusterFirst")) return;
  emit.Add(pod.dns_policy_line > 0 ? pod.dns_policy_line : pod.host_network_line, nullptr,
           pod.dns_policy.empty() ? "hostNetwork without dnsPolicy: the kubelet uses the node's resolv.conf and "
                                    "cluster names do not resolve"
                                  : "hostNetwork with dnsPolicy ClusterFirst: the kubelet falls back to the node's "
                                    "resolv.conf and cluster names do not resolve");
}

}  // namespace

extern const Rule kHN002 = {"HN002", Severity::kWarn, "hostNetwork with dnsPolicy unset or ClusterFirst",
                            "set dnsPolicy: ClusterFirstWithHostNet (or Default when no cluster DNS is needed)", Check};

}  // namespace nodex::lint
