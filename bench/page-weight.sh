#!/usr/bin/env bash
# First load of the login page on a phone: HTML + JS + WASM + CSS as the browser
# receives them, in KB, brotli (what Chromium asks for) and gzip; then what a
# repeat visit transfers (the hashed files are cached as immutable: only the
# page itself). Budgets (SPEC §8, issue 14): first load ≤ 250 KB, repeat ≤ 20 KB.
# Usage: bench/page-weight.sh [server-binary]   (serves target/site; run after a
#        release site build: ./bpc build --release, or ./bpc weight)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/bpc}
port=${PORT:-3190}
DATABASE_URL=mem:// BPC_DEMO_HISTORY=false BPC_LISTEN=127.0.0.1:$port BPC_SITE_ROOT=target/site RUST_LOG=warn "$bin" --demo >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

name=bpc
[ -f target/site/pkg/bpc.hash ] && name="bpc.$(cat target/site/pkg/bpc.hash)"
url() { echo "http://127.0.0.1:$port$1"; }
size() {
  if [ -n "${2:-}" ]; then
    curl -s "$(url "$1")" -H 'accept: text/html,*/*' -H "accept-encoding: $2" | wc -c
  else
    curl -s "$(url "$1")" -H 'accept: text/html,*/*' | wc -c
  fi
}
total_br=0; total_gz=0
printf "%-32s %9s %9s %9s  %s\n" path raw gzip browser cache-control
for path in /login "/pkg/$name.js" "/pkg/$name.wasm" "/pkg/$name.css"; do
  raw=$(size "$path"); gz=$(size "$path" gzip); br=$(size "$path" "gzip, deflate, br")
  cc=$(curl -sI "$(url "$path")" | tr -d '\r' | awk -F': ' 'tolower($1)=="cache-control" {print $2}')
  printf '%-32s %9s %9s %9s  %s\n' "$path" "$raw" "$gz" "$br" "$cc"
  total_gz=$((total_gz + gz)); total_br=$((total_br + br))
done
echo "first load: $((total_br / 1024)) KB as a browser asks (br for files, gzip for pages), $((total_gz / 1024)) KB gzip; budget 250 KB"
# a repeat visit: the page again; the hashed files come from the browser's cache
repeat=$(size /login "gzip, deflate, br")
echo "repeat visit: $((repeat / 1024)) KB ($repeat bytes, the page only); budget 20 KB"
