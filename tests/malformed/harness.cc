#include "harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <sstream>
#include <thread>

#include "expo/text_parser.h"
#include "expo/text_writer.h"

namespace nodex::malformed {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kDurationFamily = "node_scrape_collector_duration_seconds";
constexpr auto kWatchdog = std::chrono::seconds(60);
// Enough to see a pattern; past this a sweep only counts what else failed.
constexpr int kMaxReportedDifferences = 40;

std::string WithoutDurationSamples(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end == std::string_view::npos ? text.size() : end + 1);
    text.remove_prefix(line.size());
    if (line.rfind(kDurationFamily, 0) == 0) continue;
    out.append(line);
  }
  return out;
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Rewrites the file through its existing inode, as the kernel changes a
// /proc file under an fd a collector keeps open.
void WriteInPlace(const std::string& path, std::string_view content) {
  std::error_code ec;
  fs::permissions(path, fs::perms::owner_write, fs::perm_options::add, ec);
  int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  ASSERT_GE(fd, 0) << "cannot rewrite " << path;
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ASSERT_GT(n, 0) << "cannot write " << path;
    done += static_cast<size_t>(n);
  }
  close(fd);
}

// The watch descriptors of the events waiting on the (non-blocking) inotify
// fd; drains it.
std::set<int> DrainEvents(int fd) {
  std::set<int> wds;
  alignas(inotify_event) char buf[16384];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return wds;
    for (ssize_t off = 0; off + static_cast<ssize_t>(sizeof(inotify_event)) <= n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
      wds.insert(ev->wd);
      off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
    }
  }
}

std::string FirstDifference(const std::string& want, const std::string& got) {
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  size_t start = want.rfind('\n', i);
  start = start == std::string::npos ? 0 : start + 1;
  auto line = [start](const std::string& s) {
    if (start >= s.size()) return std::string("<end of output>");
    size_t end = s.find('\n', start);
    return s.substr(start, std::min<size_t>(end == std::string::npos ? s.size() - start : end - start, 300));
  };
  return "baseline: " + line(want) + "\n     now: " + line(got);
}

}  // namespace

bool ReadsLiveSystem(std::string_view collector) {
  // The kernel's clock, adjtimex(2), uname(2), statfs(2) of real mounts,
  // sock_diag and rtnetlink: none of them come from --path.*.
  static constexpr std::string_view kLive[] = {"filesystem", "network_route", "tcpstat", "time", "timex", "uname"};
  return std::find(std::begin(kLive), std::end(kLive), collector) != std::end(kLive);
}

collectors::FlagValues AllCollectorFlags(const std::vector<std::pair<std::string, std::string>>& overrides) {
  collectors::FlagValues flags;
  for (const collectors::CollectorInfo& info : collectors::AllCollectors()) {
    flags.Set("collector." + std::string(info.name), "true");
    for (const collectors::FlagDef& def : info.flags) {
      if (def.kind == collectors::FlagKind::kList) {
        flags.SetList(def.name, {});
      } else {
        flags.Set(def.name, std::string(def.default_value));
      }
    }
  }
  std::map<std::string, std::vector<std::string>> lists;
  for (const auto& [name, value] : overrides) {
    bool is_list = false;
    for (const collectors::CollectorInfo& info : collectors::AllCollectors()) {
      for (const collectors::FlagDef& def : info.flags) {
        if (def.name == name && def.kind == collectors::FlagKind::kList) is_list = true;
      }
    }
    if (is_list) {
      lists[name].push_back(value);
    } else {
      flags.Set(name, value);
    }
  }
  for (auto& [name, values] : lists) flags.SetList(name, std::move(values));
  return flags;
}

std::unique_ptr<Harness> Harness::Create(collectors::Context ctx) {
  std::unique_ptr<Harness> h(new Harness());
  h->log_fd_ = memfd_create("nodex-malformed-log", MFD_CLOEXEC);
  if (h->log_fd_ < 0) {
    ADD_FAILURE() << "memfd_create failed";
    return nullptr;
  }
  h->log_ = std::make_unique<Logger>(LogLevel::kDebug, LogFormat::kLogfmt, h->log_fd_);
  ctx.log = h->log_.get();
  h->ctx_ = ctx;
  std::vector<std::string> names;
  for (const collectors::CollectorInfo& info : collectors::AllCollectors()) names.emplace_back(info.name);
  auto scraper = collectors::Scraper::Create(names, h->ctx_);
  if (!scraper.ok()) {
    ADD_FAILURE() << "cannot create the scraper: " << scraper.status().message();
    return nullptr;
  }
  h->scraper_ = std::move(scraper.value());
  h->names_ = h->scraper_->Names();
  return h;
}

