// The HTTP server: binds every --web.listen-address and serves the Handler
// through libmicrohttpd. This file is only glue; request logic is in
// handler.h.
#ifndef NODEX_HTTP_SERVER_H_
#define NODEX_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "collectors/scraper.h"
#include "http/handler.h"

struct MHD_Daemon;

namespace nodex::http {

// Splits a listen address like Go's net.SplitHostPort: "host:port",
// ":port" (host empty: all addresses) or "[v6]:port". Fails with Go's
// wording, e.g. "missing port in address".
Status SplitHostPort(std::string_view address, std::string* host, std::string* port);

// Which listen address Start could not bind, and why, for callers that
// explain the failure (hostnet/port_conflict.h).
struct ListenError {
  std::string address;
  std::string host;   // Empty for ":port".
  uint16_t port = 0;  // 0 if the address never resolved.
  int err = 0;        // errno of the failing socket call; 0 for other failures.
};

class Server {
 public:
  // Binds every listen address itself (SO_REUSEADDR, CLOEXEC; ":port" is a
  // dual-stack socket) so that failures name the address, then starts one
  // libmicrohttpd daemon per socket. The error is one line, e.g.
  // "listen tcp 127.0.0.1:9100: bind: Address already in use"; with
  // `listen_error`, its parts are filled in too.
  // `scraper` and `log` must outlive the server.
  static StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options, collectors::Scraper* scraper,
                                                 Logger* log, ListenError* listen_error = nullptr);

  // Stops accepting connections, waits for in-flight requests to finish (at
  // most `grace`), then stops the daemons. Later calls do nothing.
  void Shutdown(std::chrono::milliseconds grace);
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port bound for each listen address, in order; useful with port 0.
  const std::vector<uint16_t>& ports() const { return ports_; }

 private:
  friend struct ServerCallbacks;
  Server(const ServerOptions& options, collectors::Scraper* scraper, Logger* log);
  void RequestStarted();
  void RequestFinished();
  void StopDaemons();
  // libmicrohttpd's messages, nearly all about one misbehaving client:
  // rate-limited, so that abuse cannot flood the log.
  void LogHttpError(std::string_view message);

  Handler handler_;
  Logger* log_;
  std::vector<MHD_Daemon*> daemons_;
  std::vector<uint16_t> ports_;
  bool shut_down_ = false;

  std::mutex mu_;
  std::condition_variable idle_;
  int requests_in_flight_ = 0;  // Guarded by mu_.

  std::mutex log_mu_;
  std::chrono::steady_clock::time_point next_error_log_;  // Guarded by log_mu_.
  uint64_t errors_not_logged_ = 0;                        // Guarded by log_mu_.
};

}  // namespace nodex::http

#endif  // NODEX_HTTP_SERVER_H_
