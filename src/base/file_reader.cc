#include "base/file_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <utility>

namespace nodex {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

UniqueFd::~UniqueFd() { reset(); }

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

long ReadFdFromStart(int fd, std::vector<char>* buffer, ReadEnd end) {
  if (buffer->size() < KeptOpenFile::kInitialBuffer) buffer->resize(KeptOpenFile::kInitialBuffer);
  // pread from offset 0 instead of lseek + read: one syscall less per file,
  // ~30 per scrape. seq_file (most of /proc and sysfs) restarts at offset 0
  // and continues from where the previous pread ended. Files that cannot
  // pread (pipes, nonseekable_open) answer ESPIPE and are read from their
  // current position instead, as before when lseek failed the same way.
  bool positional = true;
  size_t used = 0;
  while (true) {
    if (used == buffer->size()) {
      if (buffer->size() >= KeptOpenFile::kMaxSize) return -EFBIG;
      buffer->resize(buffer->size() * 2);
    }
    char* at = buffer->data() + used;
    size_t room = buffer->size() - used;
    ssize_t n = positional ? ::pread(fd, at, room, static_cast<off_t>(used)) : ::read(fd, at, room);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ESPIPE && positional && used == 0) {
        positional = false;
        continue;
      }
      return -errno;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
    if (static_cast<size_t>(n) < room && positional && end.EndsAt(static_cast<size_t>(n))) break;
  }
  return static_cast<long>(used);
}

namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + strerror(err);
  if (err == ENOENT || err == ENOTDIR) return Status::NoData(std::move(msg));
  return Status::Error(std::move(msg));
}

}  // namespace

Status KeptOpenFile::Read(std::string_view* content) {
  if (!fd_.valid()) {
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path_, errno);
    fd_.reset(fd);
  }
  long n = ReadFdFromStart(fd_.get(), &buffer_, end_);
  if (n < 0) {
    fd_.reset();
    return ErrnoStatus("read", path_, static_cast<int>(-n));
  }
  *content = std::string_view(buffer_.data(), static_cast<size_t>(n));
  return Status::Ok();
}

Status ReadFileOnce(const std::string& path, std::string* buffer) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  UniqueFd owner(fd);
  std::vector<char> tmp;
  long n = ReadFdFromStart(fd, &tmp);
  if (n < 0) return ErrnoStatus("read", path, static_cast<int>(-n));
  buffer->assign(tmp.data(), static_cast<size_t>(n));
  return Status::Ok();
}

}  // namespace nodex
