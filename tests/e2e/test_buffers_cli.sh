#!/bin/sh
# stockhub buffers: the recommendation per account and velocity class,
# next to the configured buffer, with its reason. (--apply queues a push
# of every listing in the database, so it is tested on a database of its
# own: tests/integration/test_bufrec.c.)
. "$(dirname "$0")/lib.sh"

cli() { "$STOCKHUB_BUILD/bin/stockhub" "$@"; }

sku="BUF-$$"
acct="buffers shop $$"
cli item add "$sku" "Vase" > /dev/null && cli move "$sku" receive 40 "kiln" > /dev/null ||
    not_ok "setup: item"
printf '{}' | cli account add ebay "$acct" http://127.0.0.1:9 "buf$$" --holdback-pct 10 > /dev/null 2>&1 ||
    not_ok "setup: account"
cli map "$acct" "$sku" "L$$" > /dev/null 2>&1 || not_ok "setup: map"

out=$(cli buffers 2>&1)
case $out in
*"$acct"*"<0.1/day"*"configured 10.00% / 0 units  recommended 0 units"*"holding 0"*)
	ok "buffers shows the recommendation next to the configured buffer" ;;
*)	not_ok "buffers shows the recommendation next to the configured buffer" "$out" ;;
esac

out=$(cli buffers 0 2>&1); rc=$?
if [ $rc -ne 0 ] && printf '%s' "$out" | grep -q "DAYS must be 1..366"; then
	ok "a bad window is refused with the reason"
else
	not_ok "a bad window is refused with the reason" "exit $rc" "$out"
fi
finish
