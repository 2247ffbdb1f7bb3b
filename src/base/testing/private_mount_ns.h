// Test helper: runs code in a mount namespace of its own, for tests that
// mount and unmount and must neither disturb the machine nor see its changes.
#ifndef NODEX_BASE_TESTING_PRIVATE_MOUNT_NS_H_
#define NODEX_BASE_TESTING_PRIVATE_MOUNT_NS_H_

#include <sched.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

namespace nodex::testing {

// Runs `body` on a thread of its own in a new mount namespace that shares no
// propagation with the machine's: the test's mounts stay invisible to other
// processes, and nobody else's mounts change its table. That thread's table
// is /proc/thread-self/mountinfo. Returns false, without running `body`, when
// the namespace cannot be made (*why says why).
inline bool RunInPrivateMountNamespace(const std::function<void()>& body, std::string* why) {
  bool ran = false;
  std::thread thread([&] {
    if (::unshare(CLONE_NEWNS) != 0) {
      *why = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
      return;
    }
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      *why = std::string("making / private: ") + std::strerror(errno);
      return;
    }
    ran = true;
    body();
  });
  thread.join();
  return ran;
}

}  // namespace nodex::testing

#endif  // NODEX_BASE_TESTING_PRIVATE_MOUNT_NS_H_
