#include "collectors/testing/scratch.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/file_reader.h"

namespace nodex::collectors::testing {

ScratchTree::ScratchTree(std::string_view name)
    : root_(::testing::TempDir() + "nodex_" + std::string(name) + "_" + std::to_string(getpid())) {
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
  std::filesystem::create_directories(root_);
}

ScratchTree::~ScratchTree() {
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

std::string ScratchTree::Path(std::string_view rel) const { return JoinPath(root_, rel); }

void ScratchTree::Write(std::string_view rel, std::string_view content) const {
  std::filesystem::path path = Path(rel);
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

void ScratchTree::MakeDir(std::string_view rel) const { std::filesystem::create_directories(Path(rel)); }

Context ProcContext(std::string_view dir, const FlagValues* flags, Logger* log) {
  Context ctx;
  ctx.paths.procfs = std::string(dir);
  ctx.flags = flags;
  ctx.log = log;
  return ctx;
}

Context SysContext(std::string_view dir, const FlagValues* flags, Logger* log) {
  Context ctx;
  ctx.paths.sysfs = std::string(dir);
  ctx.flags = flags;
  ctx.log = log;
  return ctx;
}

std::string ReadTestdata(std::string_view path) {
  std::string content;
  Status st = ReadFileOnce(std::string(path), &content);
  if (!st.ok()) ADD_FAILURE() << path << ": " << st.message() << " (tests run from the repository root)";
  return content;
}

std::unique_ptr<Collector> MustCreate(CollectorFactory factory, const Context& ctx) {
  auto collector = factory(ctx);
  if (!collector.ok()) {
    ADD_FAILURE() << "collector creation failed: " << collector.status().message();
    return nullptr;
  }
  return std::move(collector.value());
}

}  // namespace nodex::collectors::testing
