#!/usr/bin/env bash
# tests/e2e/flags.sh NODEX: command-line contract (node_exporter/kingpin compatible).
#
# Bad flags and bad values exit 2 with one stderr line naming the flag; --help and
# --version exit 0; "--flag value" works like "--flag=value"; --web.listen-address is
# repeatable; --path.procfs, --collector.disable-defaults, --no-collector.X and
# --log.format=json take effect.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"

# run_bounded OUT ERR ARGS...: run nodex for at most 10 s; print its exit status.
# A spare loopback address goes first so that a wrongly accepted flag never makes
# nodex listen on the default :9100 (all interfaces); timeout's 124 means it kept running.
run_bounded() {
  local out=$1 err=$2
  shift 2
  timeout -k 2 10 "$NODEX" "--web.listen-address=127.0.0.1:$(free_port)" "$@" >"$out" 2>"$err" </dev/null
  echo $?
}

# expect_usage_error NEEDLE ARGS...: exit 2, exactly one stderr line, naming NEEDLE.
expect_usage_error() {
  local needle=$1 rc lines
  shift
  rc=$(run_bounded "$E2E_TMP/out" "$E2E_TMP/err" "$@")
  lines=$(grep -c '' "$E2E_TMP/err")
  if [[ $rc != 2 ]]; then
    fail "nodex $*: exit $rc, want 2 (stderr: $(head -c 300 "$E2E_TMP/err"))"
  elif [[ $lines != 1 ]]; then
    fail "nodex $*: $lines stderr lines, want exactly 1:"$'\n'"$(head -20 "$E2E_TMP/err")"
  elif ! grep -qF -- "$needle" "$E2E_TMP/err"; then
    fail "nodex $*: stderr does not name '$needle': $(cat "$E2E_TMP/err")"
  else
    pass "nodex $* -> exit 2: $(cat "$E2E_TMP/err")"
  fi
}

# --- usage errors ----------------------------------------------------------------------
expect_usage_error no-such-flag --no-such-flag
expect_usage_error no-such-flag --no-such-flag=1
expect_usage_error collector.nosuch --collector.nosuch
expect_usage_error log.level --log.level=loud
expect_usage_error log.level --log.level loud
expect_usage_error log.format --log.format=xml
expect_usage_error web.max-requests --web.max-requests=abc
expect_usage_error web.max-requests --web.max-requests=12x
expect_usage_error web.max-connections --web.max-connections=0
expect_usage_error web.max-connections --web.max-connections=lots
expect_usage_error web.max-connections-per-ip --web.max-connections-per-ip=-1
expect_usage_error web.connection-timeout --web.connection-timeout=30   # a Go duration needs a unit
expect_usage_error web.connection-timeout --web.connection-timeout=0s
expect_usage_error web.connection-timeout --web.connection-timeout=-5s
expect_usage_error web.telemetry-path --web.telemetry-path   # value missing
expect_usage_error path.procfs --path.procfs

# --- --help / --version ----------------------------------------------------------------
rc=$(run_bounded "$E2E_TMP/help.out" "$E2E_TMP/help.err" --help)
cat "$E2E_TMP/help.out" "$E2E_TMP/help.err" >"$E2E_TMP/help.txt"
if [[ $rc != 0 ]]; then
  fail "--help: exit $rc, want 0"
else
  for word in --path.procfs --path.sysfs --path.rootfs --collector.cpu --collector.loadavg \
    --collector.disable-defaults --web.listen-address --web.telemetry-path \
    --web.disable-exporter-metrics --web.max-requests --log.level --log.format --version; do
    grep -qE -- "(^|[^[:alnum:]_.-])(--(\[no-\])?)${word#--}([^[:alnum:]_.-]|\$)" "$E2E_TMP/help.txt" ||
      fail "--help does not mention $word"
  done
  pass "--help exit 0"
fi
rc=$(run_bounded "$E2E_TMP/version.out" "$E2E_TMP/version.err" --version)
ver=$(cat "$E2E_TMP/version.out" "$E2E_TMP/version.err")
if [[ $rc != 0 ]]; then
  fail "--version: exit $rc, want 0"
elif ! grep -qE '[0-9]+\.[0-9]+' <<<"$ver"; then
  fail "--version prints no version number: $ver"
else
  pass "--version exit 0: $(head -1 <<<"$ver")"
fi

