#!/usr/bin/env bash
# tests/e2e/netns.sh NODEX: the real network test of issue 5.
#
# Builds two network namespaces joined by N veth pairs (default 20, set
# NODEX_NETNS_VETHS), vethA<i> 198.18.<i>.1/24 in namespace A and vethB<i>
# 198.18.<i>.2/24 in namespace B (198.18.0.0/15 is reserved for benchmarking),
# sends a UDP datagram from A to every B address so that A's neighbour table
# holds exactly one entry per veth (ARP resolves it; nothing needs to listen), opens a known number of UDP and TCP sockets in A, and runs
# nodex inside A (ip netns exec). It then checks that
#   - netdev reports exactly lo and the N vethA devices,
#   - netclass (once registered) reports exactly those devices, with the
#     ifindex and MAC address `ip link` shows, in both its sysfs and netlink modes,
#     and in netlink mode the veths' ethtool speed (1.25e+09 bytes/s) and duplex,
#   - arp (once registered) reports exactly one entry on each vethA device, over
#     netlink and over /proc/net/arp,
#   - sockstat counts exactly the UDP sockets opened in A, and the TCP ones plus
#     nodex's own listener and scrape connection,
#   - datagrams sent both ways over vethA0 show up in its byte and packet counters,
#   - netdev's names follow a rename and a deletion in the very next scrape
#     (its steady state names RTM_GETSTATS counters from a cached ifindex ->
#     name map that link notifications invalidate).
# The namespaces are always deleted (EXIT trap). Needs root and iproute2: skips
# otherwise.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
NODEX=$(readlink -f "$NODEX")
N=${NODEX_NETNS_VETHS:-20}

[[ $(id -u) == 0 ]] || skip "needs root to create network namespaces (running as uid $(id -u))"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
command -v curl >/dev/null || skip "curl is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"

NS_A="nodex-e2e-$$-a"
NS_B="nodex-e2e-$$-b"

e2e_netns "$NS_A" "$NS_B"
inA() { ip netns exec "$NS_A" "$@"; }
inB() { ip netns exec "$NS_B" "$@"; }

inA ip link set lo up || die "lo up in $NS_A"
inB ip link set lo up || die "lo up in $NS_B"
for ((i = 0; i < N; i++)); do
  ip -n "$NS_A" link add "vethA$i" type veth peer name "vethB$i" netns "$NS_B" || die "creating veth pair $i"
  ip -n "$NS_A" addr add "198.18.$i.1/24" dev "vethA$i" || die "address on vethA$i"
  ip -n "$NS_B" addr add "198.18.$i.2/24" dev "vethB$i" || die "address on vethB$i"
  ip -n "$NS_A" link set "vethA$i" up || die "vethA$i up"
  ip -n "$NS_B" link set "vethB$i" up || die "vethB$i up"
done
pass "created $N veth pairs between $NS_A and $NS_B"

# udp_send NS COUNT SIZE DST...: send COUNT datagrams of SIZE bytes to port 9 of each DST.
# (No ping here: iputils is not always installed; python3 is.)
udp_send() {
  local ns=$1 count=$2 size=$3
  shift 3
  ip netns exec "$ns" python3 -c '
import socket, sys
count, size = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for dst in sys.argv[3:]:
    for _ in range(count):
        s.sendto(b"x" * size, (dst, 9))
' "$count" "$size" "$@"
}

# One neighbour per veth in A: resolving each B address also proves the links work.
dsts=()
for ((i = 0; i < N; i++)); do dsts+=("198.18.$i.2"); done
udp_send "$NS_A" 1 10 "${dsts[@]}" || die "cannot send to the B addresses"
for ((t = 0; t < 50; t++)); do
  neigh_count=$(inA ip -4 neigh show | grep -cE 'REACHABLE|STALE|DELAY|PERMANENT' || true)
  [[ $neigh_count == "$N" ]] && break
  sleep 0.1
done
[[ $neigh_count == "$N" ]] || die "expected $N resolved IPv4 neighbours in $NS_A, ip neigh shows: $(inA ip -4 neigh show | tr '\n' ';')"

