#!/usr/bin/env bash
# tests/e2e/deploy_image.sh NODEX: the container image, run the way the DaemonSet runs it.
#
# Builds the image with scripts/build-image.sh (what `make image` runs) from NODEX, checks what is in it
# (one layer FROM scratch, user 65534:65534, entrypoint nodex, tag nodex:<version>, no shell), then:
# - runs it like deploy/kubernetes/base/daemonset.yaml: host network and PID namespaces, the machine's /proc,
#   /sys and / mounted read-only at /host/*, uid 65534, read-only root filesystem, every capability
#   dropped, no new privileges; the metrics on the machine's loopback list exactly the machine's
#   interfaces, nodex_host_network is 1 and `nodex doctor` inside reports host-network ok;
# - runs the same image with --network=none (a network namespace of its own with only lo): its interfaces
#   are the container's, nodex_host_network is 0 and doctor reports host-network fail.
# The listener is on 127.0.0.1 and a free port rather than the DaemonSet's 0.0.0.0:20000, so that the
# test exposes nothing and runs beside anything else. Containers are removed on exit.
#
# Container settings this machine needs and a cluster does not (ulimits, the OCI runtime) live here, never
# in the image.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
[[ $(id -u) == 0 ]] || skip "needs root: rootful podman with --network=host and --pid=host"
need_peer /usr/bin/podman "Debian package podman"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
SUFFIX="e2e-$$"
HOSTNS_CTR="nodex-hostns-$SUFFIX"
OWNNS_CTR="nodex-ownns-$SUFFIX"

# Settings for this machine only: its nofile/nproc limits are too high for podman's defaults to apply.
RUN_OPTS=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)

# One name per call: podman 4.3 stops at the first name that does not exist.
cleanup_containers() {
  local c
  for c in "$HOSTNS_CTR" "$OWNNS_CTR" nodex-e2e-files; do
    podman rm -f -i -t 2 "$c" >/dev/null 2>&1
  done
}
# Keep the script's exit status for e2e_cleanup, which reads it from $?.
trap 'rc=$?; cleanup_containers; (exit "$rc"); e2e_cleanup' EXIT

# --- build ------------------------------------------------------------------------------------------
version=$("$NODEX" --version | awk '{print $3}')
[[ -n $version ]] || die "cannot read the version from '$NODEX --version'"
tag=$("$REPO/scripts/build-image.sh" "$NODEX" 2>"$E2E_TMP/build.err" | tail -n 1) ||
  die "scripts/build-image.sh failed:"$'\n'"$(cat "$E2E_TMP/build.err")"
[[ $tag == "nodex:$version" ]] || fail "image tag is '$tag', want 'nodex:$version'"
IMAGE="localhost/nodex:$version"
pass "built $IMAGE ($(tail -n 2 "$E2E_TMP/build.err" | head -n 1))"

inspect() { podman image inspect --format "$1" "$IMAGE"; }
[[ $(inspect '{{.Config.User}}') == 65534:65534 ]] || fail "image user is '$(inspect '{{.Config.User}}')', want 65534:65534"
[[ $(inspect '{{json .Config.Entrypoint}}') == '["/usr/bin/nodex"]' ]] ||
  fail "image entrypoint is $(inspect '{{json .Config.Entrypoint}}'), want [\"/usr/bin/nodex\"]"
layers=$(inspect '{{len .RootFS.Layers}}')
[[ $layers == 1 ]] || fail "image has $layers layers, want 1 (FROM scratch plus the staged files)"
[[ $(inspect '{{index .Labels "org.opencontainers.image.version"}}') == "$version" ]] ||
  fail "image label org.opencontainers.image.version is not $version"
pass "image metadata: user 65534:65534, entrypoint /usr/bin/nodex, $layers layer, $(inspect '{{.Size}}') bytes"

