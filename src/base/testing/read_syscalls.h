// Test helper: how many read-type syscalls (read, pread64, readv, ...) the
// calling thread has made, from task I/O accounting, so that tests can check
// how often code reads a file without timing anything.
#ifndef NODEX_BASE_TESTING_READ_SYSCALLS_H_
#define NODEX_BASE_TESTING_READ_SYSCALLS_H_

#include <fstream>
#include <string>

namespace nodex::testing {

// syscr of /proc/thread-self/io, or -1 where the kernel keeps no task I/O
// accounting. The call's own read of that file counts once in the next one.
inline long ThreadReadSyscalls() {
  std::ifstream in("/proc/thread-self/io");
  std::string key;
  long value = 0;
  while (in >> key >> value) {
    if (key == "syscr:") return value;
  }
  return -1;
}

}  // namespace nodex::testing

#endif  // NODEX_BASE_TESTING_READ_SYSCALLS_H_
