// nodex: command line, start-up and shutdown. Everything else lives in the
// libraries under src/; this file only turns flags into their options.
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/memory_trim.h"
#include "collectors/collector.h"
#include "collectors/filesystem.h"
#include "collectors/scraper.h"
#include "hostnet/doctor.h"
#include "hostnet/exporter.h"
#include "hostnet/port_conflict.h"
#include "http/server.h"
#include "http/web_security.h"
#include "lint/lint.h"
#include "nodex_revision.h"  // Generated at build time: NODEX_REVISION.

namespace nodex {
namespace {

constexpr const char* kVersion = NODEX_VERSION;
constexpr const char* kRevision = NODEX_REVISION;

// Storage for one collector option flag while CLI11 parses into it.
struct CollectorFlag {
  const collectors::FlagDef* def;
  CLI::Option* option = nullptr;  // Valid only while ParseFlags runs.
  bool bool_value = false;
  std::string string_value;
  std::vector<std::string> list_value;
};

struct CollectorSwitch {
  std::string name;
  CLI::Option* option = nullptr;  // Valid only while ParseFlags runs.
  bool value = false;
  bool given = false;  // On the command line, as --x or --no-x.
};

struct Options {
  std::vector<std::string> listen_addresses{":9100"};
  std::string telemetry_path = "/metrics";
  int max_requests = 40;
  std::string web_config_file;
  http::ServerLimits limits;
  std::string connection_timeout = "30s";
  bool disable_exporter_metrics = false;
  bool disable_defaults = false;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  collectors::Paths paths;
  std::deque<CollectorSwitch> switches;  // deque: CLI11 keeps pointers into it.
  std::deque<CollectorFlag> collector_flags;
};

// node_exporter accepts both --x and --no-x for every boolean flag.
CLI::Option* AddBoolFlag(CLI::App& app, const std::string& name, bool* value, const std::string& help) {
  return app.add_flag("--" + name + ",!--no-" + name, *value, help)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

void DefineFlags(CLI::App& app, Options& o) {
  app.add_option("--web.listen-address", o.listen_addresses,
                 "Address to listen on for metrics and the web interface (repeatable): host:port, :port or "
                 "[v6addr]:port.")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->capture_default_str();
  app.add_option("--web.telemetry-path", o.telemetry_path, "Path under which metrics are served.")
      ->capture_default_str();
  app.add_option("--web.max-requests", o.max_requests,
                 "Maximum number of parallel scrape requests; more get 503. 0 means no limit.")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            return !v.empty() && v[0] == '-' ? "must not be negative, got " + v : std::string();
          },
          "NONNEGATIVE"))
      ->capture_default_str();
  app.add_option("--web.max-connections", o.limits.max_connections,
                 "Maximum number of open client connections; more wait in the listen queue.")
      ->check(CLI::Range(1u, 1000000u))
      ->capture_default_str();
  app.add_option("--web.max-connections-per-ip", o.limits.max_connections_per_ip,
                 "Maximum number of open connections from one client address; more are closed at once. 0 means "
                 "no limit.")
      ->check(CLI::Range(0u, 1000000u))
      ->capture_default_str();
  app.add_option("--web.connection-timeout", o.connection_timeout,
                 "Close a client connection that sent nothing for this long, e.g. 30s, 1m; whole seconds, at least 1s.")
      ->check(CLI::Validator(
          [&o](std::string& v) -> std::string {
            StatusOr<std::chrono::nanoseconds> d = collectors::ParseGoDuration(v);
            if (!d.ok()) return d.status().message();
            auto seconds = std::chrono::ceil<std::chrono::seconds>(*d).count();
            if (seconds < 1 || seconds > 86400) return "must be between 1s and 24h, got " + v;
            o.limits.connection_timeout_seconds = static_cast<unsigned int>(seconds);
            return std::string();
          },
          "DURATION"))
      ->capture_default_str();
  app.add_option("--web.config.file", o.web_config_file,
                 "Path to a web configuration file in node_exporter's format, enabling TLS, client certificates, "
                 "basic auth, extra headers and a rate limit; re-read when it changes. Empty: plain HTTP.")
      ->capture_default_str();
  AddBoolFlag(app, "web.disable-exporter-metrics", &o.disable_exporter_metrics,
              "Leave out the exporter's own process_* and nodex_build_info metrics.");
  AddBoolFlag(app, "collector.disable-defaults", &o.disable_defaults,
              "Start with every collector disabled; enable each with --collector.<name>.");
  app.add_option("--path.procfs", o.paths.procfs, "procfs mount point.")->capture_default_str();
  app.add_option("--path.sysfs", o.paths.sysfs, "sysfs mount point.")->capture_default_str();
  app.add_option("--path.rootfs", o.paths.rootfs, "Root filesystem mount point (the host's / in a container).")
      ->capture_default_str();
  app.add_option("--path.udev.data", o.paths.udev_data, "udev data path.")->capture_default_str();
  app.add_option("--log.level", o.log_level, "Only log messages at or above this level: debug, info, warn, error.")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app.add_option("--log.format", o.log_format, "Log line format: logfmt or json.")
      ->check(CLI::IsMember({"logfmt", "json"}))
      ->capture_default_str();

