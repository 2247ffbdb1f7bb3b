#include "http/web_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <set>

#include "base/parse.h"
#include "collectors/filesystem.h"

namespace nodex::http {
namespace {

// Go's tls.CipherSuites(): the only names exporter-toolkit accepts. The TLS
// 1.3 ones have empty parts: Go does not let them be configured, so naming
// them changes nothing.
constexpr std::array<CipherSuite, 17> kCipherSuites = {{
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "RSA", "AES-256-CBC", "SHA1"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "AES-128-GCM", "AEAD"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", "AES-256-GCM", "AEAD"},
    {"TLS_AES_128_GCM_SHA256", "", "", ""},
    {"TLS_AES_256_GCM_SHA384", "", "", ""},
    {"TLS_CHACHA20_POLY1305_SHA256", "", "", ""},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA", "AES-128-CBC", "SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA", "AES-256-CBC", "SHA1"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA", "AES-128-CBC", "SHA1"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA", "AES-256-CBC", "SHA1"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA", "AES-128-GCM", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA", "AES-256-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA", "AES-128-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA", "AES-256-GCM", "AEAD"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA", "CHACHA20-POLY1305", "AEAD"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA", "CHACHA20-POLY1305", "AEAD"},
}};

// Go's TLS 1.2 defaults since Go 1.22: ECDHE key exchange only.
constexpr std::array<std::string_view, 10> kDefaultSuites = {
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",       "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",       "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",          "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",          "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
};

struct NamedValue {
  std::string_view name;
  std::string_view value;
};

// exporter-toolkit's curve names -> GnuTLS groups.
constexpr std::array<NamedValue, 4> kCurves = {{
    {"CurveP256", "GROUP-SECP256R1"},
    {"CurveP384", "GROUP-SECP384R1"},
    {"CurveP521", "GROUP-SECP521R1"},
    {"X25519", "GROUP-X25519"},
}};

// The response headers exporter-toolkit lets a config set, with the values
// allowed where the header's values are an enumeration.
struct AllowedHeader {
  std::string_view name;
  std::array<std::string_view, 2> values;  // Empty: any value.
};
constexpr std::array<AllowedHeader, 5> kAllowedHeaders = {{
    {"Content-Security-Policy", {}},
    {"Strict-Transport-Security", {}},
    {"X-Content-Type-Options", {"nosniff", ""}},
    {"X-Frame-Options", {"deny", "sameorigin"}},
    {"X-XSS-Protection", {}},
}};

constexpr std::string_view kBcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// Builds "FILE:LINE: message" errors from nodes' positions.
class Errors {
 public:
  explicit Errors(std::string_view file) : file_(file) {}
  static int Line(const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    return mark.is_null() ? 1 : mark.line + 1;
  }
  Status At(int line, std::string_view message) const {
    return Status::Error(file_ + ":" + std::to_string(line) + ": " + std::string(message));
  }
  Status At(const YAML::Node& node, std::string_view message) const { return At(Line(node), message); }

 private:
  std::string file_;
};

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool IsAbsent(const YAML::Node& node) { return !node.IsDefined() || node.IsNull(); }

// A plain (unquoted) scalar: what Go's YAML decoder accepts as a bool or int.
bool IsPlainScalar(const YAML::Node& node) { return node.IsScalar() && node.Tag() == "?"; }

// The keys of a map with their value nodes, in file order; fails on a key
// that is not a scalar, is not in `known` or appears twice.
Status MapEntries(const YAML::Node& map, std::string_view what, std::initializer_list<std::string_view> known,
                  const Errors& errors, std::vector<std::pair<std::string, YAML::Node>>* out,
                  std::vector<int>* key_lines = nullptr) {
  if (!map.IsMap()) return errors.At(map, std::string(what) + " must be a map");
  std::set<std::string> seen;
  for (const auto& entry : map) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) return errors.At(key, std::string(what) + ": keys must be strings");
    const std::string& name = key.Scalar();
    if (known.size() > 0 && std::find(known.begin(), known.end(), name) == known.end()) {
      return errors.At(key, "unknown key " + Quote(name) + " in " + std::string(what));
    }
    if (!seen.insert(name).second) return errors.At(key, "key " + Quote(name) + " repeated in " + std::string(what));
    out->emplace_back(name, entry.second);
    if (key_lines != nullptr) key_lines->push_back(Errors::Line(key));
  }
  return Status::Ok();
}

