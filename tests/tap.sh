#!/bin/sh
# Run test programs that speak TAP (cmocka with CMOCKA_MESSAGE_OUTPUT=TAP,
# or our shell tests), echo their output, and count "ok" / "not ok" lines.
# A program that exits non-zero without reporting a failure (a crash, a
# sanitizer report) counts as one failure. Appends "passed failed" to
# $TAP_TALLY when set; prints "N passed, M failed" when not.
pass=0; fail=0
for prog in "$@"; do
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$prog" 2>&1); rc=$?
	printf '%s\n' "$out" | sed "s|^|[$(basename "$prog")] |"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $(basename "$prog") exited with status $rc"
		f=1
	fi
	pass=$((pass + p)); fail=$((fail + f))
done
if [ -n "$TAP_TALLY" ]; then
	echo "$pass $fail" >> "$TAP_TALLY"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
