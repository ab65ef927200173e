#!/bin/sh
# A crawler over every admin route, read from the route table in
# cgi-bin/admin.c (the single source of truth), so a route added there is
# checked without touching this test:
#  - every POST route refuses (403) a signed-in request without the CSRF
#    field, with a wrong one, from another origin, marked cross-site by
#    the browser, and an anonymous one; and (the control that makes the
#    refusals mean something) does not refuse the same request with the
#    right token;
#  - every GET page sends an anonymous visitor to the sign-in page (303)
#    and shows a signed-in one something other than that, except the
#    sign-in page itself and the stylesheet/scripts.
# A prefix route ("/admin/items/") is tried with a placeholder id after it.
# A route taking multipart/form-data (it answers 415 to a urlencoded
# form with the right token) is tried as multipart. A route acting on one
# record gets that record's id from the small table in extra() below, so
# its right-token control reaches the handler's own checks (a 404 for "no
# such account" would otherwise look like a refusal). The sign-in steps
# (/admin/login and its TOTP code step, /admin/login/totp) have no session
# yet: each has its own double-submit token and is checked on its own.
. "$(dirname "$0")/lib.sh"

cli() { "$STOCKHUB_BUILD/bin/stockhub" "$@"; }
set_cookie() { printf '%s' "$headers" | tr -d '\r' | sed -n "s/^[Ss]et-[Cc]ookie: $1=\([^;]*\).*/\1/p" | head -1; }
field() { printf '%s' "$body" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -1; }
location() { printf '%s' "$headers" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p' | head -1; }

table="$(dirname "$0")/../../cgi-bin/admin.c"
user="crawl$$"
pw="correct horse battery $$"
sku="CRAWL-$$"
placeholder=1

# "METHOD PATH" per route, in table order
routes=$(sed -n 's/^[[:space:]]*{[[:space:]]*"\([A-Z]*\)",[[:space:]]*"\(\/[^"]*\)".*/\1 \2/p' "$table")
nget=$(printf '%s\n' "$routes" | grep -c '^GET ')
npost=$(printf '%s\n' "$routes" | grep -c '^POST ')
# the table as it was when this test was written had 6 GET and 3 POST
# routes: fewer means the parser lost some
if [ "$nget" -ge 6 ] && [ "$npost" -ge 3 ]; then
	ok "the route table lists $nget GET and $npost POST routes"
else
	not_ok "the route table lists $nget GET and $npost POST routes" "$routes"
fi

printf '%s\n' "$pw" | cli user add "$user" > /dev/null
cli item add "$sku" "Crawled mug" > /dev/null
# records for the routes that act on one (see extra() below)
etsy=$(printf '{}' | cli account add etsy "crawl etsy $$" http://127.0.0.1:9 "88$$" 2>&1 |
    sed -n 's/^account \([0-9]*\):.*/\1/p')
[ -n "$etsy" ] && ok "an Etsy account for the routes that need one" ||
    not_ok "an Etsy account for the routes that need one"

# extra ROUTE: the fields naming the record a POST route acts on, one
# "name=value" a line (the crawler sends them with every variant, so only
# the token differs between the refusals and the control)
extra() {
	case $1 in
	/admin/channel) echo "id=$etsy" ;;
	/admin/etsy/settings) echo "account=$etsy" ;;
	esac
}

# sign in; sets $sid and $csrf (the session's token, from the dashboard)
signin() {
	req GET /admin/login
	pre=$(set_cookie __Host-pre)
	tok=$(field pre)
	req POST /admin/login -H "Cookie: __Host-pre=$pre" --data-urlencode "pre=$tok" \
	    --data-urlencode "name=$user" --data-urlencode "password=$pw"
	sid=$(set_cookie __Host-sid)
	req GET /admin/ -H "Cookie: __Host-sid=$sid"
	csrf=$(field csrf)
}

# the URL path to request for a route path
target() {
	case $1 in
	/admin/) echo /admin/ ;;
	*/) echo "$1$placeholder" ;;
	*) echo "$1" ;;
	esac
}

