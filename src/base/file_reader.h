// Kept-open kernel file reader. /proc and /sys files are re-read on every
// scrape; opening them each time costs several times more than the read, so
// each collector keeps its fds open and re-reads from offset 0 into one buffer
// that starts at 4 KiB and only grows when a read fills it (the kernel
// allocates whatever size is requested, so large first reads are slow).
#ifndef NODEX_BASE_FILE_READER_H_
#define NODEX_BASE_FILE_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace nodex {

// Owns one O_CLOEXEC file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// When a read that returns less than it asked for is the end of the file.
// Reading on until a read returns 0 costs a syscall per file and scrape, and
// for some files much more: the extra read of /proc/net/udp walks the whole
// UDP hash table again. A seq_file read is filled from a kernel buffer of at
// least one page (fs/seq_file.c, seq_read_iter) and stops before the end only
// when the next record does not fit in what is left of that buffer; so a short
// read of n bytes is the end once n + (longest record) <= kSeqBufferMin. A file
// the kernel shows as one record (single_open: /proc/meminfo, /proc/stat,
// /proc/net/snmp; sysfs attributes; /proc/sys) ends at any short read, as does
// a regular file (the trees tests and --path.procfs point at).
struct ReadEnd {
  static constexpr size_t kSeqBufferMin = 4096;
  static constexpr size_t kUnknown = SIZE_MAX;

  // Read until a read returns 0: files of unknown shape, pipes.
  static constexpr ReadEnd AtZeroRead() { return ReadEnd{kUnknown, false}; }
  // The whole file is one record.
  static constexpr ReadEnd OneRecord() { return ReadEnd{0, true}; }
  // Records (lines) are at most longest bytes each.
  static constexpr ReadEnd Records(size_t longest) { return ReadEnd{longest, false}; }

  // True when a read that returned n bytes, fewer than asked, ends the file.
  constexpr bool EndsAt(size_t n) const {
    return one_record || (longest_record < kSeqBufferMin && n + longest_record <= kSeqBufferMin);
  }

  size_t longest_record;
  bool one_record;
};

// Reads a whole file through an fd opened once and kept open.
class KeptOpenFile {
 public:
  // Files larger than this are rejected rather than buffered: nothing nodex
  // reads is legitimately this big, and a bound keeps memory predictable.
  static constexpr size_t kMaxSize = 64u << 20;
  static constexpr size_t kInitialBuffer = 4096;

  KeptOpenFile() = default;
  explicit KeptOpenFile(std::string path, ReadEnd end = ReadEnd::AtZeroRead()) : path_(std::move(path)), end_(end) {}

  const std::string& path() const { return path_; }

  // Reads the file from offset 0 to EOF. On success *content views the
  // internal buffer and stays valid until the next Read. A missing file gives
  // StatusCode::kNoData; other failures kError. The fd is opened on first use
  // and reopened after a failure.
  Status Read(std::string_view* content);

 private:
  std::string path_;
  ReadEnd end_ = ReadEnd::AtZeroRead();
  UniqueFd fd_;
  std::vector<char> buffer_;
};

// Reads a file once with the same growth policy into *buffer (reused by the
// caller). For files read only at startup or rarely.
Status ReadFileOnce(const std::string& path, std::string* buffer);

// Reads the whole contents of an already open fd from offset 0 into *buffer,
// growing it as needed, up to KeptOpenFile::kMaxSize, and stopping where end
// says the file ends. Returns the number of bytes read, or -errno.
long ReadFdFromStart(int fd, std::vector<char>* buffer, ReadEnd end = ReadEnd::AtZeroRead());

}  // namespace nodex

#endif  // NODEX_BASE_FILE_READER_H_
