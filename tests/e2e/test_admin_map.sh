#!/bin/sh
# The SKU map pages through nginx and the command line: list and search,
# the CSV export and an import that round-trips byte for byte, a conflict
# resolved by the seller, duplicates refused by row, stale forms refused
# with what was typed kept, CSRF and cross-site refusals, and the CLI's
# map, stock, status and tick commands.
. "$(dirname "$0")/lib.sh"

cli() { "$STOCKHUB_BUILD/bin/stockhub" "$@"; }

user="map$$"
pw="correct horse battery map $$"
sku="MAP-$$"
other="MAP-$$-B"
acct="Map shop $$"
tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT

set_cookie() { printf '%s' "$headers" | tr -d '\r' | sed -n "s/^[Ss]et-[Cc]ookie: $1=\([^;]*\).*/\1/p" | head -1; }
field() { printf '%s' "$body" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -1; }
# the index of the proposal whose table row contains $1
prop() { printf '%s' "$body" | grep -F -- "$1" | sed -n 's/.*name="p\([0-9]*\)".*/\1/p' | head -1; }
# a byte-exact download of $1 into $2
download() { curl -s -o "$2" -w '%{http_code}' -H "$ck" "$STOCKHUB_URL$1"; }
# The header and this test's own records of a map CSV ($1), byte for byte
# (records may span lines): the suite's database holds every other
# test's map too, far more than one web form may carry.
mine() {
	python3 -c '
import csv, io, sys
raw = open(sys.argv[1], newline="", encoding="utf-8").read()
took = []
def lines():
	for l in io.StringIO(raw, newline=""):
		took.append(l)
		yield l
out = []
for i, rec in enumerate(csv.reader(lines())):
	if i == 0 or rec[0].startswith(tuple(sys.argv[2:])):
		out.append("".join(took))
	del took[:]
sys.stdout.write("".join(out))
' "$1" "MAP-$$" "zzmap-$$"
}

printf '%s\n' "$pw" | cli user add "$user" > /dev/null
req GET /admin/login
pre=$(set_cookie __Host-pre)
tok=$(field pre)
req POST /admin/login -H "Cookie: __Host-pre=$pre" --data-urlencode "pre=$tok" \
    --data-urlencode "name=$user" --data-urlencode "password=$pw"
sid=$(set_cookie __Host-sid)
ck="Cookie: __Host-sid=$sid"
[ -n "$sid" ] && ok "signed in" || not_ok "signed in" "status $status"

# ---- the command line ----
cli item add "$sku" "Mug $$" > /dev/null && cli item add "$other" "Bowl $$" > /dev/null
# eBay: no adapter polls it, so the listing stays a row in the map
cli account add ebay "$acct" http://127.0.0.1:9 "shop$$" < /dev/null > /dev/null
cli map "$acct" "$sku" "77$$" "Color=Red" > /dev/null &&
    ok "a listing is mapped from the command line" ||
    not_ok "a listing is mapped from the command line"

out=$(cli receive "$sku" 5 --reason "kiln batch" 2>&1)
case $out in *"on_hand=5"*) ok "stockhub receive adds units with a reason" ;;
*) not_ok "stockhub receive adds units with a reason" "$out" ;; esac
out=$(cli count "$sku" 3 --reason "shelf count" 2>&1)
case $out in *"on_hand=3"*) ok "stockhub count sets on hand" ;;
*) not_ok "stockhub count sets on hand" "$out" ;; esac
out=$(cli receive "$sku" 5 2>&1); rc=$?
[ $rc -ne 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && case $out in *"--reason"*) true ;; *) false ;; esac &&
    ok "receive without a reason fails with a one-line reason" ||
    not_ok "receive without a reason fails with a one-line reason" "rc $rc" "$out"
out=$(cli status --json 2>&1)
if printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["items"]>=2 and "outbox_depth" in d and "open_alerts" in d and any(a["name"]==sys.argv[1] and a["listings"]==1 for a in d["accounts"])' "$acct"; then
	ok "stockhub status --json reports items, accounts, the outbox and alerts"
else
	not_ok "stockhub status --json reports items, accounts, the outbox and alerts" "$out"
fi
out=$(cli tick 2>&1); rc=$?
case $out in *"push:"*"claimed"*) [ $rc -eq 0 ] && ok "stockhub tick runs one tick" || not_ok "stockhub tick runs one tick" "$out" ;;
*) not_ok "stockhub tick runs one tick" "rc $rc" "$out" ;; esac
out=$(cli frobnicate 2>&1); rc=$?
[ $rc -eq 2 ] && case $out in *"usage: stockhub"*"map import"*) true ;; *) false ;; esac &&
    ok "an unknown command prints the usage and exits 2" ||
    not_ok "an unknown command prints the usage and exits 2" "rc $rc"

