#include "http/web_security.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sys/stat.h>

#include <algorithm>
#include <utility>

#include "base/file_reader.h"

namespace nodex::http {
namespace {

using Clock = std::chrono::steady_clock;

// Nothing nodex reads as a web config or PEM file is legitimately larger.
constexpr size_t kMaxFileSize = 1u << 20;

constexpr std::chrono::seconds kReloadCheckInterval{1};

Response TextResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

std::string Where(const WebConfig& config, int line) {
  return config.file_name + ":" + std::to_string(line > 0 ? line : 1) + ": ";
}

Status ReadSmallFile(const std::string& path, std::string* out) {
  Status st = ReadFileOnce(path, out);
  if (!st.ok()) return st;
  if (out->size() > kMaxFileSize) return Status::Error(path + ": larger than 1 MiB");
  return Status::Ok();
}

gnutls_datum_t Datum(const std::string& s) {
  return gnutls_datum_t{reinterpret_cast<unsigned char*>(const_cast<char*>(s.data())),
                        static_cast<unsigned int>(s.size())};
}

// The SAN values of a certificate as Go's crypto/x509 lists them for
// exporter-toolkit's client_allowed_sans: DNS names, e-mail addresses, IP
// addresses in Go's text form, and URIs.
std::vector<std::string> SubjectAltNames(const gnutls_datum_t& der) {
  std::vector<std::string> names;
  gnutls_x509_crt_t crt;
  if (gnutls_x509_crt_init(&crt) < 0) return names;
  if (gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER) >= 0) {
    for (unsigned int i = 0; i < 1024; ++i) {
      char buf[1024];
      size_t size = sizeof(buf);
      int type = gnutls_x509_crt_get_subject_alt_name(crt, i, buf, &size, nullptr);
      if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) break;
      if (type < 0) continue;  // Too long or malformed: matches nothing.
      if (type == GNUTLS_SAN_DNSNAME || type == GNUTLS_SAN_RFC822NAME || type == GNUTLS_SAN_URI) {
        names.emplace_back(buf, size);
      } else if (type == GNUTLS_SAN_IPADDRESS && (size == 4 || size == 16)) {
        char text[INET6_ADDRSTRLEN];
        if (inet_ntop(size == 4 ? AF_INET : AF_INET6, buf, text, sizeof(text)) != nullptr) names.emplace_back(text);
      }
    }
  }
  gnutls_x509_crt_deinit(crt);
  return names;
}

}  // namespace

// --- RateLimiter -------------------------------------------------------------

RateLimiter::RateLimiter(std::chrono::nanoseconds interval, int burst, Clock::time_point now)
    : interval_ns_(static_cast<double>(interval.count())), burst_(burst), tokens_(burst), last_(now) {}

bool RateLimiter::Allow(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + static_cast<double>((now - last_).count()) / interval_ns_);
    last_ = now;
  }
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

FileStamp StampFile(const std::string& path) {
  FileStamp stamp;
  stamp.path = path;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    stamp.err = errno;
    return stamp;
  }
  stamp.dev = st.st_dev;
  stamp.ino = st.st_ino;
  stamp.size = st.st_size;
  stamp.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  stamp.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
  return stamp;
}

// --- One loaded version of the config ----------------------------------------

// GnuTLS objects built from one config: they live as long as the newest
// config or any connection that was accepted under them.
struct WebSecurity::TlsState {
  TlsServerConfig config;
  gnutls_certificate_credentials_t creds = nullptr;
  gnutls_priority_t priority = nullptr;
  std::string priority_text;
  std::string cert_pem;
  std::string key_pem;

  TlsState() = default;
  TlsState(const TlsState&) = delete;
  TlsState& operator=(const TlsState&) = delete;
  ~TlsState() {
    if (priority != nullptr) gnutls_priority_deinit(priority);
    if (creds != nullptr) gnutls_certificate_free_credentials(creds);
    gnutls_memset(key_pem.data(), 0, key_pem.size());
  }
};

