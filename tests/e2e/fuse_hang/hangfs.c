// hangfs: a tiny FUSE filesystem for tests/e2e/filesystem_hang.sh whose
// statfs blocks for as long as a control file exists, so a test can hold any
// statfs(2) on the mount "hung" and then let it answer.
//
//   hangfs CONTROL_FILE MOUNTPOINT [fuse options...]   (e.g. -f to stay in the foreground)
//
// The root directory is empty. statfs reports fixed numbers once released:
// 4096-byte blocks, 1000 blocks, 600 free, 500 available, 100 inodes, 40 free.
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fuse.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

static const char* control_file;

static int hang_getattr(const char* path, struct stat* st, struct fuse_file_info* fi) {
  (void)fi;
  memset(st, 0, sizeof(*st));
  if (strcmp(path, "/") != 0) return -ENOENT;
  st->st_mode = S_IFDIR | 0755;
  st->st_nlink = 2;
  return 0;
}

static int hang_readdir(const char* path, void* buf, fuse_fill_dir_t filler, off_t offset, struct fuse_file_info* fi,
                        enum fuse_readdir_flags flags) {
  (void)offset;
  (void)fi;
  (void)flags;
  if (strcmp(path, "/") != 0) return -ENOENT;
  filler(buf, ".", NULL, 0, 0);
  filler(buf, "..", NULL, 0, 0);
  return 0;
}

static int hang_statfs(const char* path, struct statvfs* st) {
  (void)path;
  // Block while the control file exists (polled: no extra machinery, and a
  // removed file releases every waiting request).
  const struct timespec tick = {0, 20 * 1000 * 1000};
  while (access(control_file, F_OK) == 0) nanosleep(&tick, NULL);
  memset(st, 0, sizeof(*st));
  st->f_bsize = 4096;
  st->f_frsize = 4096;
  st->f_blocks = 1000;
  st->f_bfree = 600;
  st->f_bavail = 500;
  st->f_files = 100;
  st->f_ffree = 40;
  st->f_namemax = 255;
  return 0;
}

static const struct fuse_operations hang_ops = {
    .getattr = hang_getattr,
    .readdir = hang_readdir,
    .statfs = hang_statfs,
};

int main(int argc, char* argv[]) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s CONTROL_FILE MOUNTPOINT [fuse options...]\n", argv[0]);
    return 2;
  }
  control_file = argv[1];
  // Hand fuse_main everything but the control file.
  argv[1] = argv[0];
  return fuse_main(argc - 1, argv + 1, &hang_ops, NULL);
}
