// A kept-open mount table (/proc/<pid>/mountinfo or /proc/<pid>/mounts) that
// is read again only when the kernel says the table changed.
//
// Mount tables rarely change, but formatting one (show_mountinfo) costs the
// kernel far more than a poll. poll(2) on an open mount table answers
// POLLIN|POLLRDNORM, plus POLLPRI|POLLERR once after every change to that
// mount namespace's table (mount, umount, remount, move, propagation) since
// this fd's previous poll (fs/proc_namespace.c, mounts_poll; Linux 2.6.15 for
// mounts, 2.6.26 for mountinfo). Each fd keeps its own "last seen" event, so
// two readers of one table each see every change.
//
// "No change" is trusted only when the file is on procfs and the answer is
// exactly POLLIN|POLLRDNORM. Anything else means "read it again": a regular
// file (test fixtures) or a kernel without this poll method answers
// POLLIN|POLLOUT|POLLRDNORM|POLLWRNORM (DEFAULT_POLLMASK), a kernel that
// always reports POLLPRI reports a change, a poll error is a change. Also
// read again: the first Read, any Read after a failure (the fd is reopened)
// and any Read after Invalidate().
#ifndef NODEX_BASE_MOUNT_TABLE_FILE_H_
#define NODEX_BASE_MOUNT_TABLE_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/file_reader.h"
#include "base/status.h"

namespace nodex {

class MountTableFile {
 public:
  explicit MountTableFile(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }

  // Makes *content view the whole file; the view stays valid until the next
  // Read or Invalidate. *changed is false only when *content is exactly what
  // the previous successful Read returned and the kernel reported no change
  // since, so the caller may reuse whatever it derived from it; otherwise the
  // file was read now (opened first if needed). A missing file gives
  // StatusCode::kNoData, other failures kError; the fd is then closed.
  Status Read(std::string_view* content, bool* changed);

  // The next Read reads the file again, e.g. because the caller could not
  // parse what the last one returned.
  void Invalidate() { have_content_ = false; }

  // True while the open fd is one whose change reports are trusted (a procfs
  // file); false before the first Read and after a failure.
  bool reports_changes() const { return fd_.valid() && on_procfs_; }

 private:
  // True unless the kernel says, trustworthily, that nothing changed since
  // the previous poll of this fd.
  bool MayHaveChanged() const;

  std::string path_;
  UniqueFd fd_;
  bool on_procfs_ = false;
  bool have_content_ = false;  // buffer_[0, size_) is the last successful read of fd_.
  std::vector<char> buffer_;
  size_t size_ = 0;
};

}  // namespace nodex

#endif  // NODEX_BASE_MOUNT_TABLE_FILE_H_
