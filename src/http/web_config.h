// The web configuration file of --web.config.file, in node_exporter's format
// (Prometheus exporter-toolkit's web-config, docs/web-configuration.md):
//
//   tls_server_config:
//     cert_file: server.crt          # relative paths are relative to this file
//     key_file: server.key
//     client_auth_type: RequireAndVerifyClientCert
//     client_ca_file: ca.crt
//     min_version: TLS12
//   http_server_config:
//     headers:
//       X-Frame-Options: deny
//   basic_auth_users:
//     prometheus: $2y$10$...         # bcrypt
//   rate_limit:
//     interval: 100ms
//     burst: 10
//
// Parsing is pure: it checks keys, types, enumerations, header values and
// bcrypt hash syntax, and resolves paths, but reads no certificate; the
// server loads those (web_security.h). Like exporter-toolkit's strict YAML
// decoding, an unknown or repeated key is an error. Every error is one line,
// "FILE:LINE: what", naming the line of the offending key or value.
#ifndef NODEX_HTTP_WEB_CONFIG_H_
#define NODEX_HTTP_WEB_CONFIG_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace nodex::http {

// Go's crypto/tls ClientAuthType values, by exporter-toolkit's names.
enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,
  kRequireAnyClientCert,
  kVerifyClientCertIfGiven,
  kRequireAndVerifyClientCert,
};
std::string_view ClientAuthName(ClientAuth auth);
// The client must present a certificate (the handshake fails without one).
bool ClientCertRequired(ClientAuth auth);
// A presented certificate is verified against the client CA.
bool ClientCertVerified(ClientAuth auth);

enum class TlsVersion { kTls10 = 10, kTls11 = 11, kTls12 = 12, kTls13 = 13 };

// One TLS 1.0-1.2 cipher suite as GnuTLS names its parts.
struct CipherSuite {
  std::string_view go_name;  // "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
  std::string_view kx;       // GnuTLS priority names: "ECDHE-RSA"
  std::string_view cipher;   // "AES-128-GCM"
  std::string_view mac;      // "AEAD"
};

struct TlsServerConfig {
  // Absolute paths (relative ones are resolved against the config file's
  // directory); empty when not set.
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  // Inline PEM (exporter-toolkit's cert, key, client_ca); a *_file wins.
  std::string cert;
  std::string key;
  std::string client_ca;
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  // Empty: no SAN check. Otherwise the client certificate needs one DNS,
  // IP, e-mail or URI SAN equal to an entry.
  std::vector<std::string> client_allowed_sans;
  TlsVersion min_version = TlsVersion::kTls12;
  TlsVersion max_version = TlsVersion::kTls13;
  // TLS 1.0-1.2 suites the server accepts, in preference order. Empty in
  // the file means Go's default list (ECDHE only). TLS 1.3 suites named in
  // the file are accepted and, as in Go, do not restrict TLS 1.3.
  std::vector<CipherSuite> cipher_suites;
  // GnuTLS group names ("GROUP-X25519"), in preference order; empty: the
  // library's defaults.
  std::vector<std::string> curve_preferences;
  bool prefer_server_cipher_suites = true;

  // Lines (1-based) of keys, so that load errors can point at them; 0 when
  // the key is absent.
  int cert_line = 0;
  int key_line = 0;
  int client_ca_line = 0;
};

struct WebConfig {
  std::string file_name;
  // Whether tls_server_config sets any of the keys that turn TLS on (as
  // exporter-toolkit's TLSConfig.IsEnabled); false means plain HTTP.
  bool tls_enabled = false;
  TlsServerConfig tls;
  // http_server_config.http2 is accepted and has no effect: libmicrohttpd
  // speaks HTTP/1.1 only, and clients that offer h2 through ALPN fall back
  // to HTTP/1.1, which is all a scrape needs.
  bool http2 = true;
  // http_server_config.headers, sorted by name; blank values are dropped.
  std::vector<std::pair<std::string, std::string>> headers;
  // basic_auth_users: user -> bcrypt hash, sorted by user. Empty: no auth.
  std::vector<std::pair<std::string, std::string>> users;
  // rate_limit: one request per `interval`, bursts of `burst`; a zero
  // interval turns the limit off.
  std::chrono::nanoseconds rate_interval{0};
  int rate_burst = 0;
};

// Parses the YAML text of a web config file named `file_name` (used in
// errors and to resolve relative paths). An empty document is a valid
// config that changes nothing (plain HTTP, no auth).
StatusOr<WebConfig> ParseWebConfig(std::string_view yaml, std::string_view file_name);

// True for a bcrypt hash libxcrypt and Go's bcrypt both accept:
// "$2a$", "$2b$" or "$2y$", a two-digit cost 04-31, "$", and 53 characters
// of bcrypt's base64 alphabet (22 of salt, 31 of hash).
bool IsBcryptHash(std::string_view hash);

// The GnuTLS priority string for `tls`: versions, ciphers, MACs and key
// exchanges covering the configured suites, groups, server precedence.
// GnuTLS selects suites by their parts, so the string may allow more TLS 1.2
// combinations than configured; the server rejects those after the
// ServerHello (see AllowedSuite).
std::string GnutlsPriority(const TlsServerConfig& tls);

// Whether a TLS 1.0-1.2 handshake that negotiated these GnuTLS parts uses a
// configured suite.
bool AllowedSuite(const TlsServerConfig& tls, std::string_view kx, std::string_view cipher, std::string_view mac);

}  // namespace nodex::http

#endif  // NODEX_HTTP_WEB_CONFIG_H_