# ---- list and search ----
req GET /admin/map -H "$ck"
expect "the SKU map page shows" 200 "Download the map as CSV"
req GET "/admin/map?q=$sku" -H "$ck"
expect "the SKU map lists the items" 200 ">$sku</a>"
{
	printf 'sku,title,account,ext_listing,ext_variant,ext_location,channel_sku\r\n'
	for i in $(seq 10 64); do printf 'PG-%s-%s,page test,,,,,\r\n' "$$" "$i"; done
} > "$tmpd/pages.csv"
cli map import "$tmpd/pages.csv" > /dev/null
req GET "/admin/map?q=PG-$$-" -H "$ck"
case $body in *"PG-$$-60"*) not_ok "the list shows 50 a page" "$body" ;;
*"PG-$$-10"*"PG-$$-59"*"55 item(s)"*"page 1 of 2"*'rel="next"'*) ok "the list shows 50 a page" ;;
*) not_ok "the list shows 50 a page" "$body" ;; esac
req GET "/admin/map?q=PG-$$-&page=2" -H "$ck"
case $body in *"PG-$$-59"*) not_ok "the second page has the rest" "$body" ;;
*"PG-$$-60"*"PG-$$-64"*'rel="prev"'*) ok "the second page has the rest" ;;
*) not_ok "the second page has the rest" "$body" ;; esac
case $body in *'<label for="map-q">'*'id="map-q"'*) ok "the search field is labelled" ;;
*) not_ok "the search field is labelled" "$body" ;; esac
req GET "/admin/map?q=map-$$-b" -H "$ck"
case $body in *"$other"*"1 item(s)"*) ok "search finds a SKU by part, ignoring case" ;;
*) not_ok "search finds a SKU by part, ignoring case" "$body" ;; esac
req GET "/admin/map?q=%25" -H "$ck"
expect "a % in the search is taken literally" 200 "0 item(s)"
req GET /admin/map
expect "the SKU map refuses an anonymous visitor" 303

# ---- export, and an import that gives the same bytes back ----
st=$(download /admin/map/export "$tmpd/e1.csv")
req GET /admin/map/export -H "$ck"
if [ "$st" = 200 ] && printf '%s' "$headers" | grep -qi '^Content-Type: text/csv' &&
    printf '%s' "$headers" | grep -qi '^Content-Disposition: attachment'; then
	ok "the export is a CSV download"
else
	not_ok "the export is a CSV download" "status $st" "$headers"
fi
cli map export "$tmpd/c1.csv" 2> /dev/null
cmp -s "$tmpd/e1.csv" "$tmpd/c1.csv" && ok "the web and the CLI export the same bytes" ||
    not_ok "the web and the CLI export the same bytes"
grep -q "^$sku,Mug $$,$acct,77$$,Color=Red,,$sku" "$tmpd/e1.csv" &&
    ok "the export has the item's listing" || not_ok "the export has the item's listing" "$(cat "$tmpd/e1.csv")"

# new rows with hostile fields, sorting after everything else
mine "$tmpd/e1.csv" > "$tmpd/in.csv"
printf 'zzmap-%s-1,"Caf\303\251 mug, ""big"" \342\230\225\nsecond line",,,,,\r\n' "$$" >> "$tmpd/in.csv"
printf 'zzmap-%s-2,<b>bold</b>,%s,88%s,,, zz \r\n' "$$" "$acct" "$$" >> "$tmpd/in.csv"
printf 'zzmap-%s-2,<b>bold</b>,%s,89%s,,, zz \r\n' "$$" "$acct" "$$" >> "$tmpd/in.csv"
sed -i 's/, zz \r$/," zz "\r/' "$tmpd/in.csv"
req POST /admin/map/import -H "$ck" -F "csrf=" -F step=review -F source=hub -F "file=@$tmpd/in.csv"
expect "an import without the CSRF token is refused" 403
req GET /admin/map/import -H "$ck"
csrf=$(field csrf)
case $body in *'<label for="import-file">'*'<label for="import-csv">'*) ok "the import form's fields are labelled" ;;
*) not_ok "the import form's fields are labelled" "$body" ;; esac
req POST /admin/map/import -H "$ck" -F "csrf=$csrf" -F step=review -F source=hub -F "file=@$tmpd/in.csv"
expect "the import is reviewed before anything changes" 200 "Apply the chosen changes"
case $body in *"new item"*"zzmap-$$-1"*|*"zzmap-$$-1"*"new item"*) ok "the review proposes the new items" ;;
*) not_ok "the review proposes the new items" "$body" ;; esac
case $body in *"<b>bold"*) not_ok "CSV values are escaped on the review page" ;;
*"&lt;b&gt;bold"*) ok "CSV values are escaped on the review page" ;;
*) not_ok "CSV values are escaped on the review page" "$body" ;; esac
ver=$(field hub_version); b64=$(field csv_b64)
set -- -F "csrf=$csrf" -F step=apply -F source=hub -F "hub_version=$ver" -F "csv_b64=$b64"
for i in $(printf '%s' "$body" | sed -n 's/.*name="p\([0-9]*\)" value="yes".*/\1/p'); do
	set -- "$@" -F "p$i=yes"
