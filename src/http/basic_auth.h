// HTTP basic authentication against the bcrypt hashes of the web config's
// basic_auth_users, as exporter-toolkit does it:
//  - an unknown user costs the same bcrypt work as a known one (a fixed
//    dummy hash of the users' cost), so response times do not tell which
//    user names exist;
//  - bcrypt runs one at a time: it is meant to be slow, and many parallel
//    wrong passwords must not take every CPU of the node;
//  - successful checks are remembered, so a Prometheus scraping every few
//    seconds pays bcrypt once, not per scrape. The cache holds keyed hashes
//    (HMAC-SHA256 with a per-process random key) of user, stored hash and
//    password, never a password, is bounded, and is emptied when the users
//    change.
// Verification uses libxcrypt's crypt_r; comparisons of secrets are
// constant-time (gnutls_memcmp).
#ifndef NODEX_HTTP_BASIC_AUTH_H_
#define NODEX_HTTP_BASIC_AUTH_H_

#include <crypt.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nodex::http {

// Splits the value of an Authorization header of scheme "Basic" (any case)
// into user and password; false if it is not one (bad base64, no ':').
bool ParseBasicAuthorization(std::string_view header, std::string* user, std::string* password);

class BasicAuth {
 public:
  static constexpr size_t kCacheSize = 64;

  BasicAuth();
  BasicAuth(const BasicAuth&) = delete;
  BasicAuth& operator=(const BasicAuth&) = delete;

  // Replaces the users: name -> bcrypt hash (already checked with
  // IsBcryptHash). Forgets every remembered success.
  void SetUsers(std::vector<std::pair<std::string, std::string>> users);

  // False when there are no users: then nothing needs authentication.
  bool enabled() const;

  // Thread-safe. True if `user` exists and `password` matches its hash.
  bool Verify(std::string_view user, std::string_view password);

  // Thread-safe. Verify on the value of an Authorization header.
  bool CheckHeader(std::string_view authorization);

  // How many times bcrypt ran; lets tests see the cache and the dummy work.
  uint64_t bcrypt_runs() const { return bcrypt_runs_.load(std::memory_order_relaxed); }

 private:
  using Digest = std::array<unsigned char, 32>;
  Digest CacheKey(std::string_view user, std::string_view hash, std::string_view password) const;
  bool Bcrypt(std::string_view password, const std::string& hash);

  std::array<unsigned char, 32> key_{};  // HMAC key, random per process.

  mutable std::mutex mu_;  // Guards the users, the dummy hash and the cache.
  std::vector<std::pair<std::string, std::string>> users_;
  std::string dummy_hash_;
  std::vector<Digest> cache_;
  size_t cache_next_ = 0;  // Oldest entry, replaced next when full.
  uint64_t generation_ = 0;

  std::mutex bcrypt_mu_;  // One bcrypt at a time; guards crypt_data_.
  std::unique_ptr<crypt_data> crypt_data_;
  std::atomic<uint64_t> bcrypt_runs_{0};
};

}  // namespace nodex::http

#endif  // NODEX_HTTP_BASIC_AUTH_H_
