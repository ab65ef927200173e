#!/bin/sh
# Connecting an Etsy shop from the admin through nginx and the Etsy
# sandbox (auto-approve): the account made with `stockhub account add`
# (keystring and shared secret, no tokens), the Connect link, the
# authorization code + PKCE S256 redirect with a state, the callback that
# stores the tokens and the shop (the next tick polls its orders), and a
# replayed, wrong or foreign state refused with a clear page.
. "$(dirname "$0")/lib.sh"

cli() { "$STOCKHUB_BUILD/bin/stockhub" "$@"; }
etsy() { curl -s --max-time 20 -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$SANDBOX_ETSY_URL$2"; }
set_cookie() { printf '%s' "$headers" | tr -d '\r' | sed -n "s/^[Ss]et-[Cc]ookie: $1=\([^;]*\).*/\1/p" | head -1; }
field() { printf '%s' "$body" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -1; }
location() { printf '%s' "$headers" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p' | head -1; }
qparam() { printf '%s' "$1" | tr '?&' '\n\n' | sed -n "s/^$2=//p" | head -1; }

# the hub's public address as its config says (the callback's base)
pub=$(sed -n 's/^public_base_url *= *//p' "$STOCKHUB_CONFIG" | tail -1)
pub=${STOCKHUB_PUBLIC_BASE_URL:-${pub:-$STOCKHUB_URL}}
enc_pub=$(printf '%s' "$pub" | sed 's/:/%3A/g; s|/|%2F|g')
tag=$(( $$ % 100000 ))
shop=$(( 7700000 + tag ))
uid=$(( 9900000 + tag ))
user="etsyc$$"
pw="correct horse battery $$"
sku="ETC-$$"
key=hube2ekeystring1
sec=hube2esharedsec1

etsy POST /_sandbox/reset '{}' > /dev/null
etsy POST /_sandbox/credentials "{\"keystring\":\"$key\",\"shared_secret\":\"$sec\"}" > /dev/null
etsy POST /_sandbox/rate-limits '{"per_second":1000,"per_day":1000000}' > /dev/null
etsy POST /_sandbox/shops "{\"shop_id\":$shop,\"user_id\":$uid,\"shop_name\":\"Connect$tag\"}" > /dev/null
etsy POST /_sandbox/oauth "{\"auto_approve\":true,\"user_id\":$uid}" > /dev/null

printf '%s\n' "$pw" | cli user add "$user" > /dev/null
out=$(printf '{"keystring":"%s","shared_secret":"%s"}\n' "$key" "$sec" |
    cli account add etsy "etsy-connect-$$" "$SANDBOX_ETSY_URL" "$shop" 2>&1)
acct=$(printf '%s' "$out" | sed -n 's/^account \([0-9]*\):.*/\1/p')
[ -n "$acct" ] && ok "an Etsy account is added from the command line without tokens" ||
    not_ok "an Etsy account is added from the command line without tokens" "$out"
case $out in *"paused until connected"*) ok "an account without tokens starts paused, and says so" ;;
*) not_ok "an account without tokens starts paused, and says so" "$out" ;; esac

# sign in
req GET /admin/login
pre=$(set_cookie __Host-pre)
tok=$(field pre)
req POST /admin/login -H "Cookie: __Host-pre=$pre" --data-urlencode "pre=$tok" \
    --data-urlencode "name=$user" --data-urlencode "password=$pw"
sid=$(set_cookie __Host-sid)
ck="Cookie: __Host-sid=$sid"

req GET /admin/ -H "$ck"
expect "the dashboard has a Connect link per Etsy account" 200 "/admin/etsy/connect?account=$acct"

req GET "/admin/etsy/connect?account=$acct"
expect "connecting needs a session" 303

req GET "/admin/etsy/status?account=$acct" -H "$ck"
expect "the status page says the account waits for Connect" 200 "not connected to Etsy yet"

