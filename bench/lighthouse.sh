#!/usr/bin/env bash
# Lighthouse's mobile run (simulated slow 4G: 1.6 Mbps, 150 ms RTT, CPU 4× slower)
# per page, against a running BPC: performance score, first contentful paint,
# largest contentful paint, total blocking time, time to interactive and bytes.
# The signed-in pages are opened as rep1 (the session cookie as an extra header).
# Each page is a cold load: Lighthouse starts with an empty cache.
#
# Usage: bench/lighthouse.sh http://127.0.0.1:PORT [PAGES]   (run by ./bpc lighthouse)
# Lighthouse 12 comes from the npm registry into target/lighthouse; it uses
# Debian's Chromium (CHROME_PATH), never a browser of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: bench/lighthouse.sh http://127.0.0.1:PORT [PAGES]}
pages=${2:-/login /feed /customers /checkin /customers/new /alarms /rankings}
dir=target/lighthouse
if [ ! -x "$dir/node_modules/.bin/lighthouse" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm install --no-audit --no-fund --no-save lighthouse@12 >/dev/null)
fi
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
curl -sf -c "$jar" -o /dev/null -X POST -d 'login=rep1&password=demo1234' "$base/api/login"
cookie=$(awk '$6 == "bpc_session" { print $6 "=" $7 }' "$jar")
[ -n "$cookie" ] || { echo "sign-in failed" >&2; exit 1; }
flags='--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync'
printf '%-16s %6s %8s %8s %8s %8s %8s\n' page score FCP LCP TBT TTI KB
for page in $pages; do
  out="$dir/report$(echo "$page" | tr / _).json"
  headers='{}'
  [ "$page" = /login ] || headers="{\"Cookie\":\"$cookie\"}"
  CHROME_PATH=${CHROMIUM:-/usr/bin/chromium} "$dir/node_modules/.bin/lighthouse" "$base$page" \
    --quiet --only-categories=performance --form-factor=mobile \
    --output=json --output-path="$out" --extra-headers="$headers" --chrome-flags="$flags"
  node -e '
    const r = require(process.argv[1]);
    const a = (k) => r.audits[k].numericValue;
    const s = (ms) => (ms / 1000).toFixed(2) + "s";
    if (r.finalDisplayedUrl.replace(/\/$/, "") !== process.argv[3].replace(/\/$/, "")) {
      console.error(`${process.argv[2]}: ended at ${r.finalDisplayedUrl}`); process.exit(1);
    }
    console.log([process.argv[2].padEnd(16), String(Math.round(r.categories.performance.score * 100)).padStart(6),
      s(a("first-contentful-paint")).padStart(8), s(a("largest-contentful-paint")).padStart(8),
      (Math.round(a("total-blocking-time")) + "ms").padStart(8), s(a("interactive")).padStart(8),
      String(Math.round(a("total-byte-weight") / 1024)).padStart(8)].join(" "));
  ' "$(pwd)/$out" "$page" "$base$page"
done
