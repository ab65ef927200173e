#!/bin/sh
# End to end through nginx: health, the JSON API, and bad input of every
# kind getting a clear JSON error with the request id.
. "$(dirname "$0")/lib.sh"

token=$(secret api_token)
auth="Authorization: Bearer $token"
json="Content-Type: application/json"
sku="E2E-$$"

latest=$(ls sql | sed -n 's/^0*\([0-9][0-9]*\)_.*\.sql$/\1/p' | sort -n | tail -1)
req GET /healthz
expect "healthz answers ok with the latest schema version" 200 "\"schema_version\":$latest"
has_header "every response carries a request id" '^X-Request-Id: [0-9a-f]{32}$'
has_header "security headers are set" "^Content-Security-Policy: .*frame-ancestors 'none'"
has_header "nosniff is set" '^X-Content-Type-Options: nosniff'

req POST /api/v1/items -H "$json" -d "{\"sku\":\"$sku\"}"
expect "the API refuses a request without the token" 401 '"unauthorized"'

req POST /api/v1/items -H "Authorization: Bearer x$token" -H "$json" -d "{\"sku\":\"$sku\"}"
expect "the API refuses a wrong token" 401

req POST /api/v1/items -H "$auth" -H "$json" -d "{\"sku\":\"$sku\",\"title\":\"Mug\"}"
expect "an item is created" 201 "\"sku\":\"$sku\""

req POST /api/v1/items -H "$auth" -H "$json" -d "{\"sku\":\"$sku\"}"
expect "a second item with the same SKU is refused" 409 "exists"

req POST /api/v1/items -H "$auth" -H "$json" -d '{"sku":" padded"}'
expect "a bad SKU is refused with the reason" 400 "space"

move() {
	req POST /api/v1/movements -H "$auth" -H "$json" -d \
	    "{\"event_key\":\"$1\",\"reason\":\"e2e\",\"lines\":[{\"sku\":\"$sku\",\"kind\":\"$2\",\"qty\":$3}]}"
}
move "$sku-in" receive 3
expect "stock is received" 201 '"status":"applied"'
move "$sku-in" receive 3
expect "the same event again is a duplicate, not an error" 200 '"status":"duplicate"'
move "$sku-sale-1" commit 4
expect "a sale beyond stock is recorded and flagged" 201 '"oversold":1'

req GET "/api/v1/items?sku=$sku" -H "$auth"
expect "the balance shows every movement once" 200 '"on_hand":3,"committed":4,"available":-1'

req GET "/api/v1/items?sku=NOPE-$$" -H "$auth"
expect "an unknown SKU is 404" 404 "unknown SKU"

req POST /api/v1/movements -H "$auth" -H "$json" -d '{"event_key":"x","reason":'
expect "malformed JSON is 400 with where it broke" 400 "malformed JSON at line 1"
printf '%s' "$body" | grep -qE '"request_id":"[0-9a-f]{32}"' &&
    ok "the error body carries the request id" ||
    not_ok "the error body carries the request id" "$body"

req POST /api/v1/movements -H "$auth" -H "$json" -d '{"event_key":"x","event_key":"y","reason":"r","lines":[]}'
expect "duplicate JSON keys are refused" 400 "duplicate"

req POST /api/v1/movements -H "$auth" -H "$json" -d "{\"event_key\":\"k\",\"reason\":\"r\",\"lines\":[{\"sku\":\"$sku\",\"kind\":\"steal\",\"qty\":1}]}"
expect "an unknown movement kind is refused" 400 "unknown kind"

req POST /api/v1/movements -H "$auth" -H "Content-Type: text/plain" -d '{}'
expect "a wrong content type is refused" 400 "application/json"

req POST /api/v1/movements -H "$auth" -H "$json" --data-binary @- <<EOB
$(head -c 1100000 /dev/zero | tr '\0' 'a')
EOB
expect "a body over 1 MiB is 413 with a JSON error" 413 '"too_large"'

req GET "/api/v1/items?sku=%ZZ" -H "$auth"
expect "a malformed query string is 400" 400

req DELETE /healthz
expect "a wrong method is 405" 405 "method_not_allowed"

req POST /jobs/tick
expect "the timer refuses a tick without its token" 401 '"unauthorized"'
req POST /jobs/tick -H "Authorization: Bearer $(secret timer_token)"
expect "a tick with the token runs and reports" 200 '"push":{"claimed":'

req GET /nowhere
expect "an unknown path is 404 in JSON" 404 '"not_found"'

# The database goes away: health says so with 503, and the programs
# reconnect on their own when it is back.
tools/stack.sh stop-db "$STOCKHUB_STACK" > /dev/null 2>&1
req GET /healthz
expect "healthz is 503 while the database is down" 503 '"database":"down"'
req POST /api/v1/items -H "$auth" -H "$json" -d '{"sku":"DOWN-1"}'
expect "a write while the database is down is 503, not lost silently" 503 "database_unavailable"
tools/stack.sh db-start "$STOCKHUB_STACK" > /dev/null 2>&1
req GET /healthz
expect "healthz recovers when the database is back" 200 '"database":"ok"'

finish
