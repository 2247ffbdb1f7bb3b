#!/usr/bin/env bash
# tests/e2e/port_conflict.sh NODEX: a listen address that cannot be bound makes nodex exit
# non-zero within a second, with one line that says why in the user's terms (issue 6):
#   - EADDRINUSE: the line names the holder's pid and command (found through the socket
#     inode in /proc/net/tcp and /proc/<pid>/fd) and that host-network pods share the
#     node's ports; as uid 65534 the holder of another user is named by uid instead, and
#     a holder of the same uid by pid; ":port" (dual-stack) clashes with 127.0.0.1:port;
#   - EACCES: a port below 1024 as uid 65534 without NET_BIND_SERVICE;
#   - EADDRNOTAVAIL: an address that is not on this node (or this namespace);
#   - reserved ports (kubelet, NodePort range) are warned about even when the bind works.
# Holders listen on loopback; the cases that need wildcard or privileged ports run in a
# network namespace of their own (198.19.62.0/30), always deleted. Needs root.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
NODEX=$(readlink -f "$NODEX")

[[ $(id -u) == 0 ]] || skip "needs root for namespaces and another user's processes (running as uid $(id -u))"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
command -v setpriv >/dev/null || skip "util-linux setpriv is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
NS="nodex-portc-$$"
POD_IP=198.19.62.2

# The holders run as uid 65534 too, so use the system's python3 (a per-user one, such as
# pyenv's under /root, is not reachable for that user).
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=$(command -v python3)
cat >"$E2E_TMP/holder.py" <<'EOF'
import signal, socket, sys
name, address, port, ready = sys.argv[1:]
s = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
s.bind((address, int(port)))
s.listen(8)
open(ready, "w").close()
signal.pause()
EOF
chmod 0755 "$E2E_TMP"
chmod 0644 "$E2E_TMP/holder.py"
mkdir -m 1777 "$E2E_TMP/ready"

# hold_port NAME ADDRESS PORT [WRAPPER...]: a python3 process (holder.py NAME ...) that
# listens on ADDRESS:PORT until stopped. Sets HOLDER_PID; waits (5 s at most) until the
# socket is listening.
hold_port() {
  local name=$1 address=$2 port=$3 i
  shift 3
  "$@" "$PYTHON" "$E2E_TMP/holder.py" "$name" "$address" "$port" "$E2E_TMP/ready/$name" &
  HOLDER_PID=$!
  e2e_track "$HOLDER_PID"
  for ((i = 0; i < 50; i++)); do
    [[ -e $E2E_TMP/ready/$name ]] && return 0
    kill -0 "$HOLDER_PID" 2>/dev/null || die "holder $name could not listen on $address:$port"
    sleep 0.1
  done
  die "holder $name did not listen on $address:$port within 5 s"
}

# run_failing NAME CMD...: run nodex (the last words of CMD) expecting it to fail; sets
# RC, ELAPSED_MS and LINE (the one "cannot listen" log line). At most 10 s.
run_failing() {
  local name=$1 start end
  shift
  start=$(date +%s%N)
  timeout 10 "$@" >"$E2E_TMP/$name.log" 2>&1
  RC=$?
  end=$(date +%s%N)
  ELAPSED_MS=$(((end - start) / 1000000))
  LINE=$(grep 'cannot listen' "$E2E_TMP/$name.log")
  if [[ $RC == 0 || $RC == 124 ]]; then
    fail "$name: nodex exited $RC, want a non-zero exit of its own"
  elif ((ELAPSED_MS >= 1000)); then
    fail "$name: nodex took $ELAPSED_MS ms to give up, want under 1000"
  elif [[ $(grep -c 'cannot listen' "$E2E_TMP/$name.log") != 1 ]]; then
    fail "$name: want exactly one 'cannot listen' line, got: $(cat "$E2E_TMP/$name.log")"
  else
    pass "$name: exit $RC after $ELAPSED_MS ms with one line"
  fi
}

# expect_line NAME TEXT...: LINE contains every TEXT.
expect_line() {
  local name=$1 text
  shift
  for text in "$@"; do
    if [[ $LINE != *"$text"* ]]; then
      fail "$name: the line lacks '$text': $LINE"
      return
    fi
  done
  pass "$name: the line says ${*@Q}"
}

# --- EADDRINUSE on loopback, as root: the holder's pid and command ---------------------
port=$(free_port) || die "no free port"
hold_port holder-root 127.0.0.1 "$port"
run_failing in-use "$NODEX" "--web.listen-address=127.0.0.1:$port"
expect_line in-use "port $port is already in use by pid $HOLDER_PID (" "python3" "holder.py holder-root" \
  "host-network pods share the node's ports" "--web.listen-address"

