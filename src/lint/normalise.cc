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

// A missing key and a value of the wrong type read as absent: Get on
// anything but a map is undefined, and so is everything below it.
YamlNode Get(const YamlNode& node, std::string_view key) { return node[key]; }

bool IsMap(const YamlNode& n) { return n.IsMap(); }
bool IsSeq(const YamlNode& n) { return n.IsSequence(); }
bool IsScalar(const YamlNode& n) { return n.IsScalar(); }

int Line(const YamlNode& n) { return n.Line(); }

std::string Str(const YamlNode& n) { return std::string(n.Scalar()); }

std::optional<bool> Bool(const YamlNode& n) {
  if (!IsScalar(n)) return std::nullopt;
  std::string_view s = n.Scalar();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

std::optional<int64_t> Int(const YamlNode& n) {
  if (!IsScalar(n)) return std::nullopt;
  return ParseI64(n.Scalar());
}

int Port(const YamlNode& n) {
  auto v = Int(n);
  return v && *v > 0 && *v <= 65535 ? static_cast<int>(*v) : 0;
}

// Later duplicate keys win, as they did when this assigned from YAML::Node.
void StringMap(const YamlNode& n, std::map<std::string, std::string>* out) {
  for (const auto& [key, value] : n.Pairs()) {
    if (IsScalar(key) && IsScalar(value)) (*out)[std::string(key.Scalar())] = std::string(value.Scalar());
  }
}

void LocatedList(const YamlNode& n, std::vector<Located>* out) {
  for (const YamlNode& item : n.Items()) {
    if (IsScalar(item)) out->push_back({Str(item), Line(item)});
  }
}

void ReadSecurity(const YamlNode& sc, Security* s) {
  if (!IsMap(sc)) return;
  if (auto v = Bool(Get(sc, "runAsNonRoot"))) s->run_as_non_root = v;
  if (auto v = Int(Get(sc, "runAsUser"))) s->run_as_user = v;
  if (auto v = Bool(Get(sc, "readOnlyRootFilesystem"))) s->read_only_root_filesystem = v;
  if (auto v = Bool(Get(sc, "allowPrivilegeEscalation"))) s->allow_privilege_escalation = v;
  if (auto v = Bool(Get(sc, "privileged"))) s->privileged = *v;
  YamlNode caps = Get(sc, "capabilities");
  LocatedList(Get(caps, "add"), &s->cap_add);
  LocatedList(Get(caps, "drop"), &s->cap_drop);
}

void ReadProbes(const YamlNode& c, std::vector<Probe>* out) {
  static constexpr std::array<std::pair<const char*, const char*>, 3> kKinds = {
      {{"livenessProbe", "liveness"}, {"readinessProbe", "readiness"}, {"startupProbe", "startup"}}};
  static constexpr std::array<const char*, 3> kHandlers = {"httpGet", "tcpSocket", "grpc"};
  for (const auto& [key, kind] : kKinds) {
    YamlNode probe = Get(c, key);
    for (const char* handler : kHandlers) {
      YamlNode h = Get(probe, handler);
      YamlNode port = Get(h, "port");
      if (!IsScalar(port)) continue;
      Probe p;
      p.kind = kind;
      p.handler = handler;
      p.line = Line(port);
      if (auto n = ParseI64(port.Scalar())) {
        p.port = *n > 0 && *n <= 65535 ? static_cast<int>(*n) : 0;
      } else {
        p.port_name = Str(port);
      }
      p.has_host = !Str(Get(h, "host")).empty();
      out->push_back(std::move(p));
    }
  }
}

Container ReadContainer(const YamlNode& c, const PodSpec& pod, const Security& pod_security,
                        const NormaliseOptions& options) {
  Container out;
  out.name = Str(Get(c, "name"));
  out.line = Line(c);
  YamlNode ports = Get(c, "ports");
  if (IsSeq(ports)) {
    for (const YamlNode& p : ports.Items()) {
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
  YamlNode env_list = Get(c, "env");
  if (IsSeq(env_list)) {
    for (const YamlNode& e : env_list.Items()) {
      YamlNode value = Get(e, "value");
      if (IsScalar(value)) env[Str(Get(e, "name"))] = Str(value);
    }
  }
  std::vector<Located> argv;
  LocatedList(Get(c, "command"), &argv);
  LocatedList(Get(c, "args"), &argv);
  out.listeners = ParseListeners(argv, env, options.extra_listen_flags);
  ReadProbes(c, &out.probes);
  YamlNode mounts = Get(c, "volumeMounts");
  if (IsSeq(mounts)) {
    for (const YamlNode& m : mounts.Items()) {
      if (!IsMap(m)) continue;
      out.mounts.push_back({Str(Get(m, "name")), Bool(Get(m, "readOnly")).value_or(false), Line(m)});
    }
  }
  out.security = pod_security;
  ReadSecurity(Get(c, "securityContext"), &out.security);
  YamlNode resources = Get(c, "resources");
  out.has_resources_block = IsMap(resources);
  StringMap(Get(resources, "requests"), &out.requests);
  StringMap(Get(resources, "limits"), &out.limits);
  return out;
}

void ReadPodSpec(const YamlNode& spec, const NormaliseOptions& options, PodSpec* pod) {
  pod->line = Line(spec);
  YamlNode hn = Get(spec, "hostNetwork");
  pod->host_network = Bool(hn).value_or(false);
  pod->host_network_line = Line(hn);
  pod->host_pid = Bool(Get(spec, "hostPID")).value_or(false);
  pod->host_ipc = Bool(Get(spec, "hostIPC")).value_or(false);
  YamlNode hu = Get(spec, "hostUsers");
  pod->host_users = Bool(hu);
  pod->host_users_line = Line(hu);
  YamlNode dns = Get(spec, "dnsPolicy");
  pod->dns_policy = Str(dns);
  pod->dns_policy_line = Line(dns);
  YamlNode dns_config = Get(spec, "dnsConfig");
  pod->has_dns_config = IsMap(dns_config);
  pod->dns_config_line = Line(dns_config);
  YamlNode nameservers = Get(dns_config, "nameservers");
  if (IsSeq(nameservers)) pod->nameserver_count = static_cast<int>(nameservers.size());
  StringMap(Get(spec, "nodeSelector"), &pod->node_selector);

  YamlNode pod_sc = Get(spec, "securityContext");
  Security pod_security;
  if (auto v = Bool(Get(pod_sc, "runAsNonRoot"))) pod_security.run_as_non_root = v;
  if (auto v = Int(Get(pod_sc, "runAsUser"))) pod_security.run_as_user = v;
  YamlNode sysctls = Get(pod_sc, "sysctls");
  if (IsSeq(sysctls)) {
    for (const YamlNode& s : sysctls.Items()) {
      YamlNode name = Get(s, "name");
      if (IsScalar(name)) pod->sysctls.push_back({Str(name), Line(name)});
    }
  }
  YamlNode volumes = Get(spec, "volumes");
  if (IsSeq(volumes)) {
    for (const YamlNode& v : volumes.Items()) {
      if (!IsMap(v)) continue;
      YamlNode host_path = Get(v, "hostPath");
      pod->volumes.push_back({Str(Get(v, "name")), host_path.IsDefined(), Str(Get(host_path, "path")), Line(v)});
    }
  }
  for (const char* key : {"containers", "initContainers"}) {
    YamlNode list = Get(spec, key);
    if (!IsSeq(list)) continue;
    bool init = key[0] == 'i';
    for (const YamlNode& c : list.Items()) {
      if (!IsMap(c)) continue;
      Container container = ReadContainer(c, *pod, pod_security, options);
      container.init = init;
      container.sidecar = init && Str(Get(c, "restartPolicy")) == "Always";
      pod->containers.push_back(std::move(container));
    }
  }
}

// Where each kind keeps its pod template, and its update strategy.
YamlNode PodTemplate(const std::string& kind, const YamlNode& root) {
  YamlNode spec = Get(root, "spec");
  if (kind == "Pod") return root;
  if (kind == "CronJob") return Get(Get(Get(spec, "jobTemplate"), "spec"), "template");
  if (kind == "Deployment" || kind == "DaemonSet" || kind == "StatefulSet" || kind == "ReplicaSet" ||
      kind == "ReplicationController" || kind == "Job") {
    return Get(spec, "template");
  }
  return {};
}

void ReadStrategy(Object* o, const YamlNode& root) {
  YamlNode spec = Get(root, "spec");
  YamlNode strategy = Get(spec, o->kind == "Deployment" ? "strategy" : "updateStrategy");
  o->strategy_type = Str(Get(strategy, "type"));
  o->strategy_line = strategy.IsDefined() ? Line(strategy) : Line(spec);
  YamlNode surge = Get(Get(strategy, "rollingUpdate"), "maxSurge");
  if (IsScalar(surge)) {
    o->max_surge = Str(surge);
    o->strategy_line = Line(surge);
  } else if (o->kind == "Deployment" && (o->strategy_type.empty() || o->strategy_type == "RollingUpdate")) {
    o->max_surge = "25%";
    o->max_surge_defaulted = true;
  }
}

void ReadMetadata(const YamlNode& meta, Object* o) {
  StringMap(Get(meta, "annotations"), &o->annotations);
  YamlNode labels = Get(meta, "labels");
  if (!IsMap(labels)) return;
  for (const auto& [key, value] : labels.Pairs()) {
    if (IsScalar(key)) o->labels[Str(key)] = {Str(value), Line(key)};
  }
}

// Counts nodes down from *budget and stops at zero. Aliases can make a small
// document describe an enormous (or cyclic) tree; rules compare ports and
// listeners pairwise, so a pod template is only normalised when its expanded
// size is sane.
bool WithinBudget(const YamlNode& n, int* budget, int depth = 0) {
  if (--*budget < 0 || depth > kMaxPodTemplateDepth) return false;
  for (const auto& [key, value] : n.Pairs()) {
    if (!WithinBudget(value, budget, depth + 1)) return false;
  }
  for (const YamlNode& item : n.Items()) {
    if (!WithinBudget(item, budget, depth + 1)) return false;
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
  const YamlNode& root = doc.node;
  // Only std::bad_alloc can get here; it stops at this boundary.
  try {
    o.line = Line(root);
    o.kind = Str(Get(root, "kind"));
    o.api_version = Str(Get(root, "apiVersion"));
    YamlNode meta = Get(root, "metadata");
    o.name = Str(Get(meta, "name"));
    std::string ns = Str(Get(meta, "namespace"));
    if (!ns.empty()) o.ns = ns;
    if (o.kind == "Namespace") o.ns = o.name;
    ReadMetadata(meta, &o);
    YamlNode tmpl = PodTemplate(o.kind, root);
    YamlNode spec = Get(tmpl, "spec");
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
