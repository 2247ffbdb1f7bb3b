#!/usr/bin/env bash
# tests/e2e/signals.sh NODEX: graceful shutdown.
#
# SIGTERM and SIGINT make nodex exit 0 within 5 s. A scrape that is in flight when
# SIGTERM arrives still gets a complete 200, and no new connection is accepted meanwhile.
#
# To hold a scrape in flight without racing, the loadavg collector reads a FIFO
# (start_fifo_procfs in lib.sh): the scrape blocks until this script lets the FIFO's
# writer go. If nodex does not block on the FIFO (for instance it keeps the fd open and
# lseek fails on a pipe), the script falls back to a request whose response has already
# started when SIGTERM is sent.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"

# Non-interactive bash starts background jobs with SIGINT ignored; restore the default
# disposition so that nodex sees SIGINT as it would from a terminal or systemd.
# python3 execs nodex, so $! is nodex's own pid (a shell function would add a subshell).
LAUNCH=(python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])')

# start PORT LOG ARGS...: start nodex through LAUNCH and wait until it listens; sets PID.
start() {
  local port=$1 log=$2
  shift 2
  "${LAUNCH[@]}" "$NODEX" "--web.listen-address=127.0.0.1:$port" "$@" >"$log" 2>&1 &
  PID=$!
  e2e_track "$PID"
  wait_listen "$PID" "$port" 10 || die "nodex did not listen on 127.0.0.1:$port: $(head -c 500 "$log")"
}

# wait_exit PID SECONDS: wait for PID to exit; set RC to its status, or "running".
# (Not via $(...): a subshell cannot wait for its parent's children.)
wait_exit() {
  local pid=$1 secs=$2 i
  RC=running
  for ((i = 0; i < secs * 20; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      RC=$?
      return
    fi
    sleep 0.05
  done
}

# --- SIGTERM / SIGINT while idle --------------------------------------------------------
for sig in TERM INT; do
  port=$(free_port)
  start "$port" "$E2E_TMP/$sig.log"
  fetch "http://127.0.0.1:$port/metrics" -o /dev/null || fail "SIG$sig case: scrape before the signal failed"
  t0=$(date +%s.%N)
  kill -"$sig" "$PID"
  wait_exit "$PID" 5
  rc=$RC
  dt=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$t0" "$(date +%s.%N)")
  if [[ $rc == running ]]; then
    fail "SIG$sig: nodex still running after 5 s"
    e2e_stop_pid "$PID"
  elif [[ $rc != 0 ]]; then
    fail "SIG$sig: nodex exited $rc, want 0 (log: $(tail -c 300 "$E2E_TMP/$sig.log"))"
  else
    pass "SIG$sig: exit 0 after ${dt}s"
  fi
  port_open "$port" && fail "SIG$sig: port $port still accepts connections after exit"
done

# --- SIGTERM with a scrape in flight ----------------------------------------------------
proc="$E2E_TMP/proc"
start_fifo_procfs "$proc"

port=$(free_port)
start "$port" "$E2E_TMP/inflight.log" --collector.disable-defaults --collector.loadavg "--path.procfs=$proc"
body="$E2E_TMP/inflight.txt"
curl -sS --max-time 20 -o "$body" -w '%{http_code}' "http://127.0.0.1:$port/metrics" >"$E2E_TMP/inflight.code" 2>"$E2E_TMP/inflight.err" &
curl_pid=$!
e2e_track "$curl_pid"

# In flight means: curl is still waiting 1 s later, and the FIFO was opened.
blocked=no
scrape_blocked "$curl_pid" "$proc" && blocked=yes

if [[ $blocked == yes ]]; then
  kill -TERM "$PID"
  sleep 0.5
  kill -0 "$PID" 2>/dev/null || fail "in flight: nodex exited before the in-flight scrape finished"
  if kill -0 "$PID" 2>/dev/null && port_open "$port"; then
    fail "in flight: nodex still accepts new connections 0.5 s after SIGTERM"
  fi
  touch "$proc.go"
  wait "$curl_pid"
  crc=$?
  code=$(cat "$E2E_TMP/inflight.code")
  if [[ $crc != 0 || $code != 200 ]]; then
    fail "in flight: scrape got curl exit $crc, status '$code' ($(cat "$E2E_TMP/inflight.err")), want a complete 200"
  elif ! grep -q '^node_load1 1.5$' "$body" || ! grep -q '^node_scrape_collector_success{collector="loadavg"} 1$' "$body"; then
    fail "in flight: 200 but the body is incomplete:"$'\n'"$(head -c 600 "$body")"
  else
    pass "in flight: the scrape held open across SIGTERM completed with 200 and node_load1 1.5"
  fi
  wait_exit "$PID" 5
  rc=$RC
  if [[ $rc == 0 ]]; then
    pass "in flight: nodex exited 0 after the scrape"
  else
    fail "in flight: nodex exit status '$rc' within 5 s of the scrape finishing, want 0"
  fi
else
  echo "note: nodex did not block on the FIFO (curl finished or the FIFO was never opened);" \
    "falling back to SIGTERM once the response has started"
  touch "$proc.go"
  wait "$curl_pid" 2>/dev/null
  e2e_stop_pid "$PID"
  port=$(free_port)
  start "$port" "$E2E_TMP/fallback.log"
  # The client sends a full request and waits for the first response byte (the request is
  # being answered), then SIGTERM goes out, then the client reads the rest.
  if python3 - "$port" "$PID" <<'EOF'; then
import os, select, signal, socket, sys
port, pid = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.sendall(f"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
r, _, _ = select.select([s], [], [], 10)
if not r:
    sys.exit("no response within 10 s")
os.kill(pid, signal.SIGTERM)
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
status = head.split(b"\r\n")[0]
if b" 200 " not in status + b" ":
    sys.exit(f"status line {status!r}")
hdrs = {l.split(b":", 1)[0].strip().lower(): l.split(b":", 1)[1].strip() for l in head.split(b"\r\n")[1:] if b":" in l}
if b"content-length" in hdrs and int(hdrs[b"content-length"]) != len(body):
    sys.exit(f"body {len(body)} bytes, Content-Length {hdrs[b'content-length'].decode()}")
if b"node_load1 " not in body or not body.endswith(b"\n"):
    sys.exit("body incomplete")
print(f"complete 200, {len(body)} bytes")
EOF
    pass "fallback: the response in progress at SIGTERM completed"
  else
    fail "fallback: the response in progress at SIGTERM did not complete"
  fi
  wait_exit "$PID" 5
  rc=$RC
  [[ $rc == 0 ]] && pass "fallback: nodex exited 0" || fail "fallback: nodex exit status '$rc', want 0"
fi

finish
