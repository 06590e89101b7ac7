# Shared steps of scripts/start.sh and scripts/test.sh.

# Installs exactly the lock file's versions (`npm ci`) when node_modules is missing or older
# than the lock file. The lock lists every platform's optional packages (npm/cli#8320: keep it
# that way by updating it with `npm install --package-lock-only`), so `npm ci` works anywhere.
ensure_node_modules() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "› installing dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

# Runs `next build` when there is no build or a source file is newer than it.
ensure_build() {
  local stamp=.next/BUILD_ID
  if [ ! -f "$stamp" ] || [ -n "$(find app components lib middleware.ts next.config.mjs package-lock.json \
      -newer "$stamp" -type f ! -name '*.test.ts' ! -name '*.int.test.ts' -print -quit 2>/dev/null)" ]; then
    echo "› building (next build)"
    npx next build
  fi
}

# Debian's Chromium for Playwright (never a downloaded browser build).
ensure_chromium() {
  local path="${CHROMIUM_PATH:-/usr/bin/chromium}"
  if [ -x "$path" ]; then return 0; fi
  echo "› installing Chromium from Debian's packages"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  [ -x "$path" ] || { echo "Chromium is not at $path after install" >&2; return 1; }
}

# The cluster tests run a Redis server of their own (to kill and restart it): Debian's package.
ensure_redis_server() {
  if command -v redis-server >/dev/null 2>&1; then return 0; fi
  echo "› installing redis-server from Debian's packages"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
  command -v redis-server >/dev/null || { echo "redis-server is missing after install" >&2; return 1; }
}
