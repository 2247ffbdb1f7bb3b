// HN015: containers of one pod share a network namespace; two of them binding
// the same port means one fails with EADDRINUSE.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  const std::vector<Container>& cs = o.pod.containers;
  for (size_t j = 0; j < cs.size(); ++j) {
    if (!cs[j].Running()) continue;
    for (const Listener& b : cs[j].listeners) {
      for (size_t i = 0; i < j; ++i) {
        if (!cs[i].Running()) continue;
        for (const Listener& a : cs[i].listeners) {
          if (a.port != b.port || !AddressesOverlap(a.host, b.host)) continue;
          emit.Add(b.line, &cs[j],
                   "listens on port " + std::to_string(b.port) + " like container " + cs[i].name +
                       "; only one of them can bind it");
        }
      }
    }
  }
}

}  // namespace

extern const Rule kHN015 = {"HN015", Severity::kError, "two containers of one pod listen on the same port",
                            "give each container its own port or bind them to different addresses", Check};

}  // namespace nodex::lint
