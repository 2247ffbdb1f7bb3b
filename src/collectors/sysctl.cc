#include "collectors/sysctl.h"

#include "base/file_reader.h"
#include "base/split.h"
#include "collectors/go_strconv.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kInfo{"node_sysctl_info", "Value of a text sysctl, one series per word.",
                           expo::MetricType::kGauge};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string SysctlPath(const std::string& name) {
  std::string path = "sys/" + name;
  for (size_t i = 4; i < path.size(); ++i) {
    if (path[i] == '.') path[i] = '/';
  }
  return path;
}

class SysctlCollector : public Collector {
 public:
  SysctlCollector(const Context& ctx, std::vector<SysctlSpec> specs) {
    entries_.reserve(specs.size());
    for (SysctlSpec& spec : specs) {
      Entry e;
      e.metric = "node_sysctl_" + SanitizeSysctlName(spec.name);
      e.help = "sysctl " + spec.name;
      for (const std::string& key : spec.keys) {
        e.mapped_names.push_back(e.metric + "_" + key);
        e.mapped_helps.push_back("sysctl " + spec.name + ", field " + std::to_string(e.mapped_helps.size()));
      }
      e.file = KeptOpenFile(ctx.Proc(SysctlPath(spec.name)));
      e.spec = std::move(spec);
      entries_.push_back(std::move(e));
    }
  }

  // Like node_exporter, the first failing sysctl ends the scrape; series of
  // the sysctls before it are still exported.
  Status Collect(expo::MetricSet& out) override {
    for (Entry& e : entries_) {
      Status st = CollectOne(e, out);
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

 private:
  struct Entry {
    SysctlSpec spec;
    std::string metric;
    std::string help;
    std::vector<std::string> mapped_names;
    std::vector<std::string> mapped_helps;
    KeptOpenFile file;
  };

  std::string_view Index(size_t i) {
    while (index_labels_.size() <= i) index_labels_.push_back(std::to_string(index_labels_.size()));
    return index_labels_[i];
  }

  Status CollectOne(Entry& e, expo::MetricSet& out) {
    const SysctlSpec& s = e.spec;
    std::string_view content;
    Status st = e.file.Read(&content);
    if (!st.ok()) return Status::Error("error obtaining sysctl info: " + st.message());
    size_t length;
    if (s.numeric) {
      st = ParseSysctlInts(content, &ints_);
      if (!st.ok()) return Status::Error("error obtaining sysctl info: sysctl " + s.name + ": " + st.message());
      length = ints_.size();
    } else {
      ParseSysctlStrings(content, &words_);
      length = words_.size();
    }
    if (length == 0) return Status::Error("sysctl " + s.name + " has no values");
    if (length == 1 && !s.keys.empty()) {
      return Status::Error("sysctl " + s.name + " has only one value, but " + std::to_string(s.keys.size()) +
                           " keys are defined");
    }
    if (length > 1 && !s.keys.empty()) {
      if (length != s.keys.size()) {
        return Status::Error("sysctl " + s.name + " has " + std::to_string(length) + " values but " +
                             std::to_string(s.keys.size()) + " keys are defined");
      }
      if (!s.numeric) return Status::Error("mapped sysctl string values not supported");
      for (size_t i = 0; i < length; ++i) {
        const expo::Desc desc{e.mapped_names[i], e.mapped_helps[i], expo::MetricType::kUntyped};
        out.Add(desc, static_cast<double>(ints_[i]));
      }
      return Status::Ok();
    }
    const expo::Desc desc{e.metric, e.help, expo::MetricType::kUntyped};
    for (size_t i = 0; i < length; ++i) {
      if (s.numeric && length == 1) {
        out.Add(desc, static_cast<double>(ints_[0]));
      } else if (s.numeric) {
        out.Add(desc, static_cast<double>(ints_[i]), {{"index", Index(i)}});
      } else {
        out.Add(kInfo, 1, {{"name", s.name}, {"value", words_[i]}, {"index", Index(i)}});
      }
    }
    return Status::Ok();
  }

  std::vector<Entry> entries_;
  std::vector<int64_t> ints_;
  std::vector<std::string_view> words_;
  std::vector<std::string> index_labels_;
};

}  // namespace

SysctlSpec ParseSysctlInclude(std::string_view include, bool numeric) {
  SysctlSpec spec;
  spec.numeric = numeric;
  std::string_view name = include;
  std::string_view keys;
  if (SplitOnce(include, ':', &name, &keys)) {
    while (true) {
      size_t comma = keys.find(',');
      spec.keys.emplace_back(keys.substr(0, comma));
      if (comma == std::string_view::npos) break;
      keys.remove_prefix(comma + 1);
    }
  }
  spec.name = std::string(name);
  return spec;
}

std::string SanitizeSysctlName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  size_t i = 0;
  while (i < name.size()) {
    size_t j = i;
    while (j < name.size() && name[j] == '_') ++j;
    if (j < name.size() && !IsNameChar(name[j])) {
      // Underscores, a run of other characters, and underscores after it.
      while (j < name.size() && !IsNameChar(name[j])) ++j;
      while (j < name.size() && name[j] == '_') ++j;
      out.push_back('_');
      i = j;
    } else if (j > i) {
      out.append(name.substr(i, j - i));
      i = j;
    } else {
      out.push_back(name[i]);
      ++i;
    }
  }
  return out;
}

Status ParseSysctlInts(std::string_view content, std::vector<int64_t>* out) {
  out->clear();
  std::string_view field;
  while (NextField(&content, &field)) {
    std::optional<int64_t> v = GoParseInt(field, 0, 64);
    if (!v) {
      return Status::Error("field " + std::to_string(out->size()) + " is not a valid int: \"" +
                           std::string(field.substr(0, 64)) + "\"");
    }
    out->push_back(*v);
  }
  return Status::Ok();
}

void ParseSysctlStrings(std::string_view content, std::vector<std::string_view>* out) {
  out->clear();
  std::string_view field;
  while (NextField(&content, &field)) out->push_back(field);
}

StatusOr<std::unique_ptr<Collector>> NewSysctlCollector(const Context& ctx) {
  std::vector<SysctlSpec> specs;
  if (ctx.flags != nullptr) {
    for (const std::string& inc : ctx.flags->GetList("collector.sysctl.include")) {
      specs.push_back(ParseSysctlInclude(inc, true));
    }
    for (const std::string& inc : ctx.flags->GetList("collector.sysctl.include-info")) {
      specs.push_back(ParseSysctlInclude(inc, false));
    }
  }
  return std::unique_ptr<Collector>(std::make_unique<SysctlCollector>(ctx, std::move(specs)));
}

}  // namespace nodex::collectors
