#!/usr/bin/env bash
# Installs the interop tests' locked npm dependencies (Fedify and its
# logger) when node_modules is missing or older than the lock file (npm
# writes node_modules/.package-lock.json on every install). Used by
# tests/interop/run.sh and by tests/browser/run.sh, whose
# message_requests.test.mjs starts Fedify through tests/interop/lib.mjs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stamp="$here/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || "$here/package-lock.json" -nt "$stamp" || "$here/package.json" -nt "$stamp" ]]; then
  echo "install.sh: installing interop test dependencies (npm ci)" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