# Known sockets in A: U bound UDP sockets and T listening TCP sockets, held open by
# a helper until the test ends.
U=7
T=5
# Not through inA: a backgrounded function would leave $! naming a subshell.
ip netns exec "$NS_A" python3 -c '
import socket, sys, time
u, t = int(sys.argv[1]), int(sys.argv[2])
keep = []
for i in range(u):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.18.0.1", 0)); keep.append(s)
for i in range(t):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.bind(("198.18.0.1", 0)); s.listen(1); keep.append(s)
print("ready", flush=True)
time.sleep(600)
' "$U" "$T" >"$E2E_TMP/sockets.out" 2>&1 &
e2e_track $!
for ((i = 0; i < 50; i++)); do
  grep -qs ready "$E2E_TMP/sockets.out" && break
  sleep 0.1
done
grep -q ready "$E2E_TMP/sockets.out" || die "socket helper did not start: $(cat "$E2E_TMP/sockets.out")"

HELP=$("$NODEX" --help 2>&1)
has_flag() { grep -qE -- "--(\[no-\])?${1//./\\.}( |=|$)" <<<"$HELP"; }
has_collector() { has_flag "collector.$1"; }

# run_nodex NAME ARGS...: start nodex inside A on a port of A's own loopback.
PORT=9100
run_nodex() {
  local name=$1
  shift
  PORT=$((PORT + 1))
  ip netns exec "$NS_A" "$NODEX" "--web.listen-address=127.0.0.1:$PORT" "$@" >"$E2E_TMP/nodex-$name.log" 2>&1 &
  NODEX_PID=$!
  e2e_track "$NODEX_PID"
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$NODEX_PID" 2>/dev/null || die "nodex ($name) exited: $(tail -c 1000 "$E2E_TMP/nodex-$name.log")"
    inA bash -c "(exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null" && return 0
    sleep 0.1
  done
  die "nodex ($name) did not listen on 127.0.0.1:$PORT inside $NS_A"
}
scrape() { inA curl -sS --max-time 10 "http://127.0.0.1:$PORT/metrics"; }
stop_nodex() { e2e_stop_pid "$NODEX_PID"; }

# value FILE NAME LABELS: the value of the sample NAME{LABELS} ("" if absent).
value() {
  local key=$2
  [[ -n $3 ]] && key="$2{$3}"
  awk -v key="$key" '$1 == key { print $2; exit }' "$1"
}
# devices FILE NAME: the sorted device label values of family NAME.
devices() { sed -nE "s/^$2\{.*device=\"([^\"]*)\".*/\1/p" "$1" | sort -u; }

expected_devs=$( (echo lo; for ((i = 0; i < N; i++)); do echo "vethA$i"; done) | sort)
veth_devs=$(for ((i = 0; i < N; i++)); do echo "vethA$i"; done | sort)

collectors=(netdev sockstat)
has_collector netclass && collectors+=(netclass) || echo "note: netclass is not registered in this nodex; its checks are skipped"
has_collector arp && collectors+=(arp) || echo "note: arp is not registered in this nodex; its checks are skipped"
args=(--collector.disable-defaults)
for c in "${collectors[@]}"; do args+=("--collector.$c"); done
has_flag collector.disable-defaults || die "nodex has no --collector.disable-defaults"

run_nodex default "${args[@]}"
scrape >"$E2E_TMP/m1.txt" || die "scrape failed"

# netdev: exactly lo and the veths.
got=$(devices "$E2E_TMP/m1.txt" node_network_receive_bytes_total)
[[ $got == "$expected_devs" ]] && pass "netdev reports exactly lo and $N veths" ||
  fail "netdev devices differ: $(diff <(echo "$expected_devs") <(echo "$got") | tr '\n' ' ')"

