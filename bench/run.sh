#!/bin/sh
# make bench: measurements on the real stack (MariaDB, nginx, the
# programs, the sandboxes) in a temporary directory, torn down after.
# Numbers, not pass/fail: see README "Benchmarks".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockhub-bench.XXXXXX")
trap 'tools/stack.sh stop "$tmp" > /dev/null 2>&1; rm -rf "$tmp"' EXIT
port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 ))
tools/stack.sh start "$tmp" "$port" build > "$tmp/start.log" 2>&1 ||
    { cat "$tmp/start.log"; exit 1; }
export STOCKHUB_CONFIG="$tmp/stockhub.conf"
cli=build/bin/stockhub
shop=$(sed -n 's/^SANDBOX_SHOPIFY_URL=//p' "$tmp/sandbox.env")

# a SKU with plenty of stock, mapped on the demo Shopify account
$cli item add BENCH-1 "Bench item" > /dev/null
$cli move BENCH-1 receive 1000000 "bench stock" > /dev/null
curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"title":"Bench","variants":[{"sku":"BENCH-1","available":0}]}' \
    "$shop/_sandbox/products" > /dev/null
$cli shopify map "Sandbox Shopify" BENCH-1 > /dev/null
variant=$(STOCKHUB_CONFIG="$tmp/stockhub.conf" $cli account list > /dev/null;
    curl -s "$shop/_sandbox/state" | python3 -c \
    "import json,sys; print([l['variant_id'] for l in json.load(sys.stdin)['levels'] if l['sku']=='BENCH-1'][0])")
python3 bench/webhooks.py "http://127.0.0.1:$port" sandbox-shop.myshopify.com \
    sbx-shopify-secret "$variant" "${BENCH_WEBHOOKS:-500}"
