#!/bin/sh
# The admin's returns page and BOM editor through nginx: a kit returned
# in each condition (its components restocked, written off or held), the
# held list and its decisions, a refused form keeping what was typed, the
# CSRF gate, hostile text rendered inert, the one-click restock of a
# refunded Etsy order, and the BOM editor showing a cycle on the form.
. "$(dirname "$0")/lib.sh"

cli() { "$STOCKHUB_BUILD/bin/stockhub" "$@"; }
avail() { cli item show "$1" | sed -n 's/.*available=\([-0-9]*\).*/\1/p'; }
sqlq() {
	mariadb --no-defaults --socket="$STOCKHUB_STACK/run/mysqld.sock" -N -e "$1" \
	    "$(sed -n 's/^db_name *= *//p' "$STOCKHUB_CONFIG")" 2>/dev/null
}
set_cookie() { printf '%s' "$headers" | tr -d '\r' | sed -n "s/^[Ss]et-[Cc]ookie: $1=\([^;]*\).*/\1/p" | head -1; }
field() { printf '%s' "$body" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -1; }
# the value of field $1 in the form that has a hidden field valued $2
form_field() { printf '%s' "$body" | tr '\n' ' ' | sed 's/<form/\n<form/g' | grep "value=\"$2\"" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -1; }

# a form token of this run (both builds' suites share one database)
tk() { printf '%056d%08x' "$1" "$$"; }

user="ret$$"
pw="correct horse battery $$"
printf '%s\n' "$pw" | cli user add "$user" > /dev/null
req GET /admin/login
pre=$(set_cookie __Host-pre)
tok=$(field pre)
req POST /admin/login -H "Cookie: __Host-pre=$pre" --data-urlencode "pre=$tok" \
    --data-urlencode "name=$user" --data-urlencode "password=$pw"
ck="Cookie: __Host-sid=$(set_cookie __Host-sid)"

a="AR-A-$$"; b="AR-B-$$"; k="AR-KIT-$$"
cli item add "$a" > /dev/null; cli move "$a" receive 3 in > /dev/null
cli item add "$b" > /dev/null; cli move "$b" receive 3 in > /dev/null
cli item add "$k" > /dev/null; cli bom set "$k" "$a:1" "$b:1" kit > /dev/null

req GET /admin/returns -H "$ck"
expect "the returns page shows the return form" 200 'Return received'
csrf=$(field csrf)
token=$(form_field token receive)

ret() {
	req POST /admin/returns -H "$ck" --data-urlencode action=receive \
	    --data-urlencode "token=$1" --data-urlencode "sku=$2" \
	    --data-urlencode "qty=$3" --data-urlencode "condition=$4" \
	    --data-urlencode "reason=$5" ${6:+--data-urlencode "csrf=$6"}
}
ret "$token" "$k" 1 restock "came back"
expect "a return without the CSRF token is refused" 403
[ "$(avail "$a")" = 3 ] && ok "a refused return moved nothing" || not_ok "a refused return moved nothing"

ret "$token" "$k" 1 restock "came back" "$csrf"
case $status$headers in 303*"done=restock"*) ok "a restocked kit return redirects with a notice" ;;
*) not_ok "a restocked kit return redirects with a notice" "$status" "$headers" "$body" ;; esac
[ "$(avail "$a")" = 4 ] && [ "$(avail "$b")" = 4 ] &&
    ok "a returned kit restocks its components" || not_ok "a returned kit restocks its components"
ret "$token" "$k" 1 restock "came back" "$csrf"
case $headers in *"done=duplicate"*) ok "the same return form twice counts once" ;;
*) not_ok "the same return form twice counts once" "$headers" ;; esac
[ "$(avail "$a")" = 4 ] || not_ok "the duplicate moved nothing"
rows=$(sqlq "SELECT COUNT(*) FROM ledger_events WHERE event_key = 'admin:$token' AND source = 'admin:$user'")
[ "$rows" = 1 ] && ok "the return is in the ledger under the user's name" ||
    not_ok "the return is in the ledger under the user's name" "rows: $rows"

