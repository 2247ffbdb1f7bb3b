// HN052: Kubernetes capability names have no CAP_ prefix; runtimes disagree on
// whether they accept one, and Pod Security compares the bare names.
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  for (const Container& c : o.pod.containers) {
    for (const std::vector<Located>* list : {&c.security.cap_add, &c.security.cap_drop}) {
      for (const Located& cap : *list) {
        if (cap.value.size() < 4 || (cap.value.compare(0, 4, "CAP_") != 0 && cap.value.compare(0, 4, "cap_") != 0)) {
          continue;
        }
        emit.Add(cap.line, &c, "capability " + cap.value + " is spelled with a CAP_ prefix");
      }
    }
  }
}

}  // namespace

extern const Rule kHN052 = {"HN052", Severity::kWarn, "capability spelled with a CAP_ prefix",
                            "write the name without CAP_ (NET_ADMIN, not CAP_NET_ADMIN)", Check};

}  // namespace nodex::lint
