#!/bin/sh
# install-deps.sh [--test-peers] PACKAGE...: installs the Debian packages that
# are missing. As root it runs apt-get; otherwise it prints the command and
# carries on (the build then fails clearly if something is really missing).
# With --test-peers, services that Debian starts for the test peers
# (prometheus, node_exporter) are stopped again: the tests start their own on
# loopback ports, and a packaged node_exporter would hold :9100.
set -eu
peers=0
if [ "${1:-}" = "--test-peers" ]; then peers=1; shift; fi

missing=""
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $pkg"
  fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages:$missing" >&2
  echo "install-deps: run as root, or: sudo apt-get install -y$missing" >&2
  exit 0
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null

if [ "$peers" = 1 ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  for svc in prometheus prometheus-node-exporter; do
    case "$missing" in
      *" $svc"*) systemctl disable --now "$svc" >/dev/null 2>&1 || true ;;
    esac
  done
fi