# --- "--flag value" form ---------------------------------------------------------------
port=$(free_port)
"$NODEX" --web.listen-address "127.0.0.1:$port" --web.telemetry-path /x >"$E2E_TMP/space.log" 2>&1 &
pid=$!
e2e_track "$pid"
if ! wait_listen "$pid" "$port" 10; then
  fail "'--web.listen-address 127.0.0.1:$port' (space form): not listening within 10 s; log: $(head -c 500 "$E2E_TMP/space.log")"
else
  code=$(http_status "http://127.0.0.1:$port/x" -o "$E2E_TMP/space.txt")
  if [[ $code == 200 ]] && grep -q '^node_load1 ' "$E2E_TMP/space.txt"; then
    pass "space-separated --web.listen-address and --web.telemetry-path"
  else
    fail "space form: GET /x returned $code (or no node_load1)"
  fi
fi
e2e_stop_pid "$pid"

# --- repeated --web.listen-address -----------------------------------------------------
port2=$(free_port)
start_nodex "$NODEX" "--web.listen-address=127.0.0.1:$port2"
for p in "$NODEX_PORT" "$port2"; do
  code=$(http_status "http://127.0.0.1:$p/metrics")
  [[ $code == 200 ]] && pass "listening on 127.0.0.1:$p" || fail "two --web.listen-address: 127.0.0.1:$p returned $code"
done
e2e_stop_pid "$NODEX_PID"

# --- --path.procfs, --collector.disable-defaults, --collector.X --------------------------
proc="$E2E_TMP/proc"
mkdir -p "$proc"
echo '1.50 2.25 3.75 2/345 6789' >"$proc/loadavg"
for form in equals space; do
  if [[ $form == equals ]]; then
    start_nodex "$NODEX" --collector.disable-defaults --collector.loadavg "--path.procfs=$proc"
  else
    start_nodex "$NODEX" --collector.disable-defaults --collector.loadavg --path.procfs "$proc"
  fi
  fetch "$NODEX_URL/metrics" -o "$E2E_TMP/fake.txt" || fail "scrape with fake procfs failed"
  got=$(grep -E '^(node_load|node_scrape_collector_success)' "$E2E_TMP/fake.txt")
  want=$'node_load1 1.5\nnode_load15 3.75\nnode_load5 2.25\nnode_scrape_collector_success{collector="loadavg"} 1'
  if [[ $got == "$want" ]]; then
    pass "--path.procfs ($form form) with --collector.disable-defaults --collector.loadavg"
  else
    fail "--path.procfs ($form form): want"$'\n'"$want"$'\n'"got"$'\n'"$got"
  fi
  e2e_stop_pid "$NODEX_PID"
done

# --- --no-collector.X ------------------------------------------------------------------
start_nodex "$NODEX" --no-collector.cpu --no-collector.uname
fetch "$NODEX_URL/metrics" -o "$E2E_TMP/no.txt" || fail "scrape with --no-collector.cpu failed"
if grep -qE '^node_cpu_seconds_total|collector="(cpu|uname)"|^node_uname_info' "$E2E_TMP/no.txt"; then
  fail "--no-collector.cpu --no-collector.uname: cpu or uname still present"
elif ! grep -q '^node_load1 ' "$E2E_TMP/no.txt"; then
  fail "--no-collector.cpu: node_load1 missing"
else
  pass "--no-collector.cpu --no-collector.uname"
fi
e2e_stop_pid "$NODEX_PID"

# --- --log.format=json -----------------------------------------------------------------
start_nodex "$NODEX" --log.format=json --log.level=debug
fetch "$NODEX_URL/metrics" -o /dev/null || fail "scrape with --log.format=json failed"
e2e_stop_pid "$NODEX_PID"
if python3 - "$NODEX_LOG" <<'EOF'; then
import json, sys
bad = []
lines = [l for l in open(sys.argv[1], encoding="utf-8", errors="replace") if l.strip()]
for l in lines:
    try:
        if not isinstance(json.loads(l), dict):
            bad.append(l)
    except ValueError:
        bad.append(l)
for l in bad[:5]:
    print("not a JSON object:", l.rstrip())
print(f"{len(lines)} log lines, {len(bad)} not JSON")
sys.exit(1 if bad or not lines else 0)
EOF
  pass "--log.format=json: every log line is a JSON object"
else
  fail "--log.format=json --log.level=debug: log is empty or not JSON lines (log: $NODEX_LOG)"
fi

finish