Harness::~Harness() {
  scraper_.reset();
  if (log_fd_ >= 0) close(log_fd_);
}

std::string Harness::DrainLog() {
  off_t end = lseek(log_fd_, 0, SEEK_END);
  std::string out;
  if (end <= log_read_) return out;
  out.resize(static_cast<size_t>(end - log_read_));
  ssize_t n = pread(log_fd_, out.data(), out.size(), log_read_);
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  log_read_ = end;
  return out;
}

Outcome Harness::ScrapeOne(const std::string& name, std::string_view what) {
  // The scrape runs on its own thread so that a collector that never returns
  // is reported by name instead of as a ctest timeout.
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  std::vector<std::string> only{name};
  std::thread worker([&] {
    scraper_->Scrape(only, &set_);
    done.set_value();
  });
  if (finished.wait_for(kWatchdog) != std::future_status::ready) {
    std::fprintf(stderr, "FATAL: collector %s did not return within %lld s on %.*s\n", name.c_str(),
                 static_cast<long long>(kWatchdog.count()), static_cast<int>(what.size()), what.data());
    std::fflush(stderr);
    std::_Exit(1);
  }
  worker.join();
  Outcome out;
  out.success = set_.Find("node_scrape_collector_success", {{"collector", name}}) == 1.0;
  expo::TextWriter writer;
  std::string text;
  writer.Write(set_, &text);
  out.text = WithoutDurationSamples(text);
  out.log = DrainLog();
  return out;
}

std::map<std::string, Outcome> Harness::ScrapeAll(std::string_view what) {
  std::map<std::string, Outcome> all;
  for (const std::string& name : names_) {
    Outcome out = ScrapeOne(name, what);
    CheckSane(name, out, what);
    all.emplace(name, std::move(out));
  }
  return all;
}

void CheckSane(const std::string& name, const Outcome& outcome, std::string_view what) {
  // The scraper turns an escaping exception into a failure with this message;
  // collectors must not throw in the first place.
  if (outcome.log.find("exception: ") != std::string::npos ||
      outcome.log.find("unknown exception") != std::string::npos) {
    ADD_FAILURE() << "collector " << name << " threw on " << what << ": " << outcome.log;
  }
  expo::ParsedText parsed;
  Status st = expo::ParseText(outcome.text, &parsed);
  if (!st.ok()) {
    ADD_FAILURE() << "collector " << name << " rendered invalid exposition text on " << what << ": "
                  << st.message();
  }
}

void CheckUnaffected(const std::map<std::string, Outcome>& baseline, const std::map<std::string, Outcome>& got,
                     const std::set<std::string>& allowed_to_differ, std::string_view what) {
  for (const auto& [name, out] : got) {
    if (allowed_to_differ.count(name) != 0 || ReadsLiveSystem(name)) continue;
    auto it = baseline.find(name);
    if (it == baseline.end()) continue;
    if (it->second.success != out.success) {
      ADD_FAILURE() << "collector " << name << " went from success " << it->second.success << " to "
                    << out.success << " on " << what << ", but it is not expected to read what was broken"
                    << (out.log.empty() ? "" : "; it logged: " + out.log);
    } else if (it->second.text != out.text) {
      ADD_FAILURE() << "collector " << name << " changed its output on " << what
                    << ", but it is not expected to read what was broken:\n  "
                    << FirstDifference(it->second.text, out.text);
    }
  }
}

void CopyTree(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks | fs::copy_options::overwrite_existing,
           ec);
  if (ec) ADD_FAILURE() << "cannot copy " << from << " to " << to << ": " << ec.message();
  // Copies get the current time; textfile exports mtimes, and every copy of
  // a tree must render the same.
  const timespec fixed[2] = {{1700000000, 0}, {1700000000, 0}};
  for (auto it = fs::recursive_directory_iterator(to, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_symlink(ec)) utimensat(AT_FDCWD, it->path().c_str(), fixed, AT_SYMLINK_NOFOLLOW);
  }
}

