#!/bin/sh
# TOTP second factor through nginx: `stockhub user totp` prints an
# otpauth:// URI; sign-in then asks for the code after the password and
# gives no session before it; a wrong code is refused; the right one
# signs in; the same code cannot be used again; failed codes count toward
# the sign-in throttle; the code step refuses a missing pending token and
# a cross-site post.
. "$(dirname "$0")/lib.sh"

cli() { "$STOCKHUB_BUILD/bin/stockhub" "$@"; }

user="totp$$"
pw="totp password $$ long"

set_cookie() { printf '%s' "$headers" | tr -d '\r' | sed -n "s/^[Ss]et-[Cc]ookie: $1=\([^;]*\).*/\1/p" | head -1; }
field() { printf '%s' "$body" | sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" | head -1; }

login() {
	req GET /admin/login
	pre=$(set_cookie __Host-pre)
	tok=$(field pre)
	req POST /admin/login -H "Cookie: __Host-pre=$pre" \
	    --data-urlencode "pre=$tok" --data-urlencode "name=$1" \
	    --data-urlencode "password=$2"
}

# the code of base32 secret $1 at the time step of now + $2 seconds
code() {
	python3 -c '
import base64, hmac, hashlib, struct, sys, time
s = sys.argv[1]; s += "=" * (-len(s) % 8)
k = base64.b32decode(s)
c = int((time.time() + int(sys.argv[2])) // 30)
h = hmac.new(k, struct.pack(">Q", c), hashlib.sha1).digest()
o = h[-1] & 15
print("%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000))
' "$1" "${2:-0}"
}

printf '%s\n' "$pw" | cli user add "$user" > /dev/null
out=$(cli user totp "$user" 2>/dev/null)
case $out in
otpauth://totp/stockhub:$user\?secret=*"&issuer=stockhub&algorithm=SHA1&digits=6&period=30")
	ok "user totp prints the otpauth:// URI" ;;
*) not_ok "user totp prints the otpauth:// URI" "$out" ;;
esac
secret=$(printf '%s' "$out" | sed -n 's/.*secret=\([A-Z2-7]*\)&.*/\1/p')
[ ${#secret} -eq 32 ] && ok "the secret is 160 bits in base32" || not_ok "the secret is 160 bits in base32" "$secret"
stored=$(sql "SELECT HEX(totp_secret) FROM admin_users WHERE name = '$user'")
case $stored in
534831*) ok "the secret is stored sealed, not in clear" ;;
*) not_ok "the secret is stored sealed, not in clear" "$stored" ;;
esac
case $(sql "SELECT COUNT(*) FROM admin_users WHERE name = '$user' AND INSTR(totp_secret, '$secret') > 0") in
0) ok "the stored bytes do not hold the base32 secret" ;;
*) not_ok "the stored bytes do not hold the base32 secret" ;;
esac
out=$(cli user totp "nobody$$" 2>&1)
case $out in *"no user"*) ok "user totp for an unknown user is refused" ;;
*) not_ok "user totp for an unknown user is refused" "$out" ;; esac

