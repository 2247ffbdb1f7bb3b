#include "lint/model.h"

namespace nodex::lint {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kWarn: return "warn";
    case Severity::kError: return "error";
  }
  return "warn";
}

std::optional<Severity> ParseSeverity(std::string_view s) {
  if (s == "info") return Severity::kInfo;
  if (s == "warn" || s == "warning") return Severity::kWarn;
  if (s == "error") return Severity::kError;
  return std::nullopt;
}

bool IsAllAddresses(std::string_view host) {
  return host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]";
}

bool AddressesOverlap(std::string_view a, std::string_view b) {
  return IsAllAddresses(a) || IsAllAddresses(b) || a == b;
}

bool Listener::AllAddresses() const { return IsAllAddresses(host); }

bool Listener::Loopback() const {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

bool Security::NonRoot() const {
  if (run_as_user) return *run_as_user != 0;
  return run_as_non_root.value_or(false);
}

bool Container::Declares(int port, std::string_view protocol) const {
  for (const ContainerPort& p : ports) {
    if (p.container_port == port && p.protocol == protocol) return true;
  }
  return false;
}

const Volume* PodSpec::FindVolume(std::string_view name) const {
  for (const Volume& v : volumes) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

std::string Object::Ref() const { return kind == "Namespace" ? kind + "/" + name : kind + "/" + ns + "/" + name; }

bool Object::Ignores(std::string_view rule_id) const {
  return annotations.count("nodex.dev/ignore-" + std::string(rule_id)) > 0;
}

std::vector<HostPortClaim> HostPorts(const PodSpec& pod) {
  std::vector<HostPortClaim> claims;
  for (const Container& c : pod.containers) {
    if (!c.Running()) continue;
    for (const ContainerPort& p : c.ports) {
      if (p.host_port > 0) claims.push_back({&c, &p});
    }
  }
  return claims;
}

}  // namespace nodex::lint
