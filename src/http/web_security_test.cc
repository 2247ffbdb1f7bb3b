#include "http/web_security.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace nodex::http {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;

// Certificates made once with openssl (P-256, valid for 100 years): a CA,
// a server certificate it signed for localhost and 127.0.0.1, its key, and
// a key that belongs to no certificate here.
const std::string kTestdata = std::filesystem::absolute("src/http/testdata/web").string();

constexpr char kPrometheusHash[] = "$2y$04$O/IQPkeMuwyBeI8k0gdJo.t96yJhoisfaanVMfj2qs/UqqC.POlLq";  // "secret"
constexpr char kBobHash[] = "$2y$04$rxcgbLo96DgN0A2g35d82OSnsuLJUgoV7Za/nSbmQgkM2mtFpA2XC";         // "hunter2"

class WebSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nodex-web-security-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    log_fd_ = open((dir_ + "/log").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    log_ = std::make_unique<Logger>(LogLevel::kInfo, LogFormat::kLogfmt, log_fd_);
  }
  void TearDown() override {
    log_.reset();
    close(log_fd_);
    std::filesystem::remove_all(dir_);
  }
  // Writes `text` to dir_/name through a rename, as config management does,
  // so that the inode changes even within one mtime tick.
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path + ".tmp") << text;
    std::filesystem::rename(path + ".tmp", path);
    return path;
  }
  std::string Log() const {
    std::ifstream in(dir_ + "/log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string dir_;
  int log_fd_ = -1;
  std::unique_ptr<Logger> log_;
};

TEST_F(WebSecurityTest, LoadsTls) {
  std::string path =
      Write("web.yml", "tls_server_config:\n  cert_file: " + kTestdata + "/server.crt\n  key_file: " + kTestdata +
                           "/server.key\n  client_auth_type: RequireAndVerifyClientCert\n"
                           "  client_ca_file: " +
                           kTestdata + "/ca.crt\n");
  auto security = WebSecurity::Load(path, log_.get());
  ASSERT_TRUE(security.ok()) << security.status().message();
  EXPECT_TRUE((*security)->tls());
  EXPECT_EQ((*security)->DaemonFlags(), static_cast<unsigned int>(MHD_USE_TLS));
  const MHD_OptionItem* options = (*security)->DaemonOptions();
  std::vector<MHD_OPTION> kinds;
  for (; options->option != MHD_OPTION_END; ++options) kinds.push_back(options->option);
  EXPECT_THAT(kinds, ElementsAre(MHD_OPTION_HTTPS_MEM_CERT, MHD_OPTION_HTTPS_MEM_KEY, MHD_OPTION_HTTPS_PRIORITIES,
                                 MHD_OPTION_NOTIFY_CONNECTION));
  EXPECT_THAT(Log(), HasSubstr("tls=enabled client_auth=RequireAndVerifyClientCert"));
}

TEST_F(WebSecurityTest, PlainHttpNeedsNoDaemonOptions) {
  auto security = WebSecurity::Load(
      Write("web.yml", "basic_auth_users:\n  prometheus: " + std::string(kPrometheusHash) + "\n"), log_.get());
  ASSERT_TRUE(security.ok()) << security.status().message();
  EXPECT_FALSE((*security)->tls());
  EXPECT_EQ((*security)->DaemonFlags(), 0u);
  EXPECT_EQ((*security)->DaemonOptions()->option, MHD_OPTION_END);
  EXPECT_TRUE((*security)->auth().Verify("prometheus", "secret"));
}

TEST_F(WebSecurityTest, LoadErrorsPointAtTheKey) {
  auto error = [&](const std::string& yaml) {
    auto security = WebSecurity::Load(Write("web.yml", yaml), log_.get());
    EXPECT_FALSE(security.ok());
    return security.ok() ? std::string() : security.status().message();
  };
  const std::string path = dir_ + "/web.yml";
  EXPECT_EQ(error("tls_server_config:\n  cert_file: missing.crt\n  key_file: " + kTestdata + "/server.key\n"),
            path + ":2: cert_file: open " + dir_ + "/missing.crt: No such file or directory");
  EXPECT_THAT(
      error("tls_server_config:\n  cert_file: " + kTestdata + "/server.crt\n  key_file: " + kTestdata + "/other.key\n"),
      StartsWith(path + ":2: cannot load the certificate and key ("));
  EXPECT_THAT(
      error("tls_server_config:\n  cert_file: " + kTestdata + "/server.crt\n  key_file: " + kTestdata + "/ca.crt\n"),
      StartsWith(path + ":2: cannot load the certificate and key ("));
  Write("empty.pem", "");
  EXPECT_THAT(error("tls_server_config:\n  cert_file: " + kTestdata + "/server.crt\n  key_file: " + kTestdata +
                    "/server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: empty.pem\n"),
              StartsWith(path + ":5: no CA certificate could be loaded from the client CA"));
  EXPECT_EQ(error("nope: 1\n"), path + ":1: unknown key \"nope\" in the web config");
  EXPECT_THAT(WebSecurity::Load(dir_ + "/absent.yml", log_.get()).status().message(),
              StartsWith("open " + dir_ + "/absent.yml: "));
}

TEST_F(WebSecurityTest, ReloadsUsersAndHeadersKeepingTheLastGoodConfig) {
  std::string path = Write("web.yml", "basic_auth_users:\n  prometheus: " + std::string(kPrometheusHash) + "\n");
  auto loaded = WebSecurity::Load(path, log_.get());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  WebSecurity& security = **loaded;
  EXPECT_TRUE(security.auth().Verify("prometheus", "secret"));

  // Unchanged file: nothing is re-read.
  security.MaybeReload(true);
  EXPECT_THAT(Log(), Not(HasSubstr("Reloaded")));

  Write("web.yml", "basic_auth_users:\n  bob: " + std::string(kBobHash) +
                       "\nhttp_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n");
  security.MaybeReload(true);
  EXPECT_THAT(Log(), HasSubstr("Reloaded the web config"));
  EXPECT_FALSE(security.auth().Verify("prometheus", "secret"));
  EXPECT_TRUE(security.auth().Verify("bob", "hunter2"));
  EXPECT_THAT(security.headers(), ElementsAre(Pair("X-Content-Type-Options", "nosniff")));

  // A broken file: logged once, the last good config stays.
  Write("web.yml", "basic_auth_users:\n  bob: plaintext\n");
  security.MaybeReload(true);
  security.MaybeReload(true);
  EXPECT_TRUE(security.auth().Verify("bob", "hunter2"));
  std::string log = Log();
  size_t first = log.find("Reloading the web config failed");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("Reloading the web config failed", first + 1), std::string::npos) << log;
  EXPECT_THAT(log, HasSubstr(path + ":2: basic_auth_users"));

  // Switching TLS on needs a restart.
  Write("web.yml",
        "tls_server_config:\n  cert_file: " + kTestdata + "/server.crt\n  key_file: " + kTestdata + "/server.key\n");
  security.MaybeReload(true);
  EXPECT_THAT(Log(), HasSubstr("TLS cannot be turned on without restarting nodex"));
  EXPECT_FALSE(security.tls());

  // Fixed again.
  Write("web.yml", "basic_auth_users:\n  prometheus: " + std::string(kPrometheusHash) + "\n");
  security.MaybeReload(true);
  EXPECT_TRUE(security.auth().Verify("prometheus", "secret"));
  EXPECT_TRUE(security.headers().empty());
}

