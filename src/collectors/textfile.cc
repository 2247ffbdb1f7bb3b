#include "collectors/textfile.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "base/file_reader.h"
#include "expo/text_parser.h"

namespace nodex::collectors {
namespace {

constexpr expo::Desc kMtime{"node_textfile_mtime_seconds", "Modification time of each textfile read without errors, as Unix time.",
                            expo::MetricType::kGauge};
constexpr expo::Desc kScrapeError{"node_textfile_scrape_error",
                                  "1 if a textfile directory or file could not be read or parsed, else 0.",
                                  expo::MetricType::kGauge};
constexpr std::string_view kFlag = "collector.textfile.directory";

bool HasMeta(std::string_view s) { return s.find_first_of("*?[\\") != std::string_view::npos; }

// Checks a '[...]' class body starting after '['; returns the index after ']'
// or npos when malformed. Sets *matched for character c.
size_t MatchClass(std::string_view p, size_t i, char c, bool* matched) {
  bool negated = false;
  if (i < p.size() && p[i] == '^') {
    negated = true;
    ++i;
  }
  bool found = false;
  int ranges = 0;
  while (true) {
    if (i < p.size() && p[i] == ']' && ranges > 0) {
      ++i;
      break;
    }
    auto esc = [&](char* out) -> bool {
      if (i >= p.size() || p[i] == '-' || p[i] == ']') return false;
      if (p[i] == '\\') {
        ++i;
        if (i >= p.size()) return false;
      }
      *out = p[i++];
      return true;
    };
    char lo;
    if (!esc(&lo)) return std::string_view::npos;
    char hi = lo;
    if (i < p.size() && p[i] == '-') {
      ++i;
      if (!esc(&hi)) return std::string_view::npos;
    }
    if (lo <= c && c <= hi) found = true;
    ++ranges;
  }
  *matched = found != negated;
  return i;
}

bool ValidPattern(std::string_view p) {
  for (size_t i = 0; i < p.size();) {
    if (p[i] == '\\') {
      if (i + 1 >= p.size()) return false;
      i += 2;
    } else if (p[i] == '[') {
      bool ignored;
      i = MatchClass(p, i + 1, 'a', &ignored);
      if (i == std::string_view::npos) return false;
    } else {
      ++i;
    }
  }
  return true;
}

bool MatchFrom(std::string_view p, std::string_view s) {
  while (!p.empty()) {
    if (p[0] == '*') {
      while (!p.empty() && p[0] == '*') p.remove_prefix(1);
      for (size_t i = 0; i <= s.size(); ++i) {
        if (MatchFrom(p, s.substr(i))) return true;
        if (i < s.size() && s[i] == '/') return false;
      }
      return false;
    }
    if (s.empty()) return false;
    if (p[0] == '?') {
      if (s[0] == '/') return false;
      p.remove_prefix(1);
    } else if (p[0] == '[') {
      bool matched = false;
      const size_t next = MatchClass(p, 1, s[0], &matched);
      if (next == std::string_view::npos || !matched) return false;
      p.remove_prefix(next);
    } else {
      if (p[0] == '\\') p.remove_prefix(1);
      if (p.empty() || p[0] != s[0]) return false;
      p.remove_prefix(1);
    }
    s.remove_prefix(1);
  }
  return s.empty();
}

std::string JoinClean(std::string_view dir, std::string_view name) {
  std::string joined(dir);
  if (!joined.empty()) joined.push_back('/');
  joined.append(name);
  return CleanPath(joined);
}

// Directory entry names, sorted like Go's os.ReadDir. Returns 0 or errno.
int ListDir(const std::string& path, std::vector<std::string>* names) {
  names->clear();
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return errno;
  errno = 0;
  while (struct dirent* e = readdir(dir)) {
    std::string_view n(e->d_name);
    if (n == "." || n == "..") continue;
    names->emplace_back(n);
  }
  const int err = errno;
  closedir(dir);
  std::sort(names->begin(), names->end());
  return err;
}

void GlobDir(const std::string& dir, std::string_view pattern, std::vector<std::string>* out) {
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
  std::vector<std::string> names;
  if (ListDir(dir, &names) != 0 && names.empty()) return;
  for (const std::string& n : names) {
    if (MatchGlob(pattern, n) == GlobMatch::kMatch) out->push_back(JoinClean(dir, n));
  }
}

struct NameState {
  uint64_t generation = 0;
  bool has_help_texts = false;
  std::string help0, help1;
  std::vector<uint32_t> files;
  bool default_help_set = false;
  std::string default_help;
  bool emitted = false;
  std::string emitted_help;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class TextfileCollector : public Collector {
 public:
  TextfileCollector(const Context& ctx, std::vector<std::string> patterns)
      : log_(ctx.log), patterns_(std::move(patterns)) {}

  Status Collect(expo::MetricSet& out) override {
    ++generation_;
    bool errored = false;
    logged_now_.clear();
    files_used_ = 0;
    accepted_.clear();

    dirs_.clear();
    for (const std::string& pattern : patterns_) {
      const size_t before = dirs_.size();
      if (!ExpandGlob(pattern, &dirs_) || dirs_.size() == before) {
        dirs_.resize(before);
        dirs_.push_back(pattern);
      }
    }

    for (const std::string& dir : dirs_) {
      if (dir.empty()) continue;  // The flag's default: no directory, no error.
      const int err = ListDir(dir, &names_);
      if (err != 0) {
        errored = true;
        LogOnce("failed to read textfile collector directory", {{"path", dir}, {"err", std::strerror(err)}});
      }
      for (const std::string& name : names_) {
        if (name.size() < 5 || name.compare(name.size() - 5, 5, ".prom") != 0) continue;
        if (files_used_ == files_.size()) files_.emplace_back();
        FileSlot& file = files_[files_used_];
        file.path = JoinClean(dir, name);
        Status st = ProcessFile(&file);
        if (!st.ok()) {
          errored = true;
          LogOnce("failed to collect textfile data", {{"file", name}, {"err", st.message()}});
          continue;
        }
        const auto file_index = static_cast<uint32_t>(files_used_++);
        errored |= MergeFamilies(file_index);
      }
    }

    Emit(out);

    mtime_order_.clear();
    for (uint32_t i = 0; i < files_used_; ++i) mtime_order_.push_back(i);
    std::sort(mtime_order_.begin(), mtime_order_.end(),
              [&](uint32_t a, uint32_t b) { return files_[a].path < files_[b].path; });
    for (size_t k = 0; k < mtime_order_.size(); ++k) {
      const FileSlot& f = files_[mtime_order_[k]];
      if (k > 0 && files_[mtime_order_[k - 1]].path == f.path) continue;
      out.Add(kMtime, f.mtime, {{"file", f.path}});
    }
    out.Add(kScrapeError, errored ? 1 : 0);

    logged_prev_.swap(logged_now_);
    if (names_state_.size() > 4096) {
      std::erase_if(names_state_, [&](const auto& kv) { return kv.second.generation != generation_; });
    }
    return Status::Ok();
  }

 private:
  struct FileSlot {
    std::string path;
    expo::ParsedText parsed;
    double mtime = 0;
  };
  struct Accepted {
    uint32_t file;
    uint32_t family;
    NameState* state;
  };

  Status ProcessFile(FileSlot* file) {
    UniqueFd fd(open(file->path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
      return Status::Error("failed to open textfile data file \"" + file->path + "\": " + std::strerror(errno));
    }
    // Writers replace textfiles by rename, so each scrape opens the file anew.
    const long n = ReadFdFromStart(fd.get(), &buffer_);
    if (n < 0) {
      return Status::Error("failed to parse textfile data from \"" + file->path + "\": " + std::strerror(static_cast<int>(-n)));
    }
    Status st = expo::ParseText(std::string_view(buffer_.data(), static_cast<size_t>(n)), &file->parsed);
    if (!st.ok()) return Status::Error("failed to parse textfile data from \"" + file->path + "\": " + st.message());
    if (file->parsed.HasTimestamps()) {
      return Status::Error("textfile \"" + file->path + "\" contains unsupported client-side timestamps, skipping entire file");
    }
    struct stat sb;
    if (fstat(fd.get(), &sb) != 0) return Status::Error("failed to stat \"" + file->path + "\": " + std::strerror(errno));
    // Go: float64(UnixNano() / 1e9), whole seconds truncated toward zero.
    int64_t secs = sb.st_mtim.tv_sec;
    if (secs < 0 && sb.st_mtim.tv_nsec > 0) ++secs;
    file->mtime = static_cast<double>(secs);
    return Status::Ok();
  }

  NameState* State(std::string_view name) {
    auto it = names_state_.find(name);
    if (it == names_state_.end()) it = names_state_.emplace(std::string(name), NameState{}).first;
    NameState& s = it->second;
    if (s.generation != generation_) {
      s.generation = generation_;
      s.has_help_texts = false;
      s.help0.clear();
      s.help1.clear();
      s.files.clear();
      s.default_help_set = false;
      s.emitted = false;
    }
    return &s;
  }

  // node_exporter's help-text bookkeeping across files. Returns true when a
  // family was dropped for inconsistent help.
  bool MergeFamilies(uint32_t file_index) {
    bool errored = false;
    const expo::ParsedText& parsed = files_[file_index].parsed;
    for (uint32_t f : parsed.family_order()) {
      const expo::ParsedText::Family& family = parsed.family(f);
      const std::string_view name = parsed.Text(family.name);
      const std::string_view help = family.has_help ? parsed.Text(family.help) : std::string_view();
      NameState* st = State(name);
      if (st->has_help_texts && ((family.has_help && st->help0 != help) || !st->help1.empty())) {
        st->help1.assign(help);
        errored = true;
        LogOnce("inconsistent metric help text", {{"metric", name},
                                                   {"original_help_text", st->help0},
                                                   {"new_help_text", help},
                                                   {"file", files_[st->files.front()].path}});
        continue;
      }
      if (family.has_help) {
        st->has_help_texts = true;
        st->help0.assign(help);
        st->help1.clear();
      }
      st->files.push_back(file_index);
      accepted_.push_back({file_index, f, st});
    }
    return errored;
  }

  void Emit(expo::MetricSet& out) {
    for (const Accepted& a : accepted_) {
      const expo::ParsedText& parsed = files_[a.file].parsed;
      const expo::ParsedText::Family& family = parsed.family(a.family);
      NameState* st = a.state;
      std::string_view help;
      if (family.has_help) {
        help = parsed.Text(family.help);
      } else {
        if (!st->default_help_set) {
          st->default_help.assign("Metric read from ");
          for (size_t i = 0; i < st->files.size(); ++i) {
            if (i > 0) st->default_help.append(", ");
            st->default_help.append(files_[st->files[i]].path);
          }
          st->default_help_set = true;
        }
        help = st->default_help;
      }
      // client_golang drops series whose help differs from the family's.
      if (st->emitted && st->emitted_help != help) continue;
      if (!st->emitted) {
        st->emitted = true;
        st->emitted_help.assign(help);
      }
      EmitFamily(parsed, family, help, out);
    }
  }

  void EmitFamily(const expo::ParsedText& parsed, const expo::ParsedText::Family& family, std::string_view help,
                  expo::MetricSet& out) {
    using Metric = expo::ParsedText::Metric;
    const expo::Desc desc{parsed.Text(family.name), help, family.type};
    union_names_.clear();
    for (uint32_t m = family.first_metric; m != expo::ParsedText::kNone; m = parsed.metric(m).next) {
      const Metric& metric = parsed.metric(m);
      for (uint32_t i = 0; i < metric.label_count; ++i) {
        const std::string_view n = parsed.Text(parsed.label(metric.label_begin + i).name);
        if (std::find(union_names_.begin(), union_names_.end(), n) == union_names_.end()) union_names_.push_back(n);
      }
    }
    for (uint32_t m = family.first_metric; m != expo::ParsedText::kNone; m = parsed.metric(m).next) {
      const Metric& metric = parsed.metric(m);
      labels_.clear();
      for (uint32_t i = 0; i < metric.label_count; ++i) {
        const expo::ParsedText::LabelPair& l = parsed.label(metric.label_begin + i);
        labels_.push_back({parsed.Text(l.name), parsed.Text(l.value)});
      }
      for (std::string_view n : union_names_) {
        bool present = false;
        for (uint32_t i = 0; i < metric.label_count && !present; ++i) {
          present = labels_[i].name == n;
        }
        if (!present) labels_.push_back({n, ""});
      }
      if (family.type != expo::MetricType::kSummary && family.type != expo::MetricType::kHistogram) {
        out.Add(desc, metric.value, labels_);
        continue;
      }
      // Repeated quantiles or bounds: the last one wins, as in a Go map.
      buckets_.clear();
      for (uint32_t b = metric.first_bucket; b != expo::ParsedText::kNone; b = parsed.bucket(b).next) {
        const expo::ParsedText::BucketEntry& e = parsed.bucket(b);
        auto same = std::find_if(buckets_.begin(), buckets_.end(), [&](const expo::Bucket& x) { return x.bound == e.bound; });
        if (same != buckets_.end()) {
          same->value = e.value;
        } else {
          buckets_.push_back({e.bound, e.value});
        }
      }
      out.AddComposite(desc, labels_, metric.value, metric.count, buckets_);
    }
  }

  void LogOnce(std::string_view msg, std::initializer_list<LogField> fields) {
    std::string key(msg);
    for (const LogField& f : fields) {
      key.push_back('\0');
      key.append(f.second);
    }
    const bool seen = std::find(logged_prev_.begin(), logged_prev_.end(), key) != logged_prev_.end();
    if (std::find(logged_now_.begin(), logged_now_.end(), key) == logged_now_.end()) logged_now_.push_back(key);
    if (!seen && log_ != nullptr) log_->Error(msg, fields);
  }

  Logger* log_;
  const std::vector<std::string> patterns_;
  uint64_t generation_ = 0;
  std::vector<std::string> dirs_;
  std::vector<std::string> names_;
  std::vector<FileSlot> files_;
  size_t files_used_ = 0;
  std::vector<Accepted> accepted_;
  std::vector<uint32_t> mtime_order_;
  std::vector<char> buffer_;
  std::unordered_map<std::string, NameState, StringHash, std::equal_to<>> names_state_;
  std::vector<std::string_view> union_names_;
  std::vector<expo::Label> labels_;
  std::vector<expo::Bucket> buckets_;
  std::vector<std::string> logged_prev_, logged_now_;
};

}  // namespace

std::string CleanPath(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  std::string out;
  if (rooted) out.push_back('/');
  size_t dotdot = out.size();  // Where backtracking must stop.
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
    } else if (path[i] == '.' && (i + 1 == path.size() || path[i + 1] == '/')) {
      ++i;
    } else if (path[i] == '.' && path[i + 1] == '.' && (i + 2 == path.size() || path[i + 2] == '/')) {
      i += 2;
      if (out.size() > dotdot) {
        size_t w = out.size() - 1;
        while (w > dotdot && out[w] != '/') --w;
        out.resize(w);
      } else if (!rooted) {
        if (!out.empty()) out.push_back('/');
        out.append("..");
        dotdot = out.size();
      }
    } else {
      if ((rooted && out.size() != 1) || (!rooted && !out.empty())) out.push_back('/');
      while (i < path.size() && path[i] != '/') out.push_back(path[i++]);
    }
  }
  if (out.empty()) return ".";
  return out;
}

GlobMatch MatchGlob(std::string_view pattern, std::string_view name) {
  if (!ValidPattern(pattern)) return GlobMatch::kBadPattern;
  return MatchFrom(pattern, name) ? GlobMatch::kMatch : GlobMatch::kNoMatch;
}

bool ExpandGlob(std::string_view pattern, std::vector<std::string>* out) {
  if (!ValidPattern(pattern)) return false;
  if (!HasMeta(pattern)) {
    struct stat st;
    if (lstat(std::string(pattern).c_str(), &st) == 0) out->emplace_back(pattern);
    return true;
  }
  const size_t slash = pattern.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? std::string_view() : pattern.substr(0, slash + 1);
  const std::string_view file = pattern.substr(dir.size());
  std::string clean_dir;
  if (dir.empty()) {
    clean_dir = ".";
  } else if (dir == "/") {
    clean_dir = "/";
  } else {
    clean_dir.assign(dir.substr(0, dir.size() - 1));
  }
  if (!HasMeta(clean_dir)) {
    GlobDir(clean_dir, file, out);
    return true;
  }
  if (clean_dir == pattern) return false;
  std::vector<std::string> parents;
  if (!ExpandGlob(clean_dir, &parents)) return false;
  for (const std::string& d : parents) GlobDir(d, file, out);
  return true;
}

StatusOr<std::unique_ptr<Collector>> NewTextfileCollector(const Context& ctx) {
  std::vector<std::string> patterns;
  if (ctx.flags != nullptr) patterns = ctx.flags->GetList(kFlag);
  return std::unique_ptr<Collector>(std::make_unique<TextfileCollector>(ctx, std::move(patterns)));
}

}  // namespace nodex::collectors
