#!/bin/sh
# The channels pages through nginx, against the Shopify sandbox: the
# account list, connecting Shopify with an Admin API token (a bad field
# is named and what was typed kept), mapping by exact SKU, the buffers'
# preview (nothing saved), saving them, a stale form refused, pause and
# resume, push all now reaching the sandbox, and CSRF on every POST.
. "$(dirname "$0")/lib.sh"

cli() { "$STOCKHUB_BUILD/bin/stockhub" "$@"; }
set_cookie() { printf '%s' "$headers" | tr -d '\r' | sed -n "s/^[Ss]et-[Cc]ookie: $1=\([^;]*\).*/\1/p" | head -1; }
field() { printf '%s' "$body" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -1; }
location() { printf '%s' "$headers" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p' | head -1; }

user="chan$$"
pw="channels password $$"
sku="ADMCH-$$"
shop="adm$$.myshopify.com"
printf '%s\n' "$pw" | cli user add "$user" > /dev/null
req GET /admin/login
pre=$(set_cookie __Host-pre)
req POST /admin/login -H "Cookie: __Host-pre=$pre" --data-urlencode "pre=$(field pre)" \
    --data-urlencode "name=$user" --data-urlencode "password=$pw"
ck="Cookie: __Host-sid=$(set_cookie __Host-sid)"
req GET /admin/channels -H "$ck"
expect "the channels page shows the connect forms" 200 'id="shopify-form"'
csrf=$(field csrf)

# the shop sells the SKU; the hub has 10
curl -s -o /dev/null -X POST "$SANDBOX_SHOPIFY_URL/_sandbox/products" \
    -d "{\"title\":\"Admin mug $$\",\"variants\":[{\"sku\":\"$sku\",\"price\":\"9.00\",\"available\":0}]}"
cli item add "$sku" "Admin mug" > /dev/null
cli move "$sku" receive 10 "first batch" > /dev/null

connect() {
	req POST /admin/channels -H "$ck" --data-urlencode action=shopify \
	    --data-urlencode "name=Shop $$" --data-urlencode "base_url=$SANDBOX_SHOPIFY_URL" \
	    --data-urlencode "token=shpat_sandbox_token" --data-urlencode "secret=sbx-shopify-secret" \
	    --data-urlencode "location=1" "$@"
}
connect --data-urlencode "shop=$shop"
expect "connecting without the CSRF token is refused" 403
connect --data-urlencode "shop=$shop" --data-urlencode "csrf=$csrf" -H "Origin: http://evil.example"
expect "connecting from another origin is refused" 403
connect --data-urlencode "shop=Not A Shop" --data-urlencode "csrf=$csrf"
expect "a bad shop domain is refused and named" 400 'id="shopify-shop-error"'
case $body in *"value=\"Shop $$\""*"value=\"Not A Shop\""*) ok "the refused form keeps what was typed" ;;
*) not_ok "the refused form keeps what was typed" "$body" ;; esac
case $body in *shpat_sandbox_token*|*sbx-shopify-secret*) not_ok "secrets are never sent back" ;;
*) ok "secrets are never sent back" ;; esac
case $body in *'aria-invalid="true" aria-describedby="shopify-shop-error"'*) ok "the wrong field is marked for assistive tech" ;;
*) not_ok "the wrong field is marked for assistive tech" ;; esac

connect --data-urlencode "shop=$shop" --data-urlencode "csrf=$csrf"
loc=$(location)
id=$(printf '%s' "$loc" | sed -n 's/.*id=\([0-9]*\).*/\1/p')
case "$status $loc" in "303 /admin/channel?id="*"&done=connected") ok "a Shopify shop is connected with its token" ;;
*) not_ok "a Shopify shop is connected with its token" "status $status $loc" "$body" ;; esac
creds=$(sql "SELECT INSTR(credentials, 'shpat_sandbox_token') FROM channel_accounts WHERE id = $id")
[ "$creds" = 0 ] && ok "the token is stored sealed" || not_ok "the token is stored sealed" "$creds"
connect --data-urlencode "shop=$shop" --data-urlencode "csrf=$csrf"
expect "a second account with the same name is refused" 409 'id="shopify-name-error"'

req GET /admin/channels -H "$ck"
expect "the list shows the account" 200 "<a href=\"/admin/channel?id=$id\">Shop $$</a>"

