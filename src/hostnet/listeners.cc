#include "hostnet/listeners.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <tuple>
#include <unordered_map>

#include "base/file_reader.h"
#include "base/parse.h"
#include "base/split.h"
#include "hostnet/proc_status.h"

namespace nodex::hostnet {
namespace {

std::string Path(const std::string& procfs, std::string_view rel) {
  std::string path = procfs;
  if (path.empty() || path.back() != '/') path.push_back('/');
  path.append(rel);
  return path;
}

// "0100007F:0050" -> address bytes and port. The kernel prints each 32-bit
// word of the address as a native-endian integer, so converting the word
// back to memory restores network byte order on the machine that wrote it.
bool ParseEndpoint(std::string_view text, bool ipv6, std::array<uint8_t, 16>* address, uint16_t* port) {
  std::string_view hex, port_hex;
  if (!SplitOnce(text, ':', &hex, &port_hex)) return false;
  const size_t words = ipv6 ? 4 : 1;
  if (hex.size() != words * 8 || port_hex.size() != 4) return false;
  address->fill(0);
  for (size_t i = 0; i < words; ++i) {
    auto word = ParseInt<uint32_t>(hex.substr(i * 8, 8), 16);
    if (!word) return false;
    std::memcpy(address->data() + i * 4, &*word, 4);
  }
  auto p = ParseInt<uint16_t>(port_hex, 16);
  if (!p) return false;
  *port = *p;
  return true;
}

std::string_view TableName(bool tcp, bool ipv6) {
  if (tcp) return ipv6 ? "tcp6" : "tcp";
  return ipv6 ? "udp6" : "udp";
}

std::string CommandOf(const std::string& procfs, std::string_view pid) {
  std::string dir = Path(procfs, pid);
  std::string cmdline, stat;
  std::string_view comm;
  (void)ReadFileOnce(dir + "/cmdline", &cmdline);
  if (ReadFileOnce(dir + "/stat", &stat).ok()) {
    if (auto head = ParseStatHead(stat)) comm = head->comm;
  }
  return FormatCommand(cmdline, comm);
}

// Strips "::ffff:" from an IPv4-mapped address so it compares as IPv4.
std::string_view Unmapped(std::string_view address) {
  constexpr std::string_view kMapped = "::ffff:";
  if (address.starts_with(kMapped) && address.find('.') != std::string_view::npos) {
    address.remove_prefix(kMapped.size());
  }
  return address;
}

}  // namespace

Status ParseProcNetSockets(std::string_view table, bool ipv6, std::vector<SocketRow>* rows) {
  std::string_view line;
  if (!NextLine(&table, &line)) return Status::Ok();
  if (line.find("local_address") == std::string_view::npos) {
    return Status::Error("missing header line in socket table");
  }
  while (NextLine(&table, &line)) {
    if (TrimSpace(line).empty()) continue;
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    std::string_view f[10];
    if (SplitFields(line, f, 10) < 10)
      return Status::Error("too few fields in socket table line: " + std::string(line));
    SocketRow row;
    row.ipv6 = ipv6;
    std::array<uint8_t, 16> remote{};
    auto state = ParseInt<uint8_t>(f[3], 16);
    auto uid = ParseInt<uint32_t>(f[7]);
    auto inode = ParseU64(f[9]);
    if (!ParseEndpoint(f[1], ipv6, &row.local, &row.local_port) ||
        !ParseEndpoint(f[2], ipv6, &remote, &row.remote_port) || !state || !uid || !inode) {
      return Status::Error("malformed socket table line: " + std::string(line));
    }
    row.state = *state;
    row.uid = *uid;
    row.inode = *inode;
    rows->push_back(row);
  }
  return Status::Ok();
}

std::string FormatAddress(const SocketRow& row) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(row.ipv6 ? AF_INET6 : AF_INET, row.local.data(), text, sizeof(text));
  return text;
}

