#include "collectors/netstat.h"

#include <re2/re2.h>

#include <string>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "collectors/procfs_helpers.h"

namespace nodex::collectors {
namespace {

// Go's strings.Split(s, " ") one field at a time.
bool NextSpaceField(std::string_view* rest, bool* more, std::string_view* field) {
  if (!*more) return false;
  size_t sp = rest->find(' ');
  if (sp == std::string_view::npos) {
    *field = *rest;
    *rest = {};
    *more = false;
  } else {
    *field = rest->substr(0, sp);
    rest->remove_prefix(sp + 1);
  }
  return true;
}

size_t CountSpaceFields(std::string_view s) {
  size_t n = 1;
  for (char c : s) n += c == ' ';
  return n;
}

class NetstatCollector : public Collector {
 public:
  NetstatCollector(const Context& ctx, std::unique_ptr<RE2> fields)
      : netstat_(ctx.Proc("net/netstat"), ReadEnd::OneRecord()),
        snmp_(ctx.Proc("net/snmp"), ReadEnd::OneRecord()),
        snmp6_(ctx.Proc("net/snmp6"), ReadEnd::OneRecord()),
        fields_(std::move(fields)) {}

  Status Collect(expo::MetricSet& out) override {
    parsed_.clear();
    uint32_t block = 0;
    std::string_view content;
    // Each file's views must outlive the loop below, so each has its own buffer.
    Status st = netstat_.Read(&content);
    if (st.ok()) st = ParseNetstat(content, &parsed_, &block);
    if (!st.ok()) return Status::Error("couldn't get netstats: " + st.message());
    st = snmp_.Read(&content);
    if (st.ok()) st = ParseNetstat(content, &parsed_, &block);
    if (!st.ok()) return Status::Error("couldn't get SNMP stats: " + st.message());
    st = snmp6_.Read(&content);
    // snmp6 is absent when IPv6 is disabled.
    if (st.ok()) st = ParseSnmp6(content, &parsed_, &block);
    if (!st.ok() && st.code() != StatusCode::kNoData) return Status::Error("couldn't get SNMP6 stats: " + st.message());

    // A later block of the same protocol replaces an earlier one. Blocks are
    // few (about 20), so a quadratic scan over block starts is cheap.
    superseded_.assign(block, false);
    for (size_t i = 0; i < parsed_.size(); ++i) {
      if (i > 0 && parsed_[i].block == parsed_[i - 1].block) continue;
      for (size_t j = i + 1; j < parsed_.size(); ++j) {
        if (parsed_[j].block != parsed_[i].block && parsed_[j].protocol == parsed_[i].protocol) {
          superseded_[parsed_[i].block] = true;
          break;
        }
      }
    }
    // The files list the same fields in the same order on every scrape, so
    // the filter verdict, metric name and help of each field are computed
    // once and found by position; a field whose name differs from the
    // cached one (a file whose layout changed) is recomputed. Running the
    // regex per field per scrape was a sixth of a scrape's user-space
    // instructions.
    if (cache_.size() < parsed_.size()) cache_.resize(parsed_.size());
    for (size_t i = 0; i < parsed_.size(); ++i) {
      const NetstatField& f = parsed_[i];
      if (superseded_[f.block]) continue;
      Cached& c = cache_[i];
      if (c.protocol != f.protocol || c.name != f.name) Fill(f, &c);
      if (c.export_it) out.Add(expo::Desc{c.metric, c.help, expo::MetricType::kUntyped}, f.value);
    }
    return Status::Ok();
  }

 private:
  struct Cached {
    std::string protocol;
    std::string name;
    bool export_it = false;
    std::string metric;  // Empty unless export_it.
    std::string help;    // Empty unless export_it.
  };

  void Fill(const NetstatField& f, Cached* c) const {
    c->protocol.assign(f.protocol);
    c->name.assign(f.name);
    std::string key;
    key.assign(f.protocol).append("_").append(f.name);
    c->export_it = procfs_helpers::Matches(*fields_, key);
    c->metric.clear();
    c->help.clear();
    if (!c->export_it) return;
    c->metric.assign("node_netstat_").append(key);
    c->help.assign("Statistic ").append(f.protocol).append(f.name).append(" from /proc/net.");
  }

  KeptOpenFile netstat_;
  KeptOpenFile snmp_;
  KeptOpenFile snmp6_;
  std::unique_ptr<RE2> fields_;
  std::vector<NetstatField> parsed_;
  std::vector<bool> superseded_;
  std::vector<Cached> cache_;
};

}  // namespace

Status ParseNetstat(std::string_view content, std::vector<NetstatField>* out, uint32_t* next_block) {
  std::string_view header, values;
  while (NextLine(&content, &header)) {
    if (!NextLine(&content, &values)) values = {};
    std::string_view hrest = header, vrest = values, hfield, vfield;
    bool hmore = true, vmore = true;
    NextSpaceField(&hrest, &hmore, &hfield);
    NextSpaceField(&vrest, &vmore, &vfield);
    if (hfield.empty()) return Status::Error("empty protocol header line");
    std::string_view protocol = hfield.substr(0, hfield.size() - 1);
    if (CountSpaceFields(header) != CountSpaceFields(values)) {
      return Status::Error("field count mismatch for protocol " + std::string(protocol.substr(0, 32)));
    }
    uint32_t block = (*next_block)++;
    while (NextSpaceField(&hrest, &hmore, &hfield) && NextSpaceField(&vrest, &vmore, &vfield)) {
      std::optional<double> v = ParseDouble(vfield);
      if (!v) return Status::Error("invalid value \"" + std::string(vfield.substr(0, 32)) + "\" in netstats");
      out->push_back(NetstatField{protocol, hfield, *v, block});
    }
  }
  return Status::Ok();
}

Status ParseSnmp6(std::string_view content, std::vector<NetstatField>* out, uint32_t* next_block) {
  uint32_t block = (*next_block)++;
  std::string_view line;
  while (NextLine(&content, &line)) {
    std::string_view fields[2];
    if (SplitFields(line, fields, 2) < 2) continue;
    size_t six = fields[0].find('6');
    if (six == std::string_view::npos) continue;
    std::optional<double> v = ParseDouble(fields[1]);
    if (!v) return Status::Error("invalid value \"" + std::string(fields[1].substr(0, 32)) + "\" in snmp6");
    out->push_back(NetstatField{fields[0].substr(0, six + 1), fields[0].substr(six + 1), *v, block});
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewNetstatCollector(const Context& ctx) {
  std::string_view pattern = procfs_helpers::StringFlagOr(ctx, kNetstatFlags[0].name, kNetstatFlags[0].default_value);
  std::unique_ptr<RE2> re;
  Status st = procfs_helpers::CompileFlagRegex(kNetstatFlags[0].name, pattern, /*empty_means_none=*/false, &re);
  if (!st.ok()) return st;
  return std::unique_ptr<Collector>(std::make_unique<NetstatCollector>(ctx, std::move(re)));
}

}  // namespace nodex::collectors
