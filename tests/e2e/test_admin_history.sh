#!/bin/sh
# The per-SKU history page and the audit log through nginx: movements and
# a real push to the Shopify sandbox merged in time order with an SVG
# chart, keyset pages, the audit log's filters (SKU, channel, kind, time)
# with field errors, and its CSV export under the same filters, quoted.
. "$(dirname "$0")/lib.sh"

cli() { "$STOCKHUB_BUILD/bin/stockhub" "$@"; }
set_cookie() { printf '%s' "$headers" | tr -d '\r' | sed -n "s/^[Ss]et-[Cc]ookie: $1=\([^;]*\).*/\1/p" | head -1; }
field() { printf '%s' "$body" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -1; }
count() { printf '%s' "$body" | grep -o "$1" | wc -l | tr -d ' '; }

user="hist$$"
pw="history password $$"
sku="HIST-$$"
acct="hist-shop-$$"
printf '%s\n' "$pw" | cli user add "$user" > /dev/null
req GET /admin/login
pre=$(set_cookie __Host-pre)
req POST /admin/login -H "Cookie: __Host-pre=$pre" --data-urlencode "pre=$(field pre)" \
    --data-urlencode "name=$user" --data-urlencode "password=$pw"
ck="Cookie: __Host-sid=$(set_cookie __Host-sid)"

curl -s -o /dev/null -X POST "$SANDBOX_SHOPIFY_URL/_sandbox/products" \
    -d "{\"title\":\"History mug $$\",\"variants\":[{\"sku\":\"$sku\",\"price\":\"9.00\",\"available\":0}]}"
printf '{"access_token":"shpat_sandbox_token","webhook_secret":"sbx-shopify-secret","location_id":"1"}' |
    cli account add shopify "$acct" "$SANDBOX_SHOPIFY_URL" "hist$$.myshopify.com" > /dev/null
cli item add "$sku" "History mug" > /dev/null
cli move "$sku" receive 4 '=HYPERLINK("x"), kiln <b>' > /dev/null
shopify_bucket_full
out=$(cli shopify map "$acct" "$sku" 2>&1) || not_ok "the SKU is mapped on the sandbox shop" "$out"
cli push > /dev/null
acct_id=$(cli account list | awk -F'\t' -v n="$acct" '$3 == n { print $1 }')
# a runner a webhook started may hold the listing's push: wait for it
i=0
while [ "$i" -lt 100 ] && [ "$(sql "SELECT COUNT(*) FROM push_log p JOIN channel_listings l ON l.id = p.listing_id WHERE l.account_id = $acct_id AND p.outcome = 'written'")" = 0 ]; do
	sleep 0.1; i=$((i + 1)); cli push > /dev/null
done

req GET "/admin/sku?sku=$sku" -H "$ck"
expect "the history page shows" 200 "Movements and pushes"
b1=$(printf '%s' "$body" | tr '\n' ' ')
case $b1 in *'<tr class="push">'*"push written"*'<tr class="movement">'*"receive"*)
	ok "the push follows the movement, newest first" ;;
*) not_ok "the push follows the movement, newest first" "$body" ;;
esac
case $b1 in *'=HYPERLINK(&quot;x&quot;), kiln &lt;b&gt;'*"admin"*|*'=HYPERLINK(&quot;x&quot;), kiln &lt;b&gt;'*)
	ok "the movement's reason is shown, escaped" ;;
*) not_ok "the movement's reason is shown, escaped" "$body" ;;
esac
case $b1 in *"<svg "*'role="img"'*"<title id=\"stock-chart-title\">Available stock of $sku"*"<desc "*"</svg>"*)
	ok "the page has an accessible SVG chart" ;;
*) not_ok "the page has an accessible SVG chart" "$body" ;;
esac
case $b1 in *"available (hub): last 4"*"$acct (pushed): last 4"*) ok "the chart has the hub's and the channel's lines" ;;
*) not_ok "the chart has the hub's and the channel's lines" "$body" ;;
esac
case $b1 in *"<script"*) not_ok "the page has no script" ;; *) ok "the page has no script" ;; esac
req GET "/admin/sku?sku=NOPE-$$" -H "$ck"
expect "an unknown SKU is a 404 that says so" 404 "no item"
req GET "/admin/sku?sku=$sku&before=x.y" -H "$ck"
expect "a broken page link is refused" 400
req GET "/admin/sku?sku=$sku"
expect "the history needs a session" 303

# 104 more movements: three pages of 50 on the history page. Each makes
# the listing due; a push that a runner of another request (a webhook's)
# made meanwhile would be one more event on the pages counted, so the
# account is paused first (a paused account's pushes leave no trace)
sql "UPDATE channel_accounts SET paused = 1 WHERE id = $acct_id"
i=1
while [ $i -le 104 ]; do
	cli move "$sku" receive 1 "batch $i" > /dev/null
	i=$((i + 1))
