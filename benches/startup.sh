#!/usr/bin/env bash
# Start-up time and idle memory of `preau serve`.
#
# For each database (SQLite, and PostgreSQL when PREAU_TEST_POSTGRES_URL is
# set) it creates an instance with 50 accounts, then starts `preau serve`
# RUNS times on that existing database and measures the time from process
# start to the first 200 from /.well-known/nodeinfo (polled every 2 ms),
# and the resident memory (VmRSS) after 5 s idle and after 200 requests.
#
# Usage: bash benches/startup.sh [RUNS]   (uses the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --bin preau >/dev/null 2>&1
bin="$target/release/preau"
port=18765

now_ms() { date +%s%3N; }

measure() {
  local label="$1" url="$2" dir
  dir="$(mktemp -d)"
  export PREAU_SERVER_DATA_DIR="$dir" PREAU_DATABASE_URL="$url" PREAU_SERVER_LISTEN="127.0.0.1:$port" PREAU_INSTANCE_DOMAIN="localhost:$port"
  "$bin" migrate >/dev/null
  for i in $(seq 1 50); do
    echo "a long enough password" | "$bin" admin create-user "teacher$i" --email "teacher$i@example.org" >/dev/null
  done
  local times=() rss_idle=() rss_busy=()
  for _ in $(seq 1 "$runs"); do
    local start pid
    start=$(now_ms)
    "$bin" serve >/dev/null 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$port/.well-known/nodeinfo"; do sleep 0.002; done
    times+=($(( $(now_ms) - start )))
    sleep 5
    rss_idle+=("$(awk '/VmRSS/ {print $2}' /proc/$pid/status)")
    for _ in $(seq 1 100); do
      curl -sf -o /dev/null "http://127.0.0.1:$port/users/teacher1"
      curl -sf -o /dev/null -H 'Accept: application/activity+json' "http://127.0.0.1:$port/users/teacher2"
    done
    rss_busy+=("$(awk '/VmRSS/ {print $2}' /proc/$pid/status)")
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
  local sorted median min max
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  min=$(echo "$sorted" | head -n1); max=$(echo "$sorted" | tail -n1)
  printf '%-10s start-up to ready: median %s ms (min %s, max %s, %s runs); RSS idle: %s KiB; RSS after 200 requests: %s KiB\n' \
    "$label" "$median" "$min" "$max" "$runs" \
    "$(printf '%s\n' "${rss_idle[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
    "$(printf '%s\n' "${rss_busy[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
  rm -rf "$dir"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "binary: $(du -h "$bin" | cut -f1) $bin"
measure sqlite "sqlite://$(mktemp -d)/bench.db"
if [[ -n "${PREAU_TEST_POSTGRES_URL:-}" ]]; then
  db="preau_bench_$$"
  measure postgres "${PREAU_TEST_POSTGRES_URL%/*}/$db"
  psql "${PREAU_TEST_POSTGRES_URL}" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
fi
