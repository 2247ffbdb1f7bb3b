#!/usr/bin/env bash
# tests/e2e/http.sh NODEX: the HTTP contract of a running nodex, the way node_exporter behaves.
#
# /metrics (status, exact Content-Type, default collectors, self metrics, promtool lint,
# gzip), collect[]/exclude[] filters and their 400s, /, /-/healthy, /-/ready, 404, 405,
# HEAD, --web.telemetry-path and --web.disable-exporter-metrics.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
need_peer /usr/bin/promtool "Debian package prometheus"

readonly CONTENT_TYPE='text/plain; version=0.0.4; charset=utf-8'
readonly COLLECTORS=(cpu entropy filefd loadavg meminfo os stat time uname)

# header FILE NAME: the value of response header NAME (case-insensitive), without CR.
header() {
  awk -v want="$(tr '[:upper:]' '[:lower:]' <<<"$2")" '
    { sub(/\r$/, "") }
    index(tolower($0), want ":") == 1 { v = substr($0, length(want) + 2); sub(/^[ \t]+/, "", v); print v }
  ' "$1" | tail -n 1
}

# has_series FILE REGEX: a sample line (not a comment) matches REGEX (ERE).
# (No grep -q at the end of the pipe: under pipefail the first grep would die of SIGPIPE.)
has_series() { grep -v '^#' "$1" | grep -E -- "$2" >/dev/null; }

start_nodex "$NODEX"
url=$NODEX_URL

# --- /metrics, plain -------------------------------------------------------------------
plain="$E2E_TMP/plain.txt"
code=$(http_status "$url/metrics" -D "$E2E_TMP/plain.hdr" -o "$plain")
[[ $code == 200 ]] || die "GET /metrics returned $code, want 200"
pass "GET /metrics 200"

ct=$(header "$E2E_TMP/plain.hdr" Content-Type)
if [[ $ct == "$CONTENT_TYPE" ]]; then
  pass "Content-Type is '$CONTENT_TYPE'"
else
  fail "GET /metrics Content-Type is '$ct', want exactly '$CONTENT_TYPE'"
fi
ce=$(header "$E2E_TMP/plain.hdr" Content-Encoding)
[[ -z $ce ]] || fail "GET /metrics without Accept-Encoding has Content-Encoding '$ce'"

[[ -s $plain ]] || die "GET /metrics returned an empty body"
[[ $(tail -c 1 "$plain" | od -An -c | tr -d ' ') == '\n' ]] || fail "/metrics body does not end with a newline"

for re in \
  '^node_load1 ' '^node_load5 ' '^node_load15 ' \
  '^node_cpu_seconds_total\{cpu="0",mode="idle"\} ' \
  '^node_memory_MemTotal_bytes ' '^node_filefd_allocated ' '^node_entropy_available_bits ' \
  '^node_boot_time_seconds ' '^node_context_switches_total ' '^node_time_seconds ' \
  '^node_uname_info\{' '^node_os_info\{' \
  '^process_cpu_seconds_total ' '^process_resident_memory_bytes ' '^process_start_time_seconds ' \
  '^process_open_fds ' '^process_max_fds ' '^process_virtual_memory_bytes ' \
  '^nodex_build_info\{.*revision="[^"]*".*\} 1$' '^nodex_build_info\{.*version="[^"]+".*\} 1$'; do
  if has_series "$plain" "$re"; then pass "/metrics has $re"; else fail "/metrics has no sample matching $re"; fi
done
for c in "${COLLECTORS[@]}"; do
  if has_series "$plain" "^node_scrape_collector_success\{collector=\"$c\"\} 1\$"; then
    pass "collector $c succeeded"
  else
    fail "/metrics lacks node_scrape_collector_success{collector=\"$c\"} 1 (got: $(grep "collector_success{collector=\"$c\"}" "$plain"))"
  fi
  has_series "$plain" "^node_scrape_collector_duration_seconds\{collector=\"$c\"\} [0-9.e+-]+\$" ||
    fail "/metrics lacks node_scrape_collector_duration_seconds{collector=\"$c\"}"