Status GetString(const YAML::Node& node, std::string_view key, const Errors& errors, std::string* out) {
  if (IsAbsent(node)) return Status::Ok();
  if (!node.IsScalar()) return errors.At(node, std::string(key) + " must be a string");
  *out = node.Scalar();
  return Status::Ok();
}

Status GetBool(const YAML::Node& node, std::string_view key, const Errors& errors, bool* out) {
  if (IsAbsent(node)) return Status::Ok();
  bool value = false;
  if (!IsPlainScalar(node) || !YAML::convert<bool>::decode(node, value)) {
    return errors.At(node, std::string(key) + " must be true or false");
  }
  *out = value;
  return Status::Ok();
}

Status GetStringList(const YAML::Node& node, std::string_view key, const Errors& errors,
                     std::vector<std::pair<std::string, int>>* out) {
  if (IsAbsent(node)) return Status::Ok();
  if (!node.IsSequence()) return errors.At(node, std::string(key) + " must be a list of strings");
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return errors.At(item, std::string(key) + " must be a list of strings");
    out->emplace_back(item.Scalar(), Errors::Line(item));
  }
  return Status::Ok();
}

// exporter-toolkit joins relative paths to the config file's directory.
std::string ResolvePath(std::string_view file_name, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  std::filesystem::path dir = std::filesystem::path(std::string(file_name)).parent_path();
  if (dir.empty()) return path;
  return (dir / path).lexically_normal().string();
}

std::optional<ClientAuth> ParseClientAuth(std::string_view s) {
  if (s.empty() || s == "NoClientCert") return ClientAuth::kNoClientCert;
  if (s == "RequestClientCert") return ClientAuth::kRequestClientCert;
  // "RequireClientCert" is exporter-toolkit's old name, still accepted there.
  if (s == "RequireAnyClientCert" || s == "RequireClientCert") return ClientAuth::kRequireAnyClientCert;
  if (s == "VerifyClientCertIfGiven") return ClientAuth::kVerifyClientCertIfGiven;
  if (s == "RequireAndVerifyClientCert") return ClientAuth::kRequireAndVerifyClientCert;
  return std::nullopt;
}

std::optional<TlsVersion> ParseTlsVersion(std::string_view s) {
  if (s == "TLS10") return TlsVersion::kTls10;
  if (s == "TLS11") return TlsVersion::kTls11;
  if (s == "TLS12") return TlsVersion::kTls12;
  if (s == "TLS13") return TlsVersion::kTls13;
  return std::nullopt;
}

const CipherSuite* FindSuite(std::string_view go_name) {
  for (const CipherSuite& suite : kCipherSuites) {
    if (suite.go_name == go_name) return &suite;
  }
  return nullptr;
}