struct WebSecurity::Snapshot {
  WebConfig config;
  std::shared_ptr<const TlsState> tls;  // Null without TLS.
  std::vector<FileStamp> stamps;        // Of every file read to build it.
};

// What a TLS connection keeps from the moment it was accepted.
struct WebSecurity::Connection {
  std::shared_ptr<const TlsState> tls;
};

// The C callbacks; a struct so that it can be WebSecurity's friend.
struct WebSecurityCallbacks {
  static void NotifyConnection(void* cls, MHD_Connection* connection, void** socket_context,
                               MHD_ConnectionNotificationCode code) {
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
      static_cast<WebSecurity*>(cls)->ConnectionStarted(connection, socket_context);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
      delete static_cast<WebSecurity::Connection*>(*socket_context);
      *socket_context = nullptr;
    }
  }

  // The TLS state a handshake runs under. MHD stores its connection as the
  // session's user pointer (ConnectionStarted makes sure), and the state in
  // the connection's socket context.
  static const WebSecurity::TlsState* StateOf(gnutls_session_t session) {
    auto* connection = static_cast<MHD_Connection*>(gnutls_session_get_ptr(session));
    if (connection == nullptr) return nullptr;
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (info == nullptr || info->socket_context == nullptr) return nullptr;
    return static_cast<WebSecurity::Connection*>(info->socket_context)->tls.get();
  }

  // Runs when the client's certificate arrives; a non-zero return fails the
  // handshake with a bad_certificate alert.
  static int VerifyClient(gnutls_session_t session) {
    const WebSecurity::TlsState* state = StateOf(session);
    if (state == nullptr) return GNUTLS_E_CERTIFICATE_ERROR;
    const TlsServerConfig& config = state->config;
    unsigned int count = 0;
    const gnutls_datum_t* chain = gnutls_certificate_get_peers(session, &count);
    if (chain == nullptr || count == 0) {
      return ClientCertRequired(config.client_auth) ? GNUTLS_E_CERTIFICATE_ERROR : 0;
    }
    if (ClientCertVerified(config.client_auth)) {
      // Chain to the client CA, validity period, and (as Go requires of a
      // client certificate) the TLS client key purpose if it names any.
      gnutls_typed_vdata_st purpose{};
      purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
      purpose.data = reinterpret_cast<unsigned char*>(const_cast<char*>(GNUTLS_KP_TLS_WWW_CLIENT));
      unsigned int status = 0;
      if (gnutls_certificate_verify_peers(session, &purpose, 1, &status) < 0 || status != 0) {
        return GNUTLS_E_CERTIFICATE_ERROR;
      }
    }
    if (!config.client_allowed_sans.empty()) {
      std::vector<std::string> names = SubjectAltNames(chain[0]);
      bool allowed = std::any_of(names.begin(), names.end(), [&](const std::string& name) {
        return std::find(config.client_allowed_sans.begin(), config.client_allowed_sans.end(), name) !=
               config.client_allowed_sans.end();
      });
      if (!allowed) return GNUTLS_E_CERTIFICATE_ERROR;
    }
    return 0;
  }

  // At the Finished messages of a TLS 1.0-1.2 handshake (the first point
  // where the negotiated cipher is in use and can be read): GnuTLS picks
  // suites by their parts, so refuse a combination the config did not list.
  static int CheckSuite(gnutls_session_t session, unsigned int, unsigned int, unsigned int, const gnutls_datum_t*) {
    if (gnutls_protocol_get_version(session) >= GNUTLS_TLS1_3) return 0;
    const WebSecurity::TlsState* state = StateOf(session);
    if (state == nullptr) return GNUTLS_E_UNWANTED_ALGORITHM;
    const char* kx = gnutls_kx_get_name(gnutls_kx_get(session));
    const char* cipher = gnutls_cipher_get_name(gnutls_cipher_get(session));
    const char* mac = gnutls_mac_get_name(gnutls_mac_get(session));
    if (kx == nullptr || cipher == nullptr || mac == nullptr) return GNUTLS_E_UNWANTED_ALGORITHM;
    return AllowedSuite(state->config, kx, cipher, mac) ? 0 : GNUTLS_E_UNWANTED_ALGORITHM;
  }
};

