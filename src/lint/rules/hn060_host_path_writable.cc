// HN060: a writable hostPath lets the container change the node's files; an
// agent that only reads /proc and /sys should mount them read-only.
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

void Check(const Object& o, const Context&, Emitter& emit) {
  for (const Container& c : o.pod.containers) {
    for (const VolumeMount& m : c.mounts) {
      const Volume* v = o.pod.FindVolume(m.name);
      if (v == nullptr || !v->host_path || m.read_only) continue;
      emit.Add(m.line, &c, "hostPath volume " + m.name + " (" + v->path + ") is mounted writable");
    }
  }
}

}  // namespace

extern const Rule kHN060 = {"HN060", Severity::kWarn, "hostPath volume mounted without readOnly: true",
                            "add readOnly: true to the volumeMount", Check};

}  // namespace nodex::lint
