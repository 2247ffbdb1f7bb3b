# shellcheck shell=bash
# tests/e2e/lib.sh: helpers shared by the end-to-end scripts. Source it; do not run it.
#
# Every script gets: its own temp dir ($E2E_TMP), a list of processes it started
# (killed on exit, even on failure or Ctrl-C), a free loopback port finder, a
# "start nodex and wait until it listens" helper and bounded HTTP fetches.
# Exit codes: 0 pass, 1 fail, 77 skip (ctest SKIP_RETURN_CODE).

set -u
set -o pipefail

E2E_NAME=$(basename "$0" .sh)
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/nodex-e2e-${E2E_NAME}.XXXXXX") || {
  echo "FAIL: cannot create a temp dir" >&2
  exit 1
}
E2E_PIDS=()
E2E_NETNS=()
E2E_FAILURES=0

# Stop one process: SIGTERM, then SIGKILL after up to 5 s. Never waits unbounded.
e2e_stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "note: pid $pid ignored SIGTERM for 5 s, sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

e2e_cleanup() {
  local rc=$? pid ns
  trap - EXIT INT TERM
  for pid in "${E2E_PIDS[@]}"; do
    e2e_stop_pid "$pid"
  done
  # After the processes: nothing runs in them any more.
  for ns in "${E2E_NETNS[@]}"; do
    ip netns del "$ns" 2>/dev/null
  done
  if [[ -n "${E2E_KEEP:-}" ]]; then
    echo "note: kept $E2E_TMP" >&2
  else
    rm -rf "$E2E_TMP"
  fi
  exit "$rc"
}
trap e2e_cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# Remember a pid so that cleanup stops it.
e2e_track() { E2E_PIDS+=("$1"); }