StatusOr<std::shared_ptr<const WebSecurity::Snapshot>> WebSecurity::Read(const std::string& path,
                                                                         std::vector<FileStamp>* stamps) {
  auto snapshot = std::make_shared<Snapshot>();
  // Each file is stamped before it is read: a change during the read shows
  // up at the next check.
  stamps->push_back(StampFile(path));
  std::string text;
  Status st = ReadSmallFile(path, &text);
  if (!st.ok()) return Status::Error(st.message());
  StatusOr<WebConfig> config = ParseWebConfig(text, path);
  if (!config.ok()) return config.status();
  snapshot->config = std::move(*config);
  const WebConfig& c = snapshot->config;
  if (!c.tls_enabled) {
    snapshot->stamps = *stamps;
    return std::shared_ptr<const Snapshot>(std::move(snapshot));
  }

  for (const std::string* file : {&c.tls.cert_file, &c.tls.key_file, &c.tls.client_ca_file}) {
    if (!file->empty()) stamps->push_back(StampFile(*file));
  }
  auto tls = std::make_shared<TlsState>();
  tls->config = c.tls;
  auto where = [&](int line) { return Where(c, line); };
  if (!c.tls.cert_file.empty()) {
    st = ReadSmallFile(c.tls.cert_file, &tls->cert_pem);
    if (!st.ok()) return Status::Error(where(c.tls.cert_line) + "cert_file: " + st.message());
  } else {
    tls->cert_pem = c.tls.cert;
  }
  if (!c.tls.key_file.empty()) {
    st = ReadSmallFile(c.tls.key_file, &tls->key_pem);
    if (!st.ok()) return Status::Error(where(c.tls.key_line) + "key_file: " + st.message());
  } else {
    tls->key_pem = c.tls.key;
  }
  int rc = gnutls_certificate_allocate_credentials(&tls->creds);
  if (rc < 0) return Status::Error(where(c.tls.cert_line) + gnutls_strerror(rc));
  gnutls_datum_t cert = Datum(tls->cert_pem), key = Datum(tls->key_pem);
  rc = gnutls_certificate_set_x509_key_mem2(tls->creds, &cert, &key, GNUTLS_X509_FMT_PEM, nullptr, 0);
  if (rc < 0) {
    return Status::Error(where(c.tls.cert_line) + "cannot load the certificate and key (" +
                         (c.tls.cert_file.empty() ? std::string("inline") : c.tls.cert_file) + ", " +
                         (c.tls.key_file.empty() ? std::string("inline") : c.tls.key_file) +
                         "): " + gnutls_strerror(rc));
  }
  if (!c.tls.client_ca_file.empty() || !c.tls.client_ca.empty()) {
    std::string ca = c.tls.client_ca;
    if (!c.tls.client_ca_file.empty()) {
      st = ReadSmallFile(c.tls.client_ca_file, &ca);
      if (!st.ok()) return Status::Error(where(c.tls.client_ca_line) + "client_ca_file: " + st.message());
    }
    gnutls_datum_t ca_datum = Datum(ca);
    rc = gnutls_certificate_set_x509_trust_mem(tls->creds, &ca_datum, GNUTLS_X509_FMT_PEM);
    if (rc <= 0) {
      return Status::Error(where(c.tls.client_ca_line) + "no CA certificate could be loaded from the client CA" +
                           (rc < 0 ? std::string(": ") + gnutls_strerror(rc) : std::string()));
    }
  }
  gnutls_certificate_set_verify_function(tls->creds, &WebSecurityCallbacks::VerifyClient);
  tls->priority_text = GnutlsPriority(c.tls);
  const char* error_at = nullptr;
  rc = gnutls_priority_init(&tls->priority, tls->priority_text.c_str(), &error_at);
  if (rc < 0) {
    return Status::Error(where(0) + "GnuTLS rejects the TLS settings (" + tls->priority_text + ") at \"" +
                         (error_at != nullptr ? error_at : "") + "\": " + gnutls_strerror(rc));
  }
  snapshot->tls = std::move(tls);
  snapshot->stamps = *stamps;
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

WebSecurity::WebSecurity(std::string path, Logger* log) : path_(std::move(path)), log_(log) {}

WebSecurity::~WebSecurity() = default;

StatusOr<std::unique_ptr<WebSecurity>> WebSecurity::Load(const std::string& path, Logger* log) {
  std::vector<FileStamp> stamps;
  StatusOr<std::shared_ptr<const Snapshot>> snapshot = Read(path, &stamps);
  if (!snapshot.ok()) return snapshot.status();
  std::unique_ptr<WebSecurity> security(new WebSecurity(path, log));
  const Snapshot& s = **snapshot;
  security->tls_ = s.config.tls_enabled;
  if (security->tls_) {
    security->initial_priority_ = s.tls->priority_text;
    security->initial_cert_ = s.tls->cert_pem;
    security->initial_key_ = s.tls->key_pem;
    // MHD needs credentials of its own to start; every connection then gets
    // those of the config in force (ConnectionStarted).
    security->options_.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, security->initial_cert_.data()});
    security->options_.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, security->initial_key_.data()});
    security->options_.push_back({MHD_OPTION_HTTPS_PRIORITIES, 0, security->initial_priority_.data()});
    security->options_.push_back({MHD_OPTION_NOTIFY_CONNECTION,
                                  reinterpret_cast<intptr_t>(&WebSecurityCallbacks::NotifyConnection), security.get()});
  }
  security->options_.push_back({MHD_OPTION_END, 0, nullptr});
  security->Install(*snapshot);
  security->last_check_ns_.store(Clock::now().time_since_epoch().count());
  const WebConfig& c = s.config;
  log->Info("Loaded the web config",
            {{"file", path},
             {"tls", security->tls_ ? "enabled" : "disabled"},
             {"client_auth", security->tls_ ? ClientAuthName(c.tls.client_auth) : "NoClientCert"},
             {"basic_auth_users", std::to_string(c.users.size())},
             {"rate_limit", c.rate_interval.count() > 0 ? "enabled" : "disabled"}});
  return security;
}