# post PATH MODE [curl args]: MODE is form or multipart; the fields sku,
# qty, reason, the route's extra() fields and whatever is given ($r is
# the route being crawled)
post() {
	p=$1; mode=$2; shift 2
	for kv in $(extra "$r"); do
		if [ "$mode" = multipart ]; then
			set -- -F "$kv" "$@"
		else
			set -- --data-urlencode "$kv" "$@"
		fi
	done
	if [ "$mode" = multipart ]; then
		req POST "$p" -F "sku=$sku" -F "qty=1" -F "reason=crawler" "$@"
	else
		req POST "$p" --data-urlencode "sku=$sku" --data-urlencode "qty=1" \
		    --data-urlencode "reason=crawler" "$@"
	fi
}
csrf_arg() { [ "$1" = multipart ] && echo "-F" || echo "--data-urlencode"; }

# the sign-in form has no session yet: its token is the double-submit
# pair of the __Host-pre cookie and the hidden field "pre"
login_post() {
	req POST /admin/login --data-urlencode "name=$user" --data-urlencode "password=$pw" "$@"
}
req GET /admin/login
pre=$(set_cookie __Host-pre)
tok=$(field pre)
login_post -H "Cookie: __Host-pre=$pre"
expect "POST /admin/login without the form's token is refused" 403
login_post -H "Cookie: __Host-pre=$pre" --data-urlencode "pre=0$tok"
expect "POST /admin/login with a wrong form token is refused" 403
login_post --data-urlencode "pre=$tok"
expect "POST /admin/login without the token's cookie is refused" 403
login_post -H "Cookie: __Host-pre=$pre" --data-urlencode "pre=$tok" -H "Origin: http://evil.example"
expect "POST /admin/login from a cross-site Origin is refused" 403
login_post -H "Cookie: __Host-pre=$pre" --data-urlencode "pre=$tok" -H "Sec-Fetch-Site: cross-site"
expect "POST /admin/login marked cross-site by the browser is refused" 403
login_post -H "Cookie: __Host-pre=$pre" --data-urlencode "pre=$tok" -H "Origin: $STOCKHUB_URL"
expect "POST /admin/login with its token signs in (so the refusals above are about the token)" 303

# the TOTP code step: its token is the pending sign-in, the __Host-mfa
# cookie and the hidden field "mfa" the password step hands out to a
# user with a second factor
tuser="crawltotp$$"
printf '%s\n' "$pw" | cli user add "$tuser" > /dev/null
cli user totp "$tuser" > /dev/null 2>&1
req GET /admin/login
pre=$(set_cookie __Host-pre)
tok=$(field pre)
req POST /admin/login -H "Cookie: __Host-pre=$pre" --data-urlencode "pre=$tok" \
    --data-urlencode "name=$tuser" --data-urlencode "password=$pw"
mfa=$(set_cookie __Host-mfa)
mtok=$(field mfa)
if [ ${#mfa} -eq 64 ] && [ -n "$mtok" ]; then
	ok "a TOTP user's password step hands out the code step's token"
else
	not_ok "a TOTP user's password step hands out the code step's token" "status $status" "$headers"
fi
# a well-formed code that is (almost surely) not the current one
totp_post() { req POST /admin/login/totp --data-urlencode "code=000000" "$@"; }
totp_post -H "Cookie: __Host-mfa=$mfa"
expect "POST /admin/login/totp without the form's token is refused" 403
totp_post -H "Cookie: __Host-mfa=$mfa" --data-urlencode "mfa=0$mtok"
expect "POST /admin/login/totp with a wrong form token is refused" 403
totp_post -H "Cookie: __Host-mfa=$mfa" --data-urlencode "mfa=$(printf '%s' "$mtok" | tr '0-9a-f' 'a-f0-9')"
expect "POST /admin/login/totp with a token of the right shape but not the sign-in's is refused" 403
totp_post --data-urlencode "mfa=$mtok"
expect "POST /admin/login/totp without the token's cookie is refused" 403
totp_post -H "Cookie: __Host-mfa=$mfa" --data-urlencode "mfa=$mtok" -H "Origin: http://evil.example"
expect "POST /admin/login/totp from a cross-site Origin is refused" 403
totp_post -H "Cookie: __Host-mfa=$mfa" --data-urlencode "mfa=$mtok" -H "Sec-Fetch-Site: cross-site"
expect "POST /admin/login/totp marked cross-site by the browser is refused" 403
# the control: the code is checked (401 wrong, or 303 in the one-in-a-
# million case that 000000 is the code), not the token refused
totp_post -H "Cookie: __Host-mfa=$mfa" --data-urlencode "mfa=$mtok" -H "Origin: $STOCKHUB_URL"
case $status in
401|303) ok "POST /admin/login/totp with its token reaches the code check (so the refusals above are about the token)" ;;
*) not_ok "POST /admin/login/totp with its token reaches the code check (so the refusals above are about the token)" \
    "status $status" "$body" ;;
