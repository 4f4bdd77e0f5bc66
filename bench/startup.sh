#!/usr/bin/env bash
# Server start to the first 200 on /healthz with the embedded SurrealKV database:
# once on an empty data dir (schema + demo load), once on the existing one.
# Usage: bench/startup.sh [server-binary]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/bpc}
port=${PORT:-3191}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
measure() {
  local start end
  start=$(date +%s%N)
  DATABASE_URL="surrealkv://$dir/bpc.db" BPC_LISTEN=127.0.0.1:$port BPC_SITE_ROOT=target/site RUST_LOG=warn "$bin" --demo >/dev/null 2>&1 &
  local pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.01; done
  end=$(date +%s%N)
  kill -TERM $pid; wait $pid || true
  echo "$1: $(( (end - start) / 1000000 )) ms to first 200 on /healthz"
}
measure "first start (empty DB, schema + demo)"
measure "restart (existing DB)"
