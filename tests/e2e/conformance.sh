#!/usr/bin/env bash
# tests/e2e/conformance.sh NODEX: node_exporter conformance through the shared kit.
#
# The kit lives outside the repository, in ../shared/conformance next to the checkout.
# ctest runs it from the working copy that scripts/prepare-conformance-kit makes
# (NODEX_CONFORMANCE_KIT: symlinks and empty directories restored). Without --only the
# kit judges every collector the binary runs, and every one must match.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"

kit=${NODEX_CONFORMANCE_KIT:-"$(cd "$(dirname "$0")/../../.." && pwd)/shared/conformance"}
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

run all

finish
