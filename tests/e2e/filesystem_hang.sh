#!/usr/bin/env bash
# tests/e2e/filesystem_hang.sh NODEX [HANGFS]: a hung mount never hangs a scrape.
#
# Mounts the FUSE helper tests/e2e/fuse_hang/hangfs, whose statfs blocks while a
# control file exists, starts nodex with only the filesystem collector and
# --collector.filesystem.mount-timeout=1s, and checks:
#   - with the mount hanging, 20 scrapes in a row each finish within
#     mount-timeout + 1 s, and report the mount with device_error="mountpoint timeout";
#   - every scrape after the first skips the mount at once (well under the timeout);
#   - nodex's thread count (/proc/PID/status Threads) and open fds (/proc/PID/fd)
#     after the last scrape are no higher than after the first;
#   - once the helper answers again, the mount's metrics come back without
#     device_error.
# Needs root and /dev/fuse (skips otherwise). HANGFS defaults to the helper built
# next to NODEX (BUILD/tests/e2e/hangfs). The mount is always released, unmounted and
# its helper stopped on exit, even on failure; every wait is bounded.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
HANGFS=${2:-$(dirname "$NODEX")/tests/e2e/hangfs}

[[ $(id -u) == 0 ]] || skip "needs root to mount the FUSE helper"
[[ -c /dev/fuse ]] || skip "/dev/fuse is absent"
command -v fusermount3 >/dev/null || skip "fusermount3 (Debian package fuse3) is not installed"
[[ -x $HANGFS ]] || die "FUSE helper '$HANGFS' not built (target hangfs)"
help_text=$("$NODEX" --help 2>&1)
grep -qF -- '--collector.filesystem.mount-timeout' <<<"$help_text" ||
  skip "this nodex has no filesystem collector registered yet"

MNT="$E2E_TMP/mnt"
CTL="$E2E_TMP/hang"
HELPER_PID=

mounted() { grep -q " $MNT " /proc/self/mountinfo; }

# Runs before lib.sh's cleanup: a statfs blocked in FUSE cannot always be killed
# (gVisor waits uninterruptibly), so first let every request answer, then stop
# nodex, unmount and stop the helper.
fs_cleanup() {
  local rc=$? i
  rm -f "$CTL"
  for pid in "${E2E_PIDS[@]}"; do
    [[ $pid == "$HELPER_PID" ]] || e2e_stop_pid "$pid"
  done
  if mounted; then
    timeout 10 fusermount3 -u "$MNT" 2>/dev/null || timeout 10 umount -l "$MNT" 2>/dev/null ||
      echo "note: could not unmount $MNT" >&2
  fi
  if [[ -n $HELPER_PID ]]; then
    for ((i = 0; i < 20; i++)); do
      kill -0 "$HELPER_PID" 2>/dev/null || break
      sleep 0.1
    done
    e2e_stop_pid "$HELPER_PID"
  fi
  (exit "$rc")
  e2e_cleanup
}
trap fs_cleanup EXIT

mkdir -p "$MNT"
touch "$CTL"
"$HANGFS" "$CTL" "$MNT" -f -o fsname=hangfs,subtype=hangfs >"$E2E_TMP/hangfs.log" 2>&1 &
HELPER_PID=$!
e2e_track "$HELPER_PID"
for ((i = 0; i < 50; i++)); do
  mounted && break
  kill -0 "$HELPER_PID" 2>/dev/null || break
  sleep 0.1
done
mounted || skip "could not mount the FUSE helper here: $(head -c 300 "$E2E_TMP/hangfs.log")"

TIMEOUT_S=1
start_nodex "$NODEX" --collector.disable-defaults --collector.filesystem \
  "--collector.filesystem.mount-timeout=${TIMEOUT_S}s" --web.disable-exporter-metrics

now_ms() { echo $(($(date +%s%N) / 1000000)); }
threads_of() { awk '/^Threads:/ {print $2}' "/proc/$NODEX_PID/status"; }
fds_of() { find "/proc/$NODEX_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

HUNG_KEY="node_filesystem_device_error{device=\"hangfs\",device_error=\"mountpoint timeout\",fstype=\"fuse.hangfs\",mountpoint=\"$MNT\"} 1"
limit_ms=$(((TIMEOUT_S + 1) * 1000))
slow=0
for ((n = 1; n <= 20; n++)); do
  t0=$(now_ms)
  body=$(curl -sS --max-time $((TIMEOUT_S + 5)) "$NODEX_URL/metrics") || fail "scrape $n failed"
  took=$(($(now_ms) - t0))
  ((took <= limit_ms)) || fail "scrape $n took ${took} ms (limit ${limit_ms} ms)"
  grep -qF "$HUNG_KEY" <<<"$body" || fail "scrape $n does not report the hung mount as timed out"
  grep -q "node_filesystem_size_bytes{[^}]*mountpoint=\"$MNT\"" <<<"$body" &&
    fail "scrape $n reports a size for the hung mount"
  if ((n == 1)); then
    first_ms=$took
    threads_first=$(threads_of)
    fds_first=$(fds_of)
  elif ((took >= 500)); then
    slow=$((slow + 1))
  fi
done
threads_last=$(threads_of)
fds_last=$(fds_of)
pass "20 scrapes with the mount hung; first took ${first_ms} ms"
((slow == 0)) && pass "scrapes 2-20 skipped the stuck mount (<500 ms each)" ||
  fail "$slow of scrapes 2-20 took 500 ms or more: the stuck mount was not skipped"
((threads_last <= threads_first)) && pass "threads bounded: $threads_first after the first scrape, $threads_last after the last" ||
  fail "threads grew from $threads_first to $threads_last"
((fds_last <= fds_first + 1)) && pass "fds bounded: $fds_first after the first scrape, $fds_last after the last" ||
  fail "fds grew from $fds_first to $fds_last"

# Let the helper answer; the stuck worker returns and the next scrape stats it again.
rm -f "$CTL"
OK_KEY="node_filesystem_device_error{device=\"hangfs\",device_error=\"\",fstype=\"fuse.hangfs\",mountpoint=\"$MNT\"} 0"
SIZE_KEY="node_filesystem_size_bytes{device=\"hangfs\",device_error=\"\",fstype=\"fuse.hangfs\",mountpoint=\"$MNT\"} 4.096e+06"
recovered=0
for ((i = 0; i < 20; i++)); do
  body=$(curl -sS --max-time $((TIMEOUT_S + 5)) "$NODEX_URL/metrics") || true
  if grep -qF "$OK_KEY" <<<"$body" && grep -qF "$SIZE_KEY" <<<"$body"; then
    recovered=1
    break
  fi
  sleep 0.25
done
((recovered)) && pass "the mount's metrics came back without device_error after the helper answered" ||
  fail "the mount did not recover: $(grep -F "mountpoint=\"$MNT\"" <<<"$body" | head -3)"

finish
