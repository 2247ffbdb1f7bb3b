// HN034: the scheduler never puts two pods that claim the same host port on
// one node; the second stays Pending ("didn't have free ports"). With a
// DaemonSet involved that happens on every node.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

// Two pods may land on one node unless their nodeSelectors disagree.
bool CanShareNode(const PodSpec& a, const PodSpec& b) {
  for (const auto& [key, value] : a.node_selector) {
    auto it = b.node_selector.find(key);
    if (it != b.node_selector.end() && it->second != value) return false;
  }
  return true;
}

void Check(const Object& o, const Context& ctx, Emitter& emit) {
  for (const HostPortClaim& claim : HostPorts(o.pod)) {
    const ContainerPort& mine = *claim.port;
    auto owners = ctx.host_ports.find({mine.protocol, mine.host_port});
    if (owners == ctx.host_ports.end()) continue;
    const size_t me = static_cast<size_t>(&o - ctx.objects->data());
    for (const HostPortOwner& owner : owners->second) {
      if (owner.index >= me) break;  // each pair is reported once, on the later object
      const Object& other = (*ctx.objects)[owner.index];
      const ContainerPort& p = *owner.port;
      // Ref() allocates: it is compared last, on the rare candidate.
      if (!AddressesOverlap(p.host_ip, mine.host_ip) || !CanShareNode(o.pod, other.pod) || other.Ref() == o.Ref()) {
        continue;
      }
      bool daemon = o.kind == "DaemonSet" || other.kind == "DaemonSet";
      emit.Add(daemon ? Severity::kError : Severity::kWarn, mine.line, claim.container,
               "host port " + mine.protocol + "/" + std::to_string(mine.host_port) + " is also claimed by " +
                   other.Ref() + " (" + other.file + ":" + std::to_string(p.line) +
                   "); pods that meet on a node stay Pending");
      break;
    }
  }
}

}  // namespace

extern const Rule kHN034 = {"HN034", Severity::kError, "two workloads claim the same host port",
                            "give one of them another port, or keep them apart with nodeSelector/affinity", Check};

}  // namespace nodex::lint