// `section` is the line of the "tls_server_config" key.
Status ParseTls(const YAML::Node& node, int section, const Errors& errors, std::string_view file_name,
                WebConfig* config) {
  if (IsAbsent(node)) return Status::Ok();
  std::vector<std::pair<std::string, YAML::Node>> entries;
  Status st = MapEntries(
      node, "tls_server_config",
      {"cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type", "client_ca_file", "cipher_suites",
       "curve_preferences", "min_version", "max_version", "prefer_server_cipher_suites", "client_allowed_sans"},
      errors, &entries);
  if (!st.ok()) return st;
  TlsServerConfig& tls = config->tls;
  std::string client_auth, min_version, max_version;
  int client_auth_line = section, sans_line = 0, version_line = section;
  bool has_sans = false;
  std::vector<std::pair<std::string, int>> suites, curves, sans;
  for (const auto& [key, value] : entries) {
    const int line = Errors::Line(value.IsNull() ? node : value);
    if (key == "cert") {
      st = GetString(value, key, errors, &tls.cert);
      tls.cert_line = line;
    } else if (key == "key") {
      st = GetString(value, key, errors, &tls.key);
      tls.key_line = tls.key_line == 0 ? line : tls.key_line;
    } else if (key == "client_ca") {
      st = GetString(value, key, errors, &tls.client_ca);
      tls.client_ca_line = tls.client_ca_line == 0 ? line : tls.client_ca_line;
    } else if (key == "cert_file") {
      st = GetString(value, key, errors, &tls.cert_file);
      tls.cert_line = line;
    } else if (key == "key_file") {
      st = GetString(value, key, errors, &tls.key_file);
      tls.key_line = line;
    } else if (key == "client_ca_file") {
      st = GetString(value, key, errors, &tls.client_ca_file);
      tls.client_ca_line = line;
    } else if (key == "client_auth_type") {
      st = GetString(value, key, errors, &client_auth);
      client_auth_line = line;
    } else if (key == "min_version") {
      st = GetString(value, key, errors, &min_version);
      if (st.ok() && !IsAbsent(value) && !ParseTlsVersion(min_version)) {
        st = errors.At(value, "unknown TLS version: " + min_version + " (want TLS10, TLS11, TLS12 or TLS13)");
      }
      version_line = line;
    } else if (key == "max_version") {
      st = GetString(value, key, errors, &max_version);
      if (st.ok() && !IsAbsent(value) && !ParseTlsVersion(max_version)) {
        st = errors.At(value, "unknown TLS version: " + max_version + " (want TLS10, TLS11, TLS12 or TLS13)");
      }
      version_line = line;
    } else if (key == "prefer_server_cipher_suites") {
      st = GetBool(value, key, errors, &tls.prefer_server_cipher_suites);
    } else if (key == "cipher_suites") {
      st = GetStringList(value, key, errors, &suites);
    } else if (key == "curve_preferences") {
      st = GetStringList(value, key, errors, &curves);
    } else if (key == "client_allowed_sans") {
      st = GetStringList(value, key, errors, &sans);
      has_sans = true;
      sans_line = line;
    }
    if (!st.ok()) return st;
  }
  // With a *_file set, the inline PEM is ignored, as in exporter-toolkit.
  tls.cert_file = ResolvePath(file_name, tls.cert_file);
  tls.key_file = ResolvePath(file_name, tls.key_file);
  tls.client_ca_file = ResolvePath(file_name, tls.client_ca_file);
  if (!min_version.empty()) tls.min_version = *ParseTlsVersion(min_version);
  if (!max_version.empty()) tls.max_version = *ParseTlsVersion(max_version);

  for (const auto& [name, line] : suites) {
    const CipherSuite* suite = FindSuite(name);
    if (suite == nullptr) return errors.At(line, "unknown cipher: " + name);
    if (!suite->kx.empty()) tls.cipher_suites.push_back(*suite);
  }
  if (suites.empty()) {
    for (std::string_view name : kDefaultSuites) tls.cipher_suites.push_back(*FindSuite(name));
  }
  for (const auto& [name, line] : curves) {
    auto it = std::find_if(kCurves.begin(), kCurves.end(), [&](const NamedValue& c) { return c.name == name; });
    if (it == kCurves.end()) return errors.At(line, "unknown curve: " + name);
    tls.curve_preferences.emplace_back(it->value);
  }
  for (auto& [san, line] : sans) tls.client_allowed_sans.push_back(std::move(san));

  config->tls_enabled = !tls.cert_file.empty() || !tls.cert.empty() || !tls.key_file.empty() || !tls.key.empty() ||
                        !tls.client_ca_file.empty() || !tls.client_ca.empty() || !client_auth.empty();
  if (!config->tls_enabled) return Status::Ok();

  if (tls.cert_file.empty() && tls.cert.empty()) return errors.At(section, "missing one of cert or cert_file");
  if (tls.key_file.empty() && tls.key.empty()) return errors.At(section, "missing one of key or key_file");
  std::optional<ClientAuth> auth = ParseClientAuth(client_auth);
  if (!auth) {
    return errors.At(client_auth_line,
                     "invalid client_auth_type: " + client_auth +
                         " (want NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or "
                         "RequireAndVerifyClientCert)");
  }
  tls.client_auth = *auth;
  const bool has_ca = !tls.client_ca_file.empty() || !tls.client_ca.empty();
  if (has_ca && tls.client_auth == ClientAuth::kNoClientCert) {
    return errors.At(tls.client_ca_line, "a client CA is configured but client_auth_type is NoClientCert");
  }
  if (!has_ca && ClientCertVerified(tls.client_auth)) {
    return errors.At(client_auth_line, "client_auth_type " + std::string(ClientAuthName(tls.client_auth)) +
                                           " needs client_ca_file (or client_ca) to verify client certificates with");
  }
  if (has_sans) {
    if (!ClientCertRequired(tls.client_auth)) {
      return errors.At(sans_line,
                       "client_allowed_sans requires client_auth_type RequireAnyClientCert or "
                       "RequireAndVerifyClientCert");
    }
    if (tls.client_allowed_sans.empty()) {
      return errors.At(sans_line, "client_allowed_sans is empty: no client certificate could match");
    }
  }
  if (tls.min_version > tls.max_version) {
    return errors.At(version_line, "min_version is above max_version: no TLS version is left");
  }
  return Status::Ok();
}

