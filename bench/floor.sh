#!/usr/bin/env bash
# bench/floor.sh READ_FLOOR [NODEX [OUT]]: the physical floor of a scrape, and nodex's
# scrape time as a multiple of it.
#
# 1. Starts nodex and node_exporter with the collectors bench/side_by_side.py
#    compares, warms each up, then straces one steady-state scrape of each
#    (read/pread64/openat with fd paths, -y) for the list of files it reads.
# 2. Runs READ_FLOOR (bench/read_floor.cc) on each list: the time to re-read
#    those files through kept-open fds, and with open/read/close every time.
# 3. Times nodex's own scrape (median of 200, plain, keep-alive client) and
#    prints scrape / floor. The floor counts file reads only: netlink dumps,
#    directory listings (getdents64) and statfs are extra work a scrape does.
# Writes OUT (default bench/results/<date>-floor.md) and prints it. Needs strace; run as root
# or with ptrace permission over the exporters it starts.
set -u
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
READ_FLOOR=${1:-}
NODEX=${2:-$REPO/build/nodex}
OUT=${3:-$REPO/bench/results/$(date +%F)-floor.md}
NE=/usr/bin/prometheus-node-exporter
[[ -x "$READ_FLOOR" ]] || { echo "usage: $0 PATH_TO_read_floor [PATH_TO_nodex [OUT.md]]" >&2; exit 2; }
[[ -x "$NODEX" ]] || { echo "error: $NODEX is not executable (make build)" >&2; exit 2; }
[[ -x "$NE" ]] || { echo "error: $NE missing (apt-get install prometheus-node-exporter)" >&2; exit 2; }
command -v strace >/dev/null || { echo "error: strace missing (apt-get install strace)" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/nodex-floor.XXXXXX")
PIDS=()
cleanup() {
  local pid i
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || continue
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mapfile -t FLAGS < <("$HERE/side_by_side.py" --nodex "$NODEX" --print-flags) || exit 1

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME BINARY: starts BINARY on a free loopback port; sets PID and PORT.
start() {
  local name=$1 bin=$2 i
  PORT=$(free_port)
  "$bin" "--web.listen-address=127.0.0.1:$PORT" "${FLAGS[@]}" >"$TMP/$name.log" 2>&1 &
  PID=$!
  PIDS+=("$PID")
  for ((i = 0; i < 100; i++)); do
    curl -sf --max-time 5 -o /dev/null "http://127.0.0.1:$PORT/metrics" && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "error: $name did not serve on 127.0.0.1:$PORT" >&2
  cat "$TMP/$name.log" >&2
  exit 1
}

# files_of_one_scrape NAME: straces one scrape of the exporter started last and
# writes the sorted, unique list of files it read to $TMP/NAME.files.
files_of_one_scrape() {
  local name=$1 spid i
  for ((i = 0; i < 10; i++)); do curl -sf --max-time 10 -o /dev/null "http://127.0.0.1:$PORT/metrics"; done
  strace -f -qq -y -e trace=read,pread64,openat -o "$TMP/$name.strace" -p "$PID" 2>"$TMP/$name.strace.err" &
  spid=$!
  PIDS+=("$spid")
  # strace prints nothing when it has attached; give it a bounded moment.
  sleep 1
  curl -sf --max-time 30 -o /dev/null "http://127.0.0.1:$PORT/metrics" || echo "note: traced scrape of $name failed" >&2
  sleep 0.5
  kill -INT "$spid" 2>/dev/null
  wait "$spid" 2>/dev/null
  # read(7</proc/stat>, ...) = N: the path in the fd annotation. Sockets,
  # pipes and anonymous inodes have no leading '/'.
  sed -nE 's/.*(read|pread64)\([0-9]+<(\/[^>]*)>.*/\2/p' "$TMP/$name.strace" | sort -u >"$TMP/$name.files"
  # Files the exporter's own binary and libraries live in are not scrape input.
  grep -vE '^/(usr/)?lib|\.so(\.|$)|^/etc/ld\.so' "$TMP/$name.files" >"$TMP/$name.files.tmp"
  mv "$TMP/$name.files.tmp" "$TMP/$name.files"
  echo "$name reads $(wc -l <"$TMP/$name.files") files per scrape; opens $(grep -c 'openat(' "$TMP/$name.strace") per scrape" >&2
}

# scrape_ms: median and p99 of 200 plain scrapes of the exporter started last, in ms.
scrape_ms() {
  python3 - "$PORT" <<'PY'
import http.client, statistics, sys, time
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
times = []
for _ in range(200):
    start = time.perf_counter()
    conn.request("GET", "/metrics", headers={"Accept-Encoding": "identity"})
    conn.getresponse().read()
    times.append(time.perf_counter() - start)
times.sort()
print("%.3f %.3f" % (statistics.median(times) * 1e3, times[int(len(times) * 0.99) - 1] * 1e3))
PY
}

start nodex "$NODEX"
files_of_one_scrape nodex
read -r NODEX_MS NODEX_P99 < <(scrape_ms)
NODEX_OPENS=$(grep -c 'openat(' "$TMP/nodex.strace")
start node_exporter "$NE"
files_of_one_scrape node_exporter
read -r NE_MS NE_P99 < <(scrape_ms)
NE_OPENS=$(grep -c 'openat(' "$TMP/node_exporter.strace")

# An empty-response baseline: what the HTTP round trip alone costs this client.
COMPARED_FLAGS=${#FLAGS[@]}
FLAGS=(--collector.disable-defaults --web.disable-exporter-metrics)
start nodex-empty "$NODEX"
read -r EMPTY_MS _ < <(scrape_ms)

"$READ_FLOOR" "$TMP/nodex.files" >"$TMP/nodex.floor" || exit 1
"$READ_FLOOR" "$TMP/node_exporter.files" >"$TMP/node_exporter.floor" || exit 1
field() { awk -v k="$2" -v f="$3" '$1 == k { for (i = 2; i < NF; i++) if ($i == f) print $(i + 1) }' "$1"; }

NODEX_FLOOR_US=$(field "$TMP/nodex.floor" kept-open median_us)
NODEX_REOPEN_US=$(field "$TMP/nodex.floor" open-close median_us)
NE_FLOOR_US=$(field "$TMP/node_exporter.floor" kept-open median_us)
NE_REOPEN_US=$(field "$TMP/node_exporter.floor" open-close median_us)
read -r _ NODEX_NFILES _ NODEX_BYTES _ < "$TMP/nodex.floor"
read -r _ NE_NFILES _ NE_BYTES _ < "$TMP/node_exporter.floor"

mkdir -p "$(dirname "$OUT")"
{
  echo "# The physical floor of a scrape ($(date '+%F %H:%M'))"
  echo
  echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
  echo "- load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- collectors: the ones bench/side_by_side.py compares ($COMPARED_FLAGS flags)"
  echo "- file lists from strace of one steady-state scrape (after 10 warm-up scrapes)"
  echo "- floor = median time to re-read every listed file once through kept-open fds (bench/read_floor.cc)"
  echo "- HTTP round trip of an empty nodex response with the same client: ${EMPTY_MS} ms"
  echo
  echo "| | nodex | node_exporter |"
  echo "|---|---:|---:|"
  echo "| files read per scrape | $NODEX_NFILES | $NE_NFILES |"
  echo "| openat calls per steady scrape | $NODEX_OPENS | $NE_OPENS |"
  echo "| bytes read per scrape | $NODEX_BYTES | $NE_BYTES |"
  echo "| floor: kept-open fds, median | $(awk -v u="$NODEX_FLOOR_US" 'BEGIN{printf "%.3f ms", u/1000}') | $(awk -v u="$NE_FLOOR_US" 'BEGIN{printf "%.3f ms", u/1000}') |"
  echo "| same files, open/read/close each, median | $(awk -v u="$NODEX_REOPEN_US" 'BEGIN{printf "%.3f ms", u/1000}') | $(awk -v u="$NE_REOPEN_US" 'BEGIN{printf "%.3f ms", u/1000}') |"
  echo "| scrape latency, plain, median (p99) | $NODEX_MS ms ($NODEX_P99) | $NE_MS ms ($NE_P99) |"
  echo "| scrape median / its own floor | $(awk -v s="$NODEX_MS" -v f="$NODEX_FLOOR_US" 'BEGIN{printf "%.1fx", s*1000/f}') | $(awk -v s="$NE_MS" -v f="$NE_FLOOR_US" 'BEGIN{printf "%.1fx", s*1000/f}') |"
  echo "| (scrape - empty round trip) / floor | $(awk -v s="$NODEX_MS" -v e="$EMPTY_MS" -v f="$NODEX_FLOOR_US" 'BEGIN{printf "%.1fx", (s-e)*1000/f}') | $(awk -v s="$NE_MS" -v e="$EMPTY_MS" -v f="$NE_FLOOR_US" 'BEGIN{printf "%.1fx", (s-e)*1000/f}') |"
  echo
  echo "<details><summary>files nodex reads per scrape</summary>"
  echo
  echo '```'
  cat "$TMP/nodex.files"
  echo '```'
  echo "</details>"
} >"$OUT"
cat "$OUT"
echo "written to $OUT"