login "$user" "$pw"
expect "after the right password the code is asked for" 200 'name="code"'
mfa=$(set_cookie __Host-mfa)
sid=$(set_cookie __Host-sid)
[ ${#mfa} -eq 64 ] && [ -z "$sid" ] && ok "no session before the code, only a pending sign-in" ||
    not_ok "no session before the code, only a pending sign-in" "$headers"
has_header "the pending cookie is HttpOnly and short-lived" '^Set-Cookie: __Host-mfa=[0-9a-f]+; .*Max-Age=300.*HttpOnly|^Set-Cookie: __Host-mfa=[0-9a-f]+; .*HttpOnly.*Max-Age=300'
mfield=$(field mfa)

req POST /admin/login/totp --data-urlencode "mfa=$mfield" --data-urlencode "code=$(code "$secret")"
expect "a code without the pending cookie is refused" 403
req POST /admin/login/totp -H "Cookie: __Host-mfa=$mfa" -H "Sec-Fetch-Site: cross-site" \
    --data-urlencode "mfa=$mfield" --data-urlencode "code=$(code "$secret")"
expect "a cross-site code post is refused" 403
req POST /admin/login/totp -H "Cookie: __Host-mfa=$mfa" \
    --data-urlencode "mfa=$mfield" --data-urlencode "code=12ab"
expect "a malformed code is refused and says what a code is" 400 "6 digits"

good=$(code "$secret")
bad=$(printf '%06d' $(( (1${good} - 1000000 + 500000) % 1000000 )))
req POST /admin/login/totp -H "Cookie: __Host-mfa=$mfa" \
    --data-urlencode "mfa=$mfield" --data-urlencode "code=$bad"
expect "a wrong code is refused" 401 "wrong"

req POST /admin/login/totp -H "Cookie: __Host-mfa=$mfa" \
    --data-urlencode "mfa=$mfield" --data-urlencode "code=$good"
sid=$(set_cookie __Host-sid)
if [ "$status" = 303 ] && [ ${#sid} -eq 64 ]; then
	ok "the right code signs in"
else
	not_ok "the right code signs in" "status $status" "$body"
fi
req GET /admin/ -H "Cookie: __Host-sid=$sid"
expect "the session works" 200 "Dashboard"

req POST /admin/login/totp -H "Cookie: __Host-mfa=$mfa" \
    --data-urlencode "mfa=$mfield" --data-urlencode "code=$good"
expect "a pending sign-in is used once" 401

login "$user" "$pw"
mfa=$(set_cookie __Host-mfa)
mfield=$(field mfa)
req POST /admin/login/totp -H "Cookie: __Host-mfa=$mfa" \
    --data-urlencode "mfa=$mfield" --data-urlencode "code=$good"
expect "the same code cannot be used again (replay)" 401 "used already"

# failures since the last success: the replayed code, and four more
for i in 1 2 3 4; do
	req POST /admin/login/totp -H "Cookie: __Host-mfa=$mfa" \
	    --data-urlencode "mfa=$mfield" --data-urlencode "code=$bad"
done
expect "the fifth failed code is still just refused" 401
req POST /admin/login/totp -H "Cookie: __Host-mfa=$mfa" \
    --data-urlencode "mfa=$mfield" --data-urlencode "code=$(code "$secret" 30)"
expect "after 5 failed codes even a fresh right code is throttled" 429 "Wait 15 minutes"
login "$user" "$pw"
expect "after 5 failed codes the password step is throttled too" 429

out=$(cli user totp "$user" off 2>&1)
case $out in *"password alone"*) ok "user totp NAME off removes the second factor" ;;
*) not_ok "user totp NAME off removes the second factor" "$out" ;; esac

# ---- turning it on and off from the admin page ----
user2="totpweb$$"
printf '%s\n' "$pw" | cli user add "$user2" > /dev/null
login "$user2" "$pw"
ck="Cookie: __Host-sid=$(set_cookie __Host-sid)"
req GET /admin/security -H "$ck"
expect "the security page says two-step sign-in is off" 200 '<strong id="totp-state">off</strong>'
csrf=$(field csrf)
req POST /admin/security -H "$ck" --data-urlencode action=start
expect "setting up without the CSRF token is refused" 403
req POST /admin/security -H "$ck" --data-urlencode action=start --data-urlencode "csrf=$csrf"
expect "setting up shows the URI to add" 200 "otpauth://totp/stockhub:$user2?secret="
s2=$(printf '%s' "$body" | sed -n 's/.*<code id="totp-secret">\([A-Z2-7]*\)<.*/\1/p')
pending=$(field pending)
[ "$(sql "SELECT totp_secret IS NULL FROM admin_users WHERE name = '$user2'")" = 1 ] &&
    ok "nothing is stored before the code confirms it" || not_ok "nothing is stored before the code confirms it"
confirm() {
	req POST /admin/security -H "$ck" --data-urlencode action=confirm --data-urlencode "csrf=$csrf" \
	    --data-urlencode "pending=$1" --data-urlencode "code=$2" --data-urlencode "password=$3"
}
confirm "$pending" "$(code "$s2")" "not the password"
expect "confirming with a wrong password is refused and named" 401 'id="totp-password-error"'
case $body in *"$s2"*) ok "the refused form keeps the same secret" ;; *) not_ok "the refused form keeps the same secret" ;; esac
confirm "$pending" "000000" "$pw"
[ "$(code "$s2")" = 000000 ] && ok "skipped: the code happened to be 000000" ||
    expect "confirming with a wrong code is refused and named" 400 'id="totp-code-error"'
confirm "0$pending" "$(code "$s2")" "$pw"
expect "an altered pending secret is refused" 400
c2=$(code "$s2")
confirm "$pending" "$c2" "$pw"
expect "the right code and password turn it on" 303
[ "$(sql "SELECT totp_secret IS NOT NULL FROM admin_users WHERE name = '$user2'")" = 1 ] &&
    ok "the secret is stored" || not_ok "the secret is stored"
login "$user2" "$pw"
expect "sign-in now asks for the code" 200 'name="code"'
req POST /admin/login/totp -H "Cookie: __Host-mfa=$(set_cookie __Host-mfa)" \
    --data-urlencode "mfa=$(field mfa)" --data-urlencode "code=$c2"
expect "the code that turned it on cannot sign in again" 401
req POST /admin/security -H "$ck" --data-urlencode action=off --data-urlencode "csrf=$csrf" --data-urlencode "password=nope"
expect "turning it off needs the password" 401 'id="totp-password-error"'
req POST /admin/security -H "$ck" --data-urlencode action=off --data-urlencode "csrf=$csrf" --data-urlencode "password=$pw"
expect "turning it off with the password works" 303
[ "$(sql "SELECT totp_secret IS NULL FROM admin_users WHERE name = '$user2'")" = 1 ] &&
    ok "the secret is gone" || not_ok "the secret is gone"

# leave the address's failure count as it was for the tests that follow
sql "DELETE FROM admin_login_attempts WHERE user_name IN ('$user', '$user2')"
finish
