#!/usr/bin/env bash
# tests/e2e/netclass_netns.sh NODEX: netclass's default variant, value for value
# against Debian's node_exporter, on devices of many kinds.
#
# nodex's default netclass reads most attributes from one RTM_GETLINK dump and
# only a few from /sys/class/net; node_exporter 1.5.0 reads them all from sysfs.
# In a network namespace A holding a plain device (dummy, else ifb) with a set
# address, alias, MTU, group, dormant link mode and a large txqueuelen; a
# down one with a 200-byte alias; a veth pair with one end down (so the other
# has no carrier) enslaved to a bridge (promiscuous); where the kernel has them,
# a VLAN and a macvlan on the first (iflink), a tun device with no reader (no
# address, no carrier) and an ipip tunnel (with its fallback device, iflink 0),
# both exporters must report the same samples (nodex's extra
# adminstate label aside), and nodex must read at most 8 sysfs files a device
# (task I/O accounting: read syscalls).
#
# Then the guard: nodex runs in A with --path.sysfs pointing at the sysfs of
# namespace B, which has the same device names as A in another order (so other
# ifindexes and values). The dump describes A, not what that sysfs shows, so
# nodex must read every attribute from sysfs (at least 20 reads a device) and
# again match node_exporter given the same flags.
# Needs root, iproute2 and nsenter; the namespaces are always deleted.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
NODEX=$(readlink -f "$NODEX")
NE=/usr/bin/prometheus-node-exporter
need_peer "$NE" "Debian package prometheus-node-exporter"

[[ $(id -u) == 0 ]] || skip "needs root to create network namespaces (running as uid $(id -u))"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
command -v nsenter >/dev/null || skip "nsenter (util-linux) is not installed"
command -v curl >/dev/null || skip "curl is not installed"

NS_A="nodex-e2e-$$-nca"
NS_B="nodex-e2e-$$-ncb"
e2e_netns "$NS_A" "$NS_B"
a() { ip -n "$NS_A" "$@"; }

# Devices the kernel here cannot make (a module that is not available) are left
# out with a note; the ones every kernel has are required.
optional() { "$@" 2>"$E2E_TMP/opt.err" || echo "note: skipped '$*': $(cat "$E2E_TMP/opt.err")"; }
# plain NETNS NAME: a device with nothing behind it: dummy, else ifb (kernels
# without the dummy module).
plain() { ip -n "$1" link add "$2" type dummy 2>/dev/null || ip -n "$1" link add "$2" type ifb; }
a link set lo up || die "lo up"
plain "$NS_A" d0 || die "plain device d0"
optional a link set d0 address 02:00:5e:10:00:01
a link set d0 mtu 9000 group 7 || die "d0 mtu/group"
a link set d0 alias "uplink to core" || die "d0 alias"
# (iproute2 refuses txqueuelen above INT32_MAX; the unit tests cover the "%d" wrap.)
a link set d0 txqueuelen 100000 || die "d0 txqueuelen"
a link set d0 mode dormant up || die "d0 dormant mode, up"
plain "$NS_A" d1 || die "plain device d1"
a link set d1 alias "$(printf 'x%.0s' {1..200})" || die "d1 long alias"
a link add va type veth peer name vb || die "veth pair"
a link add br0 type bridge || die "bridge"
a link set va master br0 || die "va into br0"
a link set va up || die "va up"
a link set br0 up || die "br0 up"
optional a link add link d0 name d0.42 type vlan id 42
optional a link set d0.42 up
optional a link add link d0 name mv0 type macvlan
optional a link set mv0 up
optional a tuntap add dev tun0 mode tun
optional a link set tun0 up
optional a link add ipip0 type ipip remote 198.18.0.2 local 198.18.0.1
names=$(a -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort)
pass "namespace A has: $(echo $names)"

# B: the same names, created in another order (first name last), each a plain
# device with its own MTU, so every ifindex but lo's and every value differs from A's.
mapfile -t list < <(grep -vx lo <<<"$names")
ip -n "$NS_B" link set lo up || die "lo up in B"
for n in "${list[@]:1}" "${list[0]}"; do
  plain "$NS_B" "$n" || die "plain device $n in B"
  ip -n "$NS_B" link set "$n" mtu 1234 || die "mtu of $n in B"
done