std::vector<std::pair<std::string, std::string>> WebSecurity::headers() const { return current()->config.headers; }

unsigned int WebSecurity::DaemonFlags() const { return tls_ ? MHD_USE_TLS : 0; }

std::shared_ptr<const WebSecurity::Snapshot> WebSecurity::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_;
}

void WebSecurity::Install(std::shared_ptr<const Snapshot> next) {
  std::shared_ptr<const Snapshot> previous = current();
  const WebConfig& c = next->config;
  if (previous == nullptr || previous->config.users != c.users) auth_.SetUsers(c.users);
  std::lock_guard<std::mutex> lock(mu_);
  const bool rate_changed = previous == nullptr || previous->config.rate_interval != c.rate_interval ||
                            previous->config.rate_burst != c.rate_burst;
  if (rate_changed) {
    limiter_ = c.rate_interval.count() > 0 ? std::make_shared<RateLimiter>(c.rate_interval, c.rate_burst, Clock::now())
                                           : nullptr;
  }
  snapshot_ = std::move(next);
}

void WebSecurity::MaybeReload(bool now) {
  const int64_t time = Clock::now().time_since_epoch().count();
  int64_t last = last_check_ns_.load(std::memory_order_relaxed);
  if (!now && time - last < std::chrono::nanoseconds(kReloadCheckInterval).count()) return;
  // One thread checks; the others go on with the config in force.
  if (!last_check_ns_.compare_exchange_strong(last, time) && !now) return;
  std::unique_lock<std::mutex> lock(reload_mu_, std::defer_lock);
  if (now) {
    lock.lock();
  } else if (!lock.try_lock()) {
    return;
  }

  // Nothing to do while every file the last attempt read is unchanged:
  // the config in force if that attempt succeeded, the broken one if not
  // (so a broken state is read and logged once, not every second).
  std::shared_ptr<const Snapshot> in_force = current();
  const std::vector<FileStamp>& read = failed_stamps_.empty() ? in_force->stamps : failed_stamps_;
  if (std::all_of(read.begin(), read.end(), [](const FileStamp& f) { return StampFile(f.path) == f; })) return;

  std::vector<FileStamp> stamps;
  StatusOr<std::shared_ptr<const Snapshot>> next = Read(path_, &stamps);
  Status problem = next.ok() ? Status::Ok() : next.status();
  if (next.ok() && (*next)->config.tls_enabled != tls_) {
    problem = Status::Error(path_ + ": TLS cannot be turned " + std::string(tls_ ? "off" : "on") +
                            " without restarting nodex");
  }
  if (!problem.ok()) {
    failed_stamps_ = std::move(stamps);
    if (problem.message() != last_error_) {
      log_->Error("Reloading the web config failed; the last good one stays in force", {{"err", problem.message()}});
      last_error_ = problem.message();
    }
    return;
  }
  failed_stamps_.clear();
  last_error_.clear();
  Install(*next);
  log_->Info("Reloaded the web config", {{"file", path_}});
}