# sockstat: exact UDP; TCP = helper listeners + nodex's listener + this scrape's two ends.
udp=$(value "$E2E_TMP/m1.txt" node_sockstat_UDP_inuse "")
[[ $udp == "$U" ]] && pass "sockstat UDP_inuse is $U" || fail "node_sockstat_UDP_inuse is '$udp', want $U"
tcp=$(value "$E2E_TMP/m1.txt" node_sockstat_TCP_inuse "")
if [[ -n $tcp ]] && ((tcp >= T + 1 && tcp <= T + 4)); then
  pass "sockstat TCP_inuse is $tcp ($T listeners + nodex's own)"
else
  fail "node_sockstat_TCP_inuse is '$tcp', want $((T + 1))..$((T + 4))"
fi

check_netclass() {
  local file=$1 mode=$2 got dev idx mac
  got=$(devices "$file" node_network_up)
  [[ $got == "$expected_devs" ]] && pass "netclass ($mode) reports exactly lo and $N veths" ||
    fail "netclass ($mode) devices differ: $(diff <(echo "$expected_devs") <(echo "$got") | tr '\n' ' ')"
  for dev in vethA0 "vethA$((N - 1))"; do
    idx=$(inA cat "/sys/class/net/$dev/ifindex")
    mac=$(inA cat "/sys/class/net/$dev/address")
    [[ $(value "$file" node_network_iface_id "device=\"$dev\"") == "$idx" ]] ||
      fail "netclass ($mode) iface_id of $dev is not $idx"
    grep -qE "^node_network_info\{address=\"$mac\",.*device=\"$dev\"" "$file" ||
      fail "netclass ($mode) node_network_info of $dev lacks address $mac"
    [[ $(value "$file" node_network_up "device=\"$dev\"") == 1 ]] || fail "netclass ($mode) $dev is not up"
  done
}
check_arp() {
  local file=$1 mode=$2 got dev bad=0
  got=$(devices "$file" node_arp_entries)
  [[ $got == "$veth_devs" ]] || {
    fail "arp ($mode) devices differ: $(diff <(echo "$veth_devs") <(echo "$got") | tr '\n' ' ')"
    return
  }
  for ((i = 0; i < N; i++)); do
    [[ $(value "$file" node_arp_entries "device=\"vethA$i\"") == 1 ]] || bad=$((bad + 1))
  done
  ((bad == 0)) && pass "arp ($mode) reports one neighbour on each of the $N veths" ||
    fail "arp ($mode): $bad veths do not have exactly 1 entry"
}
has_collector netclass && check_netclass "$E2E_TMP/m1.txt" sysfs
has_collector arp && check_arp "$E2E_TMP/m1.txt" netlink

# Traffic over vethA0 shows up in its counters.
tx_b0=$(value "$E2E_TMP/m1.txt" node_network_transmit_bytes_total 'device="vethA0"')
tx_p0=$(value "$E2E_TMP/m1.txt" node_network_transmit_packets_total 'device="vethA0"')
rx_p0=$(value "$E2E_TMP/m1.txt" node_network_receive_packets_total 'device="vethA0"')
udp_send "$NS_A" 10 1000 198.18.0.2 || fail "sending over vethA0 failed"
udp_send "$NS_B" 10 1000 198.18.0.1 || fail "sending over vethB0 failed"
scrape >"$E2E_TMP/m2.txt" || die "second scrape failed"
tx_b1=$(value "$E2E_TMP/m2.txt" node_network_transmit_bytes_total 'device="vethA0"')
tx_p1=$(value "$E2E_TMP/m2.txt" node_network_transmit_packets_total 'device="vethA0"')
rx_p1=$(value "$E2E_TMP/m2.txt" node_network_receive_packets_total 'device="vethA0"')
rx_b0=$(value "$E2E_TMP/m1.txt" node_network_receive_bytes_total 'device="vethA0"')
rx_b1=$(value "$E2E_TMP/m2.txt" node_network_receive_bytes_total 'device="vethA0"')
# A 1000-byte UDP payload is 1042 bytes on the wire (UDP 8 + IPv4 20 + Ethernet 14).
python3 - "$tx_b0" "$tx_b1" "$tx_p0" "$tx_p1" "$rx_b0" "$rx_b1" "$rx_p0" "$rx_p1" <<'EOF' && pass "10 datagrams of 1000 bytes each way show up in vethA0's counters" || fail "vethA0 counters did not move with the traffic: tx_bytes $tx_b0->$tx_b1 tx_packets $tx_p0->$tx_p1 rx_bytes $rx_b0->$rx_b1 rx_packets $rx_p0->$rx_p1"
import sys
tb0, tb1, tp0, tp1, rb0, rb1, rp0, rp1 = (float(x) for x in sys.argv[1:])
ok = tb1 - tb0 >= 10 * 1042 and tp1 - tp0 >= 10 and rb1 - rb0 >= 10 * 1042 and rp1 - rp0 >= 10
sys.exit(0 if ok else 1)
EOF
stop_nodex