bool HasLineBreak(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos || s.find('\0') != std::string_view::npos;
}

Status ParseHttp(const YAML::Node& node, const Errors& errors, WebConfig* config) {
  if (IsAbsent(node)) return Status::Ok();
  std::vector<std::pair<std::string, YAML::Node>> entries;
  Status st = MapEntries(node, "http_server_config", {"http2", "headers"}, errors, &entries);
  if (!st.ok()) return st;
  for (const auto& [key, value] : entries) {
    if (key == "http2") {
      st = GetBool(value, key, errors, &config->http2);
      if (!st.ok()) return st;
      continue;
    }
    if (IsAbsent(value)) continue;
    std::vector<std::pair<std::string, YAML::Node>> headers;
    st = MapEntries(value, "headers", {}, errors, &headers);
    if (!st.ok()) return st;
    for (const auto& [name, header_value] : headers) {
      auto allowed = std::find_if(kAllowedHeaders.begin(), kAllowedHeaders.end(),
                                  [&](const AllowedHeader& h) { return h.name == name; });
      if (allowed == kAllowedHeaders.end()) {
        return errors.At(header_value.IsNull() ? value : header_value,
                         "HTTP header " + Quote(name) +
                             " can not be configured (allowed: Content-Security-Policy, Strict-Transport-Security, "
                             "X-Content-Type-Options, X-Frame-Options, X-XSS-Protection)");
      }
      std::string text;
      st = GetString(header_value, name, errors, &text);
      if (!st.ok()) return st;
      if (HasLineBreak(text)) return errors.At(header_value, "the value of " + name + " contains a line break");
      if (text.empty()) continue;  // "Unset if blank".
      if (!allowed->values[0].empty() &&
          std::find(allowed->values.begin(), allowed->values.end(), text) == allowed->values.end()) {
        std::string want = Quote(allowed->values[0]);
        if (!allowed->values[1].empty()) want += " or " + Quote(allowed->values[1]);
        return errors.At(header_value, "invalid value for " + name + ": " + Quote(text) + ", want " + want);
      }
      config->headers.emplace_back(name, std::move(text));
    }
  }
  std::sort(config->headers.begin(), config->headers.end());
  return Status::Ok();
}

