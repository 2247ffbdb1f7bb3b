#!/usr/bin/env bash
# tests/e2e/doctor.sh NODEX: `nodex doctor` (issue 6), every check with a passing and a
# failing case, on real namespaces and mounts:
#   host-network      ok in the host's namespace; fail in a network namespace of its own
#   host-pid          ok; fail in a PID namespace of its own (unshare --pid)
#   procfs/sysfs/     ok for read-only bind mounts of the node's /proc, /sys and /; warn when
#   rootfs            read-write; fail for plain directories, for a /proc of another PID
#                     namespace and for a sysfs of another network namespace
#   listen-port       ok when free or held by nodex; fail when another process holds it
#                     (named by pid); warn for a reserved port
#   dns               ok for a resolv.conf with the cluster's search domains; warn without
#   non-root          ok as uid 65534; warn as root
#   timex             ok; warn when a seccomp filter refuses adjtimex (x86_64 and arm64)
#   metrics-endpoint  ok with nodex serving; fail with nothing on the port
# plus the JSON shape, the text checklist, exit 0 without failures and 1 with, 2 for usage
# errors. Mounts are made in private mount namespaces and vanish with them; the network
# namespace is always deleted. Needs root.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
NODEX=$(readlink -f "$NODEX")

[[ $(id -u) == 0 ]] || skip "needs root for namespaces and mounts (running as uid $(id -u))"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
command -v unshare >/dev/null && command -v setpriv >/dev/null || skip "util-linux unshare/setpriv missing"

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all)
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=$(command -v python3)
NS="nodex-doctor-$$"

# uid 65534 must reach the files below.
chmod 0755 "$E2E_TMP"
printf 'search monitoring.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n' \
  >"$E2E_TMP/resolv-cluster.conf"
printf 'search corp.example\nnameserver 192.0.2.53\n' >"$E2E_TMP/resolv-node.conf"
chmod 0644 "$E2E_TMP"/resolv-*.conf

# doctor NAME CMD...: run CMD (ending in `nodex doctor ...`) with a 30 s bound; keeps
# stdout in $E2E_TMP/NAME.out and the exit status in RC.
doctor() {
  local name=$1
  shift
  timeout 30 "$@" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err"
  RC=$?
  [[ $RC == 124 ]] && fail "$name: doctor did not finish within 30 s"
}

# check_field NAME ID FIELD: a field of check ID in NAME's JSON ("missing" if absent).
check_field() {
  "$PYTHON" - "$E2E_TMP/$1.out" "$2" "$3" <<'EOF'
import json, sys
try:
    checks = {c["id"]: c for c in json.load(open(sys.argv[1]))["checks"]}
    print(checks[sys.argv[2]][sys.argv[3]])
except Exception:
    print("missing")
EOF
}

# expect NAME ID STATUS [TEXT]: check ID of run NAME has STATUS and its message has TEXT.
expect() {
  local name=$1 id=$2 want=$3 text=${4:-} status message
  status=$(check_field "$name" "$id" status)
  message=$(check_field "$name" "$id" message)
  if [[ $status != "$want" ]]; then
    fail "$name: $id is $status, want $want: $message (fix: $(check_field "$name" "$id" fix))"
  elif [[ -n $text && $message != *"$text"* ]]; then
    fail "$name: $id message lacks '$text': $message"
  else
    pass "$name: $id $want${text:+ ($text)}"
  fi
}

# launch_nodex PORT [WRAPPER...]: nodex on 127.0.0.1:PORT; waits up to 10 s. Sets NODEX_PID.
launch_nodex() {
  local port=$1 i
  shift
  "$@" "$NODEX" "--web.listen-address=127.0.0.1:$port" >"$E2E_TMP/nodex.$port.log" 2>&1 &
  NODEX_PID=$!
  e2e_track "$NODEX_PID"
  for ((i = 0; i < 100; i++)); do
    kill -0 "$NODEX_PID" 2>/dev/null || die "nodex exited: $(cat "$E2E_TMP/nodex.$port.log")"
    port_open "$port" && return 0
    sleep 0.1
  done
  die "nodex did not listen on 127.0.0.1:$port within 10 s"
}

# --- Everything right: read-only binds of the node's /proc, /sys and / as the DaemonSet ---
# mounts them, uid 65534, cluster DNS, nodex serving on the port: no check fails, exit 0.
port=$(free_port) || die "no free port"
launch_nodex "$port" "${NOBODY[@]}"
mkdir -p "$E2E_TMP/host/proc" "$E2E_TMP/host/sys" "$E2E_TMP/host/root"
# shellcheck disable=SC2016  # expanded by the inner sh
binds='set -e
for m in proc:/proc sys:/sys root:/; do
  mount --bind "${m#*:}" "$H/${m%%:*}"
  mount -o remount,bind,ro "$H/${m%%:*}"
done
exec "$@"'
good_args=("--path.procfs=$E2E_TMP/host/proc" "--path.sysfs=$E2E_TMP/host/sys" "--path.rootfs=$E2E_TMP/host/root"
  "--web.listen-address=127.0.0.1:$port" "--doctor.resolv-conf=$E2E_TMP/resolv-cluster.conf")
