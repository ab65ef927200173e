#!/bin/sh
# The browser tests (tests/browser/test_*.js, TAP from node) in Debian's
# headless Chromium, driven by playwright-core (pinned in tests/browser/
# package-lock.json, installed with `npm ci` when missing).
#
# Plain build only: under AddressSanitizer the same C code answers the
# same HTTP requests the curl tests already send through it, so the
# browser adds no sanitizer coverage there, only a minute or two of time.
# Screenshots go to $STOCKHUB_BUILD/screenshots (or $BROWSER_SHOTS).
here=$(cd "$(dirname "$0")/../browser" && pwd)

if ldd "$STOCKHUB_BUILD/bin/admin" 2>/dev/null | grep -q libasan; then
	echo "1..0 # SKIP the browser tests run with the plain build only"
	exit 0
fi
for cmd in node npm "${CHROMIUM:-/usr/bin/chromium}"; do
	if ! command -v "$cmd" > /dev/null 2>&1; then
		echo "not ok 1 - $cmd is installed (make deps installs it)"
		exit 1
	fi
done
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2 || {
		echo "not ok 1 - npm ci installs playwright-core for the browser tests"
		exit 1
	}
fi

rc=0
for f in "$here"/test_*.js; do
	[ -e "$f" ] || continue
	echo "# $(basename "$f")"
	node "$f" || rc=1
done
exit $rc