# Ownership as scripts/build-image.sh packs it: code owned by 65534 and read-only (so nodex may page out
# its startup pages), everything else root's.
podman create --name nodex-e2e-files "$IMAGE" >/dev/null || die "podman create for the file listing failed"
podman export nodex-e2e-files | tar --numeric-owner -tvf - >"$E2E_TMP/files" || die "podman export failed"
podman rm nodex-e2e-files >/dev/null
listing() { awk -v p="$1" '$6 == p {print $1, $2}' "$E2E_TMP/files"; }
[[ $(listing usr/bin/nodex) == '-r-xr-xr-x 65534/65534' ]] ||
  fail "usr/bin/nodex in the image is '$(listing usr/bin/nodex)', want -r-xr-xr-x 65534/65534"
libs_not_owned=$(awk '$1 ~ /^-/ && $6 ~ /^(usr\/)?lib/ && $2 != "65534/65534" {print $6}' "$E2E_TMP/files")
[[ -z $libs_not_owned ]] || fail "libraries in the image not owned by 65534: $libs_not_owned"
[[ $(listing etc/passwd) == '-rw-r--r-- 0/0' && $(listing usr/bin/) == 'drwxr-xr-x 0/0' ]] ||
  fail "etc/passwd is '$(listing etc/passwd)' and usr/bin/ '$(listing usr/bin/)', want root's"
pass "image files: the executable and libraries belong to 65534, read-only; directories and /etc to root"

# --- can this machine run containers at all? ----------------------------------------------------------
# crun (podman's default runtime in Debian 12) refuses hosts whose cgroup2 hierarchy is mounted beside
# cgroup v1 with controllers in it ("cgroups in hybrid mode not supported"); runc handles them.
RUNTIME=()
probe() { podman run --rm "${RUNTIME[@]}" "${RUN_OPTS[@]}" --network=none "$IMAGE" --version >"$E2E_TMP/probe.out" 2>&1; }
if ! probe; then
  if grep -q 'hybrid mode not supported' "$E2E_TMP/probe.out" && [[ -x /usr/sbin/runc || -x /usr/bin/runc ]]; then
    echo "note: crun cannot run containers on this host's hybrid cgroup layout; using runc"
    RUNTIME=(--runtime runc)
    probe
  fi
fi
if [[ $(tail -n 1 "$E2E_TMP/probe.out") != "nodex version $version"* ]]; then
  if grep -qE 'OCI runtime|crun:|runc:|cgroup|namespace' "$E2E_TMP/probe.out"; then
    skip "podman cannot run a container on this machine: $(tr '\n' ' ' <"$E2E_TMP/probe.out")"
  fi
  die "'podman run $IMAGE --version' printed:"$'\n'"$(cat "$E2E_TMP/probe.out")"
fi
pass "the image runs nodex: $(tail -n 1 "$E2E_TMP/probe.out")"

out=$(podman run --rm "${RUNTIME[@]}" "${RUN_OPTS[@]}" --network=none --entrypoint /bin/sh "$IMAGE" -c true 2>&1) &&
  fail "the image has a /bin/sh: $out"

# The DaemonSet's pod and container settings, in podman's words.
# shellcheck disable=SC2054  # the commas are inside podman's -v options
DAEMONSET_OPTS=(
  "${RUNTIME[@]}" "${RUN_OPTS[@]}"
  --pid=host --user 65534:65534 --read-only --read-only-tmpfs=false --cap-drop=ALL
  --security-opt=no-new-privileges
  -v /proc:/host/proc:ro -v /sys:/host/sys:ro -v /:/host/root:ro,rslave
)
NODEX_ARGS=(--path.procfs=/host/proc --path.sysfs=/host/sys --path.rootfs=/host/root)

# wait_http URL: wait up to 10 s for URL to answer 200.
wait_http() {
  local i
  for ((i = 0; i < 50; i++)); do
    [[ $(http_status "$1" --max-time 2) == 200 ]] && return 0
    sleep 0.2
  done
  return 1
}

# devices FILE: the sorted device labels of node_network_receive_bytes_total in an exposition.
devices() { sed -nE 's/^node_network_receive_bytes_total\{.*device="([^"]*)".*/\1/p' "$1" | sort -u | tr '\n' ' '; }

