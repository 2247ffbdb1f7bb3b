#include "collectors/tcpstat.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "collectors/testing/scratch.h"

namespace nodex::collectors {
namespace {

using testing::MustCreate;

// Appends one netlink message (header + payload, 4-byte aligned).
void AppendMessage(std::vector<uint8_t>* buf, uint16_t type, uint32_t seq, const void* payload, size_t len) {
  nlmsghdr h{};
  h.nlmsg_len = static_cast<uint32_t>(NLMSG_HDRLEN + len);
  h.nlmsg_type = type;
  h.nlmsg_flags = NLM_F_MULTI;
  h.nlmsg_seq = seq;
  size_t start = buf->size();
  buf->resize(start + NLMSG_ALIGN(h.nlmsg_len));
  std::memcpy(buf->data() + start, &h, sizeof(h));
  if (len > 0) std::memcpy(buf->data() + start + NLMSG_HDRLEN, payload, len);
}

void AppendSocket(std::vector<uint8_t>* buf, uint32_t seq, uint8_t state, uint32_t rq, uint32_t wq) {
  inet_diag_msg m{};
  m.idiag_family = AF_INET;
  m.idiag_state = state;
  m.idiag_rqueue = rq;
  m.idiag_wqueue = wq;
  AppendMessage(buf, SOCK_DIAG_BY_FAMILY, seq, &m, sizeof(m));
}

void AppendDone(std::vector<uint8_t>* buf, uint32_t seq) {
  int32_t zero = 0;
  AppendMessage(buf, NLMSG_DONE, seq, &zero, sizeof(zero));
}

TEST(TcpStateNameTest, Names) {
  EXPECT_EQ(TcpStateName(1), "established");
  EXPECT_EQ(TcpStateName(6), "time_wait");
  EXPECT_EQ(TcpStateName(10), "listen");
  EXPECT_EQ(TcpStateName(11), "closing");
  EXPECT_EQ(TcpStateName(12), "rx_queued_bytes");
  EXPECT_EQ(TcpStateName(13), "tx_queued_bytes");
  EXPECT_EQ(TcpStateName(0), "unknown");
  EXPECT_EQ(TcpStateName(200), "unknown");
}

TEST(ParseTcpDiagBufferTest, CountsStatesAndQueues) {
  std::vector<uint8_t> buf;
  AppendSocket(&buf, 7, 1, 10, 20);
  AppendSocket(&buf, 7, 1, 1, 2);
  AppendSocket(&buf, 7, 10, 0, 0);
  AppendSocket(&buf, 99, 10, 0, 0);  // another sequence: ignored
  TcpStateCounts counts;
  StatusOr<bool> done = ParseTcpDiagBuffer(buf, 7, &counts);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_FALSE(*done);
  AppendDone(&buf, 7);
  counts.Clear();
  done = ParseTcpDiagBuffer(buf, 7, &counts);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(*done);
  EXPECT_EQ(counts.value[1], 2);
  EXPECT_EQ(counts.value[10], 1);
  EXPECT_EQ(counts.value[12], 11);  // rx_queued_bytes
  EXPECT_EQ(counts.value[13], 22);  // tx_queued_bytes
  EXPECT_FALSE(counts.present[6]);
}

TEST(ParseTcpDiagBufferTest, RejectsMalformed) {
  TcpStateCounts counts;
  // Truncated inet_diag_msg.
  std::vector<uint8_t> buf;
  uint8_t short_payload[16] = {};
  AppendMessage(&buf, SOCK_DIAG_BY_FAMILY, 1, short_payload, sizeof(short_payload));
  EXPECT_FALSE(ParseTcpDiagBuffer(buf, 1, &counts).ok());
  // Header claims more bytes than the buffer has.
  buf.clear();
  AppendSocket(&buf, 1, 1, 0, 0);
  buf.resize(buf.size() - 8);
  EXPECT_FALSE(ParseTcpDiagBuffer(buf, 1, &counts).ok());
  // Trailing garbage shorter than a header.
  buf.clear();
  AppendSocket(&buf, 1, 1, 0, 0);
  buf.push_back(1);
  EXPECT_FALSE(ParseTcpDiagBuffer(buf, 1, &counts).ok());
  // An error reply.
  buf.clear();
  int32_t err = -EPERM;
  AppendMessage(&buf, NLMSG_ERROR, 1, &err, sizeof(err));
  EXPECT_FALSE(ParseTcpDiagBuffer(buf, 1, &counts).ok());
  // Empty buffer: nothing, not done.
  StatusOr<bool> done = ParseTcpDiagBuffer({}, 1, &counts);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
}

TEST(TcpstatCollectorTest, SeesOwnListeningAndConnectedSockets) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(write(client, "hello", 5), 5);  // stays queued: never accepted/read

  testing::ScratchTree tree("tcpstat");
  tree.MakeDir("net");  // no net/tcp6: IPv4 only
  auto c = MustCreate(NewTcpstatCollector, testing::ProcContext(tree.root()));
  ASSERT_NE(c, nullptr);
  expo::MetricSet set;
  for (int round = 0; round < 2; ++round) {  // second round reuses the socket
    set.Clear();
    Status st = c->Collect(set);
    if (!st.ok() && st.message().find("couldn't connect netlink") != std::string::npos) {
      GTEST_SKIP() << "NETLINK_SOCK_DIAG unavailable here: " << st.message();
    }
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_GE(set.Find("node_tcp_connection_states", {{"state", "listen"}}), 1);
    EXPECT_GE(set.Find("node_tcp_connection_states", {{"state", "established"}}), 2);
    EXPECT_GE(set.Find("node_tcp_connection_states", {{"state", "rx_queued_bytes"}}), 5);
    EXPECT_GE(set.Find("node_tcp_connection_states", {{"state", "tx_queued_bytes"}}), 0);
  }
  close(client);
  close(listener);
}

}  // namespace
}  // namespace nodex::collectors
