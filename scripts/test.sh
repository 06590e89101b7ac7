#!/usr/bin/env bash
# Runs every test: typecheck, lint, unit, integration (PGlite and PostgreSQL, Redis, two
# gateway nodes) and Playwright in Debian's Chromium. Installs what the tests need first.
# PostgreSQL (FOYER_TEST_DATABASE_URL, default 127.0.0.1:5432/test) and Redis
# (FOYER_TEST_REDIS_URL, default 127.0.0.1:6379) must be running: those tests fail, never skip.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
ensure_chromium
ensure_redis_server

step() { echo; echo "══ $1"; }
step "typecheck"; npx tsc --noEmit
step "lint"; npx biome check .
step "unit"; npx vitest run --project unit
step "integration"; npx vitest run --project integration
step "build"; ensure_build
step "e2e (Chromium)"; npx playwright test
echo
echo "all test stages passed"
