#include "hostnet/port_conflict.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "base/file_reader.h"

namespace nodex::hostnet {
namespace {

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

ListenFailure Failure(int err, const std::string& host = "127.0.0.1", uint16_t port = 9100) {
  ListenFailure f;
  f.host = host;
  f.port = port;
  f.address = host + ":" + std::to_string(port);
  f.err = err;
  f.message = "listen tcp " + f.address + ": bind: " + strerror(err);
  return f;
}

TEST(ReservedPortTest, KubernetesPorts) {
  EXPECT_EQ(ReservedPortUse(10250), "the kubelet API");
  for (uint16_t port :
       {22, 53, 80, 443, 4194, 6443, 9099, 9890, 10248, 10249, 10250, 10255, 10256, 30000, 31000, 32767}) {
    EXPECT_TRUE(ReservedPortUse(port)) << port;
  }
  for (uint16_t port : {9100, 8080, 10251, 29999, 32768}) EXPECT_FALSE(ReservedPortUse(port)) << port;
  auto warning = ReservedPortWarning(10256);
  ASSERT_TRUE(warning);
  EXPECT_TRUE(Contains(*warning, "port 10256 is reserved for kube-proxy's health check")) << *warning;
  EXPECT_FALSE(ReservedPortWarning(9100));
}

TEST(ListenPortTest, Forms) {
  EXPECT_EQ(ListenPort(":9100"), 9100);
  EXPECT_EQ(ListenPort("127.0.0.1:10250"), 10250);
  EXPECT_EQ(ListenPort("[::1]:443"), 443);
  EXPECT_FALSE(ListenPort("localhost:http"));
  EXPECT_FALSE(ListenPort("9100"));
  EXPECT_FALSE(ListenPort(":99999"));
}

TEST(DescribeListenFailureTest, InUseNamesTheHolder) {
  ConflictFacts facts;
  Listener holder;
  holder.protocol = "tcp";
  holder.address = "0.0.0.0";
  holder.port = 9100;
  holder.pid = 4242;
  holder.command = "python3 -m http.server 9100";
  facts.holders = {holder, holder};  // The same process twice (tcp and tcp6) is named once.
  facts.host_network = true;
  std::string line = DescribeListenFailure(Failure(EADDRINUSE), facts);
  EXPECT_TRUE(Contains(line, "listen tcp 127.0.0.1:9100: bind: Address already in use: ")) << line;
  EXPECT_TRUE(Contains(line, "port 9100 is already in use by pid 4242 (python3 -m http.server 9100);")) << line;
  EXPECT_FALSE(Contains(line, " and pid")) << line;
  EXPECT_TRUE(Contains(line, "host-network pods share the node's ports")) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(DescribeListenFailureTest, InUseByAHiddenProcess) {
  ConflictFacts facts;
  Listener holder;
  holder.port = 9100;
  holder.uid = 0;
  holder.inode = 777;
  facts.holders = {holder};
  facts.owners_hidden = true;
  facts.euid = 65534;
  std::string line = DescribeListenFailure(Failure(EADDRINUSE), facts);
  EXPECT_TRUE(Contains(line, "by a process of uid 0 (socket inode 777) that uid 65534 may not see")) << line;
  EXPECT_TRUE(Contains(line, "ss -ltnp")) << line;
}

TEST(DescribeListenFailureTest, InUseInsideThePod) {
  ConflictFacts facts;
  facts.host_network = false;
  std::string line = DescribeListenFailure(Failure(EADDRINUSE), facts);
  EXPECT_TRUE(Contains(line, "no listening socket on it")) << line;
  EXPECT_TRUE(Contains(line, "not in the node's network namespace")) << line;
  EXPECT_FALSE(Contains(line, "share the node's ports")) << line;
}

TEST(DescribeListenFailureTest, PrivilegedPort) {
  ConflictFacts facts;
  facts.euid = 65534;
  std::string line = DescribeListenFailure(Failure(EACCES, "", 80), facts);
  EXPECT_TRUE(Contains(line, "port 80 is below 1024")) << line;
  EXPECT_TRUE(Contains(line, "CAP_NET_BIND_SERVICE")) << line;
  EXPECT_TRUE(Contains(line, "uid 65534")) << line;
  // With the capability or as root, the port is not the reason.
  facts.net_bind_service = true;
  EXPECT_TRUE(Contains(DescribeListenFailure(Failure(EACCES, "", 80), facts), "security policy"));
  facts.net_bind_service = false;
  facts.euid = 0;
  EXPECT_TRUE(Contains(DescribeListenFailure(Failure(EACCES, "", 80), facts), "security policy"));
  // The threshold is the namespace's sysctl.
  facts.euid = 1000;
  facts.unprivileged_port_start = 80;
  EXPECT_TRUE(Contains(DescribeListenFailure(Failure(EACCES, "", 80), facts), "security policy"));
}

TEST(DescribeListenFailureTest, AddressNotHere) {
  ConflictFacts facts;
  facts.addresses = {"192.0.2.2", "fd00::2"};
  std::string line = DescribeListenFailure(Failure(EADDRNOTAVAIL, "198.18.0.77"), facts);
  EXPECT_TRUE(Contains(line,
                       "198.18.0.77 is not an address of this node (its addresses: 192.0.2.2, fd00::2 and "
                       "loopback): listen on :9100"))
      << line;
  facts.host_network = false;
  EXPECT_TRUE(Contains(DescribeListenFailure(Failure(EADDRNOTAVAIL, "198.18.0.77"), facts),
                       "not an address of this pod's network namespace"));
}

TEST(DescribeListenFailureTest, OtherErrorsKeepTheServersMessage) {
  ListenFailure f;
  f.message = "listen tcp nohost:9100: lookup nohost: Name or service not known";
  EXPECT_EQ(DescribeListenFailure(f, ConflictFacts{}), f.message);
}

TEST(ExplainListenFailureTest, RealConflictNamesThisProcess) {
  UniqueFd holder(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(holder.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(holder.get(), 1), 0);
  socklen_t len = sizeof(address);
  ASSERT_EQ(getsockname(holder.get(), reinterpret_cast<sockaddr*>(&address), &len), 0);
  const uint16_t port = ntohs(address.sin_port);

  UniqueFd second(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_NE(bind(second.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(errno, EADDRINUSE);

  ListenFailure f = Failure(EADDRINUSE, "127.0.0.1", port);
  std::string line = ExplainListenFailure(f, "/proc", true);
  EXPECT_TRUE(Contains(line, "by pid " + std::to_string(getpid()) + " (")) << line;
  EXPECT_TRUE(Contains(line, "hostnet_test")) << line;
}

}  // namespace
}  // namespace nodex::hostnet
