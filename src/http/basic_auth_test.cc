#include "http/basic_auth.h"

#include <gtest/gtest.h>

#include <thread>

namespace nodex::http {
namespace {

// From htpasswd -nbB -C 4 USER PASSWORD (apache2-utils): real hashes, so
// that the check goes through libxcrypt exactly as in production.
constexpr char kPrometheusHash[] = "$2y$04$O/IQPkeMuwyBeI8k0gdJo.t96yJhoisfaanVMfj2qs/UqqC.POlLq";  // "secret"
constexpr char kAliceHash[] = "$2y$05$U8gZg.5zITk9/BFsUKSGiuy9hTxrIf3zta59gY/Ud1YXCUlgsb5G6";       // "pa:ss wörd"
constexpr char kBobHash[] = "$2y$04$rxcgbLo96DgN0A2g35d82OSnsuLJUgoV7Za/nSbmQgkM2mtFpA2XC";         // "hunter2"

TEST(ParseBasicAuthorizationTest, Forms) {
  std::string user, password;
  // base64("prometheus:secret")
  ASSERT_TRUE(ParseBasicAuthorization("Basic cHJvbWV0aGV1czpzZWNyZXQ=", &user, &password));
  EXPECT_EQ(user, "prometheus");
  EXPECT_EQ(password, "secret");
  ASSERT_TRUE(ParseBasicAuthorization("basic YTpiOmM=", &user, &password));  // "a:b:c": split at the first ':'.
  EXPECT_EQ(user, "a");
  EXPECT_EQ(password, "b:c");
  ASSERT_TRUE(ParseBasicAuthorization("Basic Og==", &user, &password));  // ":"
  EXPECT_EQ(user, "");
  EXPECT_EQ(password, "");
  EXPECT_FALSE(ParseBasicAuthorization("", &user, &password));
  EXPECT_FALSE(ParseBasicAuthorization("Basic ", &user, &password));
  EXPECT_FALSE(ParseBasicAuthorization("Bearer cHJvbWV0aGV1czpzZWNyZXQ=", &user, &password));
  EXPECT_FALSE(ParseBasicAuthorization("Basic cHJvbWV0aGV1cw==", &user, &password));  // No ':'.
  EXPECT_FALSE(ParseBasicAuthorization("Basic !!!!", &user, &password));
}

TEST(BasicAuthTest, DisabledWithoutUsers) {
  BasicAuth auth;
  EXPECT_FALSE(auth.enabled());
  EXPECT_FALSE(auth.Verify("prometheus", "secret"));
  auth.SetUsers({{"prometheus", kPrometheusHash}});
  EXPECT_TRUE(auth.enabled());
}

TEST(BasicAuthTest, VerifiesAgainstHtpasswdHashes) {
  BasicAuth auth;
  auth.SetUsers({{"alice", kAliceHash}, {"bob", kBobHash}, {"prometheus", kPrometheusHash}});
  EXPECT_TRUE(auth.Verify("prometheus", "secret"));
  EXPECT_TRUE(auth.Verify("alice", "pa:ss wörd"));
  EXPECT_TRUE(auth.Verify("bob", "hunter2"));
  EXPECT_FALSE(auth.Verify("prometheus", "Secret"));
  EXPECT_FALSE(auth.Verify("prometheus", ""));
  EXPECT_FALSE(auth.Verify("bob", "secret"));  // Another user's password.
  EXPECT_FALSE(auth.Verify("Prometheus", "secret"));
  EXPECT_FALSE(auth.Verify("nobody", "secret"));
  EXPECT_FALSE(auth.Verify("prometheus", std::string_view("secret\0x", 8)));
  EXPECT_TRUE(auth.CheckHeader("Basic cHJvbWV0aGV1czpzZWNyZXQ="));
  EXPECT_FALSE(auth.CheckHeader("Basic cHJvbWV0aGV1czpTZWNyZXQ="));  // "prometheus:Secret"
  EXPECT_FALSE(auth.CheckHeader("Digest cHJvbWV0aGV1czpzZWNyZXQ="));
}

TEST(BasicAuthTest, UnknownUsersCostABcryptToo) {
  BasicAuth auth;
  auth.SetUsers({{"prometheus", kPrometheusHash}});
  uint64_t before = auth.bcrypt_runs();
  EXPECT_FALSE(auth.Verify("nobody", "secret"));
  EXPECT_FALSE(auth.Verify("nobody", "secret"));
  EXPECT_EQ(auth.bcrypt_runs(), before + 2);  // Failures are never cached.
}

TEST(BasicAuthTest, SuccessesAreCachedUntilUsersChange) {
  BasicAuth auth;
  auth.SetUsers({{"prometheus", kPrometheusHash}});
  EXPECT_TRUE(auth.Verify("prometheus", "secret"));
  uint64_t after_first = auth.bcrypt_runs();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(auth.Verify("prometheus", "secret"));
  EXPECT_EQ(auth.bcrypt_runs(), after_first);
  // A wrong password is not answered from the cache.
  EXPECT_FALSE(auth.Verify("prometheus", "secret2"));
  EXPECT_EQ(auth.bcrypt_runs(), after_first + 1);

  // A new password for the user: the old one stops working at once.
  auth.SetUsers({{"prometheus", kBobHash}});
  EXPECT_FALSE(auth.Verify("prometheus", "secret"));
  EXPECT_TRUE(auth.Verify("prometheus", "hunter2"));
  auth.SetUsers({});
  EXPECT_FALSE(auth.Verify("prometheus", "hunter2"));
}

TEST(BasicAuthTest, CacheIsBounded) {
  // bcrypt truncates at 72 bytes: these distinct long passwords all match,
  // and each is a new cache entry, pushing the first one out.
  const std::string prefix(72, 'x');
  BasicAuth long_auth;
  std::string hash72 = crypt(prefix.c_str(), "$2b$04$abcdefghijklmnopqrstuu");
  long_auth.SetUsers({{"u", hash72}});
  ASSERT_TRUE(long_auth.Verify("u", prefix + "0"));
  uint64_t runs = long_auth.bcrypt_runs();
  for (size_t i = 1; i <= BasicAuth::kCacheSize; ++i) ASSERT_TRUE(long_auth.Verify("u", prefix + std::to_string(i)));
  EXPECT_EQ(long_auth.bcrypt_runs(), runs + BasicAuth::kCacheSize);
  ASSERT_TRUE(long_auth.Verify("u", prefix + "0"));  // Evicted: bcrypt again.
  EXPECT_EQ(long_auth.bcrypt_runs(), runs + BasicAuth::kCacheSize + 1);
}

TEST(BasicAuthTest, ParallelChecks) {
  BasicAuth auth;
  auth.SetUsers({{"bob", kBobHash}, {"prometheus", kPrometheusHash}});
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        if (!auth.Verify(t % 2 ? "bob" : "prometheus", t % 2 ? "hunter2" : "secret")) ++wrong;
        if (auth.Verify("bob", "nope")) ++wrong;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace nodex::http
