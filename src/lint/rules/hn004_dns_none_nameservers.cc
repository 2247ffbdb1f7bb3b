// HN004: dnsPolicy None takes every resolver setting from dnsConfig; the API
// server rejects it without 1-3 nameservers.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  const PodSpec& pod = o.pod;
  if (pod.dns_policy != "None" || (pod.nameserver_count >= 1 && pod.nameserver_count <= 3)) return;
  emit.Add(pod.dns_config_line > 0 ? pod.dns_config_line : pod.dns_policy_line, nullptr,
           "dnsPolicy None with " + std::to_string(pod.nameserver_count) +
               " dnsConfig.nameservers; the API server requires 1 to 3");
}

}  // namespace

extern const Rule kHN004 = {"HN004", Severity::kError, "dnsPolicy None without 1-3 dnsConfig.nameservers",
                            "list 1 to 3 resolvers under dnsConfig.nameservers", Check};

}  // namespace nodex::lint
