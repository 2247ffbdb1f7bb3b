#include "http/basic_auth.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include <algorithm>
#include <cstring>

#include "base/parse.h"

namespace nodex::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// The cost field of a hash that passed IsBcryptHash ("$2b$10$...").
int BcryptCost(std::string_view hash) { return ParseInt<int>(hash.substr(4, 2)).value_or(10); }

// Stands for the digest part of the dummy hash: crypt_r only reads the
// "$2b$NN$" + salt prefix of a hash, so these 31 characters are never
// produced and the dummy never matches.
constexpr std::string_view kDummyDigest = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

}  // namespace

bool ParseBasicAuthorization(std::string_view header, std::string* user, std::string* password) {
  constexpr std::string_view kScheme = "Basic ";
  if (header.size() < kScheme.size() || !EqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme)) return false;
  std::string_view encoded = header.substr(kScheme.size());
  if (encoded.empty()) return false;
  gnutls_datum_t in{reinterpret_cast<unsigned char*>(const_cast<char*>(encoded.data())),
                    static_cast<unsigned int>(encoded.size())};
  gnutls_datum_t out{nullptr, 0};
  if (encoded.size() > 4096 || gnutls_base64_decode2(&in, &out) < 0) return false;
  std::string_view decoded(reinterpret_cast<const char*>(out.data), out.size);
  size_t colon = decoded.find(':');
  bool ok = colon != std::string_view::npos;
  if (ok) {
    user->assign(decoded.substr(0, colon));
    password->assign(decoded.substr(colon + 1));
  }
  gnutls_memset(out.data, 0, out.size);
  gnutls_free(out.data);
  return ok;
}

BasicAuth::BasicAuth() : crypt_data_(std::make_unique<crypt_data>()) {
  if (gnutls_rnd(GNUTLS_RND_KEY, key_.data(), key_.size()) != 0) {
    // Without randomness the cache keys are merely unkeyed hashes; the cache
    // stays correct, so carry on.
    key_.fill(0);
  }
}

void BasicAuth::SetUsers(std::vector<std::pair<std::string, std::string>> users) {
  int cost = 4;
  for (const auto& [user, hash] : users) cost = std::max(cost, BcryptCost(hash));
  // A salt from libxcrypt itself, so that crypt_r accepts it and does the
  // full work; a hand-made one could be refused early, which is fast.
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  std::string dummy;
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, setting, sizeof(setting)) != nullptr) {
    dummy = std::string(setting) + std::string(kDummyDigest);
  }
  std::lock_guard<std::mutex> lock(mu_);
  users_ = std::move(users);
  dummy_hash_ = std::move(dummy);
  cache_.clear();
  cache_next_ = 0;
  ++generation_;
}

bool BasicAuth::enabled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !users_.empty();
}

BasicAuth::Digest BasicAuth::CacheKey(std::string_view user, std::string_view hash, std::string_view password) const {
  // Lengths first, so that no two different triples share an input.
  std::string input;
  input.reserve(user.size() + hash.size() + password.size() + 32);
  for (std::string_view part : {user, hash, password}) {
    input += std::to_string(part.size());
    input += ':';
    input += part;
  }
  Digest digest{};
  gnutls_hmac_fast(GNUTLS_MAC_SHA256, key_.data(), key_.size(), input.data(), input.size(), digest.data());
  gnutls_memset(input.data(), 0, input.size());
  return digest;
}

bool BasicAuth::Bcrypt(std::string_view password, const std::string& hash) {
  std::string pw(password);
  std::lock_guard<std::mutex> lock(bcrypt_mu_);
  bcrypt_runs_.fetch_add(1, std::memory_order_relaxed);
  const char* out = crypt_r(pw.c_str(), hash.c_str(), crypt_data_.get());
  gnutls_memset(pw.data(), 0, pw.size());
  // crypt_r returns a string starting with '*' (or NULL) when it fails.
  if (out == nullptr || out[0] == '*') return false;
  return std::strlen(out) == hash.size() && gnutls_memcmp(out, hash.data(), hash.size()) == 0;
}

bool BasicAuth::Verify(std::string_view user, std::string_view password) {
  std::string hash;
  bool known = false;
  Digest key{};
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (users_.empty()) return false;
    auto it = std::lower_bound(users_.begin(), users_.end(), user,
                               [](const auto& entry, std::string_view name) { return entry.first < name; });
    known = it != users_.end() && it->first == user;
    hash = known ? it->second : dummy_hash_;
    generation = generation_;
    if (known) {
      key = CacheKey(user, hash, password);
      bool hit = false;
      // Every entry is compared in full, so the time taken does not depend
      // on where (or whether) a match is.
      for (const Digest& entry : cache_) hit |= gnutls_memcmp(entry.data(), key.data(), key.size()) == 0;
      if (hit) return true;
    }
  }
  // A NUL would end the password early for crypt_r: "secret\0x" must not
  // pass as "secret". No bcrypt hash made by htpasswd contains one anyway.
  const bool has_nul = password.find('\0') != std::string_view::npos;
  const bool match = Bcrypt(has_nul ? std::string_view() : password, hash) && known && !has_nul;
  if (!match) return false;
  std::lock_guard<std::mutex> lock(mu_);
  if (generation != generation_) {
    // The users changed during bcrypt: the answer holds only if the user
    // still has the hash it was checked against.
    auto it = std::lower_bound(users_.begin(), users_.end(), user,
                               [](const auto& entry, std::string_view name) { return entry.first < name; });
    if (it == users_.end() || it->first != user || it->second != hash) return false;
    key = CacheKey(user, hash, password);
  }
  if (cache_.size() < kCacheSize) {
    cache_.push_back(key);
  } else {
    cache_[cache_next_] = key;
    cache_next_ = (cache_next_ + 1) % kCacheSize;
  }
  return true;
}

bool BasicAuth::CheckHeader(std::string_view authorization) {
  std::string user, password;
  if (!ParseBasicAuthorization(authorization, &user, &password)) return false;
  bool ok = Verify(user, password);
  gnutls_memset(password.data(), 0, password.size());
  return ok;
}

}  // namespace nodex::http