# doctor_status CONTAINER PORT: the status of doctor's host-network check in CONTAINER.
doctor_status() {
  podman exec "$1" nodex doctor -o json "${NODEX_ARGS[@]}" "--web.listen-address=$2" >"$E2E_TMP/doctor.json" 2>&1
  python3 - "$E2E_TMP/doctor.json" <<'PY'
import json, sys
try:
    checks = json.load(open(sys.argv[1]))["checks"]
except Exception as e:
    print("unparsable: %s" % e)
    sys.exit()
print(next((c["status"] for c in checks if c.get("id") == "host-network"), "missing"))
PY
}

# doctor is the hostnet engineer's; until it is in the binary, say so instead of failing on its absence.
# (The exporter's own --help ignores the word "doctor", so look for the subcommand's help.)
HAVE_DOCTOR=0
"$NODEX" doctor --help 2>&1 | grep -qi doctor && HAVE_DOCTOR=1

# --- 1: as the DaemonSet runs it ------------------------------------------------------------------------
port=$(free_port) || die "no free port"
podman run -d --name "$HOSTNS_CTR" --network=host "${DAEMONSET_OPTS[@]}" "$IMAGE" "${NODEX_ARGS[@]}" \
  "--web.listen-address=127.0.0.1:$port" >"$E2E_TMP/run1.out" 2>&1 ||
  die "podman run (host network) failed: $(cat "$E2E_TMP/run1.out")"
if ! wait_http "http://127.0.0.1:$port/metrics"; then
  podman logs "$HOSTNS_CTR" >&2
  die "nodex in the host-network container did not serve 127.0.0.1:$port/metrics within 10 s"
fi
m="$E2E_TMP/hostns.txt"
fetch "http://127.0.0.1:$port/metrics" -o "$m" || die "scrape of the host-network container failed"
grep -q '^node_load1 ' "$m" && grep -q '^node_cpu_seconds_total{' "$m" || fail "host-network scrape lacks node metrics"
pass "curl 127.0.0.1:$port/metrics on the machine: $(grep -vc '^#' "$m") samples from the container"

want=$(find /sys/class/net -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -u | tr '\n' ' ')
got=$(devices "$m")
if [[ $got == "$want" ]]; then
  pass "node_network_* interfaces are the machine's: $got"
else
  fail "host-network container reports interfaces '$got', the machine has '$want'"
fi

# Non-root, no capabilities, read-only root: read from the kernel, not from podman's word.
pid=$(podman inspect --format '{{.State.Pid}}' "$HOSTNS_CTR")
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")
capeff=$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")
capbnd=$(awk '/^CapBnd:/ {print $2}' "/proc/$pid/status")
[[ $uids == '65534 65534 65534 65534' ]] || fail "nodex in the container runs with uids '$uids', want 65534"
[[ $capeff == 0000000000000000 && $capbnd == 0000000000000000 ]] ||
  fail "nodex in the container has capabilities: effective $capeff, bounding $capbnd"
[[ "$(readlink "/proc/$pid/ns/net")" == "$(readlink /proc/self/ns/net)" ]] || fail "the container is not in the machine's network namespace"
[[ "$(readlink "/proc/$pid/ns/pid")" == "$(readlink /proc/self/ns/pid)" ]] || fail "the container is not in the machine's PID namespace"
grep -E '^\S+ / ' "/proc/$pid/mounts" | grep -qE ' ro[ ,]' || fail "the container's root filesystem is not read-only"
for mp in /host/proc /host/sys /host/root; do
  grep -E "^\S+ $mp " "/proc/$pid/mounts" | head -n 1 | grep -qE ' ro[ ,]' || fail "$mp is not mounted read-only"
done
pass "container process: uid 65534, no capabilities, host net and PID namespaces, read-only / and /host/*"

# timex reads the clock with adjtimex(2) and no modes, which needs no capability (why the DaemonSet adds
# no SYS_TIME).
grep -q '^node_scrape_collector_success{collector="timex"} 1$' "$m" && grep -q '^node_timex_offset_seconds ' "$m" ||
  fail "timex does not work without capabilities: $(grep 'collector="timex"' "$m" | tr '\n' ' ')"

