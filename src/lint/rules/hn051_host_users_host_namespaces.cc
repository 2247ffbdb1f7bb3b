// HN051: a user namespace cannot be combined with the host's network, PID or
// IPC namespace; the API server rejects hostUsers: false with any of them.
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  const PodSpec& pod = o.pod;
  if (pod.host_users != false || !(pod.host_network || pod.host_pid || pod.host_ipc)) return;
  emit.Add(pod.host_users_line, nullptr, "hostUsers: false with a host namespace; the API server rejects it");
}

}  // namespace

extern const Rule kHN051 = {"HN051", Severity::kError, "hostUsers: false with hostNetwork/hostPID/hostIPC",
                            "drop hostUsers: false, or the host namespaces", Check};

}  // namespace nodex::lint