done
grep -q '^# TYPE node_cpu_seconds_total counter$' "$plain" || fail "node_cpu_seconds_total is not TYPE counter"
grep -q '^# TYPE node_load1 gauge$' "$plain" || fail "node_load1 is not TYPE gauge"

# --- promtool --------------------------------------------------------------------------
# promtool exits 1 on a parse error and 3 on lint problems. node_exporter's own names
# (which a drop-in must keep) trip two lint rules; those exact problems are allowed, and
# only for the families that node_exporter 1.5.0 itself reports them on:
#   node_memory_*, node_netstat_* : names mirror /proc/meminfo and /proc/net/{netstat,snmp}
#     keys ("camelCase")
#   node_entropy_{available,pool_size}_bits : unit "bits" ("use base unit bytes")
# Anything else, including any parse error, fails.
promtool_out="$E2E_TMP/promtool.out"
/usr/bin/promtool check metrics <"$plain" >"$promtool_out" 2>&1
prc=$?
unexpected=$(grep -vE \
  -e "^node_(memory|netstat)_[A-Za-z0-9_]+ metric names should be written in 'snake_case' not 'camelCase'\$" \
  -e '^node_entropy_(available|pool_size)_bits use base unit "bytes" instead of "bits"$' \
  "$promtool_out")
if [[ $prc != 0 && $prc != 3 ]] || [[ -n $unexpected ]]; then
  fail "promtool check metrics exit $prc, unexpected output:"$'\n'"$unexpected"
else
  pass "promtool check metrics: exit $prc, only node_exporter's inherited lint ($(wc -l <"$promtool_out") lines)"
fi

dups=$(series_keys "$plain" --duplicates | head -5)
[[ -z $dups ]] || fail "/metrics has duplicate series:"$'\n'"$dups"

# --- gzip ------------------------------------------------------------------------------
gz="$E2E_TMP/body.gz"
code=$(http_status "$url/metrics" -H 'Accept-Encoding: gzip' -D "$E2E_TMP/gz.hdr" -o "$gz")
if [[ $code != 200 ]]; then
  fail "GET /metrics with Accept-Encoding: gzip returned $code"
else
  ce=$(header "$E2E_TMP/gz.hdr" Content-Encoding)
  [[ $ce == gzip ]] || fail "gzip scrape has Content-Encoding '$ce', want 'gzip'"
  ct=$(header "$E2E_TMP/gz.hdr" Content-Type)
  [[ $ct == "$CONTENT_TYPE" ]] || fail "gzip scrape has Content-Type '$ct', want '$CONTENT_TYPE'"
  if ! gzip -dc <"$gz" >"$E2E_TMP/gunzipped.txt" 2>"$E2E_TMP/gzip.err"; then
    fail "gzip body does not decompress: $(cat "$E2E_TMP/gzip.err")"
  else
    series_keys "$plain" >"$E2E_TMP/plain.keys"
    series_keys "$E2E_TMP/gunzipped.txt" >"$E2E_TMP/gz.keys"
    # Tests running in parallel change what the host has between two scrapes
    # (filesystem_hang mounts and unmounts, podman adds interfaces), so a
    # difference counts only if it persists over two more back-to-back pairs.
    for attempt in 1 2; do
      diff -u "$E2E_TMP/plain.keys" "$E2E_TMP/gz.keys" >"$E2E_TMP/keys.diff" && break
      fetch "$url/metrics" -o "$E2E_TMP/plain2.txt" || break
      fetch "$url/metrics" -H 'Accept-Encoding: gzip' -o "$gz" || break
      gzip -dc <"$gz" >"$E2E_TMP/gunzipped.txt" || break
      series_keys "$E2E_TMP/plain2.txt" >"$E2E_TMP/plain.keys"
      series_keys "$E2E_TMP/gunzipped.txt" >"$E2E_TMP/gz.keys"
    done
    if diff -u "$E2E_TMP/plain.keys" "$E2E_TMP/gz.keys" >"$E2E_TMP/keys.diff"; then
      pass "gzip round-trip: same $(wc -l <"$E2E_TMP/plain.keys") series as the plain scrape"
    else
      fail "gzip and plain scrapes differ in their series:"$'\n'"$(head -40 "$E2E_TMP/keys.diff")"
    fi
  fi