doctor good env H="$E2E_TMP/host" unshare --mount --propagation private sh -c "$binds" binds \
  "${NOBODY[@]}" "$NODEX" doctor -o json "${good_args[@]}"
[[ $RC == 0 ]] && pass "good: exit 0" || fail "good: exit $RC, want 0: $(cat "$E2E_TMP/good.out" "$E2E_TMP/good.err")"
expect good host-network ok "pod IP = node IP"
expect good host-pid ok
expect good procfs ok "mounted read-only"
expect good sysfs ok "network interfaces"
expect good rootfs ok "as the node's /"
expect good listen-port ok "held by nodex itself, pid $NODEX_PID"
expect good dns ok "ClusterFirstWithHostNet is in effect"
expect good non-root ok "uid 65534"
expect good timex ok
expect good metrics-endpoint ok "GET http://127.0.0.1:$port/metrics answers 200"

# The JSON shape: {"checks":[{"id","status","message","fix"}]} in a fixed order.
if "$PYTHON" - "$E2E_TMP/good.out" <<'EOF'; then
import json, sys
doc = json.load(open(sys.argv[1]))
assert list(doc) == ["checks"], doc
ids = [c["id"] for c in doc["checks"]]
assert ids == ["host-network", "host-pid", "procfs", "sysfs", "rootfs", "listen-port", "dns", "non-root",
               "timex", "metrics-endpoint"], ids
for c in doc["checks"]:
    assert sorted(c) == ["fix", "id", "message", "status"], c
    assert c["status"] in ("ok", "warn", "fail") and c["message"], c
EOF
  pass "JSON has the documented shape and every check"
else
  fail "JSON shape: $(cat "$E2E_TMP/good.out")"
fi

# The same as a text checklist, one line per check.
doctor good-text env H="$E2E_TMP/host" unshare --mount --propagation private sh -c "$binds" binds \
  "${NOBODY[@]}" "$NODEX" doctor "${good_args[@]}"
if [[ $RC == 0 && $(grep -c '^ok ' "$E2E_TMP/good-text.out") == 10 ]] &&
  grep -q '^doctor: 10 ok, 0 warn, 0 fail$' "$E2E_TMP/good-text.out"; then
  pass "text checklist: 10 ok lines and the summary"
else
  fail "text checklist: $(cat "$E2E_TMP/good-text.out")"
fi

# The landing page of the running nodex shows the same status.
landing=$(fetch "http://127.0.0.1:$port/") || die "landing page failed"
for id in host-network host-pid listen-port dns timex; do
  grep -Eq "^(<pre>)?(ok|warn|fail) +$id " <<<"$landing" || fail "the landing page lacks the $id check: $landing"
done
grep -q "held by nodex itself, pid $NODEX_PID" <<<"$landing" && pass "the landing page shows the checklist" ||
  fail "the landing page's listen-port line does not name nodex: $landing"

# --- Failing and warning cases -------------------------------------------------------
# Plain directories as --path.*, the node's resolv.conf, root, nothing on the port.
mkdir -p "$E2E_TMP/plain/proc" "$E2E_TMP/plain/sys" "$E2E_TMP/plain/root"
free=$(free_port) || die "no free port"
doctor plain "$NODEX" doctor -o json "--path.procfs=$E2E_TMP/plain/proc" "--path.sysfs=$E2E_TMP/plain/sys" \
  "--path.rootfs=$E2E_TMP/plain/root" "--web.listen-address=127.0.0.1:$free" \
  "--doctor.resolv-conf=$E2E_TMP/resolv-node.conf" --doctor.timeout=1000
[[ $RC == 1 ]] && pass "plain: exit 1" || fail "plain: exit $RC, want 1"
expect plain procfs fail "is not a procfs mount"
expect plain sysfs fail "is not a sysfs mount"
expect plain rootfs fail "is not a mount point"
expect plain host-network warn "cannot tell"
expect plain dns warn "is the node's (search corp.example"
expect plain non-root warn "runs as root"
expect plain metrics-endpoint fail "Connection refused"

# The node's own /proc, /sys and / as they are: read-write.
doctor rw "$NODEX" doctor -o json "--web.listen-address=127.0.0.1:$free" --doctor.timeout=1000
expect rw procfs warn "mounted read-write"
expect rw sysfs warn "mounted read-write"
expect rw rootfs warn "mounted read-write"
expect rw listen-port ok "is free"

# Another process holds the port.
cat >"$E2E_TMP/holder.py" <<'EOF'
import signal, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
open(sys.argv[2], "w").close()
signal.pause()
EOF
held=$(free_port) || die "no free port"
"$PYTHON" "$E2E_TMP/holder.py" "$held" "$E2E_TMP/holder.ready" &
holder=$!
e2e_track "$holder"
for ((i = 0; i < 50; i++)); do [[ -e $E2E_TMP/holder.ready ]] && break; sleep 0.1; done
doctor held "$NODEX" doctor -o json "--web.listen-address=127.0.0.1:$held" --doctor.timeout=500
expect held listen-port fail "is held by pid $holder ("
[[ $(check_field held listen-port fix) == *"host-network pods share the node's ports"* ]] ||
  fail "held: the fix does not mention shared ports"