req GET "/admin/etsy/connect?account=$acct" -H "$ck"
loc=$(location)
case $loc in
"$SANDBOX_ETSY_URL/oauth/connect?"*) ok "Connect sends the browser to Etsy's consent page" ;;
*) not_ok "Connect sends the browser to Etsy's consent page" "status $status" "$headers" ;;
esac
state=$(qparam "$loc" state)
[ "$(qparam "$loc" response_type)" = code ] && [ "$(qparam "$loc" client_id)" = "$key" ] &&
    [ "$(qparam "$loc" code_challenge_method)" = S256 ] &&
    [ ${#state} -eq 64 ] && [ "$(qparam "$loc" code_challenge | wc -c)" -eq 44 ] &&
    [ "$(qparam "$loc" redirect_uri)" = "$enc_pub%2Fadmin%2Fetsy%2Fcallback" ] &&
    [ "$(qparam "$loc" scope)" = "listings_r%20listings_w%20transactions_r%20shops_r" ] &&
    ok "the request has the code, the key, the callback, the scopes, a state and an S256 challenge" ||
    not_ok "the request has the code, the key, the callback, the scopes, a state and an S256 challenge" "$loc"

# Etsy approves and sends the browser back
back=$(curl -s -o /dev/null -w '%{redirect_url}' --max-time 20 "$loc")
case $back in
"$pub/admin/etsy/callback?"*) ok "Etsy sends the browser back to the hub's callback" ;;
*) not_ok "Etsy sends the browser back to the hub's callback" "$back" ;;
esac
cbpath=${back#"$pub"}

# a browser does not send the SameSite=Strict cookie on this navigation:
# the hub reloads the page from its own site first
req GET "$cbpath"
expect "a callback without the session cookie is reloaded from the hub's own site" 200 'http-equiv="refresh"'

# a state this session never made
req GET "/admin/etsy/callback?code=abc&state=$(printf '%064d' 0)" -H "$ck"
expect "a wrong state is refused with a clear page" 400 "not valid"

req GET "$cbpath&again=1" -H "$ck"
if [ "$status" = 303 ] && [ "$(location)" = "/admin/?done=etsy_connected" ]; then
	ok "the callback stores the tokens and returns to the dashboard"
else
	not_ok "the callback stores the tokens and returns to the dashboard" "status $status" "$headers" "$body"
fi
req GET "/admin/?done=etsy_connected" -H "$ck"
expect "the dashboard says the shop is connected" 200 "Etsy shop is connected"

req GET "$cbpath&again=1" -H "$ck"
expect "a replayed state is refused" 400 "used already"

# the tokens and the shop work: an order on Etsy reaches the ledger
cli item add "$sku" "Connect mug" > /dev/null
cli move "$sku" receive 10 "stock" > /dev/null
lid=$(etsy POST /_sandbox/listings "{\"shop_id\":$shop,\"title\":\"Mug\",\"products\":[{\"sku\":\"$sku\",\"quantity\":9,\"price\":28.00}]}" |
    sed -n 's/.*"listing_id": *\([0-9]*\).*/\1/p' | head -1)
cli map "etsy-connect-$$" "$sku" "$lid" > /dev/null 2>&1
etsy POST /_sandbox/orders "{\"listing_id\":$lid,\"sku\":\"$sku\",\"quantity\":2}" > /dev/null
req POST /jobs/tick -H "Authorization: Bearer $(secret timer_token)"
out=$(cli item show "$sku")
case $out in *"committed=2 "*) ok "the next tick polls the connected shop's orders" ;;
*) not_ok "the next tick polls the connected shop's orders" "$out" "$body" ;; esac

# the account's status: today's calls by purpose, the interval, the watermark
req GET "/admin/etsy/status?account=$acct" -H "$ck"
expect "the status page shows the account polling" 200 "Polling."
polls=$(printf '%s' "$body" | tr -d '\n' | sed -n 's|.*<th scope="row">poll</th><td class="num">\([0-9]*\)</td>.*|\1|p')
[ "${polls:-0}" -ge 1 ] && ok "today's poll calls are counted ($polls)" ||
    not_ok "today's poll calls are counted" "$body"
