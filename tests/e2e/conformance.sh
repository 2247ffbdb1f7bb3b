#!/usr/bin/env bash
# tests/e2e/conformance.sh NODEX: node_exporter conformance through the shared kit.
#
# The kit lives outside the repository, in ../shared/conformance next to the checkout.
# Run 1 judges the collectors nodex has and the kit enables (uname is disabled by the
# kit's flags, so it cannot be judged there). Run 2 has no --only: the kit judges every
# collector the binary runs, and that must pass too.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"

kit="$(cd "$(dirname "$0")/../../.." && pwd)/shared/conformance"
if [[ ! -x "$kit/run-conformance" ]]; then
  skip "$kit/run-conformance not found (the node_exporter conformance kit lives in ../shared next to the checkout)"
fi
NODEX=$(realpath "$NODEX")

run() {
  local name=$1 rc
  shift
  echo "=== run-conformance --binary $NODEX $*"
  timeout -k 5 55 "$kit/run-conformance" --binary "$NODEX" --report "$E2E_TMP/$name.report" --max-diff 10 "$@"
  rc=$?
  if [[ $rc == 0 ]]; then
    pass "conformance ($name)"
  else
    fail "conformance ($name): run-conformance exit $rc; full report follows"
    sed 's/^/    /' "$E2E_TMP/$name.report" 2>/dev/null | head -200 >&2
  fi
}

run only --only cpu,entropy,filefd,loadavg,meminfo,os,stat,time
run all

finish
