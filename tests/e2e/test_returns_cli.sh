#!/bin/sh
# Returns from the command line: each condition, a kit's components,
# holding for inspection and deciding, and stock refused on a bundle.
. "$(dirname "$0")/lib.sh"

cli() { "$STOCKHUB_BUILD/bin/stockhub" "$@"; }
avail() { cli item show "$1" | sed -n 's/.*available=\([-0-9]*\).*/\1/p'; }

a="RET-A-$$"; b="RET-B-$$"; k="RET-KIT-$$"
cli item add "$a" > /dev/null && cli move "$a" receive 4 "in" > /dev/null &&
    cli item add "$b" > /dev/null && cli move "$b" receive 4 "in" > /dev/null &&
    cli item add "$k" > /dev/null &&
    cli bom set "$k" "$a:1" "$b:2" "a kit" > /dev/null &&
    ok "a kit of two components is set up" || not_ok "a kit of two components is set up"

out=$(cli move "$k" receive 3 "kits in" 2>&1)
case $out in *"'$k' is a bundle"*"components"*) ok "stock received on a bundle is refused, naming it" ;;
*) not_ok "stock received on a bundle is refused, naming it" "$out" ;; esac

req POST /api/v1/movements -H "Authorization: Bearer $(secret api_token)" \
    -H "Content-Type: application/json" -d \
    "{\"event_key\":\"ret-api-$$\",\"reason\":\"count\",\"lines\":[{\"sku\":\"$k\",\"kind\":\"count\",\"qty\":9}]}"
expect "the API refuses a count on a bundle, naming it" 400 "is a bundle"

out=$(cli return "$k" 1 --condition restock --reason "came back" --key "ret-$$-1" 2>&1)
[ "$(avail "$a")" = 5 ] && [ "$(avail "$b")" = 6 ] &&
    ok "a returned kit restocks its components" ||
    not_ok "a returned kit restocks its components" "$out"
out=$(cli return "$k" 1 --condition restock --reason "came back" --key "ret-$$-1" 2>&1)
case $out in *duplicate*) [ "$(avail "$a")" = 5 ] && ok "the same return twice counts once" ||
    not_ok "the same return twice counts once" "$out" ;;
*) not_ok "the same return twice counts once" "$out" ;; esac

out=$(cli return "$a" 2 --condition damaged --reason "cracked" 2>&1)
[ "$(avail "$a")" = 5 ] && ok "a damaged return is written off, never available" ||
    not_ok "a damaged return is written off, never available" "$out"

out=$(cli return "$k" 2 --condition inspect --reason "box open" 2>&1)
hold=$(echo "$out" | sed -n 's/.*as return \([0-9]*\);.*/\1/p')
[ -n "$hold" ] && [ "$(avail "$a")" = 5 ] &&
    ok "a return held for inspection is not available" ||
    not_ok "a return held for inspection is not available" "$out"
out=$(cli return held 2>&1)
case $out in *"$hold	$k	2 held of 2"*"box open"*) ok "held returns are listed" ;;
*) not_ok "held returns are listed" "$out" ;; esac
out=$(cli return decide "$hold" restock 1 --reason "fine" 2>&1)
[ "$(avail "$a")" = 6 ] && [ "$(avail "$b")" = 8 ] &&
    ok "deciding restock makes the held components available" ||
    not_ok "deciding restock makes the held components available" "$out"
out=$(cli return decide "$hold" damaged 2 --reason "scratched" 2>&1)
case $out in *"only 1"*) ok "deciding more than is held is refused" ;;
*) not_ok "deciding more than is held is refused" "$out" ;; esac
out=$(cli return decide "$hold" damaged --reason "scratched" 2>&1)
[ "$(avail "$a")" = 6 ] && ! cli return held | grep -q "^$hold	" &&
    ok "deciding damaged writes the rest off and ends the hold" ||
    not_ok "deciding damaged writes the rest off and ends the hold" "$out"

out=$(cli return "$a" 1 --condition maybe --reason "x" 2>&1)
case $out in *"restock, damaged or inspect"*) ok "an unknown condition is refused" ;;
*) not_ok "an unknown condition is refused" "$out" ;; esac
out=$(cli return "$a" 1 --condition restock 2>&1)
case $out in *"--reason is required"*) ok "a return without a reason is refused" ;;
*) not_ok "a return without a reason is refused" "$out" ;; esac
cli check > /dev/null 2>&1 && ok "the ledger agrees with its movements" ||
    not_ok "the ledger agrees with its movements"

finish
