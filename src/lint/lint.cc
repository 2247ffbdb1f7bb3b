#include "lint/lint.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>

#include "base/parse.h"
#include "base/split.h"
#include "lint/node_listeners.h"
#include "lint/parallel.h"
#include "lint/reporters.h"
#include "lint/rules/rules.h"

namespace nodex::lint {
namespace {

constexpr const char* kVersion = NODEX_VERSION;

struct Flags {
  std::vector<std::string> paths;
  std::vector<std::string> filenames;  // -f, merged into paths after parsing
  std::string output = "text";
  std::string fail_on = "error";
  std::vector<std::string> disable;
  std::string reserved_ports;
  std::string nodeport_range;
  std::string allowed_host_ports;
  std::string default_psa_level = "privileged";
  std::string previous;
  bool node_listeners = false;
  std::string procfs = "/proc";
  std::vector<std::string> listen_flags;
  bool list_rules = false;
};

int UsageError(const std::string& message) {
  std::fprintf(stderr, "nodex lint: error: %s\n", message.c_str());
  return 2;
}

// Comma-separated items; a repeated flag adds more.
std::vector<std::string_view> CommaList(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    std::string_view item = s, rest;
    if (SplitOnce(s, ',', &item, &rest)) {
      s = rest;
    } else {
      s = {};
    }
    item = TrimSpace(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::optional<int> ParsePort(std::string_view s) {
  auto n = ParseInt<int>(TrimSpace(s));
  if (!n || *n < 1 || *n > 65535) return std::nullopt;
  return n;
}

std::optional<PortRange> ParseRange(std::string_view s) {
  std::string_view lo = s, hi = s;
  SplitOnce(s, '-', &lo, &hi);
  auto a = ParsePort(lo), b = ParsePort(hi);
  if (!a || !b || *a > *b) return std::nullopt;
  return PortRange{*a, *b};
}

// Turns flag strings into engine options; returns a message on bad input.
std::string BuildOptions(const Flags& f, EngineInput* in) {
  LintOptions& o = in->options;
  if (!f.reserved_ports.empty()) {
    o.reserved_ports.clear();
    for (std::string_view item : CommaList(f.reserved_ports)) {
      auto p = ParsePort(item);
      if (!p) return "--reserved-ports: '" + std::string(item) + "' is not a port";
      o.reserved_ports.push_back(*p);
    }
  }
  if (!f.nodeport_range.empty()) {
    auto r = ParseRange(f.nodeport_range);
    if (!r) return "--nodeport-range: want LOW-HIGH, got '" + f.nodeport_range + "'";
    o.nodeport_range = *r;
  }
  for (std::string_view item : CommaList(f.allowed_host_ports)) {
    auto r = ParseRange(item);
    if (!r) return "--allowed-host-ports: '" + std::string(item) + "' is not a port or LOW-HIGH range";
    o.allowed_host_ports.push_back(*r);
  }
  o.default_psa_level = f.default_psa_level;
  for (const std::string& d : f.disable) {
    for (std::string_view id : CommaList(d)) {
      if (FindRule(id) == nullptr) return "--disable: unknown rule '" + std::string(id) + "'";
      in->disabled.insert(std::string(id));
    }
  }
  return "";
}

std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

void WriteAll(const std::string& s) {
  const char* p = s.data();
  size_t left = s.size();
  while (left > 0) {
    ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

std::vector<Object> NormaliseAll(const std::vector<Document>& docs, const NormaliseOptions& options) {
  std::vector<Object> objects(docs.size());
  // In blocks: one object is a few microseconds of work.
  constexpr size_t kBlock = 256;
  ParallelFor((docs.size() + kBlock - 1) / kBlock, [&](size_t block) {
    for (size_t i = block * kBlock; i < std::min(docs.size(), (block + 1) * kBlock); ++i) {
      objects[i] = Normalise(docs[i], options);
    }
  });
  return objects;
}

std::vector<Finding> RunRules(const std::vector<Object>& objects, const EngineInput& input) {
  Context ctx;
  ctx.options = &input.options;
  ctx.objects = &objects;
  ctx.previous = input.previous;
  ctx.node_listeners = input.node_listeners;
  if (input.previous != nullptr) {
    for (const Object& old : *input.previous) {
      if (old.workload) ctx.previous_workloads.emplace(std::tie(old.kind, old.ns, old.name), &old);
    }
  }
  if (input.node_listeners != nullptr) {
    for (const NodeListener& l : *input.node_listeners) ctx.node_listeners_by_port[l.port].push_back(&l);
  }
  std::vector<const Rule*> enabled;
  for (const Rule* rule : AllRules()) {
    if (input.disabled.count(std::string(rule->id)) == 0) enabled.push_back(rule);
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < objects.size(); ++i) {
    const Object& o = objects[i];
    if (o.kind == "Namespace") ctx.namespaces.emplace(o.name, &o);
    if (!o.workload || !seen.insert(o.Ref()).second) continue;
    for (const HostPortClaim& claim : HostPorts(o.pod)) {
      ctx.host_ports[{claim.port->protocol, claim.port->host_port}].push_back({i, claim.port});
    }
  }
  std::vector<Finding> findings;
  for (const Object& o : objects) {
    size_t first = findings.size();
    for (const Rule* rule : enabled) {
      if (!o.annotations.empty() && o.Ignores(rule->id)) continue;
      bool applies = rule->scope == Scope::kNamespaces ? o.kind == "Namespace" : o.workload;
      if (!applies) continue;
      Emitter emit(*rule, o, &findings);
      rule->check(o, ctx, emit);
    }
    std::stable_sort(findings.begin() + static_cast<std::ptrdiff_t>(first), findings.end(),
                     [](const Finding& a, const Finding& b) { return a.line < b.line; });
  }
  return findings;
}

int RunLint(int argc, char** argv) {
  CLI::App app{"nodex lint: check Kubernetes manifests for host-network mistakes before they reach the cluster.",
               "nodex lint"};
  Flags f;
  app.add_option("paths", f.paths, "Manifest files or directories (*.yaml, *.yml); '-' reads stdin.");
  app.add_option("-f,--filename", f.filenames, "Same as a PATH argument (kubectl style); repeatable.")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("-o,--output", f.output, "Output format: text, json or sarif.")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->capture_default_str();
  app.add_option("--fail-on", f.fail_on, "Exit 1 when a finding is at or above this severity: error, warn, info.")
      ->check(CLI::IsMember({"error", "warn", "info"}))
      ->capture_default_str();
  app.add_option("--disable", f.disable, "Rule IDs to skip, comma-separated; repeatable.")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--reserved-ports", f.reserved_ports,
                 "Host ports node components hold (HN030), comma-separated. Default: "
                 "6443,9099,9890,10248,10249,10250,10255,10256,4194.");
  app.add_option("--nodeport-range", f.nodeport_range, "The cluster's NodePort range (HN031). Default: 30000-32767.");
  app.add_option("--allowed-host-ports", f.allowed_host_ports,
                 "Host ports the cluster's policies allow, e.g. 9100-9199,20000 (HN035; off when not given).");
  app.add_option("--default-psa-level", f.default_psa_level,
                 "Pod Security level enforced on namespaces not in the input (HN020).")
      ->check(CLI::IsMember({"privileged", "baseline", "restricted"}))
      ->capture_default_str();
  app.add_option("--previous", f.previous, "Manifests as currently applied, to report hostNetwork changes (HN043).");
  app.add_flag("--node-listeners", f.node_listeners,
               "Compare host ports with the sockets listening on this node (HN080).");
  app.add_option("--path.procfs", f.procfs, "procfs of the node for --node-listeners.")->capture_default_str();
  app.add_option("--listen-flag", f.listen_flags, "Another command-line flag that names a listen address; repeatable.")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--list-rules", f.list_rules, "Print the rules and exit.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return UsageError(OneLine(e.what()));
  }

  f.paths.insert(f.paths.end(), f.filenames.begin(), f.filenames.end());
  if (f.list_rules) {
    WriteAll(FormatRuleTable(AllRules()));
    return 0;
  }
  if (f.paths.empty()) return UsageError("no input: give manifest files or directories, or '-' for stdin");
  EngineInput input;
  if (std::string err = BuildOptions(f, &input); !err.empty()) return UsageError(err);

  NormaliseOptions norm;
  for (std::string name : f.listen_flags) {
    name.erase(0, name.find_first_not_of('-'));
    if (!name.empty()) norm.extra_listen_flags.push_back(name);
  }
  std::vector<Document> docs;
  if (Status st = LoadPaths(f.paths, &docs); !st.ok()) return UsageError(st.message());
  std::vector<Object> objects = NormaliseAll(docs, norm);
  for (const Object& o : objects) {
    if (o.too_large) {
      return UsageError(o.file + ":" + std::to_string(o.line) + ": " + o.Ref() +
                        ": pod template too large to lint (more than " + std::to_string(kMaxPodTemplateNodes) +
                        " YAML nodes once aliases are expanded)");
    }
  }

  std::vector<Object> previous;
  if (!f.previous.empty()) {
    std::vector<Document> old_docs;
    if (Status st = LoadPaths({f.previous}, &old_docs); !st.ok()) return UsageError(st.message());
    previous = NormaliseAll(old_docs, norm);
    input.previous = &previous;
  }
  std::vector<NodeListener> listeners;
  if (f.node_listeners) {
    auto read = ReadNodeListeners(f.procfs);
    if (!read.ok()) return UsageError("--node-listeners: " + read.status().message());
    listeners = std::move(read.value());
    input.node_listeners = &listeners;
  }

  std::vector<Finding> findings = RunRules(objects, input);
  Summary summary = Summarise(findings, static_cast<int>(objects.size()));
  if (f.output == "json") {
    WriteAll(FormatJson(findings, summary));
  } else if (f.output == "sarif") {
    WriteAll(FormatSarif(findings, AllRules(), kVersion));
  } else {
    WriteAll(FormatText(findings, summary));
  }
  Severity threshold = *ParseSeverity(f.fail_on);
  for (const Finding& finding : findings) {
    if (finding.severity >= threshold) return 1;
  }
  return 0;
}

}  // namespace nodex::lint
