#!/bin/sh
# The whole suite, once per build given (make test passes the plain build
# and the AddressSanitizer + UBSan build): unit tests, integration tests on
# a private MariaDB, end-to-end tests through a real nginx. Everything runs
# in a temporary directory that is removed, with its servers, even when a
# test fails or the run is interrupted. The last line is "N passed, M failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockhub-test.XXXXXX") || exit 1
cleanup() {
	tools/stack.sh stop "$tmp" > /dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export TAP_TALLY="$tmp/tally"
: > "$TAP_TALLY"
export STOCKHUB_CONFIG="$tmp/stockhub.conf"
# the public API specs the contract tests check against
export SPECS_DIR="${SPECS_DIR:-$top/../shared/specs}"
# sanitizers: stop at the first report, and say where
export ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# only the tests whose path contains $T, when it is set (while working on
# one module: T=etsy tests/run.sh build); make test sets nothing
keep() {
	[ -z "${T:-}" ] && return 0
	case $1 in *"$T"*) return 0 ;; esac
	return 1
}

# the test programs of a build directory (not their .o and .d files)
progs() {
	for f in "$1"/test_*; do
		case $f in *.o|*.d) continue ;; esac
		[ -x "$f" ] && keep "$f" && echo "$f"
	done
}

# the test scripts matching a glob
scripts() {
	for f in "$@"; do
		[ -e "$f" ] && keep "$f" && echo "$f"
	done
}

if ! tools/stack.sh db-start "$tmp" > "$tmp/db-start.log" 2>&1; then
	cat "$tmp/db-start.log"
	echo "not ok - the test MariaDB did not start"
	echo "0 passed, 1 failed"
	exit 1
fi

for build in "$@"; do
	echo "# suite with $build"
	STOCKHUB_CONFIG="$tmp/stockhub.conf" "$build/bin/stockhub" migrate > /dev/null ||
	    echo "1 1" >> "$TAP_TALLY"
	# every suite signs in from 127.0.0.1 and fails on purpose: the
	# previous suite's failures must not throttle this one's address
	mariadb --no-defaults --socket="$tmp/run/mysqld.sock" -e \
	    "DELETE FROM admin_login_attempts" \
	    "$(sed -n 's/^db_name *= *//p' "$tmp/stockhub.conf")" || true
	tests/tap.sh $(progs "$build/tests/unit") $(progs "$build/tests/integration")

	# a free port for nginx: try a few at random
	started=0
	for try in 1 2 3 4 5 6 7 8 9 10; do
		port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 ))
		if tools/stack.sh web-start "$tmp" "$port" "$build" > "$tmp/web.log" 2>&1; then
			started=1
			break
		fi
		tools/stack.sh web-stop "$tmp" > /dev/null 2>&1
	done
	if [ "$started" -ne 1 ]; then
		cat "$tmp/web.log" "$tmp/log/nginx-start.log" 2>/dev/null
		echo "not ok - nginx did not start"
		echo "0 1" >> "$TAP_TALLY"
		continue
	fi
	export STOCKHUB_URL="http://127.0.0.1:$port" STOCKHUB_STACK="$tmp" STOCKHUB_BUILD="$build"
	set -a; . "$tmp/sandbox.env"; set +a
	tests/tap.sh $(progs "$build/tests/e2e") $(scripts tests/e2e/test_*.sh)
	for f in $(scripts tests/contract/test_*.py); do
		tests/tap.sh "$f"
	done
	# stop first: leaks are reported when the programs exit; then a
	# sanitizer report from any FastCGI program fails the run too
	tools/stack.sh web-stop "$tmp" > /dev/null 2>&1
	if grep -l -E 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' \
	    "$tmp"/log/*.log > /dev/null 2>&1; then
		grep -h -A30 -E 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$tmp"/log/*.log
		echo "not ok - sanitizer report in a FastCGI program's log"
		echo "0 1" >> "$TAP_TALLY"
	fi
	for prog in "$build"/bin/*; do rm -f "$tmp/log/$(basename "$prog").log"; done
done

pass=0; fail=0
while read -r p f; do
	pass=$((pass + p)); fail=$((fail + f))
done < "$TAP_TALLY"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
