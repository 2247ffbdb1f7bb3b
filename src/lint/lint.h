// `nodex lint`: checks Kubernetes manifests for host-network mistakes before
// they reach a cluster. Rules are in rules/, one per file; the rule set, flags,
// formats and exit codes are specified in ../shared/specs/lint-rules.md.
#ifndef NODEX_LINT_LINT_H_
#define NODEX_LINT_LINT_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lint/loader.h"
#include "lint/model.h"
#include "lint/normalise.h"
#include "lint/rules/rule.h"

namespace nodex::lint {

struct EngineInput {
  LintOptions options;
  std::set<std::string> disabled;  // rule IDs
  const std::vector<Object>* previous = nullptr;
  const std::vector<NodeListener>* node_listeners = nullptr;
};

std::vector<Object> NormaliseAll(const std::vector<Document>& docs, const NormaliseOptions& options);

// Runs every enabled rule over objects; findings come per object in input
// order, by line within an object. Honours --disable and the
// nodex.dev/ignore-HNxxx annotations.
std::vector<Finding> RunRules(const std::vector<Object>& objects, const EngineInput& input);

// Entry point of `nodex lint ...`; argv[0] is "lint". Returns the exit code:
// 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error
// or unreadable/invalid input.
int RunLint(int argc, char** argv);

}  // namespace nodex::lint

#endif  // NODEX_LINT_LINT_H_
