# Shared helpers of the end-to-end tests: TAP output and HTTP through curl.
# The tests run against the nginx that tests/run.sh started
# ($STOCKHUB_URL) and its stack directory ($STOCKHUB_STACK).
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# req METHOD PATH [curl args...]: sets $status, $body, $headers
req() {
	method=$1; path=$2; shift 2
	out=$(mktemp)
	hdr=$(mktemp)
	status=$(curl -s -o "$out" -D "$hdr" -w '%{http_code}' -X "$method" \
	    --max-time 20 "$@" "$STOCKHUB_URL$path")
	body=$(cat "$out")
	headers=$(cat "$hdr")
	rm -f "$out" "$hdr"
}

# expect NAME STATUS [SUBSTRING-OF-BODY]
expect() {
	name=$1; want=$2; sub=${3:-}
	if [ "$status" != "$want" ]; then
		not_ok "$name" "status $status, wanted $want" "body: $body"
	elif [ -n "$sub" ] && ! printf '%s' "$body" | grep -qF -- "$sub"; then
		not_ok "$name" "body lacks: $sub" "body: $body"
	else
		ok "$name"
	fi
}

# has_header NAME REGEX
has_header() {
	if printf '%s' "$headers" | tr -d '\r' | grep -qiE "$2"; then
		ok "$1"
	else
		not_ok "$1" "no header matching $2" "$headers"
	fi
}

secret() { sed -n "s/^$1 *= *//p" "$STOCKHUB_STACK/secrets.conf"; }

# one value from the stack's database (the test's own checks, never the
# product's way in)
sql() {
	mariadb --no-defaults --socket="$STOCKHUB_STACK/run/mysqld.sock" -N -e "$1" \
	    "$(sed -n 's/^db_name *= *//p' "$STOCKHUB_CONFIG")" 2>/dev/null
}
# Refill the sandbox Shopify shop's cost bucket: one shop serves every
# test, and a test that just mapped thousands of SKUs leaves it drained.
shopify_bucket_full() {
	curl -s -o /dev/null -X POST "$SANDBOX_SHOPIFY_URL/_sandbox/config" \
	    -d '{"throttle":{"currently_available":1000}}'
}
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; }