esac

# the other POST routes; sign-out last, as it ends the session
for r in $(printf '%s\n' "$routes" | sed -n 's/^POST //p' | grep -v -e '^/admin/logout$' -e '^/admin/login$' -e '^/admin/login/totp$') \
    $(printf '%s\n' "$routes" | sed -n 's/^POST //p' | grep '^/admin/logout$'); do
	p=$(target "$r")
	signin
	if [ -z "$csrf" ] || [ -z "$sid" ]; then
		not_ok "POST $r: signed in for the checks" "no session or token"
		continue
	fi
	ck="Cookie: __Host-sid=$sid"
	# the form gate answers 415 before it looks at the token, so a
	# wrong token tells which kind of body the route takes
	mode=form
	post "$p" form -H "$ck" --data-urlencode "csrf=x$csrf"
	if [ "$status" = 415 ]; then
		mode=multipart
	fi
	a=$(csrf_arg $mode)
	post "$p" $mode -H "$ck"
	expect "POST $r without a CSRF token is refused" 403
	post "$p" $mode -H "$ck" $a "csrf=0$csrf"
	expect "POST $r with a wrong CSRF token is refused" 403
	post "$p" $mode -H "$ck" $a "csrf=$(printf '%s' "$csrf" | tr '0-9a-f' 'a-f0-9')"
	expect "POST $r with a token of the right shape but not the session's is refused" 403
	post "$p" $mode -H "$ck" $a "csrf=$csrf" -H "Origin: http://evil.example"
	expect "POST $r from a cross-site Origin is refused" 403
	post "$p" $mode -H "$ck" $a "csrf=$csrf" -H "Sec-Fetch-Site: cross-site"
	expect "POST $r marked cross-site by the browser is refused" 403
	post "$p" $mode $a "csrf=$csrf"
	expect "POST $r from an anonymous visitor is refused" 403
	# the control: the same request with the right token, same origin
	post "$p" $mode -H "$ck" $a "csrf=$csrf" -H "Origin: $STOCKHUB_URL" \
	    -H "Sec-Fetch-Site: same-origin"
	case $status in
	403|404|405|5*)
		not_ok "POST $r with the right token is not refused (so the refusals above are about the token)" \
		    "status $status" "$body" ;;
	*) ok "POST $r with the right token is not refused (so the refusals above are about the token)" ;;
	esac
done

signin
ck="Cookie: __Host-sid=$sid"
for r in $(printf '%s\n' "$routes" | sed -n 's/^GET //p'); do
	case $r in
	/admin/login|*.css|*.js) continue ;;
	esac
	p=$(target "$r")
	req GET "$p"
	if [ "$status" = 303 ] && [ "$(location)" = /admin/login ]; then
		ok "GET $r sends an anonymous visitor to the sign-in page"
	else
		not_ok "GET $r sends an anonymous visitor to the sign-in page" "status $status" "$headers"
	fi
	req GET "$p" -H "Cookie: __Host-sid=0$sid"
	if [ "$status" = 303 ] && [ "$(location)" = /admin/login ]; then
		ok "GET $r sends a visitor with a made-up session to the sign-in page"
	else
		not_ok "GET $r sends a visitor with a made-up session to the sign-in page" "status $status" "$headers"
	fi
	req GET "$p" -H "$ck"
	if [ "$(location)" = /admin/login ] || [ "$status" -ge 500 ] || [ "$status" = 405 ]; then
		not_ok "GET $r answers a signed-in visitor" "status $status" "$headers"
	else
		ok "GET $r answers a signed-in visitor"
	fi
done
# a page that is not in the table says nothing to an anonymous visitor
req GET /admin/no-such-page
expect "an unknown page under /admin/ sends an anonymous visitor to the sign-in page" 303

for r in /admin/login /admin/style.css; do
	req GET "$r"
	expect "GET $r is open to anonymous visitors" 200
done

finish
