#include "base/mount_table_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "base/testing/private_mount_ns.h"

namespace nodex {
namespace {

std::string TestPath(const char* what) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return ::testing::TempDir() + "nodex_mount_table_" + info->name() + "_" + what + "_" + std::to_string(getpid());
}

void WriteFile(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  ::close(fd);
}

using testing::RunInPrivateMountNamespace;

bool HasMountPoint(std::string_view table, const std::string& dir) {
  return table.find(" " + dir + " ") != std::string_view::npos;
}

TEST(MountTableFileTest, RegularFileIsReadEveryTime) {
  // A fixture has no change reports: every Read must read it again.
  const std::string path = TestPath("file");
  WriteFile(path, "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n");
  MountTableFile file(path);
  std::string_view content;
  bool changed = false;
  ASSERT_TRUE(file.Read(&content, &changed).ok());
  EXPECT_TRUE(changed);
  EXPECT_EQ(content, "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n");
  EXPECT_FALSE(file.reports_changes());
  changed = false;
  ASSERT_TRUE(file.Read(&content, &changed).ok());
  EXPECT_TRUE(changed);
  WriteFile(path, "2 0 8:2 / /srv rw - xfs /dev/sdb rw\n");
  ASSERT_TRUE(file.Read(&content, &changed).ok());
  EXPECT_TRUE(changed);
  EXPECT_EQ(content, "2 0 8:2 / /srv rw - xfs /dev/sdb rw\n");
  std::remove(path.c_str());
}

TEST(MountTableFileTest, FailuresKeepTheirCodesAndTheNextReadStartsOver) {
  const std::string path = TestPath("missing");
  MountTableFile file(path);
  std::string_view content;
  bool changed = false;
  Status st = file.Read(&content, &changed);
  EXPECT_EQ(st.code(), StatusCode::kNoData);
  EXPECT_EQ(st.message(), "open " + path + ": No such file or directory");
  WriteFile(path, "x\n");
  ASSERT_TRUE(file.Read(&content, &changed).ok());
  EXPECT_TRUE(changed);
  EXPECT_EQ(content, "x\n");
  std::remove(path.c_str());

  // A directory opens but cannot be read.
  const std::string dir = TestPath("dir");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  MountTableFile not_a_file(dir);
  st = not_a_file.Read(&content, &changed);
  EXPECT_EQ(st.code(), StatusCode::kError);
  EXPECT_EQ(st.message(), "read " + dir + ": Is a directory");
  ::rmdir(dir.c_str());
}

TEST(MountTableFileTest, InvalidateMakesTheNextReadReadAgain) {
  MountTableFile file("/proc/self/mountinfo");
  std::string_view content;
  bool changed = false;
  ASSERT_TRUE(file.Read(&content, &changed).ok());
  EXPECT_TRUE(changed);
  EXPECT_TRUE(file.reports_changes());
  EXPECT_NE(content.find(" / "), std::string_view::npos);
  file.Invalidate();
  changed = false;
  ASSERT_TRUE(file.Read(&content, &changed).ok());
  EXPECT_TRUE(changed);
}

TEST(MountTableFileTest, ProcfsTableIsReadAgainOnlyAfterAMountChange) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs in a private mount namespace";
  const std::string dir = TestPath("mnt");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  std::string why;
  const bool ran = RunInPrivateMountNamespace(
      [&] {
        MountTableFile file("/proc/thread-self/mountinfo");
        std::string_view content;
        bool changed = false;
        ASSERT_TRUE(file.Read(&content, &changed).ok());
        EXPECT_TRUE(changed) << "the first Read always reads";
        ASSERT_TRUE(file.reports_changes());
        EXPECT_FALSE(HasMountPoint(content, dir));
        const std::string first(content);
        const char* const first_data = content.data();

        ASSERT_TRUE(file.Read(&content, &changed).ok());
        EXPECT_FALSE(changed) << "nothing was mounted";
        EXPECT_EQ(content, first);
        EXPECT_EQ(content.data(), first_data);

        ASSERT_EQ(::mount("nodex-test", dir.c_str(), "tmpfs", 0, "size=64k"), 0) << strerror(errno);
        ASSERT_TRUE(file.Read(&content, &changed).ok());
        EXPECT_TRUE(changed) << "after mount";
        EXPECT_TRUE(HasMountPoint(content, dir));
        ASSERT_TRUE(file.Read(&content, &changed).ok());
        EXPECT_FALSE(changed) << "no change after the mount was seen";
        EXPECT_TRUE(HasMountPoint(content, dir));

        ASSERT_EQ(::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr), 0) << strerror(errno);
        ASSERT_TRUE(file.Read(&content, &changed).ok());
        EXPECT_TRUE(changed) << "after remount read-only";
        EXPECT_NE(content.find(" " + dir + " ro,"), std::string_view::npos);

        // A second reader has its own change report: it is not consumed by
        // the first one's poll.
        MountTableFile other("/proc/thread-self/mountinfo");
        ASSERT_TRUE(other.Read(&content, &changed).ok());
        ASSERT_EQ(::umount(dir.c_str()), 0) << strerror(errno);
        ASSERT_TRUE(file.Read(&content, &changed).ok());
        EXPECT_TRUE(changed) << "after umount";
        EXPECT_FALSE(HasMountPoint(content, dir));
        ASSERT_TRUE(other.Read(&content, &changed).ok());
        EXPECT_TRUE(changed) << "after umount, second reader";
        EXPECT_FALSE(HasMountPoint(content, dir));
        ASSERT_TRUE(file.Read(&content, &changed).ok());
        EXPECT_FALSE(changed);
        EXPECT_EQ(content, first);
      },
      &why);
  ::rmdir(dir.c_str());
  if (!ran) GTEST_SKIP() << "no private mount namespace: " << why;
}

}  // namespace
}  // namespace nodex
