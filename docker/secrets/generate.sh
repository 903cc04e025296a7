#!/usr/bin/env bash
# Writes the passwords docker/compose.yaml mounts as Compose secrets: one file per secret in this directory (or in
# DIR: generate.sh [DIR]), each a random password of 48 hex digits on one line. A file that is already there and not
# empty is kept (run it again safely; to choose a password yourself, write it as the file's first line first).
# The directory is made private to you (0700); the files are 0644, because Compose bind-mounts them as they are
# and the containers read them as their own users (flink, grafana), not as you: other users of this host still
# cannot reach them through the directory. Nothing is printed but the file names.
set -euo pipefail

names=(influxdb-admin-password influxdb-job-password influxdb-grafana-password grafana-admin-password)
dir="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"

mkdir -p "$dir"
chmod 700 "$dir"
for name in "${names[@]}"; do
  file="$dir/$name"
  if [ -s "$file" ]; then
    echo "kept    $file"
  else
    password="$(od -An -v -tx1 -N24 /dev/urandom | tr -d ' \n')"
    if [ "${#password}" -ne 48 ]; then
      echo "could not read 24 random bytes from /dev/urandom" >&2
      exit 1
    fi
    (umask 077 && printf '%s\n' "$password" > "$file")
    echo "created $file"
  fi
  chmod 644 "$file"
done