void WebSecurity::ConnectionStarted(MHD_Connection* connection, void** socket_context) {
  MaybeReload();
  const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (info == nullptr || info->tls_session == nullptr) return;
  auto session = static_cast<gnutls_session_t>(info->tls_session);
  void* user = gnutls_session_get_ptr(session);
  if (user != nullptr && user != connection) {
    // Not the libmicrohttpd this was written against: without the link from
    // session to connection no client rule could be checked, so refuse.
    log_->Error("Unexpected TLS session pointer from libmicrohttpd; refusing the connection");
    return;
  }
  if (user == nullptr) gnutls_session_set_ptr(session, connection);
  std::shared_ptr<const Snapshot> snapshot = current();
  auto* state = new Connection{snapshot->tls};
  *socket_context = state;
  const TlsState& tls = *state->tls;
  gnutls_priority_set(session, tls.priority);
  gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, tls.creds);
  gnutls_certificate_request_t request = GNUTLS_CERT_IGNORE;
  if (tls.config.client_auth != ClientAuth::kNoClientCert) {
    request = ClientCertRequired(tls.config.client_auth) ? GNUTLS_CERT_REQUIRE : GNUTLS_CERT_REQUEST;
  }
  gnutls_certificate_server_set_request(session, request);
  gnutls_handshake_set_hook_function(session, GNUTLS_HANDSHAKE_FINISHED, GNUTLS_HOOK_POST,
                                     &WebSecurityCallbacks::CheckSuite);
}

Response WebSecurity::Serve(MHD_Connection* connection, const std::function<Response()>& serve) {
  MaybeReload();
  std::shared_ptr<const Snapshot> snapshot;
  std::shared_ptr<RateLimiter> limiter;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot = snapshot_;
    limiter = limiter_;
  }
  Response response;
  bool allowed = true;
  if (limiter != nullptr && !limiter->Allow(Clock::now())) {
    response = TextResponse(429, "Too Many Requests\n");
    allowed = false;
  }
  if (allowed && tls_) {
    // The handshake already enforced the client certificate rules; a
    // connection without its TLS state never went through them.
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (info == nullptr || info->socket_context == nullptr) {
      response = TextResponse(403, "Forbidden\n");
      allowed = false;
    }
  }
  if (allowed && auth_.enabled()) {
    const char* authorization = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (authorization == nullptr || !auth_.CheckHeader(authorization)) {
      response = TextResponse(401, "Unauthorized\n");
      response.headers.emplace_back("WWW-Authenticate", "Basic");
      allowed = false;
    }
  }
  if (allowed) response = serve();
  for (const auto& header : snapshot->config.headers) response.headers.push_back(header);
  return response;
}

}  // namespace nodex::http
