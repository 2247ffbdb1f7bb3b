#!/usr/bin/env bash
# tests/e2e/hostnet.sh NODEX: nodex knows whether it runs in the node's network and PID
# namespaces (issue 6), with real namespaces and the real binary:
#   - in the host's namespaces, as root and as uid 65534 without capabilities:
#     nodex_host_network 1, nodex_host_pid 1, nothing logged about it, doctor says ok;
#   - in a network namespace of its own (ip netns, a veth pair to the host, 198.19.61.0/30),
#     as uid 65534 without capabilities: nodex_host_network 0, the start-up log line naming
#     hostNetwork: true, doctor's host-network fails and names the pod's address, and the
#     landing page shows the same status;
#   - in a PID namespace of its own (unshare --pid) with the node's /proc: nodex_host_pid 0;
#     with its own /proc (--mount-proc, nodex is PID 1) and with a --path.procfs that is
#     not a procfs, the network answer cannot be known: no gauge, and a log line says so.
# Needs root (namespaces) and iproute2; the namespace and the veth pair are always deleted.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
NODEX=$(readlink -f "$NODEX")

[[ $(id -u) == 0 ]] || skip "needs root to create namespaces (running as uid $(id -u))"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
command -v unshare >/dev/null && command -v setpriv >/dev/null || skip "util-linux unshare/setpriv missing"
command -v curl >/dev/null || skip "curl is not installed"

# uid 65534 with every capability dropped, as the DaemonSet runs nodex.
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)

NS="nodex-hostnet-$$"
VETH_HOST="nxhn$$h"
VETH_POD="nxhn$$p"
HOST_IP=198.19.61.1
POD_IP=198.19.61.2

# shellcheck disable=SC2317  # run by the EXIT trap
hostnet_cleanup() {
  local rc=$? pid
  # Stop what runs inside the namespace; e2e_cleanup then deletes it.
  for pid in "${E2E_PIDS[@]}"; do
    e2e_stop_pid "$pid"
  done
  ip link del "$VETH_HOST" 2>/dev/null
  (exit "$rc")
  e2e_cleanup
}
trap hostnet_cleanup EXIT

# launch NAME HOST PORT CMD...: run CMD in the background (log: $E2E_TMP/NAME.log) and wait
# up to 10 s until http://HOST:PORT/-/healthy answers. Sets LAUNCHED_PID.
launch() {
  local name=$1 host=$2 port=$3 i
  shift 3
  "$@" >"$E2E_TMP/$name.log" 2>&1 &
  LAUNCHED_PID=$!
  e2e_track "$LAUNCHED_PID"
  for ((i = 0; i < 100; i++)); do
    if ! kill -0 "$LAUNCHED_PID" 2>/dev/null; then
      cat "$E2E_TMP/$name.log" >&2
      die "$name exited before answering on $host:$port"
    fi
    curl -s -o /dev/null --max-time 1 "http://$host:$port/-/healthy" && return 0
    sleep 0.1
  done
  cat "$E2E_TMP/$name.log" >&2
  die "$name did not answer on $host:$port within 10 s"
}

# stop_unshare PID: unshare --fork ignores SIGTERM while it waits, so stop its child (the
# PID namespace's init, which nodex handles SIGTERM as) first.
stop_unshare() {
  local child
  child=$(ps -o pid= --ppid "$1" | head -n 1)
  [[ -n $child ]] && e2e_stop_pid "${child// /}"
  e2e_stop_pid "$1"
}

# gauge FILE NAME: the value of the unlabelled sample NAME, or "absent".
gauge() {
  local v
  v=$(awk -v n="$2" '$1 == n { print $2 }' "$1")
  echo "${v:-absent}"
}

# expect_gauge FILE NAME WANT WHAT
expect_gauge() {
  local got
  got=$(gauge "$1" "$2")
  if [[ $got == "$3" ]]; then pass "$4: $2 $3"; else fail "$4: $2 is $got, want $3"; fi
}

# doctor_status FILE ID: the status of check ID in doctor's JSON output.
doctor_status() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
checks = {c["id"]: c for c in json.load(open(sys.argv[1]))["checks"]}
print(checks[sys.argv[2]]["status"] if sys.argv[2] in checks else "missing")
EOF
}

