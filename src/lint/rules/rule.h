// What a lint rule is: an ID, a default severity, a description, fix text and
// a check over one normalised object. Each rule lives in its own file under
// rules/ and is listed once in rules.cc; the engine in lint.cc applies
// --disable, the nodex.dev/ignore-HNxxx annotations and the severities.
#ifndef NODEX_LINT_RULES_RULE_H_
#define NODEX_LINT_RULES_RULE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "lint/model.h"

namespace nodex::lint {

// A socket listening on this node (--node-listeners).
struct NodeListener {
  std::string protocol;  // TCP or UDP
  std::string host;      // as bound; "0.0.0.0" or "::" for every address
  int port = 0;
  int pid = 0;  // 0 when /proc does not tell
  std::string command;
};

struct PortRange {
  int low = 0;
  int high = 0;
  bool Contains(int port) const { return port >= low && port <= high; }
};

struct LintOptions {
  std::vector<int> reserved_ports{6443, 9099, 9890, 10248, 10249, 10250, 10255, 10256, 4194};
  PortRange nodeport_range{30000, 32767};
  std::vector<PortRange> allowed_host_ports;  // empty: HN035 is off
  std::string default_psa_level = "privileged";
};

// One host port claim in the input, for cross-workload checks.
struct HostPortOwner {
  size_t index;  // of the object in Context::objects
  const ContainerPort* port;
};

// Everything a rule may look at besides the object itself.
struct Context {
  const LintOptions* options = nullptr;
  const std::vector<Object>* objects = nullptr;     // the whole input, in order
  std::map<std::string, const Object*> namespaces;  // Namespace objects by name
  // (protocol, host port) -> the claims on it in input order, the first
  // object of each Kind/namespace/name only (the same object given twice is
  // one workload).
  std::map<std::pair<std::string, int>, std::vector<HostPortOwner>> host_ports;
  const std::vector<Object>* previous = nullptr;              // --previous, or null
  const std::vector<NodeListener>* node_listeners = nullptr;  // --node-listeners, or null
  // Indexes the engine builds so that no rule compares every pair of objects:
  // the first workload of --previous by (kind, namespace, name), and the node
  // listeners by port in their order.
  std::map<std::tuple<std::string_view, std::string_view, std::string_view>, const Object*> previous_workloads;
  std::map<int, std::vector<const NodeListener*>> node_listeners_by_port;
};

struct Rule;

// Collects a rule's findings for one object.
class Emitter {
 public:
  Emitter(const Rule& rule, const Object& object, std::vector<Finding>* out)
      : rule_(rule), object_(object), out_(out) {}

  // container may be null for a pod-level finding; line 0 means the object's.
  void Add(int line, const Container* container, std::string message);
  // For rules whose severity depends on the case (HN034).
  void Add(Severity severity, int line, const Container* container, std::string message);

 private:
  const Rule& rule_;
  const Object& object_;
  std::vector<Finding>* out_;
};

enum class Scope { kWorkloads, kNamespaces };

struct Rule {
  std::string_view id;
  Severity severity;
  std::string_view description;
  std::string_view fix;
  void (*check)(const Object& object, const Context& context, Emitter& emit);
  Scope scope = Scope::kWorkloads;
};

}  // namespace nodex::lint

#endif  // NODEX_LINT_RULES_RULE_H_