xss='<script>alert(1)</script>'
token2=$(tk 2)
ret "$token2" "$k" 0 restock "$xss" "$csrf"
case $status$body in 400*"at least 1"*'&lt;script&gt;alert(1)&lt;/script&gt;'*) ok "a refused return keeps what was typed, escaped, and says why" ;;
*) not_ok "a refused return keeps what was typed, escaped, and says why" "$status" ;; esac
case $body in *"<script>alert"*) not_ok "no typed text is echoed raw" ;; *) ok "no typed text is echoed raw" ;; esac

ret "$(tk 3)" "$k" 1 damaged "cracked in the post" "$csrf"
[ "$(avail "$a")" = 4 ] && [ "$(sqlq "SELECT COUNT(*) FROM stock_movements m JOIN stock_items i ON i.id = m.item_id WHERE i.sku = '$a' AND m.kind = 'write_off'")" = 1 ] &&
    ok "a damaged return is written off, never available" ||
    not_ok "a damaged return is written off, never available"

ret "$(tk 4)" "$k" 2 inspect "$xss" "$csrf"
[ "$(avail "$a")" = 4 ] && ok "an inspected return is held, not available" ||
    not_ok "an inspected return is held, not available"
req GET "/admin/stock?sku=$a" -H "$ck"
case $body in *'id="held-units"'*'held for inspection'*'id="return-link"'*) ok "the stock page says units are held and links to a return" ;;
*) not_ok "the stock page says units are held and links to a return" "$body" ;; esac
req GET "/admin/returns?sku=$a" -H "$ck"
case $body in *'id="ret-sku"'*"value=\"$a\""*) ok "the return form starts with the SKU it came from" ;;
*) not_ok "the return form starts with the SKU it came from" "$body" ;; esac
req GET /admin/returns -H "$ck"
hold=$(form_field hold decide)
case $body in *"Held for inspection"*"$k"*'&lt;script&gt;'*) ok "the held units are listed with their reason, escaped" ;;
*) not_ok "the held units are listed with their reason, escaped" "$body" ;; esac
dtok=$(form_field token decide)
decide() {
	req POST /admin/returns -H "$ck" --data-urlencode action=decide \
	    --data-urlencode "token=$1" --data-urlencode "hold=$hold" \
	    --data-urlencode "qty=$2" --data-urlencode "condition=$3" \
	    --data-urlencode "reason=looked at it" --data-urlencode "csrf=$csrf"
}
decide "$dtok" 5 restock
case $status$body in 409*"Not decided"*"only 2"*) ok "deciding more than is held is refused on the page" ;;
*) not_ok "deciding more than is held is refused on the page" "$status" ;; esac
decide "$dtok" 1 restock
[ "$(avail "$a")" = 5 ] && [ "$(avail "$b")" = 5 ] &&
    ok "deciding restock makes the held components available" ||
    not_ok "deciding restock makes the held components available" "$status"
decide "$(tk 5)" 1 damaged
[ "$(avail "$a")" = 5 ] && [ "$(sqlq "SELECT decided_at IS NOT NULL FROM return_holds WHERE id = $hold")" = 1 ] &&
    ok "deciding damaged writes the last one off and ends the hold" ||
    not_ok "deciding damaged writes the last one off and ends the hold"

