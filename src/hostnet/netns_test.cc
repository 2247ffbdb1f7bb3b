#include "hostnet/netns.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "hostnet/proc_status.h"

namespace nodex::hostnet {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Fixture(const std::string& name) {
  std::string content = ReadAll("src/hostnet/testdata/" + name);
  EXPECT_FALSE(content.empty()) << "run from the repository root";
  return content;
}

// Kernel threads are visible, so /proc/1 is the node's init here.
bool InInitialPidNamespace() {
  const std::string stat = ReadAll("/proc/2/stat");
  auto head = ParseStatHead(stat);
  return head && head->comm == "kthreadd" && head->ppid == 0;
}

// Runs `body` in a forked child and returns its exit status; the child is
// where namespaces are changed, so the test process keeps its own.
int InChild(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

constexpr int kSkip = 77;

TEST(TableHasInodeTest, NetlinkTableFromThisMachine) {
  // /proc/net/netlink: "sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode".
  const std::string table = Fixture("netlink");
  EXPECT_TRUE(TableHasInode(table, kNetlinkInodeField, 1593));
  EXPECT_TRUE(TableHasInode(table, kNetlinkInodeField, 4));
  EXPECT_FALSE(TableHasInode(table, kNetlinkInodeField, 1596));
  // The header's "Inode" and other columns do not count.
  EXPECT_FALSE(TableHasInode(table, kNetlinkInodeField, 0));
}

TEST(TableHasInodeTest, UnixTableFromThisMachine) {
  // /proc/net/unix: "Num RefCount Protocol Flags Type St Inode Path".
  const std::string table = Fixture("unix");
  EXPECT_TRUE(TableHasInode(table, kUnixInodeField, 1680));
  EXPECT_FALSE(TableHasInode(table, kUnixInodeField, 3));
}

TEST(TableHasInodeTest, ShortAndEmptyTables) {
  EXPECT_FALSE(TableHasInode("", kNetlinkInodeField, 5));
  EXPECT_FALSE(TableHasInode("sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode\n", kNetlinkInodeField, 5));
  // A line too short to have the column is skipped, not misread.
  EXPECT_FALSE(TableHasInode("header\n0 0 5\n", kNetlinkInodeField, 5));
  EXPECT_TRUE(TableHasInode("header\n0 0 5\n", 2, 5));
}

TEST(ParseNetDevNamesTest, FromThisMachine) {
  auto names = ParseNetDevNames(Fixture("dev"));
  ASSERT_EQ(names.size(), 4u);
  EXPECT_EQ(names[0], "lo");
  EXPECT_EQ(names[3], "eth0");
  EXPECT_TRUE(ParseNetDevNames("").empty());
}

TEST(DetectNamespacesTest, NotAProcfsIsUnknown) {
  Namespaces ns = DetectNamespaces("src/hostnet/testdata");
  EXPECT_FALSE(ns.init_is_node.yes.has_value());
  EXPECT_FALSE(ns.network.yes.has_value());
  EXPECT_FALSE(ns.pid.yes.has_value());
  EXPECT_NE(ns.network.detail.find("not a procfs mount"), std::string::npos) << ns.network.detail;
  EXPECT_FALSE(DetectNamespaces("/nonexistent").network.yes.has_value());
}

TEST(DetectNamespacesTest, HereInTheNodesNamespaces) {
  if (!InInitialPidNamespace()) GTEST_SKIP() << "not in the initial PID namespace (a container?)";
  Namespaces ns = DetectNamespaces("/proc");
  EXPECT_EQ(ns.init_is_node.yes, true) << ns.init_is_node.detail;
  // Where PID 1's ns link is readable (root with ptrace access), it is the
  // reference; elsewhere the answer must at least be known.
  char self_net[64] = {};
  ASSERT_GT(readlink("/proc/self/ns/net", self_net, sizeof(self_net) - 1), 0);
  char init_net[64] = {};
  if (readlink("/proc/1/ns/net", init_net, sizeof(init_net) - 1) > 0) {
    EXPECT_EQ(ns.network.yes, std::string(self_net) == init_net) << ns.network.detail;
  } else {
    EXPECT_TRUE(ns.network.yes.has_value()) << ns.network.detail;
  }
  EXPECT_TRUE(ns.pid.yes.has_value()) << ns.pid.detail;
}

TEST(DetectNamespacesTest, SeparateNetworkNamespace) {
  if (!InInitialPidNamespace()) GTEST_SKIP() << "not in the initial PID namespace (a container?)";
  int rc = InChild([] {
    if (!DetectNamespaces("/proc").network.yes.value_or(false)) return kSkip;  // Not in the node's to start with.
    if (unshare(CLONE_NEWNET) != 0) return kSkip;
    Namespaces ns = DetectNamespaces("/proc");
    if (ns.network.yes != false) {
      std::fprintf(stderr, "network: %s\n", ns.network.detail.c_str());
      return 1;
    }
    // A fresh namespace has only loopback.
    return InterfaceAddresses().empty() ? 0 : 2;
  });
  if (rc == kSkip) GTEST_SKIP() << "needs CAP_SYS_ADMIN to create a network namespace";
  EXPECT_EQ(rc, 0);
}

TEST(DetectNamespacesTest, SeparatePidNamespace) {
  if (!InInitialPidNamespace()) GTEST_SKIP() << "not in the initial PID namespace (a container?)";
  int rc = InChild([] {
    if (unshare(CLONE_NEWPID) != 0) return kSkip;
    // The next child is PID 1 of the new namespace; /proc still is the
    // node's, as with a host /proc mounted into a pod without hostPID.
    return InChild([] {
      Namespaces ns = DetectNamespaces("/proc");
      if (ns.pid.yes != false) {
        std::fprintf(stderr, "pid: %s\n", ns.pid.detail.c_str());
        return 1;
      }
      return ns.init_is_node.yes == true ? 0 : 2;
    });
  });
  if (rc == kSkip) GTEST_SKIP() << "needs CAP_SYS_ADMIN to create a PID namespace";
  EXPECT_EQ(rc, 0);
}

}  // namespace
}  // namespace nodex::hostnet
