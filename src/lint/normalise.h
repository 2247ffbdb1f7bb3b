// Turns one loaded Kubernetes object into the normalised model of model.h,
// applying the defaults the API server would: protocol TCP, hostIP 0.0.0.0,
// hostPort = containerPort under hostNetwork (the API server only defaults
// that on Pods since 1.28; templates never get it), Deployment maxSurge 25%.
// Listen addresses are read from known flags in command/args, with $(VAR)
// resolved from literal env values.
#ifndef NODEX_LINT_NORMALISE_H_
#define NODEX_LINT_NORMALISE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lint/loader.h"
#include "lint/model.h"

namespace nodex::lint {

// A pod template larger than this, counted with YAML aliases expanded, is
// not linted (Object::too_large): rules compare ports pairwise.
inline constexpr int kMaxPodTemplateNodes = 20000;

struct NormaliseOptions {
  // Flag names (without dashes) that name a listen address besides the
  // built-in ones (--listen-flag).
  std::vector<std::string> extra_listen_flags;
};

// Never throws; a field of the wrong YAML type is treated as absent.
Object Normalise(const Document& doc, const NormaliseOptions& options);

// Splits a listen address: "host:port", ":port", "[v6]:port", a bare port or
// a bare host. Returns false when it is none of these. *port is 0 for a bare
// host, *host empty for a bare port or ":port".
[[nodiscard]] bool ParseListenAddress(std::string_view value, std::string* host, int* port);

// Expands $(VAR) from env (literal values only) the way the kubelet expands
// command and args; $$ escapes. Returns false when a reference stays
// unresolved.
[[nodiscard]] bool ExpandVars(std::string_view in, const std::map<std::string, std::string>& env, std::string* out);

// The listeners named by known flags in a container's command line (command
// then args, one word per element; elements holding spaces, as in `sh -c`
// scripts, are split into words).
std::vector<Listener> ParseListeners(const std::vector<Located>& argv, const std::map<std::string, std::string>& env,
                                     const std::vector<std::string>& extra_flags);

// maxSurge as written: a positive integer or a positive percentage.
bool SurgeAboveZero(std::string_view max_surge);

}  // namespace nodex::lint

#endif  // NODEX_LINT_NORMALISE_H_