fi
# curl --compressed asks for deflate and gzip and decodes whatever it gets.
fetch "$url/metrics" --compressed -o "$E2E_TMP/compressed.txt" && grep -q '^node_load1 ' "$E2E_TMP/compressed.txt" ||
  fail "curl --compressed scrape failed or lacks node_load1"

# --- collect[] / exclude[] -------------------------------------------------------------
f="$E2E_TMP/filter.txt"
code=$(http_status "$url/metrics?collect%5B%5D=loadavg" -o "$f")
if [[ $code != 200 ]]; then
  fail "collect[]=loadavg returned $code"
else
  has_series "$f" '^node_load1 ' || fail "collect[]=loadavg lacks node_load1"
  has_series "$f" '^node_cpu_seconds_total' && fail "collect[]=loadavg still has node_cpu_seconds_total"
  got=$(grep '^node_scrape_collector_success' "$f")
  [[ $got == 'node_scrape_collector_success{collector="loadavg"} 1' ]] ||
    fail "collect[]=loadavg: want only the loadavg success series, got:"$'\n'"$got"
  pass "collect[]=loadavg"
fi
# Unencoded brackets, two collectors.
code=$(curl -s -g -o "$f" --max-time 10 -w '%{http_code}' "$url/metrics?collect[]=loadavg&collect[]=cpu")
if [[ $code != 200 ]]; then
  fail "collect[]=loadavg&collect[]=cpu returned $code"
else
  got=$(grep '^node_scrape_collector_success' "$f" | sed -E 's/.*collector="([^"]*)".*/\1/' | sort | tr '\n' ' ')
  [[ $got == 'cpu loadavg ' ]] || fail "collect[]=loadavg&collect[]=cpu ran collectors: $got"
  has_series "$f" '^node_cpu_seconds_total' || fail "collect[]=loadavg&collect[]=cpu lacks node_cpu_seconds_total"
  pass "collect[]=loadavg&collect[]=cpu"
fi
code=$(http_status "$url/metrics?exclude%5B%5D=cpu" -o "$f")
if [[ $code != 200 ]]; then
  fail "exclude[]=cpu returned $code"
else
  has_series "$f" '^node_cpu_seconds_total' && fail "exclude[]=cpu still has node_cpu_seconds_total"
  has_series "$f" '^node_scrape_collector_success\{collector="cpu"\}' && fail "exclude[]=cpu still has the cpu success series"
  has_series "$f" '^node_load1 ' || fail "exclude[]=cpu lacks node_load1"
  n=$(grep -c '^node_scrape_collector_success' "$f")
  all=$(grep -c '^node_scrape_collector_success' "$plain")
  [[ $n == $((all - 1)) ]] || fail "exclude[]=cpu: $n success series, want $((all - 1)) (one fewer than unfiltered)"
  pass "exclude[]=cpu"
fi

# expect_400 DESCRIPTION URL: status 400 and a non-empty explanation.
expect_400() {
  local what=$1 u=$2 code
  code=$(curl -s -g -o "$E2E_TMP/400.txt" --max-time 10 -w '%{http_code}' "$u")
  if [[ $code != 400 ]]; then
    fail "$what: status $code, want 400"
  elif ! grep -q '[[:alnum:]]' "$E2E_TMP/400.txt"; then
    fail "$what: 400 without a message body"
  else
    pass "$what: 400 ($(head -c 120 "$E2E_TMP/400.txt" | tr '\n' ' '))"
  fi
}
expect_400 "collect[] and exclude[] together" "$url/metrics?collect[]=cpu&exclude[]=loadavg"
expect_400 "unknown collector in collect[]" "$url/metrics?collect[]=nosuchcollector"
expect_400 "unknown collector in exclude[]" "$url/metrics?exclude[]=nosuchcollector"

# --- other endpoints -------------------------------------------------------------------
code=$(http_status "$url/" -D "$E2E_TMP/root.hdr" -o "$E2E_TMP/root.html")
if [[ $code != 200 ]]; then
  fail "GET / returned $code, want 200"
