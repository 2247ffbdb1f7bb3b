#include "lint/normalise.h"

#include <algorithm>
#include <array>

#include "base/parse.h"
#include "base/split.h"

namespace nodex::lint {
namespace {

constexpr int kMaxPodTemplateDepth = 64;

constexpr std::array<std::string_view, 7> kListenFlags = {
    "web.listen-address",   "secure-listen-address",     "listen-address",
    "metrics-bind-address", "health-probe-bind-address", "port",
    "bind-address"};

// Safe accessors: yaml-cpp throws when a missing child is inspected or a
// scalar is subscripted, so every lookup goes through these and treats a
// wrong type as absent.
YAML::Node Get(const YAML::Node& node, const char* key) {
  if (!node.IsDefined() || !node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  YAML::Node child = node[key];
  if (!child.IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
  return child;
}

bool IsMap(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }
bool IsSeq(const YAML::Node& n) { return n.IsDefined() && n.IsSequence(); }
bool IsScalar(const YAML::Node& n) { return n.IsDefined() && n.IsScalar(); }

int Line(const YAML::Node& n) {
  if (!n.IsDefined()) return 0;
  YAML::Mark m = n.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

std::string Str(const YAML::Node& n) { return IsScalar(n) ? n.Scalar() : std::string(); }

std::optional<bool> Bool(const YAML::Node& n) {
  if (!IsScalar(n)) return std::nullopt;
  const std::string& s = n.Scalar();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

std::optional<int64_t> Int(const YAML::Node& n) {
  if (!IsScalar(n)) return std::nullopt;
  return ParseI64(n.Scalar());
}

int Port(const YAML::Node& n) {
  auto v = Int(n);
  return v && *v > 0 && *v <= 65535 ? static_cast<int>(*v) : 0;
}

void StringMap(const YAML::Node& n, std::map<std::string, std::string>* out) {
  if (!IsMap(n)) return;
  for (const auto& kv : n) {
    if (IsScalar(kv.first) && IsScalar(kv.second)) (*out)[kv.first.Scalar()] = kv.second.Scalar();
  }
}

void LocatedList(const YAML::Node& n, std::vector<Located>* out) {
  if (!IsSeq(n)) return;
  for (const YAML::Node& item : n) {
    if (IsScalar(item)) out->push_back({item.Scalar(), Line(item)});
  }
}

void ReadSecurity(const YAML::Node& sc, Security* s) {
  if (!IsMap(sc)) return;
  if (auto v = Bool(Get(sc, "runAsNonRoot"))) s->run_as_non_root = v;
  if (auto v = Int(Get(sc, "runAsUser"))) s->run_as_user = v;
  if (auto v = Bool(Get(sc, "readOnlyRootFilesystem"))) s->read_only_root_filesystem = v;
  if (auto v = Bool(Get(sc, "allowPrivilegeEscalation"))) s->allow_privilege_escalation = v;
  if (auto v = Bool(Get(sc, "privileged"))) s->privileged = *v;
  YAML::Node caps = Get(sc, "capabilities");
  LocatedList(Get(caps, "add"), &s->cap_add);
  LocatedList(Get(caps, "drop"), &s->cap_drop);
}

void ReadProbes(const YAML::Node& c, std::vector<Probe>* out) {
  static constexpr std::array<std::pair<const char*, const char*>, 3> kKinds = {
      {{"livenessProbe", "liveness"}, {"readinessProbe", "readiness"}, {"startupProbe", "startup"}}};
  static constexpr std::array<const char*, 3> kHandlers = {"httpGet", "tcpSocket", "grpc"};
  for (const auto& [key, kind] : kKinds) {
    YAML::Node probe = Get(c, key);
    for (const char* handler : kHandlers) {
      YAML::Node h = Get(probe, handler);
      YAML::Node port = Get(h, "port");
      if (!IsScalar(port)) continue;
      Probe p;
      p.kind = kind;
      p.handler = handler;
      p.line = Line(port);
      if (auto n = ParseI64(port.Scalar())) {
        p.port = *n > 0 && *n <= 65535 ? static_cast<int>(*n) : 0;
      } else {
        p.port_name = port.Scalar();
      }
      p.has_host = !Str(Get(h, "host")).empty();
      out->push_back(std::move(p));
    }
  }
}

Container ReadContainer(const YAML::Node& c, const PodSpec& pod, const Security& pod_security,
                        const NormaliseOptions& options) {
  Container out;
  out.name = Str(Get(c, "name"));
  out.line = Line(c);
  YAML::Node ports = Get(c, "ports");
  if (IsSeq(ports)) {
    for (const YAML::Node& p : ports) {
      if (!IsMap(p)) continue;
      ContainerPort port;
      port.name = Str(Get(p, "name"));
      port.container_port = Port(Get(p, "containerPort"));
      port.host_port = Port(Get(p, "hostPort"));
      port.host_port_explicit = port.host_port > 0;
      std::string protocol = Str(Get(p, "protocol"));
      if (!protocol.empty()) port.protocol = protocol;
      std::string host_ip = Str(Get(p, "hostIP"));
      if (!host_ip.empty()) port.host_ip = host_ip;
      if (pod.host_network && port.host_port == 0) port.host_port = port.container_port;
      port.line = Line(p);
      out.ports.push_back(std::move(port));
    }
  }
  std::map<std::string, std::string> env;
  YAML::Node env_list = Get(c, "env");
  if (IsSeq(env_list)) {
    for (const YAML::Node& e : env_list) {
      YAML::Node value = Get(e, "value");
      if (IsScalar(value)) env[Str(Get(e, "name"))] = value.Scalar();
    }
  }
  std::vector<Located> argv;
  LocatedList(Get(c, "command"), &argv);
  LocatedList(Get(c, "args"), &argv);
  out.listeners = ParseListeners(argv, env, options.extra_listen_flags);
  ReadProbes(c, &out.probes);
  YAML::Node mounts = Get(c, "volumeMounts");
  if (IsSeq(mounts)) {
    for (const YAML::Node& m : mounts) {
      if (!IsMap(m)) continue;
      out.mounts.push_back({Str(Get(m, "name")), Bool(Get(m, "readOnly")).value_or(false), Line(m)});
    }
  }
  out.security = pod_security;
  ReadSecurity(Get(c, "securityContext"), &out.security);
  YAML::Node resources = Get(c, "resources");
  out.has_resources_block = IsMap(resources);
  StringMap(Get(resources, "requests"), &out.requests);
  StringMap(Get(resources, "limits"), &out.limits);
  return out;
}

void ReadPodSpec(const YAML::Node& spec, const NormaliseOptions& options, PodSpec* pod) {
  pod->line = Line(spec);
  YAML::Node hn = Get(spec, "hostNetwork");
  pod->host_network = Bool(hn).value_or(false);
  pod->host_network_line = Line(hn);
  pod->host_pid = Bool(Get(spec, "hostPID")).value_or(false);
  pod->host_ipc = Bool(Get(spec, "hostIPC")).value_or(false);
  YAML::Node hu = Get(spec, "hostUsers");
  pod->host_users = Bool(hu);
  pod->host_users_line = Line(hu);
  YAML::Node dns = Get(spec, "dnsPolicy");
  pod->dns_policy = Str(dns);
  pod->dns_policy_line = Line(dns);
  YAML::Node dns_config = Get(spec, "dnsConfig");
  pod->has_dns_config = IsMap(dns_config);
  pod->dns_config_line = Line(dns_config);
  YAML::Node nameservers = Get(dns_config, "nameservers");
  if (IsSeq(nameservers)) pod->nameserver_count = static_cast<int>(nameservers.size());
  StringMap(Get(spec, "nodeSelector"), &pod->node_selector);

  YAML::Node pod_sc = Get(spec, "securityContext");
  Security pod_security;
  if (auto v = Bool(Get(pod_sc, "runAsNonRoot"))) pod_security.run_as_non_root = v;
  if (auto v = Int(Get(pod_sc, "runAsUser"))) pod_security.run_as_user = v;
  YAML::Node sysctls = Get(pod_sc, "sysctls");
  if (IsSeq(sysctls)) {
    for (const YAML::Node& s : sysctls) {
      YAML::Node name = Get(s, "name");
      if (IsScalar(name)) pod->sysctls.push_back({name.Scalar(), Line(name)});
    }
  }
  YAML::Node volumes = Get(spec, "volumes");
  if (IsSeq(volumes)) {
    for (const YAML::Node& v : volumes) {
      if (!IsMap(v)) continue;
      YAML::Node host_path = Get(v, "hostPath");
      pod->volumes.push_back({Str(Get(v, "name")), host_path.IsDefined(), Str(Get(host_path, "path")), Line(v)});
    }
  }
  for (const char* key : {"containers", "initContainers"}) {
    YAML::Node list = Get(spec, key);
    if (!IsSeq(list)) continue;
    bool init = key[0] == 'i';
    for (const YAML::Node& c : list) {
      if (!IsMap(c)) continue;
      Container container = ReadContainer(c, *pod, pod_security, options);
      container.init = init;
      container.sidecar = init && Str(Get(c, "restartPolicy")) == "Always";
      pod->containers.push_back(std::move(container));
    }
  }
}

// Where each kind keeps its pod template, and its update strategy.
YAML::Node PodTemplate(const std::string& kind, const YAML::Node& root) {
  YAML::Node spec = Get(root, "spec");
  if (kind == "Pod") return root;
  if (kind == "CronJob") return Get(Get(Get(spec, "jobTemplate"), "spec"), "template");
  if (kind == "Deployment" || kind == "DaemonSet" || kind == "StatefulSet" || kind == "ReplicaSet" ||
      kind == "ReplicationController" || kind == "Job") {
    return Get(spec, "template");
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

void ReadStrategy(Object* o, const YAML::Node& root) {
  YAML::Node spec = Get(root, "spec");
  YAML::Node strategy = Get(spec, o->kind == "Deployment" ? "strategy" : "updateStrategy");
  o->strategy_type = Str(Get(strategy, "type"));
  o->strategy_line = strategy.IsDefined() ? Line(strategy) : Line(spec);
  YAML::Node surge = Get(Get(strategy, "rollingUpdate"), "maxSurge");
  if (IsScalar(surge)) {
    o->max_surge = surge.Scalar();
    o->strategy_line = Line(surge);
  } else if (o->kind == "Deployment" && (o->strategy_type.empty() || o->strategy_type == "RollingUpdate")) {
    o->max_surge = "25%";
    o->max_surge_defaulted = true;
  }
}

void ReadMetadata(const YAML::Node& meta, Object* o) {
  StringMap(Get(meta, "annotations"), &o->annotations);
  YAML::Node labels = Get(meta, "labels");
  if (!IsMap(labels)) return;
  for (const auto& kv : labels) {
    if (IsScalar(kv.first)) o->labels[kv.first.Scalar()] = {Str(kv.second), Line(kv.first)};
  }
}

// Counts nodes down from *budget and stops at zero. Aliases can make a small
// document describe an enormous (or cyclic) tree; rules compare ports and
// listeners pairwise, so a pod template is only normalised when its expanded
// size is sane.
bool WithinBudget(const YAML::Node& n, int* budget, int depth = 0) {
  if (--*budget < 0 || depth > kMaxPodTemplateDepth) return false;
  if (n.IsMap()) {
    for (const auto& kv : n) {
      if (!WithinBudget(kv.second, budget, depth + 1)) return false;
    }
  } else if (n.IsSequence()) {
    for (const YAML::Node& item : n) {
      if (!WithinBudget(item, budget, depth + 1)) return false;
    }
  }
  return true;
}

bool IsListenFlag(std::string_view name, const std::vector<std::string>& extra) {
  return std::find(kListenFlags.begin(), kListenFlags.end(), name) != kListenFlags.end() ||
         std::find(extra.begin(), extra.end(), name) != extra.end();
}

}  // namespace

bool ParseListenAddress(std::string_view value, std::string* host, int* port) {
  host->clear();
  *port = 0;
  if (value.empty()) return false;
  std::string_view port_part;
  if (value.front() == '[') {
    size_t close = value.find(']');
    if (close == std::string_view::npos) return false;
    *host = std::string(value.substr(1, close - 1));
    std::string_view rest = value.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    port_part = rest.substr(1);
  } else {
    size_t colon = value.find(':');
    if (colon == std::string_view::npos) {
      if (auto n = ParseInt<int>(value)) {
        port_part = value;
      } else {
        *host = std::string(value);
        return true;
      }
    } else if (value.find(':', colon + 1) != std::string_view::npos) {
      *host = std::string(value);  // a bare IPv6 address
      return true;
    } else {
      *host = std::string(value.substr(0, colon));
      port_part = value.substr(colon + 1);
    }
  }
  auto n = ParseInt<int>(port_part);
  if (!n || *n < 0 || *n > 65535) return false;
  *port = *n;
  return true;
}

bool ExpandVars(std::string_view in, const std::map<std::string, std::string>& env, std::string* out) {
  out->clear();
  bool resolved = true;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '$' || i + 1 == in.size()) {
      out->push_back(in[i]);
      continue;
    }
    if (in[i + 1] == '$') {
      out->push_back('$');
      ++i;
      continue;
    }
    size_t close = in[i + 1] == '(' ? in.find(')', i + 2) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out->push_back(in[i]);
      continue;
    }
    auto it = env.find(std::string(in.substr(i + 2, close - i - 2)));
    if (it == env.end()) {
      resolved = false;
      out->append(in.substr(i, close - i + 1));
    } else {
      out->append(it->second);
    }
    i = close;
  }
  return resolved;
}

std::vector<Listener> ParseListeners(const std::vector<Located>& argv, const std::map<std::string, std::string>& env,
                                     const std::vector<std::string>& extra_flags) {
  std::vector<Located> words;
  for (const Located& arg : argv) {
    std::string_view rest = arg.value;
    std::string_view word;
    bool any = false;
    while (NextField(&rest, &word)) {
      words.push_back({std::string(word), arg.line});
      any = true;
    }
    if (!any) words.push_back(arg);
  }
  std::vector<Listener> listeners;
  std::string bind_host;  // --bind-address given as a bare host applies to --port
  bool have_bind_host = false;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string_view w = words[i].value;
    if (w.size() < 2 || w[0] != '-') continue;
    w.remove_prefix(w[1] == '-' ? 2 : 1);
    std::string_view name = w, value;
    bool has_value = SplitOnce(w, '=', &name, &value);
    if (!IsListenFlag(name, extra_flags)) continue;
    if (!has_value) {
      if (i + 1 == words.size() || words[i + 1].value.empty() || words[i + 1].value[0] == '-') continue;
      value = words[++i].value;
    }
    std::string expanded;
    if (!ExpandVars(value, env, &expanded)) continue;
    Listener l;
    l.flag = std::string(name);
    l.line = words[i].line;
    if (!ParseListenAddress(expanded, &l.host, &l.port)) continue;
    if (l.port == 0) {
      if (name == "bind-address") {
        bind_host = l.host;
        have_bind_host = true;
      }
      continue;
    }
    listeners.push_back(std::move(l));
  }
  if (have_bind_host) {
    for (Listener& l : listeners) {
      if (l.flag == "port") l.host = bind_host;
    }
  }
  return listeners;
}

bool SurgeAboveZero(std::string_view max_surge) {
  if (!max_surge.empty() && max_surge.back() == '%') max_surge.remove_suffix(1);
  auto n = ParseInt<int64_t>(max_surge);
  return n && *n > 0;
}

Object Normalise(const Document& doc, const NormaliseOptions& options) {
  Object o;
  o.file = doc.file;
  const YAML::Node& root = doc.node;
  // The accessors above keep yaml-cpp from throwing; this is the boundary in
  // case a corner of its API still does.
  try {
    o.line = Line(root);
    o.kind = Str(Get(root, "kind"));
    o.api_version = Str(Get(root, "apiVersion"));
    YAML::Node meta = Get(root, "metadata");
    o.name = Str(Get(meta, "name"));
    std::string ns = Str(Get(meta, "namespace"));
    if (!ns.empty()) o.ns = ns;
    if (o.kind == "Namespace") o.ns = o.name;
    ReadMetadata(meta, &o);
    YAML::Node tmpl = PodTemplate(o.kind, root);
    YAML::Node spec = Get(tmpl, "spec");
    int budget = kMaxPodTemplateNodes;
    if (IsMap(spec) && !WithinBudget(tmpl, &budget)) {
      o.too_large = true;
    } else if (IsMap(spec)) {
      o.workload = true;
      if (o.kind != "Pod") StringMap(Get(Get(tmpl, "metadata"), "annotations"), &o.annotations);
      ReadPodSpec(spec, options, &o.pod);
      ReadStrategy(&o, root);
    }
  } catch (const std::exception&) {
    o.workload = false;
  }
  return o;
}

}  // namespace nodex::lint
