// read_floor: the physical floor of a scrape. Given the list of kernel files a
// scrape reads (one path per line, from bench/floor.sh's strace of a real
// scrape), times reading all of them, round after round, two ways:
//   kept-open   every fd opened once; each round re-reads each file from
//               offset 0 into its own reused buffer (4 KiB, grown when full:
//               nodex's ReadFdFromStart), i.e. the least a scraper can do;
//   open-close  open, read, close every file every round (what a scraper
//               that keeps no fds pays).
// Prints one line per mode: median and minimum microseconds per round.
//
// Usage: read_floor [--rounds N] LIST_FILE
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "base/file_reader.h"

namespace nodex::bench {
namespace {

struct Floor {
  double median_us = 0;
  double min_us = 0;
};

Floor Summarise(std::vector<double> rounds_us) {
  std::sort(rounds_us.begin(), rounds_us.end());
  return Floor{rounds_us[rounds_us.size() / 2], rounds_us.front()};
}

double MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
}

std::vector<std::string> ReadList(const char* path) {
  std::string text;
  std::vector<std::string> paths;
  if (!ReadFileOnce(path, &text).ok()) return paths;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.empty() && line[0] != '#') paths.emplace_back(line);
  }
  return paths;
}

int Run(int argc, char** argv) {
  int rounds = 2000;
  const char* list = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--rounds" && i + 1 < argc) {
      std::string_view v = argv[++i];
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), rounds);
      if (ec != std::errc() || end != v.data() + v.size() || rounds < 1) {
        std::fprintf(stderr, "read_floor: bad --rounds %s\n", argv[i]);
        return 2;
      }
    } else {
      list = argv[i];
    }
  }
  if (list == nullptr) {
    std::fprintf(stderr, "usage: read_floor [--rounds N] LIST_FILE\n");
    return 2;
  }

  // Keep only files that can be opened and read now: a scrape's list can
  // name files that have gone since (a process's, an unplugged device's).
  std::vector<std::string> paths;
  std::vector<UniqueFd> fds;
  std::vector<std::vector<char>> buffers;
  size_t bytes = 0;
  for (std::string& path : ReadList(list)) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) continue;
    std::vector<char> buffer;
    long n = ReadFdFromStart(fd.get(), &buffer);
    if (n < 0) continue;
    bytes += static_cast<size_t>(n);
    paths.push_back(std::move(path));
    fds.push_back(std::move(fd));
    buffers.push_back(std::move(buffer));
  }
  if (paths.empty()) {
    std::fprintf(stderr, "read_floor: no readable file in %s\n", list);
    return 1;
  }

  std::vector<double> kept_us;
  kept_us.reserve(rounds);
  for (int r = 0; r < rounds; ++r) {
    auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < fds.size(); ++i) ReadFdFromStart(fds[i].get(), &buffers[i]);
    kept_us.push_back(MicrosSince(start));
  }

  std::vector<double> reopen_us;
  reopen_us.reserve(rounds);
  for (int r = 0; r < rounds; ++r) {
    auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < paths.size(); ++i) {
      UniqueFd fd(::open(paths[i].c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
      if (fd.valid()) ReadFdFromStart(fd.get(), &buffers[i]);
    }
    reopen_us.push_back(MicrosSince(start));
  }

  Floor kept = Summarise(std::move(kept_us));
  Floor reopen = Summarise(std::move(reopen_us));
  std::printf("files %zu bytes %zu rounds %d\n", paths.size(), bytes, rounds);
  std::printf("kept-open median_us %.1f min_us %.1f\n", kept.median_us, kept.min_us);
  std::printf("open-close median_us %.1f min_us %.1f\n", reopen.median_us, reopen.min_us);
  return 0;
}

}  // namespace
}  // namespace nodex::bench

int main(int argc, char** argv) { return nodex::bench::Run(argc, argv); }
