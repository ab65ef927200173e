/*
 * Unit tests for the pure helpers of lib/auth.c (cookie header, Secure
 * rule, timeouts, token compare, cross-site rule, name and password
 * rules) and lib/admin.c's URL encoder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "admin.h"
#include "auth.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
test_cookie_flags(void **state)
{
	char	 c[AUTH_COOKIE_HDR_MAX];

	(void)state;
	assert_int_equal(auth_cookie(c, sizeof(c), AUTH_COOKIE, HEX64, 1,
	    AUTH_ABSOLUTE_S), 0);
	assert_string_equal(c, "__Host-sid=" HEX64 "; Path=/; Max-Age=43200; "
	    "HttpOnly; SameSite=Strict; Secure");
	assert_int_equal(auth_cookie(c, sizeof(c), AUTH_COOKIE, HEX64, 0,
	    AUTH_ABSOLUTE_S), 0);
	assert_null(strstr(c, "Secure"));
	assert_non_null(strstr(c, "; HttpOnly"));
	assert_non_null(strstr(c, "; SameSite=Strict"));
	assert_non_null(strstr(c, "; Path=/"));
	/* deletion */
	assert_int_equal(auth_cookie(c, sizeof(c), AUTH_COOKIE, "gone", 1, 0),
	    0);
	assert_non_null(strstr(c, "Max-Age=0;"));
	/* header injection and bad values are refused */
	assert_int_equal(auth_cookie(c, sizeof(c), AUTH_COOKIE, "a;b", 1, 0),
	    -1);
	assert_int_equal(auth_cookie(c, sizeof(c), AUTH_COOKIE, "a\r\nX: y",
	    1, 0), -1);
	assert_int_equal(auth_cookie(c, sizeof(c), AUTH_COOKIE, HEX64, 1, -1),
	    -1);
	assert_int_equal(auth_cookie(c, 20, AUTH_COOKIE, HEX64, 1, 0), -1);
}

static void
test_cookie_secure_rule(void **state)
{
	(void)state;
	assert_int_equal(auth_cookie_secure(1, "shop.example"), 1);
	assert_int_equal(auth_cookie_secure(1, NULL), 1);
	assert_int_equal(auth_cookie_secure(0, "shop.example"), 0);
	assert_int_equal(auth_cookie_secure(0, "shop.example:8080"), 0);
	assert_int_equal(auth_cookie_secure(0, NULL), 0);
	assert_int_equal(auth_cookie_secure(0, "127.0.0.1:8080"), 1);
	assert_int_equal(auth_cookie_secure(0, "localhost"), 1);
	assert_int_equal(auth_cookie_secure(0, "[::1]:8080"), 1);
	/* a name that merely starts like a loopback one is not */
	assert_int_equal(auth_cookie_secure(0, "localhost.evil.example"), 0);
	assert_int_equal(auth_cookie_secure(0, "127.0.0.10"), 0);
}

static void
test_timeouts(void **state)
{
	const int64_t	 t0 = 1700000000;

	(void)state;
	assert_int_equal(auth_session_live(t0, t0, t0), 1);
	/* idle: 30 minutes */
	assert_int_equal(auth_session_live(t0, t0, t0 + AUTH_IDLE_S - 1), 1);
	assert_int_equal(auth_session_live(t0, t0, t0 + AUTH_IDLE_S), 0);
	/* absolute: 12 hours, however busy */
	assert_int_equal(auth_session_live(t0, t0 + AUTH_ABSOLUTE_S - 10,
	    t0 + AUTH_ABSOLUTE_S - 1), 1);
	assert_int_equal(auth_session_live(t0, t0 + AUTH_ABSOLUTE_S - 10,
	    t0 + AUTH_ABSOLUTE_S), 0);
	/* a clock that went backwards, or rows that make no sense */
	assert_int_equal(auth_session_live(t0, t0, t0 - 1), 0);
	assert_int_equal(auth_session_live(t0, t0 - 5, t0), 0);
}

