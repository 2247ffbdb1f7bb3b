#include "http/web_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace nodex::http {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

// htpasswd -nbB -C 4 prometheus secret
constexpr std::string_view kHash = "$2y$04$O/IQPkeMuwyBeI8k0gdJo.t96yJhoisfaanVMfj2qs/UqqC.POlLq";

std::string ErrorOf(std::string_view yaml, std::string_view file = "/etc/nodex/web.yml") {
  StatusOr<WebConfig> c = ParseWebConfig(yaml, file);
  EXPECT_FALSE(c.ok()) << yaml;
  return c.ok() ? "" : c.status().message();
}

TEST(ParseWebConfigTest, EmptyFileIsPlainHttp) {
  for (std::string_view text : {"", "\n", "# nothing\n", "---\n"}) {
    StatusOr<WebConfig> c = ParseWebConfig(text, "web.yml");
    ASSERT_TRUE(c.ok()) << c.status().message();
    EXPECT_FALSE(c->tls_enabled);
    EXPECT_TRUE(c->users.empty());
    EXPECT_EQ(c->rate_interval.count(), 0);
  }
}

TEST(ParseWebConfigTest, FullConfig) {
  const std::string yaml = R"(tls_server_config:
  cert_file: tls/server.crt
  key_file: /abs/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ../ca.crt
  client_allowed_sans: [prometheus.example, 10.0.0.1]
  min_version: TLS13
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]
  curve_preferences: [X25519, CurveP256]
  prefer_server_cipher_suites: false
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
    X-XSS-Protection: ""
basic_auth_users:
  zed: )" + std::string(kHash) +
                           R"(
  prometheus: ')" + std::string(kHash) +
                           R"('
