#!/bin/sh
# make sim: start a private MariaDB in a temporary directory, run the
# simulated month with the four policies, write bench/sim-results.json,
# bench/sim-report.md and its charts, and remove everything it started.
#   sim/run.sh [SIMULATOR] [simulator options...]
# The database lives in SIM_TMPDIR: by default /dev/shm when there is
# one (the simulator measures the hub's logic, not the disk's fsync;
# the server still runs with innodb_flush_log_at_trx_commit = 1), else
# $TMPDIR or /tmp.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
prog=${1:-build/simulator}
[ $# -gt 0 ] && shift

base=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
tmp=$(mktemp -d "${SIM_TMPDIR:-$base}/stockhub-sim.XXXXXX") || exit 1
cleanup() {
	tools/stack.sh stop "$tmp" > /dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! tools/stack.sh db-start "$tmp" > "$tmp/db-start.log" 2>&1; then
	cat "$tmp/db-start.log"
	echo "sim: the MariaDB did not start" >&2
	exit 1
fi
mkdir -p bench
STOCKHUB_CONFIG="$tmp/stockhub.conf" "$prog" --log "$tmp/hub.log" \
    --out bench "$@"
rc=$?
[ $rc -eq 2 ] && tail -20 "$tmp/hub.log" >&2
exit $rc
