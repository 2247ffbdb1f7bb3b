#include "collectors/sysfs_attrs.h"

#include <fcntl.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "collectors/testing/scratch.h"

namespace nodex::collectors::sysfs {
namespace {

// More attributes than the kept-open budget: every one must still read, and
// the fds kept open across all caches must stay within the budget.
TEST(AttrFilesTest, KeepsAtMostTheBudgetOpenAndStillReadsTheRest) {
  testing::ScratchTree tree("attr_budget");
  const size_t n = AttrFiles::kKeptOpenBudget + 100;
  for (size_t i = 0; i < n; ++i) tree.Write("a" + std::to_string(i), std::to_string(i) + "\n");

  AttrFiles first, second;
  for (int scrape = 0; scrape < 2; ++scrape) {
    for (size_t i = 0; i < n; ++i) {
      AttrFiles& files = i % 2 == 0 ? first : second;
      std::string_view out;
      ASSERT_EQ(files.Read(tree.Path("a" + std::to_string(i)), kAttrPageSize, &out), 0) << i;
      EXPECT_EQ(out, std::to_string(i) + "\n");
    }
    first.Sweep();
    second.Sweep();
    EXPECT_LE(first.open_count() + second.open_count(), AttrFiles::kKeptOpenBudget);
  }
  EXPECT_EQ(first.open_count() + second.open_count(), AttrFiles::kKeptOpenBudget);
}

// Fds given back by one cache (files gone, swept) become available to others.
TEST(AttrFilesTest, SweptFdsReturnToTheBudget) {
  testing::ScratchTree tree("attr_return");
  tree.Write("x", "1\n");
  size_t before;
  {
    AttrFiles files;
    std::string_view out;
    ASSERT_EQ(files.Read(tree.Path("x"), kAttrPageSize, &out), 0);
    before = files.open_count();
    EXPECT_EQ(before, 1u);
    files.Sweep();  // Read this generation: kept.
    EXPECT_EQ(files.open_count(), 1u);
    files.Sweep();  // Not read since: closed.
    EXPECT_EQ(files.open_count(), 0u);
  }
  AttrFiles again;
  std::string_view out;
  ASSERT_EQ(again.Read(tree.Path("x"), kAttrPageSize, &out), 0);
  EXPECT_EQ(again.open_count(), 1u);
}

// A read that fails for another reason than a removed node keeps its fd: the
// next scrape reads the same open file again instead of reopening the path.
TEST(AttrFilesTest, ReadErrorsOtherThanEnodevKeepTheFd) {
  testing::ScratchTree tree("attr_keep_on_error");
  tree.Write("d/placeholder", "");
  const std::string path = tree.Path("d");
  AttrFiles files;
  std::string_view out;
  EXPECT_EQ(files.Read(path, kAttrPageSize, &out), EISDIR);
  EXPECT_FALSE(files.last_error_was_open());
  files.Sweep();
  EXPECT_EQ(files.open_count(), 1u);

  // Replace the directory with a file: a reopen would read "1\n"; the kept
  // fd still refers to the old directory and fails the same way.
  ASSERT_EQ(std::system(("rm -rf '" + path + "'").c_str()), 0);
  tree.Write("d", "1\n");
  EXPECT_EQ(files.Read(path, kAttrPageSize, &out), EISDIR);
  files.Sweep();
  EXPECT_EQ(files.open_count(), 1u);
}

// ReadAt opens a file that is not kept open relative to the directory fd,
// by its name alone, and keys the cache by the full path. The directory here
// is a different one than the path names, so the test sees which was opened.
TEST(AttrFilesTest, ReadAtOpensRelativeToTheDirectoryAndKeysByPath) {
  testing::ScratchTree tree("attr_read_at");
  tree.Write("real/speed", "1000\n");
  tree.Write("named/speed", "10\n");
  UniqueFd dir(::open(tree.Path("real").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir.valid());
  const std::string path = tree.Path("named/speed");
  AttrFiles files;
  std::string_view out;
  ASSERT_EQ(files.ReadAt(path, dir.get(), "speed", kAttrPageSize, &out), 0);
  EXPECT_EQ(out, "1000\n");
  EXPECT_EQ(files.open_count(), 1u);
  // Kept open under `path`: a plain Read of that path reuses the same fd.
  ASSERT_EQ(files.Read(path, kAttrPageSize, &out), 0);
  EXPECT_EQ(out, "1000\n");
  EXPECT_EQ(files.open_count(), 1u);
  // A name missing from the directory is an open error, as with Read.
  EXPECT_EQ(files.ReadAt(tree.Path("named/duplex"), dir.get(), "duplex", kAttrPageSize, &out), ENOENT);
  EXPECT_TRUE(files.last_error_was_open());
}

}  // namespace
}  // namespace nodex::collectors::sysfs
