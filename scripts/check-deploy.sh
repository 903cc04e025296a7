#!/usr/bin/env bash
# Validates docker/compose.yaml with Compose itself, without a Docker engine: `config` resolves the file
# (syntax, interpolation, depends_on, profiles) with every variable of docker/.env.example set to a dummy
# value, and checks that it is refused without docker/.env (its user names have no default). The passwords are
# Compose secrets (files in docker/secrets/), which `config` does not need. Uses `docker compose` (v2) or Debian's
# docker-compose 1.29 (apt-get install -y docker-compose), whichever is installed.
# The structure (pinned images, health checks, .env.example, mounted paths, secrets) is checked by the test suite:
# DockerComposeFileTest and KubernetesDeploymentTest.
set -euo pipefail
cd "$(dirname "$0")/.."

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "neither 'docker compose' nor 'docker-compose' is installed (Debian: apt-get install -y docker-compose)" >&2
  exit 1
fi

env_file="$(mktemp)"
trap 'rm -f "$env_file"' EXIT
# every NAME=<placeholder> line with a dummy value instead
sed -n 's/^\([A-Z][A-Z0-9_]*\)=<.*>$/\1=check-deploy-dummy/p' docker/.env.example > "$env_file"

"${compose[@]}" --env-file "$env_file" -f docker/compose.yaml config -q
"${compose[@]}" --env-file "$env_file" -f docker/compose.yaml --profile simulate config --services | sort | tr '\n' ' '
echo

if "${compose[@]}" --env-file /dev/null -f docker/compose.yaml config -q 2>/dev/null; then
  echo "docker/compose.yaml starts without docker/.env: every user name must be \${VAR:?message}" >&2
  exit 1
fi
echo "docker/compose.yaml: valid for ${compose[*]} ($("${compose[@]}" version --short 2>/dev/null || true)); refuses to start without docker/.env"
