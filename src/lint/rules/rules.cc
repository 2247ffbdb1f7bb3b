#include "lint/rules/rules.h"

#include <array>

namespace nodex::lint {

std::span<const Rule* const> AllRules() {
  static const std::array<const Rule*, 31> kRules = {
      &kHN002, &kHN003, &kHN004, &kHN010, &kHN011, &kHN012, &kHN013, &kHN014, &kHN015, &kHN016, &kHN018,
      &kHN019, &kHN020, &kHN021, &kHN030, &kHN031, &kHN032, &kHN033, &kHN034, &kHN035, &kHN040, &kHN041,
      &kHN042, &kHN043, &kHN050, &kHN051, &kHN052, &kHN060, &kHN062, &kHN064, &kHN080};
  return kRules;
}

const Rule* FindRule(std::string_view id) {
  for (const Rule* r : AllRules()) {
    if (r->id == id) return r;
  }
  return nullptr;
}

void Emitter::Add(int line, const Container* container, std::string message) {
  Add(rule_.severity, line, container, std::move(message));
}

void Emitter::Add(Severity severity, int line, const Container* container, std::string message) {
  Finding f;
  f.rule = std::string(rule_.id);
  f.severity = severity;
  f.file = object_.file;
  f.line = line > 0 ? line : object_.line;
  f.kind = object_.kind;
  f.ns = object_.ns;
  f.name = object_.name;
  if (container != nullptr) f.container = container->name;
  f.message = std::move(message);
  f.fix = std::string(rule_.fix);
  out_->push_back(std::move(f));
}

}  // namespace nodex::lint
