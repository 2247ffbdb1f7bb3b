// Fuzzes ParseWebConfig (--web.config.file) with arbitrary YAML. Any input
// must either parse or fail with one line "web.yml:LINE: ..." naming a line
// inside the input, never crash, hang or throw. A config that parses must
// hold together: users only with bcrypt hashes, only allowed headers, no
// line breaks in header values, a usable TLS version range and a GnuTLS
// priority string for it, and a rate limit with a burst.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/parse.h"
#include "http/web_config.h"

#define CHECK(cond)                \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)

namespace {

constexpr std::string_view kFile = "conf/web.yml";

size_t Lines(std::string_view s) {
  size_t n = 1;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  nodex::StatusOr<nodex::http::WebConfig> config = nodex::http::ParseWebConfig(input, kFile);
  if (!config.ok()) {
    const std::string& message = config.status().message();
    CHECK(message.rfind(std::string(kFile) + ":", 0) == 0);
    CHECK(message.find('\n') == std::string::npos);
    std::string_view rest = std::string_view(message).substr(kFile.size() + 1);
    size_t colon = rest.find(':');
    CHECK(colon != std::string_view::npos);
    std::optional<size_t> line = nodex::ParseInt<size_t>(rest.substr(0, colon));
    CHECK(line && *line >= 1 && *line <= Lines(input) + 1);
    return 0;
  }
  const nodex::http::WebConfig& c = *config;
  for (const auto& [user, hash] : c.users) CHECK(nodex::http::IsBcryptHash(hash));
  for (const auto& [name, value] : c.headers) {
    CHECK(name == "Content-Security-Policy" || name == "Strict-Transport-Security" ||
          name == "X-Content-Type-Options" || name == "X-Frame-Options" || name == "X-XSS-Protection");
    CHECK(!value.empty() && value.find_first_of("\r\n") == std::string::npos);
  }
  CHECK(c.rate_interval.count() >= 0);
  if (c.rate_interval.count() > 0) CHECK(c.rate_burst >= 1);
  if (c.tls_enabled) {
    CHECK(!c.tls.cert_file.empty() || !c.tls.cert.empty());
    CHECK(!c.tls.key_file.empty() || !c.tls.key.empty());
    CHECK(c.tls.min_version <= c.tls.max_version);
    CHECK(!c.tls.cipher_suites.empty());
    if (nodex::http::ClientCertVerified(c.tls.client_auth)) {
      CHECK(!c.tls.client_ca_file.empty() || !c.tls.client_ca.empty());
    }
    std::string priority = nodex::http::GnutlsPriority(c.tls);
    CHECK(priority.find("+VERS-TLS1.") != std::string::npos);
  }
  return 0;
}
