#include "base/memory_trim.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

namespace nodex {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Condensed /proc/<pid>/smaps of a running nodex (fields that do not matter
// left out): its five segments, libc's and GnuTLS's, the heap, the vdso, a
// read-only data file, a memfd and an anonymous mapping.
constexpr std::string_view kSmaps = R"(55d0c6a00000-55d0c6a30000 r--p 00000000 fd:01 1311 /usr/bin/nodex
Size:                192 kB
Rss:                 192 kB
Anonymous:             0 kB
55d0c6a30000-55d0c6d95000 r-xp 00030000 fd:01 1311 /usr/bin/nodex
Rss:                3204 kB
Anonymous:             0 kB
VmFlags: rd ex mr mw me dw sd
55d0c6d95000-55d0c6e64000 r--p 00395000 fd:01 1311 /usr/bin/nodex
Rss:                 428 kB
Anonymous:             0 kB
55d0c6e64000-55d0c6e82000 r--p 00463000 fd:01 1311 /usr/bin/nodex
Rss:                 120 kB
Anonymous:           120 kB
55d0c6e82000-55d0c6e83000 rw-p 00481000 fd:01 1311 /usr/bin/nodex
Rss:                   4 kB
Anonymous:             4 kB
55d0c7a00000-55d0c7c00000 rw-p 00000000 00:00 0                          [heap]
Rss:                 492 kB
Anonymous:           492 kB
7f1e2a000000-7f1e2a022000 r--p 00000000 fd:01 2001                       /usr/lib/x86_64-linux-gnu/libgnutls.so.30.34.3
Rss:                 136 kB
Anonymous:             0 kB
7f1e2a022000-7f1e2a16f000 r-xp 00022000 fd:01 2001                       /usr/lib/x86_64-linux-gnu/libgnutls.so.30.34.3
Rss:                   0 kB
Anonymous:             0 kB
7f1e2a16f000-7f1e2a1f0000 r--p 0016f000 fd:01 2001                       /usr/lib/x86_64-linux-gnu/libgnutls.so.30.34.3
Rss:                 984 kB
Anonymous:             0 kB
7f1e2b000000-7f1e2b028000 r--p 00000000 fd:01 3001                       /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                 160 kB
Anonymous:             0 kB
7f1e2b028000-7f1e2b17d000 r-xp 00028000 fd:01 3001                       /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                1104 kB
Anonymous:             0 kB
7f1e2b1d5000-7f1e2b1d9000 r--p 001d4000 fd:01 3001                       /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                  16 kB
Anonymous:            16 kB
7f1e2b1d9000-7f1e2b1db000 rw-p 001d8000 fd:01 3001                       /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                   8 kB
Anonymous:             8 kB
7f1e2c000000-7f1e2c100000 r--p 00000000 fd:01 4001                       /usr/share/misc/data.bin
Rss:                  64 kB
Anonymous:             0 kB
7f1e2d000000-7f1e2d001000 r--s 00000000 00:01 5001                       /memfd:buffer (deleted)
Rss:                   4 kB
Anonymous:             0 kB
7f1e2e000000-7f1e2e021000 rw-p 00000000 00:00 0
Rss:                  12 kB
Anonymous:            12 kB
7ffd1e5f3000-7ffd1e5f5000 r-xp 00000000 00:00 0                          [vdso]
Rss:                   8 kB
Anonymous:             0 kB
)";

std::vector<std::string> Describe(const std::vector<TrimRange>& ranges) {
  std::vector<std::string> out;
  for (const TrimRange& r : ranges) {
    char range[64];
    std::snprintf(range, sizeof(range), "%lx-%lx", static_cast<unsigned long>(r.start),
                  static_cast<unsigned long>(r.end));
    out.push_back(std::string(range) + " " + std::to_string(r.rss_kib) + " " + std::string(r.path));
  }
  return out;
}

TEST(ChooseTrimRangesTest, ReadOnlyFilePagesOfLoadedObjects) {
  EXPECT_THAT(
      Describe(ChooseTrimRanges(kSmaps)),
      ElementsAre("55d0c6a00000-55d0c6a30000 192 /usr/bin/nodex", "55d0c6a30000-55d0c6d95000 3204 /usr/bin/nodex",
                  "55d0c6d95000-55d0c6e64000 428 /usr/bin/nodex",
                  "7f1e2a000000-7f1e2a022000 136 /usr/lib/x86_64-linux-gnu/libgnutls.so.30.34.3",
                  "7f1e2a16f000-7f1e2a1f0000 984 /usr/lib/x86_64-linux-gnu/libgnutls.so.30.34.3",
                  "7f1e2b000000-7f1e2b028000 160 /usr/lib/x86_64-linux-gnu/libc.so.6",
                  "7f1e2b028000-7f1e2b17d000 1104 /usr/lib/x86_64-linux-gnu/libc.so.6"));
}

TEST(ChooseTrimRangesTest, WithoutAnonymousCountNothingIsChosen) {
  // Without the Anonymous: line a RELRO mapping cannot be told from rodata.
  EXPECT_THAT(ChooseTrimRanges("7f1e2b000000-7f1e2b028000 r-xp 00000000 fd:01 3001 /lib/libc.so.6\n"
                               "Rss:                 160 kB\n"),
              IsEmpty());
}

TEST(ChooseTrimRangesTest, PathsWithSpacesAndDeletedFiles) {
  EXPECT_THAT(Describe(ChooseTrimRanges("1000-3000 r-xp 00000000 fd:01 7 /opt/my dir/nodex (deleted)\n"
                                        "Rss: 8 kB\n"
                                        "Anonymous: 0 kB\n")),
              ElementsAre("1000-3000 8 /opt/my dir/nodex (deleted)"));
}

TEST(ChooseTrimRangesTest, MalformedHeadersDoNotBorrowAttributes) {
  // The broken second header must not turn into the first mapping's Rss or
  // Anonymous lines; the first mapping keeps its own.
  EXPECT_THAT(Describe(ChooseTrimRanges("1000-3000 r-xp 00000000 fd:01 7 /bin/a\n"
                                        "Rss: 8 kB\n"
                                        "Anonymous: 0 kB\n"
                                        "zzzz-3000 r--p 00000000 fd:01 7 /bin/a\n"
                                        "Rss: 8 kB\n"
                                        "Anonymous: 0 kB\n"
                                        "5000-4000 r--p 00000000 fd:01 7 /bin/a\n"
                                        "Rss: 8 kB\n"
                                        "Anonymous: 0 kB\n")),
              ElementsAre("1000-3000 8 /bin/a"));
  EXPECT_THAT(ChooseTrimRanges(""), IsEmpty());
  EXPECT_THAT(ChooseTrimRanges("Rss: 8 kB\nnot a mapping\n"), IsEmpty());
}

// Paging out this test's own code and libraries is harmless: what runs next
// faults back in.
TEST(PageOutStartupMemoryTest, OwnProcessKeepsRunning) {
  Logger log(LogLevel::kError);
  TrimResult result = PageOutStartupMemory(&log);
  if (result.error == EINVAL) GTEST_SKIP() << "kernel without MADV_PAGEOUT";
  EXPECT_EQ(result.error, 0);
  EXPECT_GT(result.mappings, 0);
  EXPECT_GT(result.rss_kib, 0u);
  EXPECT_THAT(Describe(ChooseTrimRanges(kSmaps)), testing::SizeIs(7));
}

}  // namespace
}  // namespace nodex
