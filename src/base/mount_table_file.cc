#include "base/mount_table_file.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <string.h>
#include <sys/statfs.h>

namespace nodex {
namespace {

// The same texts and codes as KeptOpenFile's failures, so callers' messages
// do not change with the reader.
Status ErrnoStatus(const char* what, const std::string& path, int err) {
  std::string msg = std::string(what) + " " + path + ": " + strerror(err);
  if (err == ENOENT || err == ENOTDIR) return Status::NoData(std::move(msg));
  return Status::Error(std::move(msg));
}

}  // namespace

bool MountTableFile::MayHaveChanged() const {
  if (!on_procfs_) return true;
  // Ask for every event mounts_poll or DEFAULT_POLLMASK can give: revents is
  // masked by `events`, and only the full answer tells the two apart.
  struct pollfd p {};
  p.fd = fd_.get();
  p.events = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLPRI;
  if (::poll(&p, 1, 0) != 1) return true;
  return p.revents != (POLLIN | POLLRDNORM);
}

Status MountTableFile::Read(std::string_view* content, bool* changed) {
  if (!fd_.valid()) {
    have_content_ = false;
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path_, errno);
    fd_.reset(fd);
    struct statfs sfs {};
    on_procfs_ = ::fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
  }
  // Poll before reading, even when reading anyway: the poll consumes the
  // change report, and a change after it is reported by the next one.
  if (!MayHaveChanged() && have_content_) {
    *content = std::string_view(buffer_.data(), size_);
    *changed = false;
    return Status::Ok();
  }
  have_content_ = false;
  long n = ReadFdFromStart(fd_.get(), &buffer_);
  if (n < 0) {
    fd_.reset();
    return ErrnoStatus("read", path_, static_cast<int>(-n));
  }
  size_ = static_cast<size_t>(n);
  have_content_ = true;
  *content = std::string_view(buffer_.data(), size_);
  *changed = true;
  return Status::Ok();
}

}  // namespace nodex