rate_limit:
  interval: 1m30s
  burst: 5
)";
  StatusOr<WebConfig> c = ParseWebConfig(yaml, "/etc/nodex/web.yml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->tls_enabled);
  EXPECT_EQ(c->tls.cert_file, "/etc/nodex/tls/server.crt");
  EXPECT_EQ(c->tls.key_file, "/abs/server.key");
  EXPECT_EQ(c->tls.client_ca_file, "/etc/ca.crt");
  EXPECT_EQ(c->tls.cert_line, 2);
  EXPECT_EQ(c->tls.key_line, 3);
  EXPECT_EQ(c->tls.client_ca_line, 5);
  EXPECT_EQ(c->tls.client_auth, ClientAuth::kRequireAndVerifyClientCert);
  EXPECT_THAT(c->tls.client_allowed_sans, ElementsAre("prometheus.example", "10.0.0.1"));
  EXPECT_EQ(c->tls.min_version, TlsVersion::kTls13);
  ASSERT_EQ(c->tls.cipher_suites.size(), 1u);  // The TLS 1.3 name adds nothing, as in Go.
  EXPECT_EQ(c->tls.cipher_suites[0].go_name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_THAT(c->tls.curve_preferences, ElementsAre("GROUP-X25519", "GROUP-SECP256R1"));
  EXPECT_FALSE(c->tls.prefer_server_cipher_suites);
  EXPECT_FALSE(c->http2);
  // Sorted, and the blank one dropped.
  EXPECT_THAT(c->headers,
              ElementsAre(Pair("Strict-Transport-Security", "max-age=31536000"), Pair("X-Frame-Options", "deny")));
  EXPECT_THAT(c->users, ElementsAre(Pair("prometheus", std::string(kHash)), Pair("zed", std::string(kHash))));
  EXPECT_EQ(c->rate_interval, std::chrono::seconds(90));
  EXPECT_EQ(c->rate_burst, 5);
}

TEST(ParseWebConfigTest, RelativePathsFollowTheConfigFile) {
  StatusOr<WebConfig> c = ParseWebConfig("tls_server_config: {cert_file: a.crt, key_file: ./k/b.key}", "web.yml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->tls.cert_file, "a.crt");
  EXPECT_EQ(c->tls.key_file, "./k/b.key");
  c = ParseWebConfig("tls_server_config: {cert_file: a.crt, key_file: ./k/b.key}", "conf/web.yml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->tls.cert_file, "conf/a.crt");
  EXPECT_EQ(c->tls.key_file, "conf/k/b.key");
}

TEST(ParseWebConfigTest, Defaults) {
  StatusOr<WebConfig> c = ParseWebConfig("tls_server_config:\n  cert: PEM\n  key: PEM\n", "w.yml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->tls_enabled);
  EXPECT_EQ(c->tls.min_version, TlsVersion::kTls12);
  EXPECT_EQ(c->tls.max_version, TlsVersion::kTls13);
  EXPECT_EQ(c->tls.client_auth, ClientAuth::kNoClientCert);
  EXPECT_TRUE(c->tls.prefer_server_cipher_suites);
  EXPECT_TRUE(c->http2);
  EXPECT_EQ(c->tls.cipher_suites.size(), 10u);  // Go's ECDHE defaults.
  for (const CipherSuite& s : c->tls.cipher_suites) EXPECT_THAT(std::string(s.kx), StartsWith("ECDHE-"));
}

TEST(ParseWebConfigTest, TlsSectionWithoutTlsKeysIsPlainHttp) {
  StatusOr<WebConfig> c = ParseWebConfig("tls_server_config:\n  min_version: TLS13\n", "w.yml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->tls_enabled);
}

TEST(ParseWebConfigTest, AllClientAuthTypes) {
  struct Case {
    std::string_view name;
    ClientAuth want;
    bool needs_ca;
  };
  for (const Case& c :
       std::initializer_list<Case>{{"NoClientCert", ClientAuth::kNoClientCert, false},
                                   {"RequestClientCert", ClientAuth::kRequestClientCert, false},
                                   {"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert, false},
                                   {"RequireClientCert", ClientAuth::kRequireAnyClientCert, false},
                                   {"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven, true},
                                   {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert, true}}) {
    std::string base =
        "tls_server_config:\n  cert_file: c\n  key_file: k\n  client_auth_type: " + std::string(c.name) + "\n";
    StatusOr<WebConfig> without_ca = ParseWebConfig(base, "w.yml");
    EXPECT_EQ(without_ca.ok(), !c.needs_ca) << c.name;
    if (c.needs_ca) {
      EXPECT_EQ(without_ca.status().message(), "w.yml:4: client_auth_type " + std::string(ClientAuthName(c.want)) +
                                                   " needs client_ca_file (or client_ca) to verify client "
                                                   "certificates with");
    }
    StatusOr<WebConfig> with_ca = ParseWebConfig(base + "  client_ca_file: ca\n", "w.yml");
    if (c.want == ClientAuth::kNoClientCert) {
      EXPECT_FALSE(with_ca.ok());  // A CA without a policy, as exporter-toolkit refuses.
    } else {
      ASSERT_TRUE(with_ca.ok()) << c.name << ": " << with_ca.status().message();
      EXPECT_EQ(with_ca->tls.client_auth, c.want);
    }
  }
}

TEST(ParseWebConfigTest, ErrorsNameFileAndLine) {
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: a\n  key_fle: b\n"),
            "/etc/nodex/web.yml:3: unknown key \"key_fle\" in tls_server_config");
  EXPECT_EQ(ErrorOf("basic_auth_users:\n  alice: $2y$10$short\n"),
            "/etc/nodex/web.yml:2: basic_auth_users: the password of \"alice\" is not a bcrypt hash ($2a$, $2b$ or "
            "$2y$, cost 04-31, 60 characters; make one with htpasswd -nBC 10 USER)");
  EXPECT_EQ(ErrorOf("foo: 1\n"), "/etc/nodex/web.yml:1: unknown key \"foo\" in the web config");
  EXPECT_EQ(ErrorOf("rate_limit:\n  interval: 1\n  burst: 2\n"),
            "/etc/nodex/web.yml:2: interval: invalid duration \"1\" (want e.g. 100ms or 1s)");
  EXPECT_EQ(ErrorOf("rate_limit:\n  interval: 1s\n  burst: two\n"),
            "/etc/nodex/web.yml:3: burst must be a non-negative integer");
  EXPECT_EQ(ErrorOf("rate_limit:\n  interval: 1s\n"),
            "/etc/nodex/web.yml:1: rate_limit: burst must be at least 1 when interval is set");
  EXPECT_EQ(ErrorOf("http_server_config:\n  headers:\n    Server: nodex\n"),
            "/etc/nodex/web.yml:3: HTTP header \"Server\" can not be configured (allowed: Content-Security-Policy, "
            "Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection)");
  EXPECT_EQ(ErrorOf("http_server_config:\n  headers:\n    X-Frame-Options: allow\n"),
            "/etc/nodex/web.yml:3: invalid value for X-Frame-Options: \"allow\", want \"deny\" or \"sameorigin\"");
  EXPECT_EQ(ErrorOf("http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n"),
            "/etc/nodex/web.yml:3: invalid value for X-Content-Type-Options: \"sniff\", want \"nosniff\"");
  EXPECT_EQ(ErrorOf("http_server_config:\n  headers:\n    X-XSS-Protection: \"1\\r\\nSet-Cookie: a\"\n"),
            "/etc/nodex/web.yml:3: the value of X-XSS-Protection contains a line break");
  EXPECT_EQ(ErrorOf("http_server_config:\n  http2: \"yes\"\n"), "/etc/nodex/web.yml:2: http2 must be true or false");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: [a]\n"), "/etc/nodex/web.yml:2: cert_file must be a string");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: a\n"), "/etc/nodex/web.yml:1: missing one of key or key_file");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  key_file: a\n"), "/etc/nodex/web.yml:1: missing one of cert or cert_file");
  EXPECT_EQ(ErrorOf("tls_server_config: {cert_file: a, key_file: b, min_version: TLS14}\n"),
            "/etc/nodex/web.yml:1: unknown TLS version: TLS14 (want TLS10, TLS11, TLS12 or TLS13)");
  EXPECT_EQ(ErrorOf("tls_server_config: {cert_file: a, key_file: b, min_version: TLS13, max_version: TLS12}\n"),
            "/etc/nodex/web.yml:1: min_version is above max_version: no TLS version is left");
  EXPECT_EQ(
      ErrorOf("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites:\n    - TLS_RSA_WITH_RC4_128_SHA\n"),
      "/etc/nodex/web.yml:5: unknown cipher: TLS_RSA_WITH_RC4_128_SHA");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [P256]\n"),
            "/etc/nodex/web.yml:4: unknown curve: P256");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Maybe\n"),
            "/etc/nodex/web.yml:4: invalid client_auth_type: Maybe (want NoClientCert, RequestClientCert, "
            "RequireAnyClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert)");
  EXPECT_EQ(ErrorOf("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_allowed_sans: [x]\n"),
            "/etc/nodex/web.yml:4: client_allowed_sans requires client_auth_type RequireAnyClientCert or "
            "RequireAndVerifyClientCert");
  EXPECT_EQ(ErrorOf("basic_auth_users:\n  a: x\n  a: y\n"),
            "/etc/nodex/web.yml:3: key \"a\" repeated in basic_auth_users");
  EXPECT_EQ(ErrorOf("- a\n- b\n"), "/etc/nodex/web.yml:1: the web config must be a map");
  EXPECT_THAT(ErrorOf("tls_server_config: {cert_file: a\n"), StartsWith("/etc/nodex/web.yml:2: invalid YAML: "));
}

TEST(ParseWebConfigTest, ErrorsAreOneLine) {
  for (std::string_view yaml : {"a: [\n", "\"\n", "tls_server_config:\n  cert_file: |\n    x\n    y\n  k: 1\n"}) {
    EXPECT_EQ(ErrorOf(yaml).find('\n'), std::string::npos) << yaml;
  }
}

TEST(ParseWebConfigTest, SecretsStayOutOfErrors) {
  std::string message = ErrorOf("basic_auth_users:\n  alice: my-plain-password\n");
  EXPECT_THAT(message, Not(HasSubstr("my-plain-password")));
}

TEST(IsBcryptHashTest, Forms) {
  EXPECT_TRUE(IsBcryptHash(kHash));
  EXPECT_TRUE(IsBcryptHash("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"));
  EXPECT_TRUE(IsBcryptHash("$2b$31$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"));
  EXPECT_FALSE(IsBcryptHash(""));
  EXPECT_FALSE(IsBcryptHash("$2x$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"));  // Not accepted.
  EXPECT_FALSE(IsBcryptHash("$2a$03$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"));  // Cost too low.
  EXPECT_FALSE(IsBcryptHash("$2a$32$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"));
  EXPECT_FALSE(IsBcryptHash("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhW"));  // Short.
  EXPECT_FALSE(IsBcryptHash("$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhW!"));
  EXPECT_FALSE(IsBcryptHash("$1$abcdefgh$abcdefghijklmnopqrstuv"));  // MD5-crypt.
  EXPECT_FALSE(IsBcryptHash("{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="));
}

TEST(GnutlsPriorityTest, VersionsCiphersCurves) {
  TlsServerConfig tls;
  tls.min_version = TlsVersion::kTls12;
  tls.max_version = TlsVersion::kTls12;
  tls.cipher_suites = {{"TLS_RSA_WITH_AES_128_CBC_SHA", "RSA", "AES-128-CBC", "SHA1"}};
  tls.curve_preferences = {"GROUP-X25519"};
  EXPECT_EQ(GnutlsPriority(tls),
            "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1:-KX-ALL:+RSA:-GROUP-ALL:"
            "+GROUP-X25519:%SERVER_PRECEDENCE");
  tls.max_version = TlsVersion::kTls13;
  tls.prefer_server_cipher_suites = false;
  tls.curve_preferences.clear();
  EXPECT_EQ(GnutlsPriority(tls),
            "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-CBC:+AES-128-GCM:+AES-256-GCM:"
            "+CHACHA20-POLY1305:-MAC-ALL:+SHA1:+AEAD:-KX-ALL:+RSA:+ECDHE-RSA:+ECDHE-ECDSA");
}

TEST(AllowedSuiteTest, OnlyListedCombinations) {
  StatusOr<WebConfig> c = ParseWebConfig(
      "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "
      "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA]\n",
      "w.yml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(AllowedSuite(c->tls, "ECDHE-RSA", "AES-128-GCM", "AEAD"));
  EXPECT_TRUE(AllowedSuite(c->tls, "ECDHE-ECDSA", "AES-256-CBC", "SHA1"));
  // Parts of both, a suite that was not configured.
  EXPECT_FALSE(AllowedSuite(c->tls, "ECDHE-RSA", "AES-256-CBC", "SHA1"));
  EXPECT_FALSE(AllowedSuite(c->tls, "ECDHE-ECDSA", "AES-128-GCM", "AEAD"));
}

}  // namespace
}  // namespace nodex::http
