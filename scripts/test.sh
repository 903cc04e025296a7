#!/usr/bin/env bash
# The test suite on a fresh machine: installs what the tests run for real (influxd, from Debian's
# influxdb package) when it is missing, then builds and runs every test with Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v influxd >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "influxd not found: installing the Debian package influxdb"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq influxdb >/dev/null
  else
    echo "influxd not found: install the Debian package influxdb (sudo apt-get install -y influxdb), then rerun." >&2
    exit 1
  fi
fi

exec mvn -B -ntp verify "$@"
