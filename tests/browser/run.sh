#!/usr/bin/env bash
# Browser end-to-end tests for Préau.
#
# Usage, from the repository root:
#   cargo build                       # builds target/debug/preau
#   bash tests/browser/run.sh
#
# Environment:
#   PREAU_BIN                  server binary (default: ${CARGO_TARGET_DIR:-target}/debug/preau)
#   PREAU_BROWSER_DATABASE     sqlite (default) or postgres
#   PREAU_TEST_POSTGRES_URL    with postgres: a server URL, e.g. postgres://postgres@127.0.0.1:5432/postgres;
#                              the test replaces the database name with a fresh preau_browser_<random>
#   PREAU_CHROMIUM             Chromium executable (default: /usr/bin/chromium)
#   PREAU_BROWSER_ONLY         test files to run (default: every tests/browser/*.test.mjs)
#
# Installs Debian's chromium and its colour emoji font when missing, the npm packages (npm ci) when
# node_modules is missing or older than package-lock.json, and tests/interop's (Fedify) through
# tests/interop/install.sh. Never downloads a browser build.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

CHROMIUM="${PREAU_CHROMIUM:-/usr/bin/chromium}"
# The colour emoji font: the pages' emoji picker and messages show emoji,
# which screenshots would otherwise show as empty boxes.
EMOJI_FONT=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
if [ ! -x "$CHROMIUM" ] || [ ! -f "$EMOJI_FONT" ]; then
  echo "run.sh: installing Debian's chromium and fonts-noto-color-emoji" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium fonts-noto-color-emoji
fi

# npm ci when node_modules is missing or was installed from another package-lock.json.
LOCK_SUM="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
STAMP="$HERE/node_modules/.preau-lock-sha256"
if [ ! -d "$HERE/node_modules" ] || [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$LOCK_SUM" ]; then
  echo "run.sh: installing npm packages (npm ci)" >&2
  (cd "$HERE" && npm ci --no-audit --no-fund)
  echo "$LOCK_SUM" > "$STAMP"
fi

# Fedify, for the tests that send from a Fedify server (they import tests/interop/lib.mjs).
bash "$ROOT/tests/interop/install.sh"

PREAU_BIN="${PREAU_BIN:-${CARGO_TARGET_DIR:-target}/debug/preau}"
case "$PREAU_BIN" in
  /*) ;;
  *) PREAU_BIN="$ROOT/$PREAU_BIN" ;;
esac
if [ ! -x "$PREAU_BIN" ]; then
  echo "run.sh: server binary $PREAU_BIN not found; build it first (cargo build) or set PREAU_BIN" >&2
  exit 1
fi
export PREAU_BIN

export PREAU_BROWSER_DATABASE="${PREAU_BROWSER_DATABASE:-sqlite}"
case "$PREAU_BROWSER_DATABASE" in
  sqlite) ;;
  postgres)
    if [ -z "${PREAU_TEST_POSTGRES_URL:-}" ]; then
      echo "run.sh: PREAU_BROWSER_DATABASE=postgres needs PREAU_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)" >&2
      exit 1
    fi
    export PREAU_TEST_POSTGRES_URL ;;
  *)
    echo "run.sh: PREAU_BROWSER_DATABASE must be sqlite or postgres, not '$PREAU_BROWSER_DATABASE'" >&2
    exit 1 ;;
esac
export PREAU_CHROMIUM="$CHROMIUM"

echo "run.sh: server $PREAU_BIN, database $PREAU_BROWSER_DATABASE, browser $CHROMIUM" >&2
exec node --test ${PREAU_BROWSER_ONLY:-"$HERE"/*.test.mjs}