case $body in *"Last confirmed watermark"*"/hooks/etsy/$acct"*) ok "the status page shows the watermark and the ORDER_PAID address" ;;
*) not_ok "the status page shows the watermark and the ORDER_PAID address" "$body" ;; esac
csrf=$(field csrf)
req POST /admin/etsy/settings -H "$ck" --data-urlencode "account=$acct" --data-urlencode "high_traffic=1" \
    --data-urlencode "min_interval_s=15" --data-urlencode "busy_interval_s=15" --data-urlencode "interval_s=60" \
    --data-urlencode "quiet_interval_s=300" --data-urlencode "poll_pct=65" --data-urlencode "push_pct=20" \
    --data-urlencode "recon_pct=10"
expect "the settings form needs the CSRF token" 403
req POST /admin/etsy/settings -H "$ck" --data-urlencode "csrf=$csrf" --data-urlencode "account=$acct" \
    --data-urlencode "min_interval_s=15" --data-urlencode "busy_interval_s=15" --data-urlencode "interval_s=60" \
    --data-urlencode "quiet_interval_s=300" --data-urlencode "poll_pct=80" --data-urlencode "push_pct=20" \
    --data-urlencode "recon_pct=10"
expect "shares over 100 % are refused" 400 "add up to 100 or less"
case $body in *'name="poll_pct" inputmode="numeric" value="80"'*) ok "the refused form keeps the share as typed" ;;
*) not_ok "the refused form keeps the share as typed" "$body" ;; esac
req POST /admin/etsy/settings -H "$ck" --data-urlencode "csrf=$csrf" --data-urlencode "account=$acct" \
    --data-urlencode "min_interval_s=60" --data-urlencode "busy_interval_s=60" --data-urlencode "interval_s=60" \
    --data-urlencode "quiet_interval_s=300" --data-urlencode "poll_pct=65" --data-urlencode "push_pct=20" \
    --data-urlencode "recon_pct=10" --data-urlencode "cancel_policy=burn"
expect "an unknown cancellation policy is refused" 400 "puts back what was not shipped"
req POST /admin/etsy/settings -H "$ck" --data-urlencode "csrf=$csrf" --data-urlencode "account=$acct" \
    --data-urlencode "min_interval_s=60" --data-urlencode "busy_interval_s=60" --data-urlencode "interval_s=60" \
    --data-urlencode "quiet_interval_s=300" --data-urlencode "poll_pct=65" --data-urlencode "push_pct=20" \
    --data-urlencode "recon_pct=10" --data-urlencode "cancel_policy=restock"
expect "the cancellation policy is saved" 303
[ "$(sql "SELECT cancel_policy FROM etsy_poll_state WHERE account_id = $acct")" = restock ] &&
    ok "cancelled Etsy orders now restock shipped units" || not_ok "cancelled Etsy orders now restock shipped units"
req GET "/admin/etsy/status?account=$acct" -H "$ck"
expect "the page shows the policy chosen" 200 '<option value="restock" selected>'
req POST /admin/etsy/settings -H "$ck" --data-urlencode "csrf=$csrf" --data-urlencode "account=$acct" \
    --data-urlencode "high_traffic=1" \
    --data-urlencode "min_interval_s=15" --data-urlencode "busy_interval_s=15" --data-urlencode "interval_s=60" \
    --data-urlencode "quiet_interval_s=300" --data-urlencode "poll_pct=65" --data-urlencode "push_pct=20" \
    --data-urlencode "recon_pct=10"
expect "high-traffic mode is switched on" 303
req GET "/admin/etsy/status?account=$acct&done=saved" -H "$ck"
expect "the switch shows as on" 200 'name="high_traffic" value="1" checked'

