// What --web.config.file does at run time (web_config.h is the file format):
// TLS through libmicrohttpd's GnuTLS, client certificates, basic auth, the
// rate limit and the extra response headers, and reloading all of it without
// a restart. server.cc only hands connections and requests over to this.
//
// Reloading follows exporter-toolkit, which re-reads the file on every
// request and the certificates on every handshake, with one bound: the
// config file and the certificate, key and CA files it names are stat()ed at
// most once per second (when a connection or request arrives), and re-read
// only when one of them changed (inode, size, mtime or ctime; a Kubernetes
// Secret volume swaps a symlink, which changes the inode). A reload that
// fails is logged once and the last good config stays in force; TLS cannot
// be switched on or off without a restart (the listening sockets would have
// to change protocol).
//
// TLS sessions: each new connection gets the credentials, priorities and
// client-certificate request mode of the config in force when it was
// accepted, and keeps them (refcounted) for its whole life, so rotating a
// certificate never pulls one out from under a live handshake. Client
// certificates are checked during the handshake, as Go's crypto/tls does:
// a missing, expired, unknown-CA or wrong-SAN certificate fails the
// handshake, so no HTTP request is ever read from such a client.
#ifndef NODEX_HTTP_WEB_SECURITY_H_
#define NODEX_HTTP_WEB_SECURITY_H_

#include <microhttpd.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "http/basic_auth.h"
#include "http/handler.h"
#include "http/web_config.h"

namespace nodex::http {

// A token bucket: `burst` requests at once, then one per `interval`, like
// golang.org/x/time/rate's Limiter(Every(interval), burst) that
// exporter-toolkit uses. Thread-safe.
class RateLimiter {
 public:
  RateLimiter(std::chrono::nanoseconds interval, int burst, std::chrono::steady_clock::time_point now);
  bool Allow(std::chrono::steady_clock::time_point now);

 private:
  std::mutex mu_;
  const double interval_ns_;
  const double burst_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

// Identity of a file's current contents for change detection.
struct FileStamp {
  std::string path;
  int err = 0;  // errno of stat(), 0 if it succeeded.
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
FileStamp StampFile(const std::string& path);

class WebSecurity {
 public:
  // Reads `path`, checks it and loads its certificates. Errors are one line,
  // "FILE:LINE: what". `log` must outlive the returned object.
  static StatusOr<std::unique_ptr<WebSecurity>> Load(const std::string& path, Logger* log);
  ~WebSecurity();
  WebSecurity(const WebSecurity&) = delete;
  WebSecurity& operator=(const WebSecurity&) = delete;

  bool tls() const { return tls_; }

  // Extra MHD_start_daemon flags (MHD_USE_TLS) and options, the latter for
  // MHD_OPTION_ARRAY, terminated by MHD_OPTION_END and valid while this
  // object lives.
  unsigned int DaemonFlags() const;
  const MHD_OptionItem* DaemonOptions() const { return options_.data(); }

  // Serves one complete request: applies the rate limit, the client
  // certificate rules and basic auth, calls `serve` if they all pass (else
  // answers 429, 403 or 401 itself), and adds the configured headers.
  Response Serve(MHD_Connection* connection, const std::function<Response()>& serve);

  // Re-reads the config if a file changed and the last check is at least a
  // second old (`now`: whatever its age). Called by Serve and for each new
  // TLS connection; public for tests.
  void MaybeReload(bool now = false);

  // The users and headers in force; for tests.
  std::vector<std::pair<std::string, std::string>> headers() const;
  BasicAuth& auth() { return auth_; }

 private:
  struct Snapshot;
  struct TlsState;
  struct Connection;
  friend struct WebSecurityCallbacks;

  WebSecurity(std::string path, Logger* log);
  // Reads the config and the files it names, stamping each into *stamps
  // (also when it fails).
  static StatusOr<std::shared_ptr<const Snapshot>> Read(const std::string& path, std::vector<FileStamp>* stamps);
  std::shared_ptr<const Snapshot> current() const;
  void Install(std::shared_ptr<const Snapshot> next);
  void ConnectionStarted(MHD_Connection* connection, void** socket_context);

  const std::string path_;
  Logger* const log_;
  bool tls_ = false;
  BasicAuth auth_;
  std::vector<MHD_OptionItem> options_;
  // The first config's PEM and priority string, for MHD's own credentials.
  std::string initial_priority_;
  std::string initial_cert_;
  std::string initial_key_;

  mutable std::mutex mu_;  // Guards snapshot_ and limiter_.
  std::shared_ptr<const Snapshot> snapshot_;
  std::shared_ptr<RateLimiter> limiter_;

  std::atomic<int64_t> last_check_ns_{0};
  std::mutex reload_mu_;  // One reload at a time; guards the two below.
  std::vector<FileStamp> failed_stamps_;
  std::string last_error_;
};

}  // namespace nodex::http

#endif  // NODEX_HTTP_WEB_SECURITY_H_
