#!/usr/bin/env bash
# The test suite on a fresh machine: installs what the tests run for real when it is missing (influxd from
# Debian's influxdb package, prometheus from Debian's prometheus package), then builds and runs every test
# with Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v influxd >/dev/null 2>&1 || missing+=(influxdb)
command -v prometheus >/dev/null 2>&1 || [ -x /usr/bin/prometheus ] || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "not installed: ${missing[*]}; installing the Debian package(s)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "not installed: ${missing[*]}: install the Debian package(s) (sudo apt-get install -y ${missing[*]}), then rerun." >&2
    exit 1
  fi
fi

exec mvn -B -ntp verify "$@"
