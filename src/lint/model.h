// The normalised pod model that every lint rule reads. normalise.cc fills it
// from YAML the way the API server would see the object (protocol TCP, hostIP
// 0.0.0.0, hostPort implied by hostNetwork, listeners read from flags), so a
// rule only compares fields and never walks YAML itself.
#ifndef NODEX_LINT_MODEL_H_
#define NODEX_LINT_MODEL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nodex::lint {

enum class Severity { kInfo = 0, kWarn = 1, kError = 2 };

std::string_view SeverityName(Severity s);
std::optional<Severity> ParseSeverity(std::string_view s);

// A string value together with the 1-based line of its YAML node.
struct Located {
  std::string value;
  int line = 0;
};

struct ContainerPort {
  std::string name;
  int container_port = 0;
  int host_port = 0;  // 0: no host port, after hostNetwork implied it.
  bool host_port_explicit = false;
  std::string protocol = "TCP";
  std::string host_ip = "0.0.0.0";
  int line = 0;
};

// An address a process will bind, read from a known listen flag.
struct Listener {
  std::string flag;  // without dashes
  std::string host;  // "" means every address
  int port = 0;
  int line = 0;

  bool AllAddresses() const;
  bool Loopback() const;
};

struct Probe {
  std::string kind;       // liveness, readiness, startup
  std::string handler;    // httpGet, tcpSocket, grpc
  std::string port_name;  // set when the probe names a port
  int port = 0;           // set when the probe uses a number
  bool has_host = false;
  int line = 0;
};

struct VolumeMount {
  std::string name;
  bool read_only = false;
  int line = 0;
};

// Effective security settings: container values override the pod's.
struct Security {
  std::optional<bool> run_as_non_root;
  std::optional<int64_t> run_as_user;
  std::optional<bool> read_only_root_filesystem;
  std::optional<bool> allow_privilege_escalation;
  bool privileged = false;
  std::vector<Located> cap_add;
  std::vector<Located> cap_drop;

  // True when the process is known not to run as uid 0.
  bool NonRoot() const;
};

struct Container {
  std::string name;
  bool init = false;     // any init container
  bool sidecar = false;  // init container with restartPolicy: Always
  int line = 0;
  std::vector<ContainerPort> ports;
  std::vector<Listener> listeners;
  std::vector<Probe> probes;
  std::vector<VolumeMount> mounts;
  Security security;
  std::map<std::string, std::string> requests;  // resource name -> quantity
  std::map<std::string, std::string> limits;
  bool has_resources_block = false;

  // Sidecars and regular containers run for the pod's lifetime and own ports;
  // plain init containers finish before them.
  bool Running() const { return !init || sidecar; }
  bool Declares(int port, std::string_view protocol = "TCP") const;
};

struct Volume {
  std::string name;
  bool host_path = false;
  std::string path;
  int line = 0;
};

struct PodSpec {
  bool host_network = false;
  bool host_pid = false;
  bool host_ipc = false;
  int host_network_line = 0;
  std::optional<bool> host_users;
  int host_users_line = 0;
  std::string dns_policy;  // empty when unset
  int dns_policy_line = 0;
  bool has_dns_config = false;
  int nameserver_count = 0;
  int dns_config_line = 0;
  std::vector<Located> sysctls;
  std::map<std::string, std::string> node_selector;
  std::vector<Container> containers;  // regular, then init containers
  std::vector<Volume> volumes;
  int line = 0;

  const Volume* FindVolume(std::string_view name) const;
};

struct Object {
  std::string kind;
  std::string api_version;
  std::string name;
  std::string ns = "default";
  std::string file;
  int line = 0;
  std::map<std::string, std::string> annotations;  // object and pod template
  std::map<std::string, Located> labels;

  bool workload = false;  // has a pod spec
  // The pod template expands (through YAML aliases) beyond what lint checks;
  // the object is reported as invalid input instead of being linted.
  bool too_large = false;
  PodSpec pod;
  // Update strategy: maxSurge as written ("" when absent), and where.
  std::string strategy_type;
  std::string max_surge;
  bool max_surge_defaulted = false;
  int strategy_line = 0;

  std::string Ref() const;  // Kind/namespace/name, Kind/name for a Namespace
  bool Ignores(std::string_view rule_id) const;
};

struct Finding {
  std::string rule;
  Severity severity = Severity::kWarn;
  std::string file;
  int line = 0;
  std::string kind;
  std::string ns;
  std::string name;
  std::optional<std::string> container;
  std::string message;
  std::string fix;
};

// One host port claim of a pod, after normalisation.
struct HostPortClaim {
  const Container* container;
  const ContainerPort* port;
};
std::vector<HostPortClaim> HostPorts(const PodSpec& pod);

// The scheduler's rule: an all-addresses IP overlaps every address, two
// specific addresses overlap only when equal.
bool AddressesOverlap(std::string_view a, std::string_view b);
bool IsAllAddresses(std::string_view host);

}  // namespace nodex::lint

#endif  // NODEX_LINT_MODEL_H_