# a refunded Etsy order: the alert's one-click restock, for a kit line
acct=$(printf '{}' | cli account add etsy "ret etsy $$" http://127.0.0.1:9 "77$$" 2>&1 | sed -n 's/.*account \([0-9]*\).*/\1/p')
[ -z "$acct" ] && acct=$(sqlq "SELECT id FROM channel_accounts WHERE name = 'ret etsy $$'")
sqlq "INSERT INTO channel_order_lines (account_id, ext_order, ext_line, item_id, qty, shipped)
    SELECT $acct, 'R$$', 'T$$', id, 1, 1 FROM stock_items WHERE sku = '$k';
  INSERT INTO order_line_parts (line_id, item_id, qty) SELECT ol.id, i.id, 1 FROM channel_order_lines ol, stock_items i
    WHERE ol.ext_line = 'T$$' AND i.sku IN ('$a', '$b');
  INSERT INTO alerts (kind, dedupe_key, account_id, message, details)
    VALUES ('etsy_refund', 'etsy_refund:$acct:R$$', $acct, 'refunded', '')"
req GET /admin/returns -H "$ck"
case $body in *"Refunded on Etsy"*"R$$"*"$k"*) ok "a refunded Etsy order is offered for restocking" ;;
*) not_ok "a refunded Etsy order is offered for restocking" "$body" ;; esac
rtok=$(printf '%s' "$body" | tr '\n' ' ' | sed 's/<form/\n<form/g' | grep "value=\"T$$\"" | sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' | head -1)
req POST /admin/returns -H "$ck" --data-urlencode action=receive --data-urlencode "token=$rtok" \
    --data-urlencode "account=$acct" --data-urlencode "line=T$$" --data-urlencode qty=1 \
    --data-urlencode condition=restock --data-urlencode "reason=Etsy refund, receipt R$$" \
    --data-urlencode "csrf=$csrf"
[ "$(avail "$a")" = 6 ] && [ "$(avail "$b")" = 6 ] &&
    ok "one click restocks the refunded kit's components" ||
    not_ok "one click restocks the refunded kit's components" "$status" "$body"
req POST /admin/returns -H "$ck" --data-urlencode action=receive --data-urlencode "token=$rtok" \
    --data-urlencode "account=$acct" --data-urlencode "line=T$$" --data-urlencode qty=1 \
    --data-urlencode condition=restock --data-urlencode "reason=Etsy refund, receipt R$$" \
    --data-urlencode "csrf=$csrf"
case $headers in *"done=duplicate"*) [ "$(avail "$a")" = 6 ] && ok "the one click sent twice counts once" ||
    not_ok "the one click sent twice counts once" ;;
*) not_ok "the one click sent twice counts once" "$headers" ;; esac
[ "$(sqlq "SELECT resolved_at IS NOT NULL FROM alerts WHERE dedupe_key = 'etsy_refund:$acct:R$$'")" = 1 ] &&
    ok "the refund alert closes when nothing is left to return" ||
    not_ok "the refund alert closes when nothing is left to return"

# the BOM editor
req GET "/admin/bom?sku=$k" -H "$ck"
expect "the BOM editor shows the kit's components" 200 "$a:1"
req POST /admin/bom -H "$ck" --data-urlencode "sku=$a" --data-urlencode kind=bundle \
    --data-urlencode "components=$k:1" --data-urlencode "reason=oops" --data-urlencode "csrf=$csrf"
case $status$body in 409*"$a"*"$k"*'name="reason" required maxlength="255" value="oops"'*) ok "a cycle is refused on the form, naming it, keeping what was typed" ;;
*) not_ok "a cycle is refused on the form, naming it, keeping what was typed" "$status" "$body" ;; esac
req POST /admin/bom -H "$ck" --data-urlencode "sku=$k" --data-urlencode kind=bundle \
    --data-urlencode "components=$a:1
$b : 2" --data-urlencode "reason=two of b now" --data-urlencode "csrf=$csrf"
case $status$headers in 303*"done=saved"*) ok "a BOM edit is saved" ;; *) not_ok "a BOM edit is saved" "$status" "$body" ;; esac
out=$(cli bom show "$k")
case $out in *"$b x 2"*) ok "the edit changed the components" ;; *) not_ok "the edit changed the components" "$out" ;; esac
[ "$(sqlq "SELECT COUNT(*) FROM bom_audit a JOIN stock_items i ON i.id = a.parent_id WHERE i.sku = '$k' AND a.actor = 'admin:$user' AND a.reason = 'two of b now'")" = 1 ] &&
    ok "the BOM edit records who and why" || not_ok "the BOM edit records who and why"
req POST /admin/bom -H "$ck" --data-urlencode "sku=$k" --data-urlencode kind=bundle \
    --data-urlencode "components=$a" --data-urlencode "reason=x"
expect "a BOM edit without the CSRF token is refused" 403

# stock received on the kit from the stock page: refused, naming it
req GET "/admin/stock?sku=$k" -H "$ck"
stok=$(form_field token receive)
req POST /admin/stock -H "$ck" --data-urlencode "sku=$k" --data-urlencode action=receive \
    --data-urlencode qty=2 --data-urlencode reason=in --data-urlencode "token=$stok" \
    --data-urlencode "csrf=$csrf"
case $status$body in 400*"is a bundle"*) ok "the stock page refuses stock received on a bundle" ;;
*) not_ok "the stock page refuses stock received on a bundle" "$status" ;; esac

finish