# run NAME WHERE BINARY ARGS...: start an exporter inside A on the next port.
# WHERE is "a" (A's own sysfs) or "b" (B's sysfs mounted for it, A's network).
PORT=9300
run() {
  local name=$1 where=$2 port
  shift 2
  PORT=$((PORT + 1))
  port=$PORT
  if [[ $where == a ]]; then
    ip netns exec "$NS_A" "$@" "--web.listen-address=127.0.0.1:$port" >"$E2E_TMP/$name.log" 2>&1 &
  else
    mkdir -p "$E2E_TMP/sys-b"
    # ip netns exec gives B's mount namespace copy; sysfs mounted there shows
    # B's devices. nsenter then moves to A's network, keeping that mount.
    ip netns exec "$NS_B" bash -c 'mount -t sysfs sysfs "$1" && shift && exec nsenter --net="/run/netns/$0" "$@"' \
      "$NS_A" "$E2E_TMP/sys-b" "$@" "--path.sysfs=$E2E_TMP/sys-b" "--web.listen-address=127.0.0.1:$port" \
      >"$E2E_TMP/$name.log" 2>&1 &
  fi
  local pid=$!
  e2e_track "$pid"
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || die "$name exited: $(tail -c 1000 "$E2E_TMP/$name.log")"
    ip netns exec "$NS_A" bash -c "(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null" && break
    sleep 0.1
  done
  ((i < 100)) || die "$name did not listen on 127.0.0.1:$port inside $NS_A"
  eval "${name}_PORT=$port ${name}_PID=$pid"
}
scrape() { ip netns exec "$NS_A" curl -sS --max-time 10 "http://127.0.0.1:$1/metrics"; }
# The nodex process behind a pid that may be a wrapper (bash -> nsenter -> nodex: exec'd, same pid).
syscr() { awk '$1 == "syscr:" { print $2 }' "/proc/$1/io"; }

compare() { # compare LABEL NE_FILE NODEX_FILE
  python3 - "$@" <<'EOF'
import re, sys
label, ne_file, nx_file = sys.argv[1:]
def load(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        if not line.startswith("node_network_"):
            continue
        key, value = line.rstrip("\n").rsplit(" ", 1)
        key = re.sub(r',?adminstate="[^"]*"', "", key).replace("{,", "{")
        out[key] = value
    return out
ne, nx = load(ne_file), load(nx_file)
diff = [k for k in sorted(set(ne) | set(nx)) if ne.get(k) != nx.get(k)]
for k in diff[:30]:
    print(f"  {k}: node_exporter {ne.get(k)}, nodex {nx.get(k)}")
if diff or not ne:
    print(f"FAIL {label}: {len(diff)} of {len(ne)} samples differ")
    sys.exit(1)
print(f"{label}: all {len(ne)} samples equal")
EOF
}

flags=(--collector.disable-defaults --collector.netclass)
devices=$(wc -l <<<"$names")

for where in a b; do
  run "ne_$where" "$where" "$NE" "${flags[@]}"
  run "nx_$where" "$where" "$NODEX" "${flags[@]}"
  ne_port_var="ne_${where}_PORT" nx_port_var="nx_${where}_PORT" nx_pid_var="nx_${where}_PID"
  scrape "${!nx_port_var}" >/dev/null || die "first nodex scrape ($where) failed"
  before=$(syscr "${!nx_pid_var}")
  scrape "${!nx_port_var}" >"$E2E_TMP/nx-$where.txt" || die "nodex scrape ($where) failed"
  after=$(syscr "${!nx_pid_var}")
  scrape "${!ne_port_var}" >"$E2E_TMP/ne-$where.txt" || die "node_exporter scrape ($where) failed"
  what="A's sysfs"
  [[ $where == b ]] && what="B's sysfs from A's network"
  if compare "netclass on $what" "$E2E_TMP/ne-$where.txt" "$E2E_TMP/nx-$where.txt"; then
    pass "netclass on $what: the same samples as node_exporter"
  else
    fail "netclass on $what differs from node_exporter"
  fi
  reads=$((after - before))
  # A scrape also reads a few files of its own (/proc/self/stat, limits).
  if [[ $where == a ]]; then
    ((reads <= 8 * devices)) && pass "$reads reads for $devices devices on A's sysfs (dump + a few attributes each)" ||
      fail "$reads reads for $devices devices on A's sysfs: the link dump was not used"
  else
    ((reads >= 20 * devices)) && pass "$reads reads for $devices devices on B's sysfs (every attribute from sysfs)" ||
      fail "$reads reads for $devices devices on B's sysfs: the dump of A stood in for B's attributes"
  fi
done
finish
