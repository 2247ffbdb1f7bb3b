// The sockets listening on this node, for --node-listeners (HN080). Reads the
// host's /proc through the hostnet module; lint/ only sees NodeListener.
#ifndef NODEX_LINT_NODE_LISTENERS_H_
#define NODEX_LINT_NODE_LISTENERS_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "lint/rules/rule.h"

namespace nodex::lint {

StatusOr<std::vector<NodeListener>> ReadNodeListeners(const std::string& procfs);

}  // namespace nodex::lint

#endif  // NODEX_LINT_NODE_LISTENERS_H_
