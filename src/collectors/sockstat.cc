#include "collectors/sockstat.h"

#include <unistd.h>

#include <string>

#include "base/file_reader.h"
#include "base/split.h"
#include "collectors/sysfs_attrs.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kSocketsUsed{"node_sockstat_sockets_used", "Number of IPv4 sockets in use.",
                                  expo::MetricType::kGauge};

// Splits like Go's strings.Split(s, " "): every space separates, so empty
// fields appear for doubled spaces.
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

class SockstatCollector : public Collector {
 public:
  SockstatCollector(const Context& ctx)
      : v4_(ctx.Proc("net/sockstat"), ReadEnd::OneRecord()),
        v6_(ctx.Proc("net/sockstat6"), ReadEnd::OneRecord()),
        log_(ctx.log),
        page_size_(static_cast<int64_t>(::sysconf(_SC_PAGESIZE))) {}

  Status Collect(expo::MetricSet& out) override {
    // Either file is absent when that IP version is disabled; that is not an error.
    Status st = CollectFile(v4_, /*ipv6=*/false, out);
    if (!st.ok()) return st;
    return CollectFile(v6_, /*ipv6=*/true, out);
  }

 private:
  Status CollectFile(KeptOpenFile& file, bool ipv6, expo::MetricSet& out) {
    std::string_view content;
    Status st = file.Read(&content);
    const char* version = ipv6 ? "IPv6" : "IPv4";
    if (st.code() == StatusCode::kNoData) {
      if (log_ != nullptr) log_->Debug("sockstat statistics not found, skipping", {{"version", version}});
      return Status::Ok();
    }
    if (!st.ok()) return Status::Error(std::string("failed to get ") + version + " sockstat data: " + st.message());
    st = ParseSockstat(content, &stat_);
    if (!st.ok()) return Status::Error(std::string("failed to get ") + version + " sockstat data: " + st.message());

    if (!ipv6 && stat_.used) out.Add(kSocketsUsed, static_cast<double>(*stat_.used));
    for (const SockstatProtocol& p : stat_.protocols) {
      Emit(out, p.name, "inuse", p.inuse);
      if (p.orphan) Emit(out, p.name, "orphan", *p.orphan);
      if (p.tw) Emit(out, p.name, "tw", *p.tw);
      if (p.alloc) Emit(out, p.name, "alloc", *p.alloc);
      if (p.mem) Emit(out, p.name, "mem", *p.mem);
      if (p.memory) Emit(out, p.name, "memory", *p.memory);
      if (p.mem) {
        // Go multiplies ints, wrapping on overflow.
        uint64_t bytes = static_cast<uint64_t>(*p.mem) * static_cast<uint64_t>(page_size_);
        Emit(out, p.name, "mem_bytes", static_cast<int64_t>(bytes));
      }
    }
    return Status::Ok();
  }

  void Emit(expo::MetricSet& out, std::string_view protocol, std::string_view field, int64_t value) {
    name_.assign("node_sockstat_").append(protocol).append("_").append(field);
    help_.assign("Number of ").append(protocol).append(" sockets in state ").append(field).append(".");
    out.Add(expo::Desc{name_, help_, expo::MetricType::kGauge}, static_cast<double>(value));
  }

  KeptOpenFile v4_;
  KeptOpenFile v6_;
  Logger* log_;
  int64_t page_size_;
  Sockstat stat_;
  std::string name_;
  std::string help_;
};

}  // namespace

Status ParseSockstat(std::string_view content, Sockstat* out) {
  out->used.reset();
  out->protocols.clear();
  std::string_view line;
  while (NextLine(&content, &line)) {
    std::string_view fields[3];
    size_t n = 0;
    {
      std::string_view rest = line, f;
      bool more = true;
      while (NextSpaceField(&rest, &more, &f)) {
        if (n < 3) fields[n] = f;
        ++n;
      }
    }
    if (n < 3) return Status::Error("malformed sockstat line: \"" + std::string(line.substr(0, 64)) + "\"");
    if ((n - 1) % 2 != 0) {
      return Status::Error("odd number of fields in key/value pairs: \"" + std::string(line.substr(0, 64)) + "\"");
    }
    std::string_view proto = fields[0];
    if (!proto.empty() && proto.back() == ':') proto.remove_suffix(1);
    const bool sockets = proto == "sockets";
    SockstatProtocol p;
    p.name = proto;
    int64_t used = 0;

    std::string_view rest = line, key, value;
    bool more = true;
    NextSpaceField(&rest, &more, &key);  // The protocol.
    while (NextSpaceField(&rest, &more, &key) && NextSpaceField(&rest, &more, &value)) {
      std::optional<int64_t> v = sysfs::ParseGoInt(value);
      if (!v) return Status::Error("invalid value \"" + std::string(value.substr(0, 32)) + "\" in sockstat");
      if (sockets) {
        if (key == "used") used = *v;
      } else if (key == "inuse") {
        p.inuse = *v;
      } else if (key == "orphan") {
        p.orphan = *v;
      } else if (key == "tw") {
        p.tw = *v;
      } else if (key == "alloc") {
        p.alloc = *v;
      } else if (key == "mem") {
        p.mem = *v;
      } else if (key == "memory") {
        p.memory = *v;
      }
    }
    if (sockets) {
      out->used = used;
    } else {
      out->protocols.push_back(p);
    }
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Collector>> NewSockstatCollector(const Context& ctx) {
  return std::unique_ptr<Collector>(std::make_unique<SockstatCollector>(ctx));
}

}  // namespace nodex::collectors