done
req POST /admin/map/import -H "$ck" -H "Origin: http://evil.example" "$@"
expect "a cross-site import is refused" 403
req POST /admin/map/import -H "$ck" "$@"
if [ "$status" = 303 ] && printf '%s' "$headers" | grep -qi '^Location: /admin/map?done=import&items=2&titles=0&added=2'; then
	ok "the confirmed import is applied"
else
	not_ok "the confirmed import is applied" "status $status" "$headers" "$body"
fi
download /admin/map/export "$tmpd/all2.csv" > /dev/null
mine "$tmpd/all2.csv" > "$tmpd/e2.csv"
cmp -s "$tmpd/in.csv" "$tmpd/e2.csv" && ok "export after import gives the imported bytes back exactly" ||
    not_ok "export after import gives the imported bytes back exactly" "$(diff "$tmpd/in.csv" "$tmpd/e2.csv" | head -20)"
req POST /admin/map/import -H "$ck" -F "csrf=$csrf" -F step=review -F source=hub -F "file=@$tmpd/e2.csv"
expect "importing the export again changes nothing" 200 "Nothing to change"
out=$(cli map import "$tmpd/e2.csv" 2>&1)
case $out in *"0 proposal(s), 0 conflict(s)"*) ok "the CLI import of the same file changes nothing" ;;
*) not_ok "the CLI import of the same file changes nothing" "$out" ;; esac

# ---- a conflict resolved by the seller ----
{
	head -1 "$tmpd/e2.csv"
	printf '%s,Mug renamed %s,,,,,\r\n' "$sku" "$$"
	printf '%s,Bowl %s,%s,77%s,Color=Red,,%s\r\n' "$other" "$$" "$acct" "$$" "$other"
} > "$tmpd/conflict.csv"
out=$(cli map import "$tmpd/conflict.csv" 2>&1); rc=$?
case $out in *"CONFLICT title of $sku"*"2 conflict(s): choose --conflicts"*) [ $rc -ne 0 ] && ok "the CLI refuses conflicts without a choice" || not_ok "the CLI refuses conflicts without a choice" "rc $rc" ;;
*) not_ok "the CLI refuses conflicts without a choice" "rc $rc" "$out" ;; esac
req POST /admin/map/import -H "$ck" -F "csrf=$csrf" -F step=review -F source=hub -F "file=@$tmpd/conflict.csv"
case $body in *"Conflicts"*"Mug renamed $$"*"Mug $$"*) ok "a conflict is shown side by side" ;;
*) not_ok "a conflict is shown side by side" "$body" ;; esac
ti=$(prop "<td>title</td>"); li=$(prop "<td>listing 77$$")
ver=$(field hub_version); b64=$(field csv_b64)
req POST /admin/map/import -H "$ck" -F "csrf=$csrf" -F step=apply -F source=hub \
    -F "hub_version=$ver" -F "csv_b64=$b64" -F "p$ti=csv" -F "p$li=hub"
[ "$status" = 303 ] && ok "the seller's choices are applied" || not_ok "the seller's choices are applied" "status $status" "ti=$ti li=$li" "$body"
out=$(cli map export 2>/dev/null | grep "77$$")
case $out in "$sku,Mug renamed $$,$acct,77$$,Color=Red,,$sku"*) ok "the CSV's title was taken and the hub's listing kept" ;;
*) not_ok "the CSV's title was taken and the hub's listing kept" "$out" ;; esac

# ---- stale import, duplicates, channel exports ----
req POST /admin/map/import -H "$ck" -F "csrf=$csrf" -F step=review -F source=hub -F "file=@$tmpd/conflict.csv"
ver=$(field hub_version); b64=$(field csv_b64); li=$(prop "<td>listing 77$$")
cli item add "MAP-$$-LATE" "late" > /dev/null
req POST /admin/map/import -H "$ck" -F "csrf=$csrf" -F step=apply -F source=hub \
    -F "hub_version=$ver" -F "csv_b64=$b64" -F "p$li=csv"
expect "an import reviewed before the map changed is refused" 409 "changed after you reviewed"
out=$(cli map export 2>/dev/null | grep "77$$")
case $out in "$sku,"*) ok "the refused import changed nothing" ;; *) not_ok "the refused import changed nothing" "$out" ;; esac

