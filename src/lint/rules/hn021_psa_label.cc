// HN021: the admission plugin rejects a malformed pod-security label, and a
// typo in its key is silently ignored; either way the intended level is lost.
#include <string>

#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

constexpr std::string_view kPrefix = "pod-security.kubernetes.io/";

bool ValidVersion(std::string_view v) {
  if (v == "latest") return true;
  if (v.size() < 4 || v[0] != 'v') return false;
  size_t dot = v.find('.');
  if (dot == std::string_view::npos || dot == 1 || dot + 1 == v.size()) return false;
  for (size_t i = 1; i < v.size(); ++i) {
    if (i != dot && (v[i] < '0' || v[i] > '9')) return false;
  }
  return true;
}

void Check(const Object& o, const Context&, Emitter& emit) {
  for (const auto& [key, value] : o.labels) {
    if (key.rfind(kPrefix, 0) != 0) continue;
    std::string_view mode = std::string_view(key).substr(kPrefix.size());
    const std::string& v = value.value;
    std::string label = "label " + key + "=" + v;
    if (mode == "enforce" || mode == "audit" || mode == "warn") {
      if (v == "privileged" || v == "baseline" || v == "restricted") continue;
      emit.Add(value.line, nullptr, label + ": level must be privileged, baseline or restricted");
    } else if (mode == "enforce-version" || mode == "audit-version" || mode == "warn-version") {
      if (ValidVersion(v)) continue;
      emit.Add(value.line, nullptr, label + ": version must be vX.Y or latest");
    } else {
      emit.Add(value.line, nullptr, "label " + key + " is not a Pod Security label; it is ignored");
    }
  }
}

}  // namespace

extern const Rule kHN021 = {"HN021",
                            Severity::kError,
                            "malformed pod-security.kubernetes.io label",
                            "use enforce|audit|warn with privileged|baseline|restricted, and *-version: vX.Y or latest",
                            Check,
                            Scope::kNamespaces};

}  // namespace nodex::lint
