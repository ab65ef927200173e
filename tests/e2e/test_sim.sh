#!/bin/sh
# The oversell simulator on a short seed (a benchmark elsewhere; here only
# its invariants): every policy runs the hub's code on its own database,
# and at the end no order line is lost or applied twice, the ledger
# equals the simulated truth, and every balance equals its movements.
. "$(dirname "$0")/lib.sh"

sim="${STOCKHUB_BUILD:-build}/simulator"
out=$(mktemp -d)
log="$out/run.log"
"$sim" --days 2 --skus 10 --orders 40 --viral-day 1 --seed 7 \
    --out "$out" --log "$out/hub.log" > "$log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^invariants: ok' "$log"; then
	ok "simulator exits 0 with its invariants holding"
else
	not_ok "simulator exits 0 with its invariants holding" "exit $rc" \
	    "$(cat "$log")" "$(tail -5 "$out/hub.log" 2>/dev/null)"
fi
for p in batch15 poll2 static recommended; do
	line=$(grep "^$p " "$log")
	case $line in
	*"invariants: ledger 0, truth 0, missing 0, doubled 0"*)
		ok "$p: ledger = movements = truth, no line lost or doubled" ;;
	*)	not_ok "$p: ledger = movements = truth, no line lost or doubled" \
		    "${line:-no result line}" ;;
	esac
	orders=$(printf '%s' "$line" | sed -n 's/^[a-z0-9]* *orders \([0-9]*\) .*/\1/p')
	if [ "${orders:-0}" -gt 20 ]; then
		ok "$p: buyers bought ($orders orders)"
	else
		not_ok "$p: buyers bought" "$line"
	fi
done
# the hub's policies get Shopify webhooks with duplicates and polls with
# an overlap: repeats reached the ledger and were refused
dups=$(grep '^static ' "$log" | sed -n 's/.*dups \([0-9]*\).*/\1/p')
if [ "${dups:-0}" -gt 0 ]; then
	ok "repeated deliveries reached the ledger and were refused ($dups)"
else
	not_ok "repeated deliveries reached the ledger and were refused" \
	    "$(grep '^static ' "$log")"
fi
if [ -s "$out/sim-results.json" ] && grep -q '"sim.oversold_units.recommended"' "$out/sim-results.json" &&
    grep -q '<svg' "$out/sim-hidden.svg"; then
	ok "results JSON and charts written"
else
	not_ok "results JSON and charts written" "$(ls "$out")"
fi
rm -rf "$out"
finish