# The other modes: netclass over netlink, arp from /proc/net/arp.
alt=()
has_collector netclass && alt+=(--collector.netclass --collector.netclass.netlink)
has_collector arp && alt+=(--collector.arp --no-collector.arp.netlink)
if ((${#alt[@]} > 0)); then
  run_nodex alt --collector.disable-defaults "${alt[@]}"
  scrape >"$E2E_TMP/m3.txt" || die "scrape (netlink netclass, procfs arp) failed"
  has_collector netclass && check_netclass "$E2E_TMP/m3.txt" netlink
  # Speed and duplex come from the ethtool genl dump there: veths are 10000 Mb/s, full duplex.
  if has_collector netclass; then
    bad=0
    for dev in $veth_devs; do
      [[ $(value "$E2E_TMP/m3.txt" node_network_speed_bytes "device=\"$dev\"") == 1.25e+09 ]] || bad=$((bad + 1))
      grep -qE "^node_network_info\{.*device=\"$dev\",duplex=\"Full\"" "$E2E_TMP/m3.txt" || bad=$((bad + 1))
    done
    ((bad == 0)) && pass "netclass (netlink) reports speed_bytes 1.25e+09 and duplex Full for the $N veths" ||
      fail "netclass (netlink): $bad speed_bytes/duplex mismatches on the veths"
  fi
  has_collector arp && check_arp "$E2E_TMP/m3.txt" /proc/net/arp
  stop_nodex
fi

# netdev after link changes: the scrapes before reach the steady state, the
# one after each change must show exactly the new set of names.
if ((N >= 2)); then
  renamed="vethA$((N - 1))"
  deleted="vethA$((N - 2))"
  run_nodex changes --collector.disable-defaults --collector.netdev
  for k in 1 2 3; do scrape >"$E2E_TMP/c$k.txt" || die "netdev scrape $k failed"; done
  got=$(devices "$E2E_TMP/c3.txt" node_network_receive_bytes_total)
  [[ $got == "$expected_devs" ]] || fail "netdev devices before the link changes differ: $(diff <(echo "$expected_devs") <(echo "$got") | tr '\n' ' ')"
  inA ip link set "$renamed" down && inA ip link set "$renamed" name vethR && inA ip link set vethR up ||
    die "cannot rename $renamed"
  want=$(sed "s/^$renamed\$/vethR/" <<<"$expected_devs" | sort)
  scrape >"$E2E_TMP/c4.txt" || die "scrape after the rename failed"
  got=$(devices "$E2E_TMP/c4.txt" node_network_receive_bytes_total)
  [[ $got == "$want" ]] && pass "netdev shows $renamed as vethR in the next scrape" ||
    fail "netdev devices after renaming $renamed to vethR differ: $(diff <(echo "$want") <(echo "$got") | tr '\n' ' ')"
  inA ip link del "$deleted" || die "cannot delete $deleted"
  want=$(grep -vx "$deleted" <<<"$want")
  scrape >"$E2E_TMP/c5.txt" || die "scrape after the deletion failed"
  got=$(devices "$E2E_TMP/c5.txt" node_network_receive_bytes_total)
  [[ $got == "$want" ]] && pass "netdev drops $deleted in the next scrape" ||
    fail "netdev devices after deleting $deleted differ: $(diff <(echo "$want") <(echo "$got") | tr '\n' ' ')"
  stop_nodex
fi

finish
