#!/usr/bin/env bash
# Interop tests: a real `preau serve`, looked at through Fedify (npm
# @fedify/fedify), an independent ActivityPub implementation.
#
# Usage, from the repository root, after `cargo build`:
#   bash tests/interop/run.sh
#
# Environment:
#   PREAU_BIN                the server binary
#                            (default ${CARGO_TARGET_DIR:-target}/debug/preau)
#   PREAU_INTEROP_DATABASE   sqlite (default) or postgres
#   PREAU_TEST_POSTGRES_URL  for postgres: a loopback server URL such as
#                            postgres://postgres@127.0.0.1:5432/postgres; the
#                            test replaces the database name with a fresh
#                            preau_interop_<random> that the server creates,
#                            and drops it afterwards if psql is installed
#   PREAU_INTEROP_KEEP=1     keep the data dir (and database) after the run;
#                            they are always kept when a test fails
#
# Needs Node 20 or later and npm (Fedify 2.3.6 declares Node >= 22 and warns
# on 20, but works there with the navigator shim in fedify.test.mjs).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"

bin="${PREAU_BIN:-${CARGO_TARGET_DIR:-target}/debug/preau}"
case "$bin" in
  /*) ;;
  *) bin="$repo_root/$bin" ;;
esac
if [[ ! -x "$bin" ]]; then
  echo "run.sh: no executable server binary at $bin (run cargo build, or set PREAU_BIN)" >&2
  exit 1
fi
export PREAU_BIN="$bin"
export PREAU_INTEROP_DATABASE="${PREAU_INTEROP_DATABASE:-sqlite}"

# The locked dependencies, installed when missing or stale.
bash "$here/install.sh"

cd "$repo_root"
exec node --test tests/interop/
