#!/bin/sh
# The admin web UI through nginx: sign-in (cookie flags, a new session id
# at every sign-in, the throttle), the session gate, CSRF and cross-site
# refusals, a stock action that counts once when sent twice, hostile SKUs
# and titles rendered inert, security headers, and sign-out ending the
# session on the server.
. "$(dirname "$0")/lib.sh"

cli() { "$STOCKHUB_BUILD/bin/stockhub" "$@"; }

user="adm$$"
pw="correct horse battery $$"
sku="ADM-$$"
xss='<script>alert(1)</script>'
xss2='"><img src=x onerror=alert(1)>'
tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT

# the value of a cookie set in $headers
set_cookie() { printf '%s' "$headers" | tr -d '\r' | sed -n "s/^[Ss]et-[Cc]ookie: $1=\([^;]*\).*/\1/p" | head -1; }
# a hidden field's value in $body
field() { printf '%s' "$body" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -1; }
# the value of a hidden field in the form whose action is $2
form_field() { printf '%s' "$body" | tr '\n' ' ' | sed 's/<form/\n<form/g' | grep "value=\"$2\"" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -1; }

# sign in as $1 with password $2 (sending cookie $3 if given)
login() {
	req GET /admin/login
	pre=$(set_cookie __Host-pre)
	tok=$(field pre)
	req POST /admin/login -H "Cookie: __Host-pre=$pre${3:+; __Host-sid=$3}" \
	    --data-urlencode "pre=$tok" --data-urlencode "name=$1" \
	    --data-urlencode "password=$2"
}

out=$(printf 'short\n' | cli user add "$user" 2>&1)
case $out in *"at least 12"*) ok "a short password is refused" ;;
*) not_ok "a short password is refused" "$out" ;; esac
out=$(printf '%s\n' "$pw" | cli user add "$user" 2>&1)
case $out in *"user $user added"*) ok "a user is created from the command line" ;;
*) not_ok "a user is created from the command line" "$out" ;; esac
out=$(printf '%s\n' "$pw" | cli user add "$user" 2>&1)
case $out in *exists*) ok "a second user with that name is refused" ;;
*) not_ok "a second user with that name is refused" "$out" ;; esac

req GET /admin/
if [ "$status" = 303 ] && printf '%s' "$headers" | grep -qi '^Location: /admin/login'; then
	ok "an anonymous visitor is sent to the sign-in page"
else
	not_ok "an anonymous visitor is sent to the sign-in page" "status $status" "$headers"
fi
req GET "/admin/stock?sku=MUG"
expect "the stock page refuses an anonymous visitor" 303

req GET /admin/login
expect "the sign-in page shows a labelled form" 200 '<label for="password">Password</label>'
has_header "the sign-in page has a Content-Security-Policy" "^Content-Security-Policy: default-src 'self'"
has_header "the sign-in page cannot be framed" '^X-Frame-Options: DENY'

req POST /admin/login --data-urlencode "name=$user" --data-urlencode "password=$pw"
expect "a sign-in without the form's token is refused" 403

login "$user" "wrong password $$"
expect "a wrong password is refused" 401 "wrong"

login "$user" "$pw"
sid1=$(set_cookie __Host-sid)
sc=$(printf '%s' "$headers" | tr -d '\r' | grep -i '^Set-Cookie: __Host-sid=')
if [ "$status" = 303 ] && [ ${#sid1} -eq 64 ]; then
	ok "the right password signs in with a 256-bit session id"
else
	not_ok "the right password signs in with a 256-bit session id" "status $status" "$headers"
fi
miss=""
for flag in '; Path=/' '; HttpOnly' '; SameSite=Strict' '; Secure'; do
	case $sc in *"$flag"*) ;; *) miss="$miss$flag" ;; esac
done
# 127.0.0.1 is a secure context for browsers and curl: Secure is set
# there; on any other host over plain http it is not (unit-tested)
[ -z "$miss" ] && ok "the session cookie has Path=/, HttpOnly, SameSite=Strict, Secure" ||
    not_ok "the session cookie has Path=/, HttpOnly, SameSite=Strict, Secure" "missing:$miss" "$sc"

login "$user" "$pw" "$sid1"
sid=$(set_cookie __Host-sid)
[ -n "$sid" ] && [ "$sid" != "$sid1" ] && ok "signing in again gives a new session id" ||
    not_ok "signing in again gives a new session id" "$sid1 / $sid"
req GET /admin/ -H "Cookie: __Host-sid=$sid1"
expect "the session replaced at sign-in no longer works" 303

ck="Cookie: __Host-sid=$sid"
cli item add "$sku" "Mug $$" > /dev/null
cli move "$sku" receive 1 "first batch" > /dev/null
cli item add "$xss" "$xss2" > /dev/null 2>&1
cli item add "X$xss2" "$xss" > /dev/null 2>&1
req GET /admin/ -H "$ck"
expect "the dashboard shows" 200 "Low stock"
has_header "the dashboard has a Content-Security-Policy without inline script" "^Content-Security-Policy: .*script-src 'self'"
has_header "the dashboard cannot be framed" "^Content-Security-Policy: .*frame-ancestors 'none'"
has_header "the dashboard has nosniff" '^X-Content-Type-Options: nosniff'
case $body in
*"<script>alert"*|*"<img src=x"*) not_ok "hostile SKUs and titles are escaped on the dashboard" "$body" ;;
*"&lt;script&gt;alert(1)&lt;/script&gt;"*"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"*|\
*"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"*"&lt;script&gt;alert(1)&lt;/script&gt;"*)
	ok "hostile SKUs and titles are escaped on the dashboard" ;;