req POST /admin/channel -H "$ck" --data-urlencode "id=$id" --data-urlencode action=mapall
expect "map all without the CSRF token is refused" 403
req POST /admin/channel -H "$ck" --data-urlencode "id=$id" --data-urlencode action=mapall --data-urlencode "csrf=0$csrf"
expect "map all with a wrong CSRF token is refused" 403
req POST /admin/channel -H "$ck" --data-urlencode "id=$id" --data-urlencode action=mapall --data-urlencode "csrf=$csrf"
expect "map every SKU redirects" 303
shopify_bucket_full
mapped=$(sql "SELECT COUNT(*) FROM channel_listings l JOIN stock_items i ON i.id = l.item_id WHERE l.account_id = $id AND i.sku = '$sku'")
[ "$mapped" = 1 ] && ok "the SKU the shop sells is mapped by exact match" || not_ok "the SKU the shop sells is mapped by exact match" "$mapped"

req GET "/admin/channel?id=$id" -H "$ck"
expect "the account page shows the listing" 200 "$sku"
case $body in *'<script src="/admin/preview.js" defer></script>'*) ok "the page loads the live preview from a file" ;;
*) not_ok "the page loads the live preview from a file" ;; esac
case $(printf '%s' "$body" | sed 's|<script src="/admin/preview.js" defer></script>||') in
*"<script"*) not_ok "the page has no other script" ;; *) ok "the page has no other script" ;; esac
case $body in *'id="advice-table"'*'<td>&lt;0.1/day</td>'*'units</td>'*) ok "the page shows the recommended buffer next to the configured one" ;;
*) not_ok "the page shows the recommended buffer next to the configured one" "$body" ;; esac
rev=$(printf '%s' "$body" | tr '\n' ' ' | sed 's/<form/\n<form/g' | grep 'id="settings-form"' | sed -n 's/.*name="rev" value="\([0-9]*\)".*/\1/p')
[ -n "$rev" ] && ok "the settings form carries the revision" || not_ok "the settings form carries the revision" "$body"

settings() {
	req POST /admin/channel -H "$ck" --data-urlencode "id=$id" --data-urlencode "rev=$1" \
	    --data-urlencode "action=$2" --data-urlencode "holdback_pct=$3" \
	    --data-urlencode "holdback_units=0" --data-urlencode "max_shown=" \
	    --data-urlencode "priority=0" --data-urlencode "csrf=$csrf"
}
settings "$rev" preview 50
expect "the preview shows what the listing would show" 200 "With these settings"
case $(printf '%s' "$body" | tr '\n' ' ') in
*">$sku</a></td>"*"<td class=\"num\">10</td><td class=\"num\">10</td><td class=\"num bad\">5</td>"*)
	ok "10 available at 50 % would show 5 (now 10)" ;;
*) not_ok "10 available at 50 % would show 5 (now 10)" "$body" ;;
esac
pct=$(sql "SELECT holdback_pct FROM channel_accounts WHERE id = $id")
[ "$pct" = "0.00" ] && ok "the preview saved nothing" || not_ok "the preview saved nothing" "$pct"

settings "$rev" settings "fifty"
expect "a bad percent is refused and named" 400 'id="settings-pct-error"'
case $body in *'value="fifty"'*) ok "the refused settings keep what was typed" ;; *) not_ok "the refused settings keep what was typed" ;; esac

settings "$rev" settings 10
case "$status $(location)" in "303 /admin/channel?id=$id&done=settings") ok "the settings are saved" ;;
*) not_ok "the settings are saved" "status $status" "$body" ;; esac
pct=$(sql "SELECT holdback_pct FROM channel_accounts WHERE id = $id")
[ "$pct" = "10.00" ] && ok "the new buffer is stored" || not_ok "the new buffer is stored" "$pct"

settings "$rev" settings 30
expect "a form saved against changed settings is refused" 409 "were changed"
case $body in *'value="30"'*) ok "the stale form keeps what was typed" ;; *) not_ok "the stale form keeps what was typed" ;; esac
pct=$(sql "SELECT holdback_pct FROM channel_accounts WHERE id = $id")
[ "$pct" = "10.00" ] && ok "the stale form changed nothing" || not_ok "the stale form changed nothing" "$pct"

state() { req POST /admin/channel -H "$ck" --data-urlencode "id=$id" --data-urlencode "rev=$1" --data-urlencode "action=$2" --data-urlencode "csrf=$csrf"; }
state "$rev" pause
expect "pausing with a stale revision is refused" 409
rev=$(sql "SELECT settings_rev FROM channel_accounts WHERE id = $id")
req POST /admin/channel -H "$ck" --data-urlencode "id=$id" --data-urlencode "rev=$rev" --data-urlencode action=pause
expect "pausing without the CSRF token is refused" 403
state "$rev" pause
expect "pausing redirects" 303
req GET "/admin/channel?id=$id" -H "$ck"
expect "the account shows as paused" 200 '<strong id="account-state">paused</strong>'
[ "$(sql "SELECT paused FROM channel_accounts WHERE id = $id")" = 1 ] && ok "the account is paused in the database" ||
    not_ok "the account is paused in the database"