TEST(RateLimiterTest, BurstThenOnePerInterval) {
  const Clock::time_point t0{};
  RateLimiter limiter(std::chrono::milliseconds(100), 3, t0);
  EXPECT_TRUE(limiter.Allow(t0));
  EXPECT_TRUE(limiter.Allow(t0));
  EXPECT_TRUE(limiter.Allow(t0));
  EXPECT_FALSE(limiter.Allow(t0));
  EXPECT_FALSE(limiter.Allow(t0 + std::chrono::milliseconds(99)));
  EXPECT_TRUE(limiter.Allow(t0 + std::chrono::milliseconds(100)));
  EXPECT_FALSE(limiter.Allow(t0 + std::chrono::milliseconds(150)));
  // A long pause refills the bucket, but only up to the burst.
  const Clock::time_point later = t0 + std::chrono::seconds(60);
  EXPECT_TRUE(limiter.Allow(later));
  EXPECT_TRUE(limiter.Allow(later));
  EXPECT_TRUE(limiter.Allow(later));
  EXPECT_FALSE(limiter.Allow(later));
  // A clock that goes backwards adds nothing.
  EXPECT_FALSE(limiter.Allow(t0));
}

TEST_F(WebSecurityTest, StampFileSeesReplacement) {
  std::string path = Write("f", "a");
  FileStamp before = StampFile(path);
  EXPECT_EQ(before.err, 0);
  EXPECT_EQ(StampFile(path), before);
  Write("f", "a");  // Same content and size, new inode.
  EXPECT_NE(StampFile(path), before);
  EXPECT_EQ(StampFile(dir_ + "/absent").err, ENOENT);
}

}  // namespace
}  // namespace nodex::http
