#!/usr/bin/env bash
# First load of the login page on a phone: HTML + JS + WASM + CSS as the browser
# receives them (gzip), in KB. Budget (SPEC §8): ≤ 250 KB.
# Usage: bench/page-weight.sh [server-binary]   (serves target/site; run after a
#        release site build: ./bpc build --release, or ./bpc weight)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/bpc}
port=${PORT:-3190}
DATABASE_URL=mem:// BPC_LISTEN=127.0.0.1:$port BPC_SITE_ROOT=target/site RUST_LOG=warn "$bin" --demo >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

total=0
row() { printf '%-10s %9s B raw %9s B gzip\n' "$1" "$2" "$3"; }
for path in /login /pkg/bpc.js /pkg/bpc.wasm /pkg/bpc.css; do
  raw=$(curl -s "http://127.0.0.1:$port$path" -H 'accept: text/html,*/*' | wc -c)
  gz=$(curl -s "http://127.0.0.1:$port$path" -H 'accept: text/html,*/*' -H 'accept-encoding: gzip' | wc -c)
  row "$path" "$raw" "$gz"
  total=$((total + gz))
done
echo "total gzipped: $((total / 1024)) KB ($total bytes); budget 250 KB"