  for (const collectors::CollectorInfo& info : collectors::AllCollectors()) {
    CollectorSwitch& sw = o.switches.emplace_back();
    sw.name = std::string(info.name);
    sw.value = info.enabled_by_default;
    sw.option = AddBoolFlag(app, "collector." + sw.name, &sw.value,
                            std::string("Enable the ") + sw.name + " collector (default: " +
                                (info.enabled_by_default ? "enabled" : "disabled") + ").");
    for (const collectors::FlagDef& def : info.flags) {
      CollectorFlag& f = o.collector_flags.emplace_back();
      f.def = &def;
      std::string name(def.name);
      std::string help(def.help);
      switch (def.kind) {
        case collectors::FlagKind::kBool:
          f.bool_value = def.default_value == "true";
          f.option = AddBoolFlag(app, name, &f.bool_value, help + " (default: " + std::string(def.default_value) + ")");
          break;
        case collectors::FlagKind::kString:
          f.string_value = std::string(def.default_value);
          f.option = app.add_option("--" + name, f.string_value, help)->capture_default_str();
          break;
        case collectors::FlagKind::kList:
          f.option = app.add_option("--" + name, f.list_value, help + " Repeatable.")
                         ->expected(1)
                         ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
          break;
      }
    }
  }
}

// Help lists "--x, --no-x" without CLI11's "{false}" decoration: the help
// text states each flag's default in words.
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_option_name(const CLI::Option* opt, bool is_positional) const override {
    const std::vector<std::string>& names = opt->get_lnames();
    if (names.size() == 2 && names[1] == "no-" + names[0]) return "--[no-]" + names[0];
    return opt->get_name(is_positional, false);
  }
};

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Every client connection is a socket and collectors keep their files open,
// so a connection flood must not run into the soft open-file limit (often
// 1024). Go, and so node_exporter, raises it to the hard limit at start.
void RaiseOpenFileLimit(const http::ServerLimits& limits, Logger* log) {
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) != 0) return;
  if (nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &nofile) != 0) getrlimit(RLIMIT_NOFILE, &nofile);
  }
  constexpr rlim_t kFilesBesidesConnections = 1024;
  if (nofile.rlim_cur < limits.max_connections + kFilesBesidesConnections) {
    log->Warn(
        "Open file limit is low for --web.max-connections; a connection flood may starve collectors",
        {{"limit", std::to_string(nofile.rlim_cur)}, {"max_connections", std::to_string(limits.max_connections)}});
  }
}

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// Fills *o from the command line; returns the exit code if nodex stops here
// (--help, --version, a bad flag). The CLI11 App (~130 KiB of heap for ~150
// options) is freed on return, so the scrapes reuse that memory.
std::optional<int> ParseFlags(int argc, char** argv, Options* o) {
  CLI::App app{"nodex: a node metrics exporter compatible with Prometheus node_exporter.", "nodex"};
  app.set_version_flag("--version", std::string("nodex version ") + kVersion + " (revision " + kRevision + ")");
  app.allow_extras(false);
  auto formatter = std::make_shared<HelpFormatter>();
  formatter->column_width(50);
  app.formatter(formatter);
  DefineFlags(app, *o);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "nodex: error: %s\n", OneLine(e.what()).c_str());
    return 2;
  }
  for (CollectorSwitch& sw : o->switches) {
    sw.given = sw.option->count() > 0;
    sw.option = nullptr;
  }
  return std::nullopt;
}