StatusOr<std::vector<Listener>> ListListeners(const std::string& procfs, const ListOptions& options) {
  std::vector<Listener> listeners;
  std::string buffer;
  std::vector<SocketRow> rows;
  for (bool tcp : {true, false}) {
    if (tcp ? !options.tcp : !options.udp) continue;
    for (bool ipv6 : {false, true}) {
      const std::string_view name = TableName(tcp, ipv6);
      const std::string path = Path(procfs, "net/" + std::string(name));
      Status read = ReadFileOnce(path, &buffer);
      if (!read.ok()) {
        if (ipv6 && read.code() == StatusCode::kNoData) continue;
        return Status::Error("cannot read " + path + ": " + read.message());
      }
      rows.clear();
      Status parsed = ParseProcNetSockets(buffer, ipv6, &rows);
      if (!parsed.ok()) return Status::Error(path + ": " + parsed.message());
      for (const SocketRow& row : rows) {
        const bool listening = tcp ? row.state == kTcpListen : row.state == kUdpUnconnected && row.remote_port == 0;
        // An inode of 0 is a socket already released by its process.
        if (!listening || row.inode == 0) continue;
        Listener& l = listeners.emplace_back();
        l.protocol = std::string(name);
        l.address = FormatAddress(row);
        l.port = row.local_port;
        l.inode = row.inode;
        l.uid = row.uid;
      }
    }
  }
  std::sort(listeners.begin(), listeners.end(), [](const Listener& a, const Listener& b) {
    return std::tie(a.protocol, a.port, a.address, a.inode) < std::tie(b.protocol, b.port, b.address, b.inode);
  });
  if (options.resolve_owners) ResolveOwners(procfs, &listeners);
  return listeners;
}

OwnerScan ResolveOwners(const std::string& procfs, std::vector<Listener>* listeners) {
  OwnerScan scan;
  std::unordered_map<uint64_t, std::vector<size_t>> wanted;
  for (size_t i = 0; i < listeners->size(); ++i) {
    if ((*listeners)[i].pid == 0) wanted[(*listeners)[i].inode].push_back(i);
  }
  if (wanted.empty()) return scan;
  DIR* proc = opendir(procfs.c_str());
  if (proc == nullptr) return scan;
  constexpr std::string_view kSocket = "socket:[";
  char link[64];
  while (!wanted.empty()) {
    const dirent* entry = readdir(proc);
    if (entry == nullptr) break;
    const std::string_view pid(entry->d_name);
    auto pid_number = ParseInt<int>(pid);
    if (!pid_number) continue;
    ++scan.processes;
    const std::string fd_dir = Path(procfs, pid) + "/fd";
    int dir_fd = open(fd_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) {
      if (errno == EACCES || errno == EPERM) ++scan.denied;
      continue;
    }
    DIR* fds = fdopendir(dir_fd);
    if (fds == nullptr) {
      close(dir_fd);
      continue;
    }
    std::string command;
    while (const dirent* fd = readdir(fds)) {
      ssize_t n = readlinkat(dir_fd, fd->d_name, link, sizeof(link));
      if (n <= 0 || n == static_cast<ssize_t>(sizeof(link))) continue;
      std::string_view target(link, static_cast<size_t>(n));
      if (!target.starts_with(kSocket) || !target.ends_with(']')) continue;
      target.remove_prefix(kSocket.size());
      target.remove_suffix(1);
      auto inode = ParseU64(target);
      if (!inode) continue;
      auto it = wanted.find(*inode);
      if (it == wanted.end()) continue;
      if (command.empty()) command = CommandOf(procfs, pid);
      for (size_t i : it->second) {
        (*listeners)[i].pid = *pid_number;
        (*listeners)[i].command = command;
      }
      wanted.erase(it);
    }
    closedir(fds);
  }
  closedir(proc);
  return scan;
}

bool AddressesOverlap(std::string_view a, std::string_view b) {
  auto is_wildcard = [](std::string_view s) { return s.empty() || s == "0.0.0.0" || s == "::"; };
  if (is_wildcard(a) || is_wildcard(b)) return true;
  return Unmapped(a) == Unmapped(b);
}

}  // namespace nodex::hostnet
