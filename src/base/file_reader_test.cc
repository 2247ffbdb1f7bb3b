#include "base/file_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/testing/read_syscalls.h"

namespace nodex {
namespace {

// A fresh file per test, so tests may run in parallel.
class FileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = ::testing::TempDir() + "nodex_file_reader_" + info->name() + "_" + std::to_string(getpid());
  }
  void TearDown() override { std::remove(path_.c_str()); }

  // Rewrites in place (truncate + write), so an open fd sees the new content.
  void Write(const std::string& content) {
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    ::close(fd);
  }

  std::string path_;
};

TEST_F(FileReaderTest, RereadsAfterFileChanges) {
  Write("cpu 1 2 3\n");
  KeptOpenFile file(path_);
  std::string_view content;
  ASSERT_TRUE(file.Read(&content).ok());
  EXPECT_EQ(content, "cpu 1 2 3\n");
  Write("cpu 4 5 6 7\nctxt 9\n");
  ASSERT_TRUE(file.Read(&content).ok());
  EXPECT_EQ(content, "cpu 4 5 6 7\nctxt 9\n");
  Write("x");  // Shrinks: no stale tail from the previous read.
  ASSERT_TRUE(file.Read(&content).ok());
  EXPECT_EQ(content, "x");
  Write("");
  ASSERT_TRUE(file.Read(&content).ok());
  EXPECT_EQ(content, "");
}

TEST_F(FileReaderTest, GrowsPastInitialBuffer) {
  std::string big;
  for (int i = 0; big.size() < 3 * KeptOpenFile::kInitialBuffer + 17; ++i) big += "line " + std::to_string(i) + "\n";
  Write(big);
  KeptOpenFile file(path_);
  std::string_view content;
  ASSERT_TRUE(file.Read(&content).ok());
  EXPECT_EQ(content, big);
  // Exactly the initial buffer size: the read that fills it must not be
  // mistaken for EOF.
  const std::string exact(KeptOpenFile::kInitialBuffer, 'e');
  Write(exact);
  ASSERT_TRUE(file.Read(&content).ok());
  EXPECT_EQ(content, exact);
}

TEST_F(FileReaderTest, MissingFileIsNoData) {
  KeptOpenFile file(path_ + "_missing");
  std::string_view content;
  const Status s = file.Read(&content);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNoData);
  EXPECT_NE(s.message().find("_missing"), std::string::npos);

  KeptOpenFile under_file(path_ + "/child");  // ENOTDIR once path_ exists.
  Write("x");
  EXPECT_EQ(under_file.Read(&content).code(), StatusCode::kNoData);
}

TEST_F(FileReaderTest, AppearsAfterBeingMissing) {
  KeptOpenFile file(path_);
  std::string_view content;
  EXPECT_EQ(file.Read(&content).code(), StatusCode::kNoData);
  Write("now here");
  ASSERT_TRUE(file.Read(&content).ok());
  EXPECT_EQ(content, "now here");
}

TEST_F(FileReaderTest, DirectoryIsAnError) {
  KeptOpenFile file(::testing::TempDir());
  std::string_view content;
  const Status s = file.Read(&content);
  EXPECT_EQ(s.code(), StatusCode::kError);
}

using testing::ThreadReadSyscalls;

TEST(ReadEndTest, WhenAShortReadEndsTheFile) {
  EXPECT_FALSE(ReadEnd::AtZeroRead().EndsAt(0));
  EXPECT_FALSE(ReadEnd::AtZeroRead().EndsAt(10));
  EXPECT_TRUE(ReadEnd::OneRecord().EndsAt(10));
  EXPECT_TRUE(ReadEnd::OneRecord().EndsAt(100000));
  // The next record (up to 200 bytes) would have fitted in the page: the end.
  EXPECT_TRUE(ReadEnd::Records(200).EndsAt(4096 - 200));
  // It may not have fitted: read on.
  EXPECT_FALSE(ReadEnd::Records(200).EndsAt(4096 - 199));
  EXPECT_FALSE(ReadEnd::Records(5000).EndsAt(1));
}

