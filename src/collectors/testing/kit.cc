#include "collectors/testing/kit.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "base/file_reader.h"
#include "base/split.h"
#include "expo/text_writer.h"

namespace nodex::collectors::testing {
namespace {

// The family a TYPE or sample line belongs to. Histogram/summary suffixes are
// not stripped: callers name the families they render.
std::string_view LineFamily(std::string_view line) {
  if (line.rfind("# TYPE ", 0) == 0) {
    line.remove_prefix(7);
    return line.substr(0, line.find(' '));
  }
  size_t end = line.find_first_of("{ ");
  return line.substr(0, end);
}

std::vector<std::string> FilterLines(std::string_view text, const std::vector<std::string>& names) {
  std::vector<std::string> out;
  std::string_view line;
  while (NextLine(&text, &line)) {
    if (line.empty() || line.rfind("# HELP ", 0) == 0) continue;
    if (line[0] == '#' && line.rfind("# TYPE ", 0) != 0) continue;
    if (std::find(names.begin(), names.end(), LineFamily(line)) != names.end()) out.emplace_back(line);
  }
  return out;
}

}  // namespace

std::optional<std::string> KitDir() {
  // Under ctest: the repaired working copy (scripts/prepare-conformance-kit).
  // Run by hand from the source directory: ../shared itself, but only if its
  // symlinks survived the copy that brought it here; a flattened tree would
  // make link-walking collectors fail for reasons that are not theirs.
  std::error_code ec;
  std::filesystem::path candidate = "../shared/conformance/node_exporter";
  if (const char* copy = std::getenv("NODEX_CONFORMANCE_KIT"); copy != nullptr && *copy != '\0') {
    candidate = std::filesystem::path(copy) / "node_exporter";
  }
  if (!std::filesystem::exists(candidate / "e2e-output.txt", ec)) return std::nullopt;
  if (!std::filesystem::is_symlink(candidate / "collector/fixtures/proc/self", ec)) return std::nullopt;
  return std::filesystem::absolute(candidate, ec).lexically_normal().string();
}

ScopedKitDir::ScopedKitDir(const std::string& kit_dir) : previous_(std::filesystem::current_path().string()) {
  std::filesystem::current_path(kit_dir);
}

ScopedKitDir::~ScopedKitDir() {
  std::error_code ec;
  std::filesystem::current_path(previous_, ec);
}

Context KitContext(const FlagValues* flags, Logger* log) {
  Context ctx;
  ctx.paths.procfs = "collector/fixtures/proc";
  ctx.paths.sysfs = "collector/fixtures/sys";
  ctx.paths.rootfs = "collector/fixtures";
  ctx.paths.udev_data = "collector/fixtures/udev/data";
  ctx.flags = flags;
  ctx.log = log;
  return ctx;
}

std::vector<std::string> ExpectedLines(const std::string& kit_dir, const std::vector<std::string>& names) {
  std::string text;
  if (!ReadFileOnce(kit_dir + "/e2e-output.txt", &text).ok()) return {};
  return FilterLines(text, names);
}

std::vector<std::string> RenderedLines(const expo::MetricSet& set, const std::vector<std::string>& names) {
  expo::TextWriter writer;
  std::string text;
  writer.Write(set, &text);
  return FilterLines(text, names);
}

}  // namespace nodex::collectors::testing