*) not_ok "hostile SKUs and titles are escaped on the dashboard" "$body" ;;
esac
csrf=$(field csrf)

req GET "/admin/stock?sku=%3Cscript%3Ealert(1)%3C%2Fscript%3E" -H "$ck"
case $body in
*"<script>alert"*|*"<img src=x"*) not_ok "a hostile SKU is escaped on its stock page" "$body" ;;
*"&lt;script&gt;alert(1)&lt;/script&gt;"*"&quot;&gt;&lt;img src=x"*) ok "a hostile SKU is escaped on its stock page" ;;
*) not_ok "a hostile SKU is escaped on its stock page" "status $status" "$body" ;;
esac
has_header "the stock page has a Content-Security-Policy" "^Content-Security-Policy: "

req GET /admin/style.css
if [ "$status" = 200 ] && printf '%s' "$headers" | grep -qi '^Content-Type: text/css'; then
	ok "the stylesheet is served as text/css"
else
	not_ok "the stylesheet is served as text/css" "status $status" "$headers"
fi

req GET "/admin/stock?sku=$sku" -H "$ck"
expect "the stock page shows the SKU's figures" 200 "On hand"
token=$(form_field token receive)
[ ${#token} -eq 64 ] && ok "each action form carries its own token" || not_ok "each action form carries its own token" "$token"

form() {
	req POST /admin/stock -H "$ck" --data-urlencode "sku=$sku" \
	    --data-urlencode action=receive --data-urlencode qty=4 \
	    --data-urlencode reason=kiln --data-urlencode "token=$token" "$@"
}
form
expect "a stock action without the CSRF token is refused" 403
form --data-urlencode "csrf=0$csrf"
expect "a stock action with a wrong CSRF token is refused" 403
form --data-urlencode "csrf=$csrf" -H "Origin: http://evil.example"
expect "a stock action from another origin is refused" 403
form --data-urlencode "csrf=$csrf" -H "Sec-Fetch-Site: cross-site"
expect "a stock action marked cross-site is refused" 403
out=$(cli item show "$sku")
case $out in *"on_hand=1 "*) ok "refused actions moved nothing" ;; *) not_ok "refused actions moved nothing" "$out" ;; esac

form --data-urlencode "csrf=$csrf" -H "Origin: $STOCKHUB_URL" -H "Sec-Fetch-Site: same-origin"
if [ "$status" = 303 ] && printf '%s' "$headers" | grep -qi "^Location: /admin/stock?sku=$sku&done=receive"; then
	ok "a receive with the token is applied and redirects back"
else
	not_ok "a receive with the token is applied and redirects back" "status $status" "$headers" "$body"
fi
form --data-urlencode "csrf=$csrf"
case $headers in *"done=duplicate"*) ok "the same form sent twice is reported as already done" ;;
*) not_ok "the same form sent twice is reported as already done" "$headers" ;; esac
out=$(cli item show "$sku")
case $out in *"on_hand=5 "*) ok "the form sent twice moved stock once" ;; *) not_ok "the form sent twice moved stock once" "$out" ;; esac
rows=$(mariadb --no-defaults --socket="$STOCKHUB_STACK/run/mysqld.sock" -N -e \
    "SELECT COUNT(*) FROM ledger_events WHERE event_key = 'admin:$token' AND source = 'admin:$user'" \
    "$(sed -n 's/^db_name *= *//p' "$STOCKHUB_CONFIG")" 2>/dev/null)
[ "$rows" = 1 ] && ok "the movement is in the ledger under the user's name" ||
    not_ok "the movement is in the ledger under the user's name" "rows: $rows"

req GET "/admin/stock?sku=$sku" -H "$ck"
token=$(form_field token count)
req POST /admin/stock -H "$ck" --data-urlencode "sku=$sku" --data-urlencode action=count \
    --data-urlencode qty=3 --data-urlencode "reason=" --data-urlencode "token=$token" --data-urlencode "csrf=$csrf"
expect "an action without a reason is refused and says why" 400 "Say why"
case $body in *"value=\"3\""*) ok "the refused form keeps what was typed" ;; *) not_ok "the refused form keeps what was typed" "$body" ;; esac

req POST /admin/logout -H "$ck" --data-urlencode "csrf=$csrf"
expect "signing out redirects" 303
has_header "signing out clears the cookie" '^Set-Cookie: __Host-sid=gone; .*Max-Age=0'
req GET /admin/ -H "$ck"
expect "the old session cookie no longer works after sign-out" 303
form --data-urlencode "csrf=$csrf"
expect "a signed-out session cannot post" 403

i=0
while [ $i -lt 5 ]; do
	login "$user" "not the password $i"
	i=$((i + 1))
done
expect "the fifth wrong password is still just refused" 401
login "$user" "$pw"
expect "after 5 failures the account is throttled, even with the right password" 429 "Wait 15 minutes"
has_header "the throttle says when to come back" '^Retry-After: 900'

# leave the address's failure count as it was for the tests that follow
sql "DELETE FROM admin_login_attempts WHERE user_name = '$user'"
finish