# As uid 65534 without capabilities, root's process is hidden: named by uid.
run_failing in-use-unprivileged "${NOBODY[@]}" "$NODEX" "--web.listen-address=127.0.0.1:$port"
expect_line in-use-unprivileged "port $port is already in use by a process of uid 0" "may not see" "ss -ltnp"
e2e_stop_pid "$HOLDER_PID"

# A holder of the same uid is visible without privileges.
port=$(free_port) || die "no free port"
hold_port holder-nobody 127.0.0.1 "$port" "${NOBODY[@]}"
run_failing in-use-same-uid "${NOBODY[@]}" "$NODEX" "--web.listen-address=127.0.0.1:$port"
expect_line in-use-same-uid "in use by pid $HOLDER_PID (" "holder.py holder-nobody"
e2e_stop_pid "$HOLDER_PID"

# --- In a network namespace of its own ---------------------------------------------
e2e_netns "$NS"
ip -n "$NS" link set lo up || die "lo up in $NS"
# Both ends of a veth pair stay inside the namespace: it only needs an address of its own.
ip -n "$NS" link add nxpc0 type veth peer name nxpc1 || die "veth pair in $NS"
ip -n "$NS" addr add "$POD_IP/30" dev nxpc0 || die "address in $NS"
ip -n "$NS" link set nxpc0 up || die "nxpc0 up"
ip -n "$NS" link set nxpc1 up || die "nxpc1 up"
IN_NS=(ip netns exec "$NS")

# ":port" is dual-stack and clashes with a holder on 127.0.0.1:port.
port=$(free_port) || die "no free port"
hold_port holder-ns 127.0.0.1 "$port" ip netns exec "$NS"
run_failing in-use-wildcard "${IN_NS[@]}" "${NOBODY[@]}" "$NODEX" "--web.listen-address=:$port"
expect_line in-use-wildcard "listen tcp :$port" "a process of uid 0" "not in the node's network namespace"
run_failing in-use-wildcard-root "${IN_NS[@]}" "$NODEX" "--web.listen-address=:$port"
expect_line in-use-wildcard-root "in use by pid $HOLDER_PID (" "holder.py holder-ns"
e2e_stop_pid "$HOLDER_PID"

# EACCES: port 80 as uid 65534 without NET_BIND_SERVICE.
run_failing privileged-port "${IN_NS[@]}" "${NOBODY[@]}" "$NODEX" "--web.listen-address=127.0.0.1:80"
expect_line privileged-port "Permission denied" "port 80 is below 1024" "CAP_NET_BIND_SERVICE" "uid 65534" \
  "NET_BIND_SERVICE to the container's securityContext"

# EADDRNOTAVAIL: an address that is not here.
run_failing not-here-pod "${IN_NS[@]}" "${NOBODY[@]}" "$NODEX" "--web.listen-address=198.19.62.77:$port"
expect_line not-here-pod "198.19.62.77 is not an address of this pod's network namespace" "$POD_IP" \
  "listen on :$port"
run_failing not-here-node "${NOBODY[@]}" "$NODEX" "--web.listen-address=198.19.62.77:$port"
expect_line not-here-node "198.19.62.77 is not an address of this node (its addresses:"

# Reserved ports: warned about at start, and nodex still serves.
for reserved in 10250 30080; do
  "${IN_NS[@]}" "${NOBODY[@]}" "$NODEX" "--web.listen-address=127.0.0.1:$reserved" >"$E2E_TMP/reserved-$reserved.log" 2>&1 &
  pid=$!
  e2e_track "$pid"
  served=0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    if "${IN_NS[@]}" curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$reserved/-/healthy"; then
      served=1
      break
    fi
    sleep 0.1
  done
  ((served)) || fail "nodex on reserved port $reserved did not serve: $(cat "$E2E_TMP/reserved-$reserved.log")"
  if grep -q "level=warn msg=\"port $reserved is reserved for" "$E2E_TMP/reserved-$reserved.log"; then
    pass "reserved port $reserved: warned at start: $(grep -o "port $reserved is reserved for [^:]*" "$E2E_TMP/reserved-$reserved.log")"
  else
    fail "reserved port $reserved: no warning: $(cat "$E2E_TMP/reserved-$reserved.log")"
  fi
  e2e_stop_pid "$pid"
done
grep -q "is reserved" "$E2E_TMP/in-use.log" && fail "a free-range port was warned about as reserved"

finish