Status ParseUsers(const YAML::Node& node, const Errors& errors, WebConfig* config) {
  if (IsAbsent(node)) return Status::Ok();
  std::vector<std::pair<std::string, YAML::Node>> entries;
  Status st = MapEntries(node, "basic_auth_users", {}, errors, &entries);
  if (!st.ok()) return st;
  for (const auto& [user, hash_node] : entries) {
    std::string hash;
    st = GetString(hash_node, user, errors, &hash);
    if (!st.ok()) return st;
    if (!IsBcryptHash(hash)) {
      // The value is a secret: say what is wrong, never echo it.
      return errors.At(hash_node.IsNull() ? node : hash_node,
                       "basic_auth_users: the password of " + Quote(user) +
                           " is not a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 60 characters; make one with "
                           "htpasswd -nBC 10 USER)");
    }
    config->users.emplace_back(user, std::move(hash));
  }
  std::sort(config->users.begin(), config->users.end());
  return Status::Ok();
}

Status ParseRateLimit(const YAML::Node& node, int section, const Errors& errors, WebConfig* config) {
  if (IsAbsent(node)) return Status::Ok();
  std::vector<std::pair<std::string, YAML::Node>> entries;
  Status st = MapEntries(node, "rate_limit", {"interval", "burst"}, errors, &entries);
  if (!st.ok()) return st;
  int burst_line = section;
  for (const auto& [key, value] : entries) {
    if (IsAbsent(value)) continue;
    if (key == "interval") {
      if (!value.IsScalar()) return errors.At(value, "interval must be a duration such as 100ms or 1s");
      StatusOr<std::chrono::nanoseconds> d = collectors::ParseGoDuration(value.Scalar());
      if (!d.ok()) return errors.At(value, "interval: " + d.status().message() + " (want e.g. 100ms or 1s)");
      config->rate_interval = *d;
    } else {
      std::optional<int> burst = IsPlainScalar(value) ? ParseInt<int>(value.Scalar()) : std::nullopt;
      if (!burst || *burst < 0) return errors.At(value, "burst must be a non-negative integer");
      config->rate_burst = *burst;
      burst_line = Errors::Line(value);
    }
  }
  if (config->rate_interval.count() > 0 && config->rate_burst < 1) {
    // Go's limiter would refuse every request; that is never what is meant.
    return errors.At(burst_line, "rate_limit: burst must be at least 1 when interval is set");
  }
  return Status::Ok();
}

}  // namespace

std::string_view ClientAuthName(ClientAuth auth) {
  switch (auth) {
    case ClientAuth::kNoClientCert: return "NoClientCert";
    case ClientAuth::kRequestClientCert: return "RequestClientCert";
    case ClientAuth::kRequireAnyClientCert: return "RequireAnyClientCert";
    case ClientAuth::kVerifyClientCertIfGiven: return "VerifyClientCertIfGiven";
    case ClientAuth::kRequireAndVerifyClientCert: return "RequireAndVerifyClientCert";
  }
  return "";
}

bool ClientCertRequired(ClientAuth auth) {
  return auth == ClientAuth::kRequireAnyClientCert || auth == ClientAuth::kRequireAndVerifyClientCert;
}

bool ClientCertVerified(ClientAuth auth) {
  return auth == ClientAuth::kVerifyClientCertIfGiven || auth == ClientAuth::kRequireAndVerifyClientCert;
}

bool IsBcryptHash(std::string_view hash) {
  if (hash.size() != 60 || hash.substr(0, 2) != "$2" || hash[3] != '$' || hash[6] != '$') return false;
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  std::optional<int> cost = ParseInt<int>(hash.substr(4, 2));
  if (!cost || *cost < 4 || *cost > 31) return false;
  return hash.substr(7).find_first_not_of(kBcryptAlphabet) == std::string_view::npos;
}