doctor_message() {
  python3 -c 'import json, sys; print(next(c["message"] for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == sys.argv[2]))' "$1" "$2"
}

# --- 1. The host's namespaces, as root and as uid 65534 ------------------------------
for who in root nobody; do
  port=$(free_port) || die "no free port"
  if [[ $who == root ]]; then
    launch "host-$who" 127.0.0.1 "$port" "$NODEX" "--web.listen-address=127.0.0.1:$port"
  else
    launch "host-$who" 127.0.0.1 "$port" "${NOBODY[@]}" "$NODEX" "--web.listen-address=127.0.0.1:$port"
  fi
  fetch "http://127.0.0.1:$port/metrics" >"$E2E_TMP/host-$who.prom" || die "scrape failed ($who)"
  expect_gauge "$E2E_TMP/host-$who.prom" nodex_host_network 1 "host namespace as $who"
  expect_gauge "$E2E_TMP/host-$who.prom" nodex_host_pid 1 "host namespace as $who"
  grep -q '^# TYPE nodex_host_network gauge$' "$E2E_TMP/host-$who.prom" || fail "nodex_host_network is not TYPE gauge"
  if grep -q "not in the node's" "$E2E_TMP/host-$who.log"; then
    fail "host namespace as $who: nodex logged that it is not in the node's namespaces"
  fi
  e2e_stop_pid "$LAUNCHED_PID"

  if [[ $who == root ]]; then
    "$NODEX" doctor -o json "--web.listen-address=127.0.0.1:$port" >"$E2E_TMP/doctor-$who.json"
  else
    "${NOBODY[@]}" "$NODEX" doctor -o json "--web.listen-address=127.0.0.1:$port" >"$E2E_TMP/doctor-$who.json"
  fi
  [[ $(doctor_status "$E2E_TMP/doctor-$who.json" host-network) == ok ]] &&
    pass "doctor as $who in the host namespace: host-network ok" ||
    fail "doctor as $who in the host namespace: host-network is $(doctor_status "$E2E_TMP/doctor-$who.json" host-network): $(doctor_message "$E2E_TMP/doctor-$who.json" host-network)"
done

# --- 2. A network namespace of its own, like a pod without hostNetwork ---------------
e2e_netns "$NS"
ip link add "$VETH_HOST" type veth peer name "$VETH_POD" netns "$NS" || die "cannot create the veth pair"
ip addr add "$HOST_IP/30" dev "$VETH_HOST" || die "address on $VETH_HOST"
ip link set "$VETH_HOST" up || die "$VETH_HOST up"
ip -n "$NS" addr add "$POD_IP/30" dev "$VETH_POD" || die "address on $VETH_POD"
ip -n "$NS" link set "$VETH_POD" up || die "$VETH_POD up"
ip -n "$NS" link set lo up || die "lo up in $NS"

port=$(free_port) || die "no free port"
launch pod "$POD_IP" "$port" ip netns exec "$NS" "${NOBODY[@]}" "$NODEX" "--web.listen-address=$POD_IP:$port"
fetch "http://$POD_IP:$port/metrics" >"$E2E_TMP/pod.prom" || die "scrape over the veth failed"
expect_gauge "$E2E_TMP/pod.prom" nodex_host_network 0 "own network namespace"
expect_gauge "$E2E_TMP/pod.prom" nodex_host_pid 1 "own network namespace"
line=$(grep "not in the node's network namespace" "$E2E_TMP/pod.log")
if [[ $(grep -c "not in the node's network namespace" "$E2E_TMP/pod.log") == 1 && $line == *"network metrics describe the pod, not the node"* && $line == *"hostNetwork: true"* ]]; then
  pass "own network namespace: logged once that metrics describe the pod and hostNetwork: true fixes it"
else
  fail "own network namespace: expected one log line naming hostNetwork: true, got: $(cat "$E2E_TMP/pod.log")"
fi
# Scraping again does not log again.
fetch "http://$POD_IP:$port/metrics" >/dev/null
[[ $(grep -c "not in the node's network namespace" "$E2E_TMP/pod.log") == 1 ]] || fail "the namespace line was logged more than once"

