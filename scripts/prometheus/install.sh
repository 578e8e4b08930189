#!/usr/bin/env bash
# Installs Debian's Prometheus and Alertmanager when they are missing (idempotent: a second
# call with both present does nothing and prints nothing but the versions).
#   scripts/prometheus/install.sh
# Binaries: /usr/bin/prometheus, /usr/bin/promtool, /usr/bin/prometheus-alertmanager, /usr/bin/amtool.
# Debian's packages register services for systemd, which these machines do not run: nothing
# starts by itself. scripts/prometheus/start.sh starts them on loopback with the project's config.
set -euo pipefail

PROMETHEUS_BIN="${PROMETHEUS_BIN:-/usr/bin/prometheus}"
ALERTMANAGER_BIN="${ALERTMANAGER_BIN:-/usr/bin/prometheus-alertmanager}"

missing=()
[ -x "$PROMETHEUS_BIN" ] || missing+=(prometheus)
[ -x "$ALERTMANAGER_BIN" ] || missing+=(prometheus-alertmanager)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "prometheus/install: missing ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]})," >&2
    echo "or set PROMETHEUS_BIN / ALERTMANAGER_BIN to binaries you have." >&2
    exit 1
  fi
  # Two installs at once (parallel test workers, CI and a shell) would fight over dpkg's lock.
  exec 9>/tmp/scaleplane-prometheus-install.lock
  flock 9
  missing=()
  [ -x "$PROMETHEUS_BIN" ] || missing+=(prometheus)
  [ -x "$ALERTMANAGER_BIN" ] || missing+=(prometheus-alertmanager)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "prometheus/install: installing Debian's ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    # policy-rc.d 101: the packages' maintainer scripts must not try to start a system-wide
    # daemon on the default ports (9090, 9093) that would collide with other users of the machine.
    policy_file=/usr/sbin/policy-rc.d
    created_policy=0
    if [ ! -e "$policy_file" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy_file" && chmod +x "$policy_file" && created_policy=1
    fi
    trap '[ "$created_policy" = 1 ] && rm -f "$policy_file"' EXIT
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi

"$PROMETHEUS_BIN" --version 2>&1 | head -n 1
"$ALERTMANAGER_BIN" --version 2>&1 | head -n 1