std::vector<std::string> RegularFiles(const std::string& root, const std::vector<std::string>& subdirs) {
  std::vector<std::string> files;
  for (const std::string& sub : subdirs) {
    std::error_code ec;
    fs::recursive_directory_iterator it(fs::path(root) / sub, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
      files.push_back(fs::relative(it->path(), root, ec).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string_view MutationName(Mutation m) {
  switch (m) {
    case Mutation::kTruncateHalf: return "truncated to half";
    case Mutation::kGarbage: return "binary garbage";
    case Mutation::kDigitsToLetters: return "digits replaced by letters";
    case Mutation::kEmpty: return "empty";
  }
  return "?";
}

std::string Garbage(size_t size, uint32_t seed) {
  // mt19937's output sequence is fixed by the standard, unlike the
  // distributions, so the bytes are the same on every platform.
  std::mt19937 gen(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

std::string Mutate(std::string_view content, Mutation m, uint32_t seed) {
  switch (m) {
    case Mutation::kTruncateHalf: return std::string(content.substr(0, content.size() / 2));
    case Mutation::kGarbage: return Garbage(std::clamp<size_t>(content.size(), 16, 64 << 10), seed);
    case Mutation::kDigitsToLetters: {
      std::string out(content);
      for (char& c : out) {
        if (c >= '0' && c <= '9') c = static_cast<char>('g' + (c - '0'));  // Not hex digits either.
      }
      return out;
    }
    case Mutation::kEmpty: return std::string();
  }
  return std::string(content);
}

std::vector<SweepRun> RotatingRuns(const std::vector<std::string>& files, size_t first) {
  std::vector<SweepRun> runs;
  constexpr size_t kKinds = std::size(kAllMutations);
  for (size_t i = 0; i < files.size(); ++i) runs.push_back({files[i], kAllMutations[(first + i) % kKinds]});
  return runs;
}

void Sweep(Harness& harness, const std::string& root, const std::vector<SweepRun>& runs,
           const std::map<std::string, Outcome>& baseline) {
  int ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(ino, 0) << "inotify_init1 failed";
  // Who reads what, found on the unbroken tree: reading an empty file raises
  // no IN_ACCESS and a kept-open fd no IN_OPEN, so the broken scrape alone
  // would miss the readers of a file that a mutation emptied.
  std::map<std::string, int> wd_of;
  for (const SweepRun& run : runs) {
    if (wd_of.count(run.file) != 0) continue;
    int wd = inotify_add_watch(ino, (root + "/" + run.file).c_str(), IN_OPEN | IN_ACCESS);
    ASSERT_GE(wd, 0) << "inotify_add_watch " << run.file << " failed";
    wd_of[run.file] = wd;
  }
  DrainEvents(ino);
  std::map<int, std::set<std::string>> readers;
  for (const std::string& name : harness.names()) {
    harness.ScrapeOne(name, "the unbroken tree");
    for (int wd : DrainEvents(ino)) readers[wd].insert(name);
  }

  int differences = 0;
  for (size_t ri = 0; ri < runs.size(); ++ri) {
    const SweepRun& run = runs[ri];
    const int wd = wd_of[run.file];
    const std::string path = root + "/" + run.file;
    const std::string original = ReadWhole(path);
    const std::string mutated = Mutate(original, run.mutation, static_cast<uint32_t>(ri));
    if (mutated == original) continue;
    WriteInPlace(path, mutated);
    const std::string what = run.file + " (" + std::string(MutationName(run.mutation)) + ")";
    DrainEvents(ino);
    for (const std::string& name : harness.names()) {
      Outcome out = harness.ScrapeOne(name, what);
      CheckSane(name, out, what);
      const bool read_it = DrainEvents(ino).count(wd) != 0 || readers[wd].count(name) != 0;
      auto base = baseline.find(name);
      if (read_it || ReadsLiveSystem(name) || base == baseline.end()) continue;
      if (base->second.success == out.success && base->second.text == out.text) continue;
      if (++differences <= kMaxReportedDifferences) {
        ADD_FAILURE() << "collector " << name << " did not read " << what << " but its output changed:\n  "
                      << (base->second.success != out.success
                              ? "success " + std::to_string(base->second.success) + " -> " +
                                    std::to_string(out.success) + " " + out.log
                              : FirstDifference(base->second.text, out.text));
      }
    }
    WriteInPlace(path, original);
    DrainEvents(ino);
  }
  close(ino);
  if (differences > kMaxReportedDifferences) {
    ADD_FAILURE() << (differences - kMaxReportedDifferences) << " more output changes not shown";
  }
}

}  // namespace nodex::malformed
