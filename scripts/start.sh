#!/usr/bin/env bash
# Runs Foyer on a fresh clone with no configuration: installs dependencies when missing,
# builds when the sources changed, then starts web + sockets + authority in local mode
# (local mode generates secrets into .data/secrets.json, mode 0600, and reuses them).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
ensure_build
export FOYER_MODE="${FOYER_MODE:-local}"
export NODE_ENV=production
exec node --import tsx lib/server/main.ts