# high traffic: every 15 s, so one tick of the one-minute cron polls twice
sleep 14
req POST '/jobs/tick?repeat=1' -H "Authorization: Bearer $(secret timer_token)"
polled=$(printf '%s' "$body" | sed -n 's/.*"etsy_poll":{[^}]*"polled":\([0-9]*\).*/\1/p')
[ "${polled:-0}" -ge 2 ] && ok "a tick polls a 15 s account again within its run ($polled polls)" ||
    not_ok "a tick polls a 15 s account again within its run" "$body" "$(grep -i 'etsy\|tick' "$STOCKHUB_STACK/log/jobs.log" | tail -20)"
req GET "/admin/etsy/status?account=$acct" -H "$ck"
expect "the status page shows the 15 s interval" 200 "15 s (high-traffic mode)"
csrf=$(field csrf)
req GET /admin/ -H "$ck"
expect "the dashboard shows the account's polling interval" 200 "every 15 s"
case $body in *"API calls today"*) ok "the dashboard counts the Etsy API calls of the day" ;;
*) not_ok "the dashboard counts the Etsy API calls of the day" "$body" ;; esac
csrf=$(field csrf)
# calm again, so the later tests' ticks do not wait for this shop
req POST /admin/etsy/settings -H "$ck" --data-urlencode "csrf=$csrf" --data-urlencode "account=$acct" \
    --data-urlencode "min_interval_s=60" --data-urlencode "busy_interval_s=60" --data-urlencode "interval_s=60" \
    --data-urlencode "quiet_interval_s=300" --data-urlencode "poll_pct=65" --data-urlencode "push_pct=20" \
    --data-urlencode "recon_pct=10"
expect "the settings are saved" 303

out=$(printf '{"webhook_secrets":["whsec_c2VjcmV0LW9uZS1mb3ItdGhlLXRlc3Q=","whsec_b2xkZXItc2VjcmV0LWZvci10aGUtdGVzdA=="]}' |
    cli etsy webhook "etsy-connect-$$")
case $out in *"2 ORDER_PAID secret(s) sealed"*"/hooks/etsy/$acct"*) ok "etsy webhook seals the ORDER_PAID secrets and names the address" ;;
*) not_ok "etsy webhook seals the ORDER_PAID secrets and names the address" "$out" ;; esac
out=$(echo '{"webhook_secrets":["not-a-secret"]}' | cli etsy webhook "etsy-connect-$$" 2>&1)
case $out in *"not a whsec_ secret"*) ok "a malformed webhook secret is refused" ;;
*) not_ok "a malformed webhook secret is refused" "$out" ;; esac
ts=$(date +%s)
req POST "/hooks/etsy/$acct" -H 'Content-Type: application/json' -H "webhook-id: msg_sh_$$" \
    -H "webhook-timestamp: $ts" -H "webhook-signature: v1,bm90IGEgc2lnbmF0dXJlIGF0IGFsbCwgc29ycnkhISE=" \
    --data '{"event_type":"order.paid","resource_url":"x/receipts/1","shop_id":1}'
expect "an ORDER_PAID delivery with a bad signature gets 401" 401

out=$(cli etsy cost --listings 500 --orders-per-day 50 --interval 30 --interval 900)
case $out in *"| 30 s | 30 s | 2880 |"*"| 900 s | 900 s | 96 |"*) ok "etsy cost recomputes the article's polling table" ;;
*) not_ok "etsy cost recomputes the article's polling table" "$out" ;; esac

# a connect started in another session cannot be finished in this one
req GET "/admin/etsy/connect?account=$acct" -H "$ck"
loc2=$(location)
back2=$(curl -s -o /dev/null -w '%{redirect_url}' --max-time 20 "$loc2")
req GET /admin/login
pre=$(set_cookie __Host-pre)
tok=$(field pre)
req POST /admin/login -H "Cookie: __Host-pre=$pre" --data-urlencode "pre=$tok" \
    --data-urlencode "name=$user" --data-urlencode "password=$pw"
sid2=$(set_cookie __Host-sid)
req GET "${back2#"$pub"}&again=1" -H "Cookie: __Host-sid=$sid2"
expect "a state from another session is refused" 400 "another session"

etsy POST /_sandbox/reset '{}' > /dev/null
finish
