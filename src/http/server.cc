#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <utility>

#include "base/file_reader.h"
#include "http/web_security.h"

namespace nodex::http {
namespace {

// Scrapes are serialised by the handler, so more workers add no scrape
// throughput: with two, one can be inside a scrape while the other answers
// health probes and the landing page. Each worker costs a stack and its own
// malloc cache: 4 workers held ~30 KiB more RSS than 2.
constexpr unsigned int kThreadPoolSize = 2;
// Under abuse, one warning per interval stands for all of MHD's messages.
constexpr std::chrono::seconds kErrorLogInterval{60};

// Marks, in MHD's per-request pointer, a request counted as in flight,
// before and after its answer was queued.
char kCounted;
char kAnswered;

bool AnnouncesBody(MHD_Connection* connection) {
  const char* length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  return (length != nullptr && std::string_view(length) != "0") ||
         MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) != nullptr;
}

std::string Errno(std::string_view what, int err) { return std::string(what) + ": " + strerror(err); }

// Creates, binds and listens on one socket for `ai`. On failure returns -1,
// sets *error to "<step>: <reason>" and *err to the errno.
int BindOne(const addrinfo& ai, std::string* error, int* err) {
  auto fail = [&](std::string_view step) {
    *err = errno;
    *error = Errno(step, *err);
    return -1;
  };
  int fd = socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai.ai_protocol);
  if (fd < 0) return fail("socket");
  UniqueFd owned(fd);
  int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0) return fail("setsockopt");
  if (ai.ai_family == AF_INET6) {
    // "::" must also accept IPv4, as Go's dual-stack listener does; for a
    // specific v6 address the option is harmless.
    int off = 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
  }
  if (bind(fd, ai.ai_addr, ai.ai_addrlen) != 0) return fail("bind");
  if (listen(fd, SOMAXCONN) != 0) return fail("listen");
  return owned.release();
}

// Resolves and binds one listen address; see Server::Start for the error form.
StatusOr<int> Listen(const std::string& address, ListenError* failure) {
  const std::string prefix = "listen tcp " + address + ": ";
  std::string host, port;
  failure->address = address;
  Status split = SplitHostPort(address, &host, &port);
  if (!split.ok()) return Status::Error(prefix + split.message());
  failure->host = host;

  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  int rc;
  if (host.empty()) {
    hints.ai_family = AF_INET6;
    hints.ai_flags |= AI_NUMERICHOST;
    rc = getaddrinfo("::", port.c_str(), &hints, &found);
  } else {
    hints.ai_family = AF_UNSPEC;
    rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
  }
  if (rc != 0) {
    return Status::Error(prefix + "lookup " + (host.empty() ? port : host) + ": " +
                         (rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc)));
  }
  std::vector<const addrinfo*> candidates;
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) candidates.push_back(ai);
  // Go listens on the first IPv4 address of a name that has both.
  std::stable_sort(candidates.begin(), candidates.end(), [](const addrinfo* a, const addrinfo* b) {
    return a->ai_family == AF_INET && b->ai_family != AF_INET;
  });
  if (!candidates.empty()) {
    const sockaddr* sa = candidates.front()->ai_addr;
    failure->port = ntohs(sa->sa_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port
                                                    : reinterpret_cast<const sockaddr_in*>(sa)->sin_port);
  }

  std::string first_error;
  int first_errno = 0;
  int fd = -1;
  for (const addrinfo* ai : candidates) {
    std::string error;
    int err = 0;
    fd = BindOne(*ai, &error, &err);
    if (fd >= 0) break;
    if (first_error.empty()) {
      first_error = error;
      first_errno = err;
    }
  }
  freeaddrinfo(found);
  // On a host without IPv6, ":port" falls back to IPv4 only.
  if (fd < 0 && host.empty() && first_errno == EAFNOSUPPORT) {
    addrinfo v4hints = hints;
    v4hints.ai_family = AF_INET;
    if (getaddrinfo("0.0.0.0", port.c_str(), &v4hints, &found) == 0) {
      fd = BindOne(*found, &first_error, &first_errno);
      freeaddrinfo(found);
    }
  }
  if (fd < 0) {
    failure->err = first_errno;
    return Status::Error(prefix + (first_error.empty() ? "no addresses" : first_error));
  }
  return fd;
}

uint16_t BoundPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return 0;
}

MHD_Result CollectQueryArgument(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* query = static_cast<std::vector<std::pair<std::string, std::string>>*>(cls);
  query->emplace_back(key != nullptr ? key : "", value != nullptr ? value : "");
  return MHD_YES;
}

