#!/bin/sh
# The operator's command line end to end: connect a (sandbox) Shopify
# shop as the README says, map a SKU by exact match, subscribe webhooks,
# push, and see the shop follow the hub. Credentials go in on standard
# input and never come out.
. "$(dirname "$0")/lib.sh"

cli() { "$STOCKHUB_BUILD/bin/stockhub" "$@"; }
sbx() { curl -s -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} "$SANDBOX_SHOPIFY_URL$2"; }

sku="CLI-MUG-$$"
dom="cli$$.myshopify.com"
token="shpat_sandbox_token"
acct="cli shop $$"

sbx POST /_sandbox/reset > /dev/null
sbx POST /_sandbox/config "{\"shop_domain\":\"$dom\",\"client_secret\":\"cli-secret-$$\"}" > /dev/null
sbx POST /_sandbox/products "{\"title\":\"Mug\",\"variants\":[{\"sku\":\"$sku\",\"available\":0},{\"sku\":\"$sku-DUP\",\"available\":0}]}" > /dev/null

cli item add "$sku" "Mug" > /dev/null && cli move "$sku" receive 7 "kiln" > /dev/null &&
    ok "an item is created and stocked from the command line" ||
    not_ok "an item is created and stocked from the command line"

out=$(printf '{"access_token":"%s","webhook_secret":"cli-secret-%s","location_id":"1"}' "$token" "$$" |
    cli account add shopify "$acct" "$SANDBOX_SHOPIFY_URL" "$dom" --holdback-pct 10 2>&1)
case $out in *"credentials sealed"*) ok "a Shopify account is added with credentials from stdin" ;;
*) not_ok "a Shopify account is added with credentials from stdin" "$out" ;; esac

out=$(printf '{}' | cli account add shopify "bad $$" "$SANDBOX_SHOPIFY_URL" x --holdback-pct 200 2>&1)
case $out in *"0 to 100"*) ok "an impossible buffer is refused with the reason" ;;
*) not_ok "an impossible buffer is refused with the reason" "$out" ;; esac

out=$(cli account list 2>&1)
case $out in *"$token"*|*"cli-secret"*) not_ok "account list never shows credentials" "$out" ;;
*"$acct"*"holdback 10.00%"*) ok "account list never shows credentials" ;;
*) not_ok "account list never shows credentials" "$out" ;; esac

out=$(cli shopify map "$acct" "$(echo "$sku" | tr A-Z a-z)" 2>&1)
case $out in *"exactly"*) ok "mapping never matches a SKU that differs in case" ;;
*) not_ok "mapping never matches a SKU that differs in case" "$out" ;; esac

out=$(cli shopify map "$acct" "$sku" 2>&1)
case $out in *"listing"*"$sku"*) ok "a SKU is mapped to its Shopify variant by exact match" ;;
*) not_ok "a SKU is mapped to its Shopify variant by exact match" "$out" ;; esac

out=$(cli shopify subscribe "$acct" 2>&1)
case $out in *"6 new webhook subscription"*) ok "the hub subscribes to the shop's webhooks" ;;
*) not_ok "the hub subscribes to the shop's webhooks" "$out" ;; esac

out=$(cli push 2>&1)
shown=$(sbx GET /_sandbox/state | python3 -c "import json,sys; print([l['available'] for l in json.load(sys.stdin)['levels'] if l['sku']=='$sku'][0])")
# 7 units, 10 % held back (rounded up): 6
[ "$shown" = 6 ] && ok "a push makes the shop show the hub's figure minus its buffer" ||
    not_ok "a push makes the shop show the hub's figure minus its buffer" "shown $shown" "$out"

# this listing's pushes only: another test's listing may fall due
# (a retry's backoff ending) whenever it likes
pushes() {
	sql "SELECT COUNT(*) FROM push_log p JOIN channel_listings l ON l.id = p.listing_id JOIN stock_items i ON i.id = l.item_id WHERE i.sku = '$sku'"
}
before=$(pushes)
out=$(cli push 2>&1)
after=$(pushes)
[ "$before" -ge 1 ] && [ "$after" = "$before" ] && ok "nothing is pushed twice" ||
    not_ok "nothing is pushed twice" "push_log rows $before -> $after" "$out"

finish
