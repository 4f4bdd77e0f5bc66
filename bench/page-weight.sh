#!/usr/bin/env bash
# What a phone downloads to open a page, in bytes as the browser receives them
# (brotli, as Chromium asks; gzip beside it), following what the page itself
# names in its <head>:
#   needed     the page, its stylesheet and the files it loads to run
#              (modulepreload / preload: the JS and the WASM);
#   prefetched files fetched at idle for the next page (the login page is a
#              plain form and fetches the app once the rep touches the form).
# Then a repeat visit: the hashed files are cached as immutable, so only the page.
# Pages: /login, and /feed, /customers, /checkin signed in as a demo rep.
# Budgets (SPEC §8, issue 14): the login page's first load ≤ 250 KB, other pages
# ≤ 350 KB, a repeat visit ≤ 20 KB; the run fails when one is over.
# Usage: [PAGES=/login] bench/page-weight.sh [server-binary]   (serves target/site;
#        run after a release site build: ./bpc build --release, or ./bpc weight;
#        ./bpc test checks the login page alone on its debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/bpc}
port=${PORT:-3190}
DATABASE_URL=mem:// BPC_DEMO_HISTORY=false BPC_LISTEN=127.0.0.1:$port BPC_SITE_ROOT=target/site RUST_LOG=warn "$bin" --demo >/dev/null 2>&1 &
pid=$!
jar=$(mktemp)
trap 'kill $pid 2>/dev/null || true; rm -f "$jar"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
url() { echo "http://127.0.0.1:$port$1"; }
# size PATH [ENCODING]: bytes on the wire, signed in when the cookie jar holds a session
size() {
  curl -s -b "$jar" "$(url "$1")" -H 'accept: text/html,*/*' -H "accept-encoding: ${2:-identity}" | wc -c
}
kb() { echo "$(( ($1 + 512) / 1024 ))"; }

# PAGE BUDGET_KB: fails the run when the first load is over the budget
page() {
  local path=$1 budget=$2 html needed=() prefetched=() f
  html=$(curl -s -b "$jar" "$(url "$path")")
  mapfile -t needed < <(grep -oE '<link rel="(stylesheet|modulepreload|preload)"[^>]*href="/pkg/[^"]+"' <<<"$html" |
    grep -oE '/pkg/[^"]+' | sort -u)
  mapfile -t prefetched < <(grep -oE '<meta name="bpc-prefetch" content="[^"]+"' <<<"$html" |
    grep -oE '/pkg/[^" ]+' | sort -u)
  local br gz pre_br=0 cc
  br=$(size "$path" "gzip, deflate, br"); gz=$(size "$path" gzip)
  printf '  %-34s %8s %8s\n' "$path" "$br" "$gz"
  for f in "${needed[@]}"; do
    local b g; b=$(size "$f" "gzip, deflate, br"); g=$(size "$f" gzip)
    cc=$(curl -sI "$(url "$f")" | tr -d '\r' | awk -F': ' 'tolower($1)=="cache-control" {print $2}')
    printf '  %-34s %8s %8s  %s\n' "$f" "$b" "$g" "$cc"
    br=$((br + b)); gz=$((gz + g))
  done
  for f in "${prefetched[@]}"; do
    local b; b=$(size "$f" "gzip, deflate, br")
    printf '  %-34s %8s %8s  (prefetched on touch)\n' "$f" "$b" "-"
    pre_br=$((pre_br + b))
  done
  local repeat; repeat=$(size "$path" "gzip, deflate, br")
  echo "$path: first load $(kb "$br") KB brotli / $(kb "$gz") KB gzip (budget $budget KB);" \
    "prefetched on touch $(kb "$pre_br") KB; repeat visit $repeat bytes (budget 20 KB)"
  if [ "$(kb "$br")" -gt "$budget" ]; then echo "  OVER BUDGET: $path" >&2; FAILED=1; fi
  if [ "$repeat" -gt 20480 ]; then echo "  OVER BUDGET: repeat visit of $path" >&2; FAILED=1; fi
}

FAILED=0
printf '  %-34s %8s %8s  %s\n' file brotli gzip cache-control
page /login 250
# PAGES=/login: the login page only (./bpc test, on the debug build)
[ "${PAGES:-}" = /login ] && exit "$FAILED"
# sign in as a demo rep (the login form, as a browser without JavaScript posts it)
curl -s -c "$jar" -b "$jar" -o /dev/null "$(url /api/login)" \
  -H 'content-type: application/x-www-form-urlencoded' -H "referer: $(url /login)" \
  --data 'login=rep1&password=demo1234'
for p in /feed /customers /checkin /customers/new /alarms /rankings; do page "$p" 350; done
exit "$FAILED"