void FreeBody(void* cls) { delete static_cast<std::string*>(cls); }

}  // namespace

// The C callbacks; a struct so that it can be Server's friend.
struct ServerCallbacks {
  static MHD_Result Access(void* cls, MHD_Connection* connection, const char* url, const char* method,
                           const char* version, const char* upload_data, size_t* upload_data_size, void** req_cls) {
    auto* server = static_cast<Server*>(cls);
    if (*req_cls == nullptr) {
      *req_cls = &kCounted;
      server->RequestStarted();
      // nodex takes no request body. Without one, answer on the next call,
      // which keeps the connection alive. With one, answer now: waiting for
      // it would let a client that announces a huge Content-Length hold the
      // connection; MHD closes it after the answer instead of reading on.
      if (!AnnouncesBody(connection)) return MHD_YES;
    } else if (*req_cls == &kAnswered || *upload_data_size != 0) {
      *upload_data_size = 0;
      return MHD_YES;
    }
    *req_cls = &kAnswered;

    Request request;
    request.method = method;
    request.path = url;
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectQueryArgument, &request.query);
    const char* accept = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    if (accept != nullptr) request.accept_encoding = accept;

    // With --web.config.file, the rate limit and auth come first.
    WebSecurity* security = server->handler_.options().web_security;
    Response response = security == nullptr ? server->handler_.Serve(request) : security->Serve(connection, [&] {
      return server->handler_.Serve(request);
    });

    // The body moves into MHD, which frees it after sending: no copy.
    auto* body = new std::string(std::move(response.body));
    MHD_Response* mhd =
        MHD_create_response_from_buffer_with_free_callback_cls(body->size(), body->data(), &FreeBody, body);
    if (mhd == nullptr) {
      delete body;
      return MHD_NO;
    }
    MHD_add_response_header(mhd, MHD_HTTP_HEADER_CONTENT_TYPE, response.content_type.c_str());
    for (const auto& [name, value] : response.headers) MHD_add_response_header(mhd, name.c_str(), value.c_str());
    MHD_Result result = MHD_queue_response(connection, static_cast<unsigned int>(response.status), mhd);
    MHD_destroy_response(mhd);
    return result;
  }

  static void Log(void* cls, const char* format, va_list args) {
    char buf[512];
    int n = vsnprintf(buf, sizeof(buf), format, args);
    if (n < 0) return;
    std::string_view msg(buf, std::min(static_cast<size_t>(n), sizeof(buf) - 1));
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.remove_suffix(1);
    static_cast<Server*>(cls)->LogHttpError(msg);
  }

  static void Completed(void* cls, MHD_Connection*, void** req_cls, MHD_RequestTerminationCode) {
    if (*req_cls != &kCounted && *req_cls != &kAnswered) return;
    *req_cls = nullptr;
    static_cast<Server*>(cls)->RequestFinished();
  }
};

Status SplitHostPort(std::string_view address, std::string* host, std::string* port) {
  auto fail = [&](std::string_view why) {
    return Status::Error("address " + std::string(address) + ": " + std::string(why));
  };
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return fail("missing port in address");
  std::string_view h;
  if (!address.empty() && address.front() == '[') {
    size_t end = address.find(']');
    if (end == std::string_view::npos) return fail("missing ']' in address");
    if (end + 1 != colon) {
      return fail(end + 1 == address.size() ? "missing port in address" : "too many colons in address");
    }
    h = address.substr(1, end - 1);
    if (h.find_first_of("[]") != std::string_view::npos) return fail("unexpected '[' in address");
  } else {
    h = address.substr(0, colon);
    if (h.find(':') != std::string_view::npos) return fail("too many colons in address");
    if (h.find_first_of("[]") != std::string_view::npos) return fail("unexpected '[' in address");
  }
  std::string_view p = address.substr(colon + 1);
  if (p.find_first_of("[]") != std::string_view::npos) return fail("unexpected ']' in address");
  if (p.empty()) return fail("missing port in address");
  host->assign(h);
  port->assign(p);
  return Status::Ok();
}

Server::Server(const ServerOptions& options, collectors::Scraper* scraper, Logger* log)
    : handler_(options, scraper, log), log_(log) {}

StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, collectors::Scraper* scraper,
                                                Logger* log, ListenError* listen_error) {
  ListenError unused;
  if (listen_error == nullptr) listen_error = &unused;
  if (options.listen_addresses.empty()) return Status::Error("no listen address given");
  std::unique_ptr<Server> server(new Server(options, scraper, log));

  // Bind everything first: a bad second address must not leave the first
  // one serving.
  std::vector<UniqueFd> fds;
  for (const std::string& address : options.listen_addresses) {
    StatusOr<int> fd = Listen(address, listen_error);
    if (!fd.ok()) return fd.status();
    fds.emplace_back(*fd);
    server->ports_.push_back(BoundPort(*fd));
  }

  const ServerLimits& limits = options.limits;
  static const MHD_OptionItem kNoOptions[] = {{MHD_OPTION_END, 0, nullptr}};
  const MHD_OptionItem* security_options =
      options.web_security != nullptr ? options.web_security->DaemonOptions() : kNoOptions;
  // MHD_USE_TLS with a web config that has TLS.
  const unsigned int security_flags = options.web_security != nullptr ? options.web_security->DaemonFlags() : 0;
  const unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | security_flags;
  for (size_t i = 0; i < fds.size(); ++i) {
    // epoll, not select(): select() cannot watch sockets numbered
    // FD_SETSIZE (1024) and up. MHD splits the connection limits among the
    // pool's threads; the per-IP count is shared by them.
    MHD_Daemon* daemon = MHD_start_daemon(
        flags, 0, nullptr, nullptr, &ServerCallbacks::Access,
        server.get(), MHD_OPTION_EXTERNAL_LOGGER, &ServerCallbacks::Log, server.get(), MHD_OPTION_LISTEN_SOCKET,
        static_cast<MHD_socket>(fds[i].get()), MHD_OPTION_THREAD_POOL_SIZE, kThreadPoolSize,
        MHD_OPTION_CONNECTION_TIMEOUT, limits.connection_timeout_seconds, MHD_OPTION_CONNECTION_LIMIT,
        limits.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, limits.max_connections_per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, limits.connection_memory_bytes, MHD_OPTION_NOTIFY_COMPLETED,
        &ServerCallbacks::Completed, server.get(), MHD_OPTION_ARRAY, security_options, MHD_OPTION_END);
    if (daemon == nullptr) {
      // Whether MHD already closed the socket depends on where it failed;
      // leaking one fd on this fatal path beats a double close.
      fds[i].release();
      return Status::Error("listen tcp " + options.listen_addresses[i] + ": cannot start the HTTP server");
    }
    // The daemon owns the socket now and closes it when stopped.
    fds[i].release();
    server->daemons_.push_back(daemon);
  }
  for (size_t i = 0; i < options.listen_addresses.size(); ++i) {
    log->Info("Listening on", {{"address", options.listen_addresses[i]}, {"port", std::to_string(server->ports_[i])}});
  }
  return server;
}

void Server::RequestStarted() {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_in_flight_;
}

void Server::RequestFinished() {
  std::lock_guard<std::mutex> lock(mu_);
  if (--requests_in_flight_ == 0) idle_.notify_all();
}

void Server::Shutdown(std::chrono::milliseconds grace) {
  if (shut_down_) return;
  shut_down_ = true;
  for (MHD_Daemon* daemon : daemons_) {
    MHD_socket fd = MHD_quiesce_daemon(daemon);
    // After quiescing, closing the listen socket is ours to do; it makes
    // new connection attempts fail at once instead of hanging.
    if (fd != MHD_INVALID_SOCKET) close(fd);
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!idle_.wait_for(lock, grace, [this] { return requests_in_flight_ == 0; })) {
      log_->Warn("Shutdown grace period over; dropping requests still in flight",
                 {{"requests", std::to_string(requests_in_flight_)}});
    }
  }
  StopDaemons();
}

void Server::LogHttpError(std::string_view message) {
  const auto now = std::chrono::steady_clock::now();
  uint64_t not_logged = 0;
  bool warn = false;
  {
    std::lock_guard<std::mutex> lock(log_mu_);
    warn = now >= next_error_log_;
    if (warn) {
      next_error_log_ = now + kErrorLogInterval;
      not_logged = std::exchange(errors_not_logged_, 0);
    } else {
      ++errors_not_logged_;
    }
  }
  if (!warn) {
    log_->Debug("HTTP server error", {{"err", message}});
  } else if (not_logged == 0) {
    log_->Warn("HTTP server error", {{"err", message}});
  } else {
    log_->Warn("HTTP server error", {{"err", message}, {"errors_since_last_logged", std::to_string(not_logged)}});
  }
}

void Server::StopDaemons() {
  for (MHD_Daemon* daemon : daemons_) MHD_stop_daemon(daemon);
  daemons_.clear();
}

Server::~Server() { StopDaemons(); }

}  // namespace nodex::http