if grep -q '^nodex_host_network ' "$m"; then
  grep -q '^nodex_host_network 1$' "$m" && pass "nodex_host_network 1" ||
    fail "host-network container: $(grep '^nodex_host_network ' "$m"), want 1"
elif ((HAVE_DOCTOR)); then
  fail "host-network container exports no nodex_host_network"
else
  echo "SKIP-CHECK: nodex_host_network (TODO: not exported yet; the hostnet issue adds it)"
fi
if ((HAVE_DOCTOR)); then
  status=$(doctor_status "$HOSTNS_CTR" "127.0.0.1:$port")
  [[ $status == ok ]] && pass "nodex doctor in the host-network container: host-network ok" ||
    fail "nodex doctor in the host-network container: host-network '$status', want ok:"$'\n'"$(cat "$E2E_TMP/doctor.json")"
else
  echo "SKIP-CHECK: nodex doctor host-network ok (TODO: 'nodex doctor' is not in this binary yet; the hostnet issue adds it)"
fi
podman rm -f -t 5 "$HOSTNS_CTR" >/dev/null 2>&1

# --- 2: the same image in its own network namespace -------------------------------------------------------
# --network=none: a namespace with only lo, so nothing is routed anywhere. The test reaches nodex from
# inside that namespace (nsenter --net, curl from this machine).
podman run -d --name "$OWNNS_CTR" --network=none "${DAEMONSET_OPTS[@]}" "$IMAGE" "${NODEX_ARGS[@]}" \
  "--web.listen-address=127.0.0.1:9100" >"$E2E_TMP/run2.out" 2>&1 ||
  die "podman run --network=none failed: $(cat "$E2E_TMP/run2.out")"
pid=$(podman inspect --format '{{.State.Pid}}' "$OWNNS_CTR")
[[ $pid =~ ^[1-9][0-9]*$ ]] || die "no pid for $OWNNS_CTR: '$pid'"
[[ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ]] ||
  fail "the --network=none container shares the machine's network namespace"
in_ns() { nsenter "--net=/proc/$pid/ns/net" "$@"; }
m="$E2E_TMP/ownns.txt"
for ((i = 0; i < 50; i++)); do
  in_ns curl -s --max-time 2 -o "$m" "http://127.0.0.1:9100/metrics" && break
  sleep 0.2
done
if [[ ! -s $m ]]; then
  podman logs "$OWNNS_CTR" >&2
  die "nodex in its own network namespace did not serve 127.0.0.1:9100/metrics within 10 s"
fi
got=$(devices "$m")
[[ $got == "lo " ]] && pass "own network namespace: node_network_* shows the container's interfaces only: $got" ||
  fail "--network=none container reports interfaces '$got', want only lo (the machine has '$want')"
if grep -q '^nodex_host_network ' "$m"; then
  grep -q '^nodex_host_network 0$' "$m" && pass "nodex_host_network 0 in its own network namespace" ||
    fail "--network=none container: $(grep '^nodex_host_network ' "$m"), want 0"
elif ((HAVE_DOCTOR)); then
  fail "--network=none container exports no nodex_host_network"
else
  echo "SKIP-CHECK: nodex_host_network 0 (TODO: not exported yet; the hostnet issue adds it)"
fi
if ((HAVE_DOCTOR)); then
  status=$(doctor_status "$OWNNS_CTR" "127.0.0.1:9100")
  [[ $status == fail ]] && pass "nodex doctor in its own network namespace: host-network fail" ||
    fail "nodex doctor in its own network namespace: host-network '$status', want fail:"$'\n'"$(cat "$E2E_TMP/doctor.json")"
else
  echo "SKIP-CHECK: nodex doctor host-network fail (TODO: 'nodex doctor' is not in this binary yet; the hostnet issue adds it)"
fi

cleanup_containers
left=$(podman ps -a --format '{{.Names}}' | grep -F -- "$SUFFIX")
[[ -z $left ]] || fail "containers left behind: $left"
finish