else
  ct=$(header "$E2E_TMP/root.hdr" Content-Type)
  [[ $ct == text/html* ]] || fail "GET / Content-Type '$ct', want text/html"
  grep -qi '<html' "$E2E_TMP/root.html" || fail "GET / is not an HTML page"
  grep -q 'href="[^"]*/metrics"' "$E2E_TMP/root.html" || fail "landing page has no link to /metrics"
  pass "GET / landing page"
fi
for p in /-/healthy /-/ready; do
  code=$(http_status "$url$p")
  [[ $code == 200 ]] && pass "GET $p 200" || fail "GET $p returned $code, want 200"
done
for p in /nosuch /metrics/extra /metricsx /-/nosuch; do
  code=$(http_status "$url$p")
  [[ $code == 404 ]] && pass "GET $p 404" || fail "GET $p returned $code, want 404"
done
code=$(http_status "$url/metrics" -X POST -d 'x=1')
[[ $code == 405 ]] && pass "POST /metrics 405" || fail "POST /metrics returned $code, want 405"
code=$(http_status "$url/metrics" -I -D "$E2E_TMP/head.hdr")
if [[ $code == 200 ]]; then
  ct=$(header "$E2E_TMP/head.hdr" Content-Type)
  [[ $ct == "$CONTENT_TYPE" ]] && pass "HEAD /metrics 200" || fail "HEAD /metrics Content-Type '$ct'"
else
  fail "HEAD /metrics returned $code, want 200"
fi
code=$(http_status "$url/-/healthy" -I)
[[ $code == 200 ]] || fail "HEAD /-/healthy returned $code, want 200"

# The server is still healthy after all of the above.
code=$(http_status "$url/metrics" -o /dev/null)
[[ $code == 200 ]] || fail "GET /metrics after the other requests returned $code"
kill -0 "$NODEX_PID" 2>/dev/null || fail "nodex died during the requests"

e2e_stop_pid "$NODEX_PID"

# --- disabled collector ----------------------------------------------------------------
start_nodex "$NODEX" --no-collector.loadavg
code=$(http_status "$NODEX_URL/metrics" -o "$f")
if [[ $code != 200 ]]; then
  fail "--no-collector.loadavg: /metrics returned $code"
else
  has_series "$f" '^node_load1 ' && fail "--no-collector.loadavg still exports node_load1"
  has_series "$f" 'collector="loadavg"' && fail "--no-collector.loadavg still reports the loadavg collector"
  has_series "$f" '^node_cpu_seconds_total' || fail "--no-collector.loadavg lost node_cpu_seconds_total"
fi
expect_400 "collect[] naming a disabled collector" "$NODEX_URL/metrics?collect[]=loadavg"

e2e_stop_pid "$NODEX_PID"

# --- --web.telemetry-path --------------------------------------------------------------
start_nodex "$NODEX" --web.telemetry-path=/m
code=$(http_status "$NODEX_URL/m" -D "$E2E_TMP/m.hdr" -o "$f")
if [[ $code == 200 ]] && has_series "$f" '^node_load1 '; then
  pass "--web.telemetry-path=/m serves /m"
  ct=$(header "$E2E_TMP/m.hdr" Content-Type)
  [[ $ct == "$CONTENT_TYPE" ]] || fail "/m Content-Type '$ct'"
else
  fail "--web.telemetry-path=/m: GET /m returned $code (or no node_load1)"
fi
code=$(http_status "$NODEX_URL/metrics")
[[ $code == 404 ]] || fail "--web.telemetry-path=/m: GET /metrics returned $code, want 404"
if fetch "$NODEX_URL/" -o "$E2E_TMP/root_m.html"; then
  grep -q 'href="[^"]*/m"' "$E2E_TMP/root_m.html" || fail "landing page does not link to the telemetry path /m"
else
  fail "--web.telemetry-path=/m: GET / failed"
fi

e2e_stop_pid "$NODEX_PID"