expect held metrics-endpoint fail
e2e_stop_pid "$holder"

# A PID namespace of its own, with the node's /proc still mounted.
doctor pidns unshare --pid --fork --kill-child "$NODEX" doctor -o json "--web.listen-address=127.0.0.1:$free" \
  --doctor.timeout=500
expect pidns host-pid fail "level(s) below the node's"
expect pidns host-network ok
expect pidns procfs warn "mounted read-write"

# ... and with its own /proc: that /proc is not the node's.
doctor procns unshare --pid --fork --kill-child --mount-proc "$NODEX" doctor -o json \
  "--web.listen-address=127.0.0.1:$free" --doctor.timeout=500
expect procns procfs fail "nodex itself"
expect procns host-pid fail
expect procns host-network warn "cannot tell"

# A network namespace of its own: host-network fails, and `ip netns exec` mounts a sysfs
# of that namespace, which is not the node's either; a reserved port warns.
e2e_netns "$NS"
ip -n "$NS" link set lo up || die "lo up in $NS"
doctor netns ip netns exec "$NS" "$NODEX" doctor -o json --web.listen-address=127.0.0.1:10250 --doctor.timeout=500
[[ $RC == 1 ]] && pass "netns: exit 1" || fail "netns: exit $RC, want 1"
expect netns host-network fail "not in the node's network namespace"
expect netns sysfs fail "lists another network namespace's interfaces (lo)"
expect netns listen-port warn "reserved for the kubelet API"

# A seccomp filter that refuses adjtimex(2), as old runtime profiles did without
# CAP_SYS_TIME (glibc's adjtimex is the clock_adjtime system call).
case $(uname -m) in
  x86_64) seccomp_arch=0xC000003E nrs="159 305" ;;
  aarch64) seccomp_arch=0xC00000B7 nrs="171 266" ;;
  *) seccomp_arch="" ;;
esac
if [[ -n $seccomp_arch ]]; then
  cat >"$E2E_TMP/no_adjtimex.py" <<'EOF'
# no_adjtimex.py ARCH NR1 NR2 CMD...: exec CMD with adjtimex and clock_adjtime failing EPERM.
import ctypes, os, struct, sys
arch, nr1, nr2 = (int(x, 0) for x in sys.argv[1:4])
LD_W_ABS, JEQ_K, RET_K = 0x20, 0x15, 0x06
ALLOW, ERRNO_EPERM = 0x7FFF0000, 0x00050000 | 1
prog = [
    (LD_W_ABS, 0, 0, 4), (JEQ_K, 1, 0, arch), (RET_K, 0, 0, ALLOW),  # other ABIs: allow
    (LD_W_ABS, 0, 0, 0), (JEQ_K, 2, 0, nr1), (JEQ_K, 1, 0, nr2),
    (RET_K, 0, 0, ALLOW), (RET_K, 0, 0, ERRNO_EPERM),
]
code = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *insn) for insn in prog))
class Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
fprog = Prog(len(prog), ctypes.addressof(code))
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) != 0:  # NO_NEW_PRIVS, SECCOMP
    sys.exit("seccomp: " + os.strerror(ctypes.get_errno()))
os.execv(sys.argv[4], sys.argv[4:])
EOF
  # shellcheck disable=SC2086  # two syscall numbers
  doctor seccomp "$PYTHON" "$E2E_TMP/no_adjtimex.py" "$seccomp_arch" $nrs "$NODEX" doctor -o json \
    "--web.listen-address=127.0.0.1:$free" --doctor.timeout=500
  expect seccomp timex warn "refused (EPERM)"
  [[ $(check_field seccomp timex fix) == *"--no-collector.timex"* ]] || fail "seccomp: the timex fix lacks --no-collector.timex"
else
  echo "note: no seccomp case on $(uname -m)"
fi

# --- Usage errors ------------------------------------------------------------------
"$NODEX" doctor -o yaml >/dev/null 2>"$E2E_TMP/usage.err"
rc=$?
[[ $rc == 2 ]] && pass "-o yaml: exit 2" || fail "-o yaml: exit $rc, want 2"
"$NODEX" doctor --no-such-flag >/dev/null 2>"$E2E_TMP/usage.err"
rc=$?
[[ $rc == 2 && $(wc -l <"$E2E_TMP/usage.err") == 1 ]] && pass "unknown flag: exit 2, one line" ||
  fail "unknown flag: exit $rc: $(cat "$E2E_TMP/usage.err")"
"$NODEX" doctor --help >"$E2E_TMP/help.out" 2>&1 && grep -q -- '--web.listen-address' "$E2E_TMP/help.out" &&
  pass "--help lists the flags" || fail "--help: $(cat "$E2E_TMP/help.out")"

finish