# e2e_netns NAME...: create network namespaces that cleanup deletes once it has
# stopped the tracked processes. Skips the test when the first one cannot be
# created (not root, no iproute2, a kernel without them).
e2e_netns() {
  local ns
  for ns in "$@"; do
    if ! ip netns add "$ns" 2>"$E2E_TMP/netns.err"; then
      ((${#E2E_NETNS[@]} > 0)) || skip "cannot create a network namespace: $(cat "$E2E_TMP/netns.err")"
      die "cannot create network namespace $ns: $(cat "$E2E_TMP/netns.err")"
    fi
    E2E_NETNS+=("$ns")
  done
}

die() {
  echo "FAIL: $*" >&2
  exit 1
}

skip() {
  echo "SKIP: $*"
  exit 77
}

# A soft check: record the failure, keep going, so one run reports every problem.
fail() {
  echo "FAIL: $*" >&2
  E2E_FAILURES=$((E2E_FAILURES + 1))
}

pass() { echo "ok: $*"; }

# Exit with the verdict of the soft checks.
finish() {
  if ((E2E_FAILURES > 0)); then
    echo "$E2E_NAME: $E2E_FAILURES check(s) failed" >&2
    exit 1
  fi
  echo "$E2E_NAME: all checks passed"
  exit 0
}

# need_binary PATH: the nodex binary under test must exist and be executable.
need_binary() {
  [[ $# -ge 1 && -n "$1" ]] || die "usage: $0 PATH_TO_NODEX"
  [[ -x "$1" ]] || die "nodex binary '$1' is not an executable file"
}

# need_peer PATH DESCRIPTION: a program installed by the Makefile (Debian packages).
# Missing in CI is a failure; NODEX_E2E_ALLOW_MISSING_PEERS=1 turns it into a skip.
need_peer() {
  [[ -x "$1" ]] && return 0
  if [[ "${NODEX_E2E_ALLOW_MISSING_PEERS:-}" == 1 ]]; then
    skip "$1 ($2) not installed and NODEX_E2E_ALLOW_MISSING_PEERS=1"
  fi
  die "$1 ($2) not installed; install the Debian package or set NODEX_E2E_ALLOW_MISSING_PEERS=1 to skip"
}

# free_port: print a TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# port_open PORT: true if something accepts connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_listen PID PORT [SECONDS]: wait until PID listens on PORT (default 10 s).
# Fails early when PID exits.
wait_listen() {
  local pid=$1 port=$2 secs=${3:-10} i
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 1
    port_open "$port" && return 0
    sleep 0.1
  done
  return 1
}

# start_nodex BINARY [ARGS...]: start nodex on a fresh port with
# --web.listen-address=127.0.0.1:PORT plus ARGS; wait until it listens.
# Sets NODEX_PID, NODEX_PORT, NODEX_URL, NODEX_LOG. Retries with another port when
# the first one was taken in the meantime (tests run in parallel).
start_nodex() {
  local bin=$1 attempt
  shift
  for attempt in 1 2 3; do
    NODEX_PORT=$(free_port) || die "cannot find a free port"
    NODEX_LOG="$E2E_TMP/nodex.$NODEX_PORT.log"
    "$bin" "--web.listen-address=127.0.0.1:$NODEX_PORT" "$@" >"$NODEX_LOG" 2>&1 &
    NODEX_PID=$!
    e2e_track "$NODEX_PID"
    # shellcheck disable=SC2034  # used by the scripts that source this file
    NODEX_URL="http://127.0.0.1:$NODEX_PORT"
    if wait_listen "$NODEX_PID" "$NODEX_PORT" 10; then
      return 0
    fi
    if kill -0 "$NODEX_PID" 2>/dev/null; then
      e2e_stop_pid "$NODEX_PID"
      echo "--- nodex log:" >&2
      cat "$NODEX_LOG" >&2
      die "nodex (pid $NODEX_PID) did not listen on 127.0.0.1:$NODEX_PORT within 10 s: $bin $*"
    fi
    wait "$NODEX_PID" 2>/dev/null
    if grep -qiE 'in use|bind' "$NODEX_LOG" && ((attempt < 3)); then
      echo "note: port $NODEX_PORT was taken, retrying" >&2
      continue
    fi
    echo "--- nodex log:" >&2
    cat "$NODEX_LOG" >&2
    die "nodex exited before listening on 127.0.0.1:$NODEX_PORT: $bin --web.listen-address=127.0.0.1:$NODEX_PORT $*"
  done
}

# fetch URL [CURL_ARGS...]: GET with a 10 s bound; body on stdout, fails on transport errors.
fetch() {
  local url=$1
  shift
  curl -sS --max-time 10 "$@" "$url"
}

# http_status URL [CURL_ARGS...]: print only the status code (000 on transport error).
# The body goes to /dev/null unless CURL_ARGS has its own -o (curl pairs each -o with
# one URL, so there must be only one).
http_status() {
  local url=$1 a sink=(-o /dev/null)
  shift
  for a in "$@"; do [[ $a == -o ]] && sink=(); done
  curl -s "${sink[@]}" --max-time 10 -w '%{http_code}' "$@" "$url"
}

# series_keys FILE [--duplicates]: the sorted set of series keys (name plus label
# block) of an exposition, without values and timestamps; with --duplicates, only the
# keys that occur more than once.
series_keys() {
  python3 - "$@" <<'EOF'
import collections, re, sys
keys = collections.Counter()
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    m = re.match(r'^([A-Za-z_:][A-Za-z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?', line)
    if m:
        keys[m.group(1) + (m.group(2) or "")] += 1
dups_only = sys.argv[2:] == ["--duplicates"]
for k in sorted(keys):
    if not dups_only or keys[k] > 1:
        print(k)
EOF
}

# start_fifo_procfs DIR: make DIR a fake procfs whose "loadavg" is a named pipe, fed by
# a helper process. Each time a reader opens the pipe, the helper appends a line to
# DIR.opened, waits until the file DIR.go exists, writes a loadavg line
# ("1.50 2.25 3.75 2/345 6789") and closes. With --path.procfs=DIR, a nodex that opens
# loadavg per scrape blocks in that scrape until the test runs `touch DIR.go`: a
# scrape held in flight without timing races.
start_fifo_procfs() {
  local dir=$1
  mkdir -p "$dir"
  mkfifo "$dir/loadavg" || die "mkfifo $dir/loadavg failed"
  : >"$dir.opened"
  python3 - "$dir/loadavg" "$dir.opened" "$dir.go" <<'PY' &
import os, sys, time
fifo, opened, go = sys.argv[1:]
while True:
    fd = os.open(fifo, os.O_WRONLY)  # blocks until a reader opens the FIFO
    with open(opened, "a") as f:
        f.write("open\n")
    while not os.path.exists(go):
        time.sleep(0.02)
    try:
        os.write(fd, b"1.50 2.25 3.75 2/345 6789\n")
    except BrokenPipeError:
        pass
    os.close(fd)
    time.sleep(0.2)  # let the reader see EOF before the next open
PY
  e2e_track "$!"
}

# scrape_blocked PID DIR: true if the background scrape PID is still running after
# 1 s and the FIFO in DIR was opened, i.e. nodex is blocked reading it.
scrape_blocked() {
  local pid=$1 dir=$2 i
  for ((i = 0; i < 20; i++)); do
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  kill -0 "$pid" 2>/dev/null && [[ -s "$dir.opened" ]]
}