// The count of read syscalls shows the difference: one for a file that ends
// at its first short read, two (the second returning 0) otherwise.
TEST_F(FileReaderTest, ShortReadEndsOneRecordFile) {
  if (ThreadReadSyscalls() < 0) GTEST_SKIP() << "/proc/thread-self/io has no syscr here (no task I/O accounting)";
  Write("some 1\nvalue 2\n");
  std::string_view content;
  for (const auto& [end, reads] : {std::pair{ReadEnd::OneRecord(), 1L}, std::pair{ReadEnd::Records(64), 1L},
                                   std::pair{ReadEnd::AtZeroRead(), 2L}}) {
    KeptOpenFile file(path_, end);
    ASSERT_TRUE(file.Read(&content).ok());  // opens the fd
    const long before = ThreadReadSyscalls();
    ASSERT_TRUE(file.Read(&content).ok());
    // ReadSyscalls' own read of thread-self/io counts once.
    EXPECT_EQ(ThreadReadSyscalls() - before - 1, reads) << "longest record " << end.longest_record;
    EXPECT_EQ(content, "some 1\nvalue 2\n");
  }
}

// A file larger than the first buffer still ends only after the last, short,
// read, whatever end says.
TEST_F(FileReaderTest, OneRecordLargerThanTheBuffer) {
  std::string big;
  for (int i = 0; big.size() < 2 * KeptOpenFile::kInitialBuffer + 5; ++i) big += "cpu" + std::to_string(i) + " 1 2 3\n";
  Write(big);
  KeptOpenFile file(path_, ReadEnd::OneRecord());
  std::string_view content;
  ASSERT_TRUE(file.Read(&content).ok());
  EXPECT_EQ(content, big);
}

TEST(KeptOpenFileTest, ProcSelfStatTwice) {
  KeptOpenFile file("/proc/self/stat");
  std::string_view content;
  ASSERT_TRUE(file.Read(&content).ok());
  const std::string first(content);
  EXPECT_EQ(first.rfind(std::to_string(getpid()) + " (", 0), 0u);
  EXPECT_EQ(first.back(), '\n');
  ASSERT_TRUE(file.Read(&content).ok());
  EXPECT_EQ(content.substr(0, content.find(')')), first.substr(0, first.find(')')));
  EXPECT_EQ(content.back(), '\n');
}

// A seq_file longer than the kernel's one-page record buffer comes back in
// several reads; each continues (pread at the end of the previous one) where
// the last stopped, and a second Read starts again at record 0.
TEST(KeptOpenFileTest, MultiPageSeqFileTwice) {
  const char* path = "/proc/crypto";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << path << " is not readable here";
  const std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (expected.size() <= static_cast<size_t>(getpagesize())) GTEST_SKIP() << path << " fits in one page here";
  // Its reads stop where the next record no longer fits the kernel's page, short
  // of the buffer; with the records' bound (its lines are under 100 bytes) the
  // reader must tell those from the end and read on.
  for (ReadEnd end : {ReadEnd::AtZeroRead(), ReadEnd::Records(256)}) {
    KeptOpenFile file(path, end);
    std::string_view content;
    for (int round = 0; round < 2; ++round) {
      ASSERT_TRUE(file.Read(&content).ok());
      EXPECT_EQ(content, expected) << "round " << round << ", longest record " << end.longest_record;
    }
  }
}

// A pipe cannot pread (ESPIPE): it is read from where it is, as stdin for
// `nodex lint -` may be.
TEST(ReadFdFromStartTest, PipeIsReadSequentially) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string text(5000, 'x');
  ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fds[1]);
  std::vector<char> buffer;
  const long n = ReadFdFromStart(fds[0], &buffer);
  ::close(fds[0]);
  ASSERT_EQ(n, static_cast<long>(text.size()));
  EXPECT_EQ(std::string(buffer.data(), static_cast<size_t>(n)), text);
}

TEST(ReadFileOnceTest, ReadsAndReportsMissing) {
  std::string buffer = "stale";
  ASSERT_TRUE(ReadFileOnce("/proc/self/stat", &buffer).ok());
  EXPECT_EQ(buffer.rfind(std::to_string(getpid()) + " (", 0), 0u);
  EXPECT_EQ(ReadFileOnce("/nonexistent/nodex", &buffer).code(), StatusCode::kNoData);
}

TEST(UniqueFdTest, MoveAndRelease) {
  UniqueFd a(::open("/proc/self/stat", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(a.valid());
  const int raw = a.get();
  UniqueFd b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): moved-from state is the point.
  EXPECT_EQ(b.get(), raw);
  const int released = b.release();
  EXPECT_FALSE(b.valid());
  EXPECT_EQ(released, raw);
  ::close(released);
}

}  // namespace
}  // namespace nodex
