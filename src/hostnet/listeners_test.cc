#include "hostnet/listeners.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/file_reader.h"

namespace nodex::hostnet {
namespace {

using namespace std::string_view_literals;

std::string Fixture(const std::string& name) {
  std::ifstream in("src/hostnet/testdata/" + name);
  EXPECT_TRUE(in) << "run from the repository root";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The kernel writes addresses in its own byte order; the fixtures come from
// a little-endian machine.
constexpr bool kLittleEndian = std::endian::native == std::endian::little;

// A temporary directory that looks like a procfs, removed afterwards.
class FakeProc {
 public:
  FakeProc() {
    char tmpl[] = "/tmp/nodex-hostnet-test.XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  ~FakeProc() { std::filesystem::remove_all(root_); }
  const std::string& root() const { return root_; }
  void Write(const std::string& rel, std::string_view content) {
    std::filesystem::path p = std::filesystem::path(root_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  void Link(const std::string& rel, const std::string& target) {
    std::filesystem::path p = std::filesystem::path(root_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::filesystem::create_symlink(target, p);
  }

 private:
  std::string root_;
};

TEST(ParseProcNetSocketsTest, TcpFromThisMachine) {
  if (!kLittleEndian) GTEST_SKIP() << "fixture captured on a little-endian machine";
  std::vector<SocketRow> rows;
  ASSERT_TRUE(ParseProcNetSockets(Fixture("tcp"), false, &rows).ok());
  ASSERT_EQ(rows.size(), 6u);
  // "0: 0100007F:98BC 00000000:0000 0A ... 0 0 333989"
  EXPECT_EQ(FormatAddress(rows[0]), "127.0.0.1");
  EXPECT_EQ(rows[0].local_port, 39100);
  EXPECT_EQ(rows[0].state, kTcpListen);
  EXPECT_EQ(rows[0].inode, 333989u);
  EXPECT_EQ(FormatAddress(rows[1]), "0.0.0.0");
  EXPECT_EQ(rows[1].local_port, 2024);
  // An established connection and a TIME_WAIT socket without an inode.
  EXPECT_EQ(rows[2].state, 0x01);
  EXPECT_EQ(rows[2].remote_port, 0xBD70);
  EXPECT_EQ(rows[3].state, 0x06);
  EXPECT_EQ(rows[3].inode, 0u);
}

TEST(ParseProcNetSocketsTest, Tcp6FromThisMachine) {
  if (!kLittleEndian) GTEST_SKIP() << "fixture captured on a little-endian machine";
  std::vector<SocketRow> rows;
  ASSERT_TRUE(ParseProcNetSockets(Fixture("tcp6"), true, &rows).ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(FormatAddress(rows[0]), "::");
  EXPECT_EQ(rows[0].local_port, 39102);
  EXPECT_EQ(FormatAddress(rows[1]), "::1");
  EXPECT_EQ(rows[1].local_port, 39101);
}

TEST(ParseProcNetSocketsTest, MappedAddressAndUid) {
  if (!kLittleEndian) GTEST_SKIP() << "little-endian layout";
  std::vector<SocketRow> rows;
  ASSERT_TRUE(ParseProcNetSockets(
                  "  sl  local_address                         remote_address                        st tx_queue "
                  "rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
                  "   0: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A "
                  "00000000:00000000 00:00000000 00000000 65534        0 4242 1 0000000000000000 100 0 0 10 0\n",
                  true, &rows)
                  .ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(FormatAddress(rows[0]), "::ffff:127.0.0.1");
  EXPECT_EQ(rows[0].local_port, 8080);
  EXPECT_EQ(rows[0].uid, 65534u);
}

TEST(ParseProcNetSocketsTest, UdpFromThisMachine) {
  std::vector<SocketRow> rows;
  ASSERT_TRUE(ParseProcNetSockets(Fixture("udp"), false, &rows).ok());
  ASSERT_TRUE(ParseProcNetSockets(Fixture("udp6"), true, &rows).ok());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].state, kUdpUnconnected);
  EXPECT_EQ(rows[0].local_port, 39153);
  EXPECT_EQ(rows[1].state, 0x01);  // Connected.
  EXPECT_TRUE(rows[2].ipv6);
}

TEST(ParseProcNetSocketsTest, EmptyAndHeaderOnly) {
  std::vector<SocketRow> rows;
  EXPECT_TRUE(ParseProcNetSockets("", false, &rows).ok());
  EXPECT_TRUE(ParseProcNetSockets("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
                                  "timeout inode\n",
                                  false, &rows)
                  .ok());
  EXPECT_TRUE(rows.empty());
}

TEST(ParseProcNetSocketsTest, RejectsMalformed) {
  const std::string header =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt uid timeout inode\n";
  const std::string good = "   0: 0100007F:98BC 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 333989 1\n";
  std::vector<SocketRow> rows;
  ASSERT_TRUE(ParseProcNetSockets(header + good, false, &rows).ok());
  for (const std::string& bad : {
           good,                                                                                          // no header
           header + "   0: 0100007F:98BC 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0\n",  // short
           header + "   0: 0100007G:98BC 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
           header + "   0: 100007F:98BC 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
           header + "   0: 0100007F:198BC 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
           header + "   0: 0100007F98BC 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n",
           header + "   0: 0100007F:98BC 00000000:0000 0A 00000000:00000000 00:00000000 00000000 x 0 1\n",
           header + "   0: 0100007F:98BC 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 -1\n",
           header + "   0: 0100007F:98BC 00000000:0000 100 00000000:00000000 00:00000000 00000000 0 0 1\n",
       }) {
    rows.clear();
    EXPECT_FALSE(ParseProcNetSockets(bad, false, &rows).ok()) << bad;
  }
  // An IPv4 table read as IPv6 has the wrong address width.
  EXPECT_FALSE(ParseProcNetSockets(header + good, true, &rows).ok());
}

TEST(ListListenersTest, FixtureTreeWithOwners) {
  if (!kLittleEndian) GTEST_SKIP() << "fixture captured on a little-endian machine";
  FakeProc proc;
  proc.Write("net/tcp", Fixture("tcp"));
  proc.Write("net/tcp6", Fixture("tcp6"));
  proc.Write("net/udp", Fixture("udp"));
  // No udp6: IPv6 tables may be missing.
  proc.Write("4242/cmdline", "python3\0-m\0http.server\0"sv);
  proc.Write("4242/stat", "4242 (python3) S 1 4242 4242 0 -1");
  proc.Link("4242/fd/0", "/dev/null");
  proc.Link("4242/fd/3", "socket:[333989]");
  proc.Link("4242/fd/4", "socket:[333994]");
  proc.Write("4243/stat", "4243 (other) S 1 4243 4243 0 -1");
  proc.Link("4243/fd/7", "socket:[999]");

  auto listeners = ListListeners(proc.root());
  ASSERT_TRUE(listeners.ok()) << listeners.status().message();
  // tcp (2024, 39100), tcp6 (39101, 39102), udp (39153); established,
  // TIME_WAIT and connected UDP sockets are not listeners.
  ASSERT_EQ(listeners->size(), 5u);
  const Listener& python = (*listeners)[1];
  EXPECT_EQ(python.protocol, "tcp");
  EXPECT_EQ(python.address, "127.0.0.1");
  EXPECT_EQ(python.port, 39100);
  EXPECT_EQ(python.pid, 4242);
  EXPECT_EQ(python.command, "python3 -m http.server");
  EXPECT_TRUE(python.tcp());
  const Listener& hidden = (*listeners)[0];
  EXPECT_EQ(hidden.port, 2024);
  EXPECT_TRUE(hidden.wildcard());
  EXPECT_EQ(hidden.pid, 0);
  EXPECT_TRUE(hidden.command.empty());
  EXPECT_EQ((*listeners)[2].protocol, "tcp6");
  EXPECT_EQ((*listeners)[2].port, 39101);
  const Listener& udp = (*listeners)[4];
  EXPECT_EQ(udp.protocol, "udp");
  EXPECT_EQ(udp.port, 39153);
  EXPECT_EQ(udp.pid, 4242);
  EXPECT_FALSE(udp.tcp());

  ListOptions tcp_only;
  tcp_only.udp = false;
  tcp_only.resolve_owners = false;
  auto tcp = ListListeners(proc.root(), tcp_only);
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->size(), 4u);
  EXPECT_EQ((*tcp)[1].pid, 0);
}

TEST(ListListenersTest, MissingOrBrokenTables) {
  FakeProc proc;
  EXPECT_FALSE(ListListeners(proc.root()).ok());  // No tcp table at all.
  proc.Write("net/tcp", "garbage\n");
  auto broken = ListListeners(proc.root());
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("net/tcp"), std::string::npos);
}

TEST(ListListenersTest, FindsOurOwnSocket) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(fd.valid());
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(fd.get(), 1), 0);
  socklen_t len = sizeof(address);
  ASSERT_EQ(getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &len), 0);
  const uint16_t port = ntohs(address.sin_port);

  auto listeners = ListListeners("/proc");
  ASSERT_TRUE(listeners.ok()) << listeners.status().message();
  const Listener* ours = nullptr;
  for (const Listener& l : *listeners) {
    if (l.port == port && l.protocol == "tcp") ours = &l;
  }
  ASSERT_NE(ours, nullptr);
  EXPECT_EQ(ours->address, "127.0.0.1");
  EXPECT_EQ(ours->pid, getpid());
  EXPECT_NE(ours->command.find("hostnet_test"), std::string::npos) << ours->command;
  EXPECT_EQ(ours->uid, geteuid());
}

TEST(AddressesOverlapTest, LikeBind) {
  EXPECT_TRUE(AddressesOverlap("", "127.0.0.1"));
  EXPECT_TRUE(AddressesOverlap("0.0.0.0", "10.0.0.1"));
  EXPECT_TRUE(AddressesOverlap("10.0.0.1", "::"));
  EXPECT_TRUE(AddressesOverlap("127.0.0.1", "127.0.0.1"));
  EXPECT_TRUE(AddressesOverlap("::ffff:127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(AddressesOverlap("127.0.0.1", "10.0.0.1"));
  EXPECT_FALSE(AddressesOverlap("::1", "127.0.0.1"));
}

}  // namespace
}  // namespace nodex::hostnet