int Run(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "lint") return lint::RunLint(argc - 1, argv + 1);
  if (argc > 1 && std::string_view(argv[1]) == "doctor") return hostnet::RunDoctor(argc - 1, argv + 1);
  // Before any thread starts: one malloc arena instead of one per thread that
  // allocates. Scrapes are serialised and the other threads (HTTP workers
  // between requests, statfs workers) allocate little, so they hardly contend,
  // and what one worker's scrape frees is reused by the next scrape, whichever
  // worker serves it.
  mallopt(M_ARENA_MAX, 1);
  Options o;
  if (std::optional<int> exit_code = ParseFlags(argc, argv, &o)) return *exit_code;

  Logger log(*ParseLogLevel(o.log_level), *ParseLogFormat(o.log_format));
  log.Info("Starting nodex", {{"version", kVersion}, {"revision", kRevision}});
  // Before anything else starts: a broken web config must stop nodex at once.
  std::unique_ptr<http::WebSecurity> web_security;
  if (!o.web_config_file.empty()) {
    auto loaded = http::WebSecurity::Load(o.web_config_file, &log);
    if (!loaded.ok()) {
      log.Error("Invalid --web.config.file", {{"err", OneLine(loaded.status().message())}});
      return 1;
    }
    web_security = std::move(*loaded);
  }

  collectors::FlagValues flag_values;
  for (const CollectorFlag& f : o.collector_flags) {
    switch (f.def->kind) {
      case collectors::FlagKind::kBool: flag_values.Set(f.def->name, f.bool_value ? "true" : "false"); break;
      case collectors::FlagKind::kString: flag_values.Set(f.def->name, f.string_value); break;
      case collectors::FlagKind::kList: flag_values.SetList(f.def->name, f.list_value); break;
    }
  }
  std::vector<std::string> enabled;
  std::string enabled_list;
  for (const CollectorSwitch& sw : o.switches) {
    bool on = sw.given ? sw.value : (sw.value && !o.disable_defaults);
    // Some collectors change what they export depending on whether another
    // one runs (cpu's frequency gauge defers to cpufreq), as in node_exporter.
    flag_values.Set("collector." + sw.name, on ? "true" : "false");
    if (!on) continue;
    enabled.push_back(sw.name);
    if (!enabled_list.empty()) enabled_list.push_back(',');
    enabled_list += sw.name;
  }
  log.Info("Enabled collectors", {{"collectors", enabled_list}});
  const hostnet::Namespaces namespaces = hostnet::CheckAtStart(o.paths.procfs, o.listen_addresses, &log);

  collectors::Context ctx;
  ctx.paths = o.paths;
  ctx.log = &log;
  ctx.flags = &flag_values;
  auto scraper = collectors::Scraper::Create(enabled, ctx);
  if (!scraper.ok()) {
    std::fprintf(stderr, "nodex: error: %s\n", OneLine(scraper.status().message()).c_str());
    return 2;
  }

  // Block termination signals before any thread starts so that every thread
  // inherits the mask and only sigwait below receives them.
  sigset_t signals = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  RaiseOpenFileLimit(o.limits, &log);

  http::ServerOptions server_options;
  server_options.web_security = web_security.get();
  server_options.listen_addresses = o.listen_addresses;
  server_options.telemetry_path = o.telemetry_path;
  server_options.max_requests = o.max_requests;
  server_options.limits = o.limits;
  server_options.disable_exporter_metrics = o.disable_exporter_metrics;
  server_options.version = kVersion;
  server_options.revision = kRevision;
  server_options.extra_metrics = [namespaces](expo::MetricSet& set) { hostnet::AddNamespaceMetrics(namespaces, set); };
  hostnet::DoctorOptions doctor{o.paths.procfs, o.paths.sysfs, o.paths.rootfs, o.listen_addresses, o.telemetry_path};
  doctor.probe_endpoint = false;  // The landing page is that endpoint's server.
  server_options.status_text = [doctor] { return hostnet::RenderText(hostnet::RunChecks(doctor)); };
  http::ListenError listen_error;
  auto server = http::Server::Start(server_options, scraper->get(), &log, &listen_error);
  if (!server.ok()) {
    hostnet::ListenFailure failure{listen_error.address, listen_error.host, listen_error.port, listen_error.err,
                                   OneLine(server.status().message())};
    log.Error("cannot listen",
              {{"err", hostnet::ExplainListenFailure(failure, o.paths.procfs, namespaces.network.yes)}});
    return 1;
  }
  // Startup is over: give back the file pages only it needed (base/memory_trim.h).
  PageOutStartupMemory(&log);

  int sig = 0;
  sigwait(&signals, &sig);
  log.Info("Shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*server)->Shutdown(std::chrono::seconds(10));
  return 0;
}

}  // namespace
}  // namespace nodex

int main(int argc, char** argv) { return nodex::Run(argc, argv); }