done
req GET "/admin/sku?sku=$sku" -H "$ck"
n1=$(count '<tr class="')
next=$(printf '%s' "$body" | sed -n 's/.*id="older" href="\([^"]*\)".*/\1/p' | sed 's/&amp;/\&/g')
case "$n1 $next" in "50 /admin/sku?sku=$sku&before="*) ok "the first page has 50 events and a link to older ones" ;;
*) not_ok "the first page has 50 events and a link to older ones" "$n1 $next" ;; esac
case $body in *">batch 104<"*) ok "the newest movement is first" ;; *) not_ok "the newest movement is first" ;; esac
req GET "$next" -H "$ck"
n2=$(count '<tr class="')
case $body in *">batch 54<"*) ok "the second page goes on where the first stopped" ;; *) not_ok "the second page goes on where the first stopped" "$body" ;; esac
case $body in *">batch 55<"*|*"<svg"*) not_ok "the second page repeats nothing and has no chart" ;; *) ok "the second page repeats nothing and has no chart" ;; esac
next=$(printf '%s' "$body" | sed -n 's/.*id="older" href="\([^"]*\)".*/\1/p' | sed 's/&amp;/\&/g')
req GET "$next" -H "$ck"
n3=$(count '<tr class="')
total=$((n1 + n2 + n3))
[ "$total" = 106 ] && ok "the three pages hold all 106 events once" || not_ok "the three pages hold all 106 events once" "$n1 + $n2 + $n3"

# ---- the audit log ----
req GET "/admin/audit?sku=$sku" -H "$ck"
expect "the audit log filters by SKU" 200 'id="audit-table"'
a1=$(count '<tr class="audit-')
[ "$a1" = 100 ] && ok "a page of the audit log holds 100 events" || not_ok "a page of the audit log holds 100 events" "$a1"
next=$(printf '%s' "$body" | sed -n 's/.*id="audit-older" href="\([^"]*\)".*/\1/p' | sed 's/&amp;/\&/g')
req GET "$next" -H "$ck"
n2=$(count '<tr class="audit-')
case "$next $n2" in "/admin/audit?sku=$sku&before="*" 6") ok "the next audit page holds the other 6" ;;
*) not_ok "the next audit page holds the other 6" "$next $n2" ;; esac
case $body in *'class="audit-push"'*'>first<'*|*'class="audit-push"'*) ok "the oldest page has the push" ;;
*) not_ok "the oldest page has the push" "$body" ;; esac

req GET "/admin/audit?sku=$sku&kind=push" -H "$ck"
case "$(count 'class="audit-push"') $(count 'class="audit-movement"')" in
"1 0") ok "the kind filter shows pushes only" ;;
*) not_ok "the kind filter shows pushes only" "$body" ;; esac
req GET "/admin/audit?account=$acct_id&kind=push" -H "$ck"
case "$(count 'class="audit-push"')" in 1) ok "the channel filter shows that account's pushes" ;;
*) not_ok "the channel filter shows that account's pushes" "$acct_id" "$body" ;; esac
req GET "/admin/audit?sku=$sku&from=2099-01-01" -H "$ck"
expect "a time range with nothing in it says so" 200 'id="audit-empty"'
today=$(date -u +%Y-%m-%d)
req GET "/admin/audit?sku=$sku&kind=push&from=$today&to=$today" -H "$ck"
case "$(count 'class="audit-push"')" in 1) ok "today's range holds today's push" ;; *) not_ok "today's range holds today's push" ;; esac
req GET "/admin/audit?from=yesterday&sku=$sku" -H "$ck"
expect "a bad time is refused and named" 400 'id="audit-from-error"'
case $body in *'value="yesterday"'*) ok "the refused filter keeps what was typed" ;; *) not_ok "the refused filter keeps what was typed" ;; esac
req GET "/admin/audit?sku=$sku&before=1.x" -H "$ck"
expect "a broken audit page link is refused and says so" 400 "page link is broken"
req GET "/admin/audit?kind=nonsense" -H "$ck"
expect "an unknown kind is refused" 400 'id="audit-kind-error"'
req GET "/admin/audit?kind=signin" -H "$ck"
expect "sign-ins are in the audit log" 200 "$user"
req GET "/admin/audit"
expect "the audit log needs a session" 303

req GET "/admin/audit.csv?sku=$sku&kind=movement" -H "$ck"
has_header "the export is CSV" '^Content-Type: text/csv'
has_header "the export is a download" '^Content-Disposition: attachment'
lines=$(printf '%s\n' "$body" | tr -d '\r' | grep -c .)
[ "$lines" = 106 ] && ok "the export has a header and the 105 movements" || not_ok "the export has a header and the 105 movements" "$lines"
case $(printf '%s' "$body" | head -1 | tr -d '\r') in
time_utc,kind,what,sku,account_id,account,units,by,detail,reference) ok "the export names its columns" ;;
*) not_ok "the export names its columns" "$(printf '%s' "$body" | head -1)" ;; esac
case $body in *",\"'=HYPERLINK(\"\"x\"\"), kiln <b>\","*) ok "a formula-like field is quoted and defused" ;;
*) not_ok "a formula-like field is quoted and defused" "$body" ;; esac
case $body in *push*) not_ok "the export keeps the kind filter" ;; *) ok "the export keeps the kind filter" ;; esac
req GET "/admin/audit.csv?to=nope" -H "$ck"
expect "an export with a bad filter is refused" 400
req GET "/admin/audit.csv"
expect "the export needs a session" 303
finish