static void
test_token_compare(void **state)
{
	(void)state;
	assert_int_equal(auth_token_equal(HEX64, HEX64), 1);
	assert_int_equal(auth_token_equal(HEX64, "0" HEX64), 0);
	assert_int_equal(auth_token_equal(HEX64,
	    "1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
	    0);
	assert_int_equal(auth_token_equal("", ""), 0);
	assert_int_equal(auth_token_equal(NULL, HEX64), 0);
	assert_int_equal(auth_token_equal(HEX64, NULL), 0);
	assert_int_equal(auth_token_wellformed(HEX64), 1);
	assert_int_equal(auth_token_wellformed(HEX64 "0"), 0);
	assert_int_equal(auth_token_wellformed("0123"), 0);
	assert_int_equal(auth_token_wellformed(
	    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
	    0);
	assert_int_equal(auth_token_wellformed(NULL), 0);
}

static void
test_origin_rule(void **state)
{
	(void)state;
	assert_int_equal(auth_origin_ok(NULL, NULL, "http", "h:1"), 1);
	assert_int_equal(auth_origin_ok("http://h:1", NULL, "http", "h:1"), 1);
	assert_int_equal(auth_origin_ok("http://h:1", "same-origin", "http",
	    "h:1"), 1);
	assert_int_equal(auth_origin_ok(NULL, "none", "http", "h:1"), 1);
	assert_int_equal(auth_origin_ok(NULL, "cross-site", "http", "h:1"), 0);
	assert_int_equal(auth_origin_ok(NULL, "same-site", "http", "h:1"), 0);
	assert_int_equal(auth_origin_ok("http://evil", NULL, "http", "h:1"), 0);
	assert_int_equal(auth_origin_ok("null", NULL, "http", "h:1"), 0);
	assert_int_equal(auth_origin_ok("https://h:1", NULL, "http", "h:1"), 0);
	assert_int_equal(auth_origin_ok("http://h:1.evil", NULL, "http",
	    "h:1"), 0);
	assert_int_equal(auth_origin_ok("http://h:1", NULL, "http", NULL), 0);
}

static void
test_name_and_password_rules(void **state)
{
	struct err	 e;
	char		 longpw[AUTH_PW_MAX + 2];

	(void)state;
	assert_int_equal(auth_name_check("alice", &e), 0);
	assert_int_equal(auth_name_check("a.b_c-d@shop", &e), 0);
	assert_int_equal(auth_name_check("", &e), -1);
	assert_int_equal(auth_name_check("a b", &e), -1);
	assert_int_equal(auth_name_check("<script>", &e), -1);
	assert_int_equal(auth_password_check("eleven char", &e), -1);
	assert_non_null(strstr(e.msg, "at least 12"));
	assert_int_equal(auth_password_check("twelve chars", &e), 0);
	memset(longpw, 'x', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	assert_int_equal(auth_password_check(longpw, &e), -1);
	longpw[AUTH_PW_MAX] = '\0';
	assert_int_equal(auth_password_check(longpw, &e), 0);
}

static void
test_urlencode(void **state)
{
	char	 out[64];

	(void)state;
	assert_int_equal(admin_urlencode(out, sizeof(out), "MUG-1_a.b~"), 0);
	assert_string_equal(out, "MUG-1_a.b~");
	assert_int_equal(admin_urlencode(out, sizeof(out), "a b&c=\"<\r\n"), 0);
	assert_string_equal(out, "a%20b%26c%3D%22%3C%0D%0A");
	assert_int_equal(admin_urlencode(out, 4, "a b"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie_flags),
		cmocka_unit_test(test_cookie_secure_rule),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_token_compare),
		cmocka_unit_test(test_origin_rule),
		cmocka_unit_test(test_name_and_password_rules),
		cmocka_unit_test(test_urlencode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