ip netns exec "$NS" "${NOBODY[@]}" "$NODEX" doctor -o json "--web.listen-address=$POD_IP:$port" >"$E2E_TMP/doctor-pod.json"
rc=$?
status=$(doctor_status "$E2E_TMP/doctor-pod.json" host-network)
message=$(doctor_message "$E2E_TMP/doctor-pod.json" host-network)
if [[ $status == fail && $message == *"$POD_IP"* ]]; then
  pass "doctor in its own network namespace: host-network fail, naming the pod's address $POD_IP"
else
  fail "doctor in its own network namespace: host-network is $status: $message"
fi
[[ $rc == 1 ]] && pass "doctor exits 1 when a check fails" || fail "doctor exited $rc with a failing check, want 1"
[[ $(doctor_status "$E2E_TMP/doctor-pod.json" metrics-endpoint) == ok ]] || fail "doctor could not reach nodex at $POD_IP:$port"

landing=$(fetch "http://$POD_IP:$port/") || die "landing page failed"
if grep -Eq 'fail +host-network +nodex is not in the node&#39;s network namespace' <<<"$landing"; then
  pass "the landing page shows host-network fail"
else
  fail "the landing page lacks the host-network status: $landing"
fi
e2e_stop_pid "$LAUNCHED_PID"

# --- 3. PID namespaces of its own ---------------------------------------------------
# The node's /proc stays mounted, as when a pod without hostPID mounts it at /host/proc.
port=$(free_port) || die "no free port"
launch pidns 127.0.0.1 "$port" unshare --pid --fork --kill-child "${NOBODY[@]}" "$NODEX" "--web.listen-address=127.0.0.1:$port"
fetch "http://127.0.0.1:$port/metrics" >"$E2E_TMP/pidns.prom" || die "scrape failed (PID namespace)"
expect_gauge "$E2E_TMP/pidns.prom" nodex_host_pid 0 "own PID namespace, node's /proc"
expect_gauge "$E2E_TMP/pidns.prom" nodex_host_network 1 "own PID namespace, node's /proc"
grep -q "not in the node's PID namespace" "$E2E_TMP/pidns.log" || fail "own PID namespace: no log line about it"
stop_unshare "$LAUNCHED_PID"

# Its own /proc: nodex is PID 1 there and cannot see the node at all.
port=$(free_port) || die "no free port"
launch procns 127.0.0.1 "$port" unshare --pid --fork --kill-child --mount-proc "${NOBODY[@]}" "$NODEX" "--web.listen-address=127.0.0.1:$port"
fetch "http://127.0.0.1:$port/metrics" >"$E2E_TMP/procns.prom" || die "scrape failed (own /proc)"
expect_gauge "$E2E_TMP/procns.prom" nodex_host_pid 0 "own PID namespace and /proc"
expect_gauge "$E2E_TMP/procns.prom" nodex_host_network absent "own PID namespace and /proc"
if grep -q "Cannot tell whether nodex is in the node's network namespace" "$E2E_TMP/procns.log" &&
  grep -q "nodex itself" "$E2E_TMP/procns.log"; then
  pass "own /proc: logged that the network namespace cannot be known, and why"
else
  fail "own /proc: no 'Cannot tell' line naming PID 1 = nodex: $(cat "$E2E_TMP/procns.log")"
fi
stop_unshare "$LAUNCHED_PID"

# A --path.procfs that is not a procfs.
mkdir -p "$E2E_TMP/notproc"
port=$(free_port) || die "no free port"
launch notproc 127.0.0.1 "$port" "$NODEX" "--web.listen-address=127.0.0.1:$port" "--path.procfs=$E2E_TMP/notproc"
fetch "http://127.0.0.1:$port/metrics" >"$E2E_TMP/notproc.prom" || die "scrape failed (not a procfs)"
expect_gauge "$E2E_TMP/notproc.prom" nodex_host_network absent "--path.procfs not a procfs"
expect_gauge "$E2E_TMP/notproc.prom" nodex_host_pid absent "--path.procfs not a procfs"
grep -q "not a procfs mount" "$E2E_TMP/notproc.log" || fail "--path.procfs not a procfs: not logged"
e2e_stop_pid "$LAUNCHED_PID"

finish
