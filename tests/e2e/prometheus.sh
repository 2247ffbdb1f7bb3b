#!/usr/bin/env bash
# tests/e2e/prometheus.sh NODEX: a real Prometheus (Debian's /usr/bin/prometheus) scrapes nodex.
#
# Prometheus scrapes nodex every second (it asks for gzip, and parses with its own
# parser); the test waits until the query API shows up == 1 for the job, no scrape
# error for the target, and a node_load1 sample.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
need_peer /usr/bin/prometheus "Debian package prometheus"

start_nodex "$NODEX"

prom_port=$(free_port)
prom_url="http://127.0.0.1:$prom_port"
mkdir -p "$E2E_TMP/tsdb"
cat >"$E2E_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: nodex
    static_configs:
      - targets: ['127.0.0.1:$NODEX_PORT']
EOF

/usr/bin/prometheus \
  "--config.file=$E2E_TMP/prometheus.yml" \
  "--storage.tsdb.path=$E2E_TMP/tsdb" \
  "--web.listen-address=127.0.0.1:$prom_port" \
  >"$E2E_TMP/prometheus.log" 2>&1 &
prom_pid=$!
e2e_track "$prom_pid"

show_logs() {
  echo "--- prometheus log (tail):" >&2
  tail -20 "$E2E_TMP/prometheus.log" >&2
  echo "--- nodex log (tail):" >&2
  tail -20 "$NODEX_LOG" >&2
}

if ! wait_listen "$prom_pid" "$prom_port" 30; then
  show_logs
  die "prometheus did not listen on 127.0.0.1:$prom_port within 30 s"
fi
pass "prometheus listening on 127.0.0.1:$prom_port"

# query PROMQL: print "value" of the first result, or nothing.
query() {
  curl -sS --max-time 5 -G "$prom_url/api/v1/query" --data-urlencode "query=$1" 2>/dev/null |
    python3 -c 'import json, sys
try:
    d = json.load(sys.stdin)
    r = d["data"]["result"]
    print(r[0]["value"][1] if d.get("status") == "success" and r else "")
except Exception:
    print("")'
}

# Bounded: up to 45 s (Prometheus needs a moment to start its scrape loop).
deadline=$((SECONDS + 45))
up="" load=""
while ((SECONDS < deadline)); do
  kill -0 "$prom_pid" 2>/dev/null || { show_logs; die "prometheus exited"; }
  kill -0 "$NODEX_PID" 2>/dev/null || { show_logs; die "nodex exited"; }
  up=$(query 'up{job="nodex"}')
  load=$(query 'node_load1{job="nodex"}')
  [[ $up == 1 && -n $load ]] && break
  sleep 1
done

if [[ $up != 1 || -z $load ]]; then
  echo "--- targets:" >&2
  curl -sS --max-time 5 "$prom_url/api/v1/targets" >&2
  echo >&2
  show_logs
  die "within 45 s Prometheus did not see up == 1 (got '$up') and a node_load1 sample (got '$load')"
fi
pass "up{job=\"nodex\"} == 1, node_load1 = $load"

# The target's last scrape has no error, and Prometheus ingested a sensible number of samples.
curl -sS --max-time 5 "$prom_url/api/v1/targets" >"$E2E_TMP/targets.json" || fail "GET /api/v1/targets failed"
if python3 - "$E2E_TMP/targets.json" "127.0.0.1:$NODEX_PORT" <<'EOF'; then
import json, sys
d = json.load(open(sys.argv[1]))
ts = [t for t in d["data"]["activeTargets"] if t["labels"].get("instance") == sys.argv[2]]
if not ts:
    sys.exit("target not found")
t = ts[0]
print("health:", t["health"], "lastError:", repr(t["lastError"]))
sys.exit(0 if t["health"] == "up" and not t["lastError"] else 1)
EOF
  pass "target healthy, no scrape error"
else
  fail "Prometheus reports a scrape problem for nodex"
fi
samples=$(query 'scrape_samples_scraped{job="nodex"}')
if [[ -n $samples ]] && python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 20 else 1)' "$samples"; then
  pass "scrape_samples_scraped = $samples"
else
  fail "scrape_samples_scraped is '$samples', want >= 20"
fi
for q in 'node_scrape_collector_success{job="nodex",collector="cpu"}' \
  'count(node_cpu_seconds_total{job="nodex",mode="idle"})' 'process_start_time_seconds{job="nodex"}'; do
  v=$(query "$q")
  [[ -n $v ]] && pass "$q = $v" || fail "no result for $q"
done

finish