StatusOr<WebConfig> ParseWebConfig(std::string_view yaml, std::string_view file_name) {
  const Errors errors(file_name);
  WebConfig config;
  config.file_name = std::string(file_name);
  YAML::Node root;
  // yaml-cpp reports syntax errors only by throwing; they stop here.
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return errors.At(e.mark.is_null() ? 1 : e.mark.line + 1, "invalid YAML: " + e.msg);
  }
  if (IsAbsent(root)) return config;
  std::vector<std::pair<std::string, YAML::Node>> entries;
  std::vector<int> key_lines;
  Status st =
      MapEntries(root, "the web config", {"tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"},
                 errors, &entries, &key_lines);
  if (!st.ok()) return st;
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& [key, value] = entries[i];
    if (key == "tls_server_config") {
      st = ParseTls(value, key_lines[i], errors, file_name, &config);
    } else if (key == "http_server_config") {
      st = ParseHttp(value, errors, &config);
    } else if (key == "basic_auth_users") {
      st = ParseUsers(value, errors, &config);
    } else {
      st = ParseRateLimit(value, key_lines[i], errors, &config);
    }
    if (!st.ok()) return st;
  }
  return config;
}

std::string GnutlsPriority(const TlsServerConfig& tls) {
  std::string p = "NORMAL:-VERS-ALL";
  static constexpr std::array<std::pair<TlsVersion, std::string_view>, 4> kVersions = {{
      {TlsVersion::kTls10, "VERS-TLS1.0"},
      {TlsVersion::kTls11, "VERS-TLS1.1"},
      {TlsVersion::kTls12, "VERS-TLS1.2"},
      {TlsVersion::kTls13, "VERS-TLS1.3"},
  }};
  for (const auto& [version, name] : kVersions) {
    if (version >= tls.min_version && version <= tls.max_version) p += ":+" + std::string(name);
  }
  std::vector<std::string_view> kx, ciphers, macs;
  auto add = [](std::vector<std::string_view>* list, std::string_view name) {
    if (std::find(list->begin(), list->end(), name) == list->end()) list->push_back(name);
  };
  for (const CipherSuite& suite : tls.cipher_suites) {
    add(&kx, suite.kx);
    add(&ciphers, suite.cipher);
    add(&macs, suite.mac);
  }
  if (tls.max_version >= TlsVersion::kTls13) {
    // TLS 1.3 suites are not configurable (as in Go): keep its AEAD ciphers
    // and the ECDHE key exchange that GnuTLS ties TLS 1.3 to.
    for (std::string_view c : {"AES-128-GCM", "AES-256-GCM", "CHACHA20-POLY1305"}) add(&ciphers, c);
    add(&macs, "AEAD");
    add(&kx, "ECDHE-RSA");
    add(&kx, "ECDHE-ECDSA");
  }
  p += ":-CIPHER-ALL";
  for (std::string_view c : ciphers) p += ":+" + std::string(c);
  p += ":-MAC-ALL";
  for (std::string_view m : macs) p += ":+" + std::string(m);
  p += ":-KX-ALL";
  for (std::string_view k : kx) p += ":+" + std::string(k);
  if (!tls.curve_preferences.empty()) {
    p += ":-GROUP-ALL";
    for (const std::string& g : tls.curve_preferences) p += ":+" + g;
  }
  if (tls.prefer_server_cipher_suites) p += ":%SERVER_PRECEDENCE";
  return p;
}

bool AllowedSuite(const TlsServerConfig& tls, std::string_view kx, std::string_view cipher, std::string_view mac) {
  return std::any_of(tls.cipher_suites.begin(), tls.cipher_suites.end(),
                     [&](const CipherSuite& s) { return s.kx == kx && s.cipher == cipher && s.mac == mac; });
}

}  // namespace nodex::http