state "$((rev + 1))" resume
expect "resuming redirects" 303
[ "$(sql "SELECT paused FROM channel_accounts WHERE id = $id")" = 0 ] && ok "the account is active again" ||
    not_ok "the account is active again"

before=$(sql "SELECT COUNT(*) FROM push_log pl JOIN channel_listings l ON l.id = pl.listing_id WHERE l.account_id = $id")
req POST /admin/channel -H "$ck" --data-urlencode "id=$id" --data-urlencode action=pushall
expect "push all without the CSRF token is refused" 403
req POST /admin/channel -H "$ck" --data-urlencode "id=$id" --data-urlencode action=pushall --data-urlencode "csrf=$csrf"
expect "push all now redirects" 303
i=0
while [ $i -lt 50 ]; do
	after=$(sql "SELECT COUNT(*) FROM push_log pl JOIN channel_listings l ON l.id = pl.listing_id WHERE l.account_id = $id")
	[ "$after" -gt "$before" ] && break
	sleep 0.2; i=$((i + 1))
done
[ "$after" -gt "$before" ] && ok "push all now pushes the account's listings" ||
    not_ok "push all now pushes the account's listings" "$before -> $after"
shows=$(curl -s "$SANDBOX_SHOPIFY_URL/_sandbox/state" | tr -d ' \n' | grep -o "\"sku\":\"$sku\"[^}]*" | head -1)
case $shows in *'"inventory_quantity":9'*) ok "the sandbox shop shows 9 (10 less a 10 % buffer)" ;;
*) not_ok "the sandbox shop shows 9 (10 less a 10 % buffer)" "$shows" ;; esac

req GET /admin/preview.js
has_header "the live preview script is served as JavaScript" '^Content-Type: text/javascript'
case $body in *"getElementById('settings-form')"*) ok "the script enhances the settings form" ;;
*) not_ok "the script enhances the settings form" ;; esac

req GET /admin/ -H "$ck"
b1=$(printf '%s' "$body" | tr '\n' ' ')
case $b1 in *"Last confirmed push"*"<a href=\"/admin/channel?id=$id\">Shop $$</a>"*"$(date -u +%Y-%m-%d)"*)
	ok "the dashboard shows the account's last confirmed push" ;;
*) not_ok "the dashboard shows the account's last confirmed push" "$body" ;;
esac

req POST /admin/channels -H "$ck" --data-urlencode action=sandbox --data-urlencode "sandbox_url=ftp://x" --data-urlencode "csrf=$csrf"
expect "the sandbox form refuses a bad address and says why" 400 'id="sandbox-error"'
req POST /admin/channels -H "$ck" --data-urlencode action=sandbox --data-urlencode "sandbox_url=$SANDBOX_SHOPIFY_URL"
expect "the sandbox form without the CSRF token is refused" 403

# the sandbox shop for a trial (once per database: the suite runs twice)
had=$(sql "SELECT COUNT(*) FROM channel_accounts WHERE shop_ref = 'sandbox-shop.myshopify.com'")
if [ "$had" = 0 ]; then
	req POST /admin/channels -H "$ck" --data-urlencode action=sandbox --data-urlencode "sandbox_url=$SANDBOX_SHOPIFY_URL" --data-urlencode "csrf=$csrf"
	case "$status $(location)" in "303 /admin/channel?id="*"&done=connected") ok "the sandbox shop is connected in one step" ;;
	*) not_ok "the sandbox shop is connected in one step" "status $status" "$body" ;; esac
	sid_=$(sql "SELECT COUNT(*) FROM channel_listings l JOIN channel_accounts a ON a.id = l.account_id JOIN stock_items i ON i.id = l.item_id WHERE a.shop_ref = 'sandbox-shop.myshopify.com' AND i.sku = '$sku'")
	[ "$sid_" = 1 ] && ok "the sandbox shop's SKUs are mapped" || not_ok "the sandbox shop's SKUs are mapped" "$sid_"
fi
req POST /admin/channels -H "$ck" --data-urlencode action=sandbox --data-urlencode "sandbox_url=$SANDBOX_SHOPIFY_URL" --data-urlencode "csrf=$csrf"
expect "a second sandbox shop is refused with a reason" 409 "connected already"

actions=$(sql "SELECT GROUP_CONCAT(kind ORDER BY id) FROM admin_actions WHERE account_id = $id")
[ "$actions" = "connect,mapall,settings,pause,resume,pushall" ] && ok "every change is in the admin actions" ||
    not_ok "every change is in the admin actions" "$actions"
finish
