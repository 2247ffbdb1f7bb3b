// The HTTP request logic of nodex, independent of the HTTP library: routing,
// the /metrics endpoint (per-request collect[]/exclude[] filters, gzip, the
// in-flight limit, exporter self-metrics), the landing page and the health
// endpoints. server.cc only translates between libmicrohttpd and these types,
// so everything here is unit-tested and fuzzed without sockets.
//
// Behaviour mirrors node_exporter's handler (node_exporter.go) and
// client_golang's promhttp: "collect[]" and "exclude[]" may not be combined,
// a name that is unknown or not enabled is a 400, more than
// --web.max-requests scrapes in flight (waiting ones included) is a 503, and
// a value <= 0 disables that limit.
#ifndef NODEX_HTTP_HANDLER_H_
#define NODEX_HTTP_HANDLER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/log.h"
#include "collectors/scraper.h"
#include "expo/gzip.h"
#include "expo/metric_set.h"
#include "expo/text_writer.h"
#include "http/process_metrics.h"

namespace nodex::http {

class WebSecurity;

// What one client, or all of them together, may hold of the server, so that
// anything on the node network can connect without starving the scrapers.
// The defaults fit a DaemonSet scraped by a handful of Prometheus servers.
struct ServerLimits {
  unsigned int max_connections = 512;        // --web.max-connections
  unsigned int max_connections_per_ip = 32;  // --web.max-connections-per-ip; 0: none
  // --web.connection-timeout: a connection that sends nothing this long is
  // closed. A client trickling bytes is not; the counts above bound those.
  unsigned int connection_timeout_seconds = 30;
  // Per connection: request line, headers and response headers. Requests that
  // do not fit get 414 or 431.
  size_t connection_memory_bytes = 16 * 1024;
};

struct ServerOptions {
  // "host:port", ":port" (all addresses), "[v6]:port"; host may be a name.
  std::vector<std::string> listen_addresses;
  ServerLimits limits;
  // --web.config.file (TLS, auth, rate limit, headers); null: plain HTTP.
  // Must outlive the server.
  WebSecurity* web_security = nullptr;
  std::string telemetry_path = "/metrics";
  // Parallel /metrics requests; more get a 503. <= 0 means no limit.
  int max_requests = 40;
  // Drops process_*, promhttp_* and nodex_build_info.
  bool disable_exporter_metrics = false;
  // For the landing page and nodex_build_info{version,revision}.
  std::string version;
  std::string revision;
  // More exporter self-metrics (nodex_host_network, ...), added to every
  // scrape unless disable_exporter_metrics. Called with the scrape lock held.
  std::function<void(expo::MetricSet&)> extra_metrics;
  // Plain text shown on the landing page under "Status" (nodex doctor's
  // checklist), computed for each request.
  std::function<std::string()> status_text;
};

struct Request {
  std::string_view method;
  std::string_view path;  // Decoded, without the query string.
  // Decoded query parameters in request order; repeated keys are kept.
  std::vector<std::pair<std::string, std::string>> query;
  std::string_view accept_encoding;  // Empty if the header is absent.
};

struct Response {
  int status = 200;
  std::string content_type;
  // For HEAD requests the body is still filled in, so that Content-Length
  // matches GET; the transport does not send it.
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Beyond Content-Type.
};

inline constexpr std::string_view kHealthyPath = "/-/healthy";
inline constexpr std::string_view kReadyPath = "/-/ready";

class Handler {
 public:
  // `scraper` and `log` must outlive the handler.
  Handler(ServerOptions options, collectors::Scraper* scraper, Logger* log);
  Handler(const Handler&) = delete;
  Handler& operator=(const Handler&) = delete;

  // Thread-safe. Scrapes are serialised (collectors own their buffers); the
  // other endpoints never wait for a scrape.
  Response Serve(const Request& request);

  const ServerOptions& options() const { return options_; }
  // /metrics requests currently being served or waiting for the scrape lock.
  int metrics_in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  Response ServeMetrics(const Request& request);
  // Runs the scrape and renders it; called with mu_ held.
  void ScrapeLocked(const std::vector<std::string>& selected, bool gzip, Response* response);
  void AddExporterMetricsLocked();
  Response LandingPage() const;

  const ServerOptions options_;
  collectors::Scraper* const scraper_;
  Logger* const log_;
  const std::string landing_page_;

  std::atomic<int> in_flight_{0};
  // promhttp_metric_handler_requests_total by code, as promhttp counts them.
  std::atomic<uint64_t> served_200_{0};
  std::atomic<uint64_t> served_503_{0};

  std::mutex mu_;  // Guards everything below.
  expo::MetricSet set_;
  expo::TextWriter writer_;
  // The rendered page. Kept for the next scrape when gzip was sent; a plain
  // scrape moves it into the response.
  std::string text_;
  size_t text_size_ = 0;  // Of the last page, to size text_ after a move.
  expo::GzipCompressor gzip_;
  ProcessMetrics process_;
  uint64_t scrapes_ = 0;  // Started; for the malloc_trim before the second.
  // Last problem logged, so each is logged once per change, not per scrape.
  std::string last_process_error_;
  std::string last_duplicate_;
  std::string last_invalid_utf8_;
};

}  // namespace nodex::http

#endif  // NODEX_HTTP_HANDLER_H_