printf 'TITLE,PRICE,SKU\nMug,1.00,DUP-%s\nScarf,2.00,OK-%s\nMug again,1.00,DUP-%s\n' "$$" "$$" "$$" > "$tmpd/dup.csv"
req POST /admin/map/import -H "$ck" -F "csrf=$csrf" -F step=review -F source=etsy -F "file=@$tmpd/dup.csv"
expect "duplicate SKUs are refused with both rows named" 422 "is in row 2 and again in row 4"
out=$(cli map import "$tmpd/dup.csv" --source etsy 2>&1); rc=$?
case $out in *"row 2 and again in row 4"*"import refused"*) [ $rc -ne 0 ] && ok "the CLI refuses duplicates naming the rows" || not_ok "the CLI refuses duplicates naming the rows" ;;
*) not_ok "the CLI refuses duplicates naming the rows" "$out" ;; esac

data="$(dirname "$0")/../data"
req POST /admin/map/import -H "$ck" -F "csrf=$csrf" -F step=review -F source=etsy -F "file=@$data/etsy-listings.csv"
expect "Etsy's listings download is read" 200 "SCARF-WOOL-BLUE"
out=$(cli map import "$data/shopify-products.csv" --source shopify --dry-run 2>&1)
case $out in *"row 5: new item scarf-wool-green"*) ok "Shopify's export is read; a SKU differing in case is not matched" ;;
*) not_ok "Shopify's export is read; a SKU differing in case is not matched" "$out" ;; esac
req POST /admin/map/import -H "$ck" -F "csrf=$csrf" -F step=review -F source=hub --form-string "csv=sku,title
\"broken"
expect "a broken paste is refused and kept in the form" 422 "broken</textarea>"

# ---- an item's listings: edit, typed values kept, stale forms refused ----
req GET "/admin/map/item?sku=$other" -H "$ck"
expect "an item's map page shows" 200 '<label for="map-ext-listing">'
mv=$(field map_version)
req POST /admin/map/item -H "$ck" --data-urlencode "csrf=$csrf" --data-urlencode action=add \
    --data-urlencode "sku=$other" --data-urlencode "map_version=$mv" --data-urlencode "account=$acct" \
    --data-urlencode "ext_listing=12 3" --data-urlencode "ext_variant=Size=L"
case $body in *'id="map-ext-listing" name="ext_listing"'*'value="12 3" aria-invalid="true"'*'value="Size=L"'*)
	[ "$status" = 400 ] && ok "a wrong field is named and what was typed is kept" || not_ok "a wrong field is named and what was typed is kept" "status $status" ;;
*) not_ok "a wrong field is named and what was typed is kept" "status $status" "$body" ;; esac
req POST /admin/map/item -H "$ck" --data-urlencode "csrf=$csrf" --data-urlencode action=add \
    --data-urlencode "sku=$other" --data-urlencode "map_version=$mv" --data-urlencode "account=$acct" \
    --data-urlencode "ext_listing=90$$" --data-urlencode "ext_variant=Size=L"
expect "a listing is added from the item's page" 303
req POST /admin/map/item -H "$ck" --data-urlencode "csrf=$csrf" --data-urlencode action=add \
    --data-urlencode "sku=$other" --data-urlencode "map_version=$mv" --data-urlencode "account=$acct" \
    --data-urlencode "ext_listing=91$$" --data-urlencode "ext_variant=Size=XL"
case $body in *"changed after you opened"*'value="91'$$'"'*) [ "$status" = 409 ] && ok "a form saved against changed data is refused, typed values kept" || not_ok "a form saved against changed data is refused, typed values kept" "status $status" ;;
*) not_ok "a form saved against changed data is refused, typed values kept" "status $status" "$body" ;; esac
req GET "/admin/map/item?sku=$other" -H "$ck"
lid=$(printf '%s' "$body" | sed -n 's/.*name="listing" value="\([0-9]*\)".*/\1/p' | head -1)
mv=$(field map_version)
req POST /admin/map/item -H "$ck" --data-urlencode "csrf=bad$csrf" --data-urlencode action=remove \
    --data-urlencode "sku=$other" --data-urlencode "map_version=$mv" --data-urlencode "listing=$lid"
expect "a removal without the right CSRF token is refused" 403
req POST /admin/map/item -H "$ck" --data-urlencode "csrf=$csrf" --data-urlencode action=remove \
    --data-urlencode "sku=$other" --data-urlencode "map_version=$mv" --data-urlencode "listing=$lid"
expect "a listing is removed" 303
req GET "/admin/map/item?sku=$other" -H "$ck"
expect "the removed listing is gone" 200 "not on any channel yet"

finish