# --- --web.disable-exporter-metrics ----------------------------------------------------
start_nodex "$NODEX" --web.disable-exporter-metrics
code=$(http_status "$NODEX_URL/metrics" -o "$f")
if [[ $code != 200 ]]; then
  fail "--web.disable-exporter-metrics: /metrics returned $code"
else
  left=$(grep -E '^(# (TYPE|HELP) )?(process_|nodex_build_info|promhttp_|go_)' "$f" | head -5)
  [[ -z $left ]] || fail "--web.disable-exporter-metrics still exports:"$'\n'"$left"
  has_series "$f" '^node_load1 ' || fail "--web.disable-exporter-metrics lost node_load1"
  has_series "$f" '^node_scrape_collector_success\{collector="cpu"\} 1$' ||
    fail "--web.disable-exporter-metrics lost node_scrape_collector_success"
  [[ -z $left ]] && pass "--web.disable-exporter-metrics"
fi

e2e_stop_pid "$NODEX_PID"

# --- a failing collector is a metric, not an HTTP error ---------------------------------
# An empty --path.procfs: loadavg cannot read its file, uname does not need procfs.
mkdir -p "$E2E_TMP/emptyproc"
start_nodex "$NODEX" --collector.disable-defaults --collector.loadavg --collector.uname "--path.procfs=$E2E_TMP/emptyproc"
code=$(http_status "$NODEX_URL/metrics" -o "$f")
if [[ $code != 200 ]]; then
  fail "missing procfs file: /metrics returned $code, want 200 with node_scrape_collector_success 0"
else
  has_series "$f" '^node_scrape_collector_success\{collector="loadavg"\} 0$' ||
    fail "missing procfs file: want node_scrape_collector_success{collector=\"loadavg\"} 0, got: $(grep 'collector_success' "$f" | tr '\n' ' ')"
  has_series "$f" '^node_scrape_collector_success\{collector="uname"\} 1$' ||
    fail "missing procfs file: the uname collector should still succeed"
  has_series "$f" '^node_load1 ' && fail "missing procfs file: node_load1 still exported"
  pass "a failing collector reports success 0 in a 200 scrape"
fi

e2e_stop_pid "$NODEX_PID"

# --- --web.max-requests ----------------------------------------------------------------
# One scrape is held in flight on a FIFO (start_fifo_procfs); a second concurrent scrape
# must get 503, like node_exporter's promhttp limit.
fifo="$E2E_TMP/fifoproc"
start_fifo_procfs "$fifo"
start_nodex "$NODEX" --web.max-requests=1 --collector.disable-defaults --collector.loadavg "--path.procfs=$fifo"
curl -sS --max-time 20 -o "$E2E_TMP/held.txt" -w '%{http_code}' "$NODEX_URL/metrics" >"$E2E_TMP/held.code" 2>&1 &
held=$!
e2e_track "$held"
if scrape_blocked "$held" "$fifo"; then
  code=$(curl -s -o "$E2E_TMP/second.txt" --max-time 5 -w '%{http_code}' "$NODEX_URL/metrics")
  if [[ $code == 503 ]]; then
    pass "--web.max-requests=1: a second concurrent scrape gets 503 ($(head -c 100 "$E2E_TMP/second.txt" | tr '\n' ' '))"
  else
    fail "--web.max-requests=1: a second concurrent scrape returned $code, want 503"
  fi
  code=$(http_status "$NODEX_URL/-/healthy" --max-time 5)
  echo "note: /-/healthy while the only scrape slot is busy: $code"
  touch "$fifo.go"
  wait "$held"
  code=$(cat "$E2E_TMP/held.code")
  [[ $code == 200 ]] && grep -q '^node_load1 1.5$' "$E2E_TMP/held.txt" ||
    fail "--web.max-requests=1: the held scrape returned '$code' or lacks node_load1 1.5"
  code=$(http_status "$NODEX_URL/metrics")
  [[ $code == 200 ]] || fail "--web.max-requests=1: a scrape after the held one finished returned $code, want 200"
else
  touch "$fifo.go"
  echo "note: nodex did not block on the FIFO; --web.max-requests not checked"
fi

finish
