/*
 * Unit tests for lib/totp.c: RFC 6238's SHA-1 test vectors (Appendix B),
 * RFC 4226's HOTP vectors (Appendix D), the drift window, replay
 * refusal, malformed codes, base32 (RFC 4648 section 10) and the URI.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "totp.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const unsigned char key[] = "12345678901234567890";
#define KEYLEN	20

static void
test_rfc6238_vectors(void **state)
{
	static const struct { int64_t t; int64_t code8; } v[] = {
		{ 59, 94287082 },
		{ 1111111109, 7081804 },
		{ 1111111111, 14050471 },
		{ 1234567890, 89005924 },
		{ 2000000000, 69279037 },
		{ 20000000000, 65353130 },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < NELEM(v); i++) {
		assert_int_equal(totp_hotp(key, KEYLEN,
		    (uint64_t)totp_step(v[i].t), 8), v[i].code8);
		/* six digits are the last six of the eight */
		assert_int_equal(totp_hotp(key, KEYLEN,
		    (uint64_t)totp_step(v[i].t), 6), v[i].code8 % 1000000);
	}
}

static void
test_rfc4226_vectors(void **state)
{
	static const int64_t want[] = { 755224, 287082, 359152, 969429,
	    338314, 254676, 287922, 162583, 399871, 520489 };
	size_t	 i;

	(void)state;
	for (i = 0; i < NELEM(want); i++)
		assert_int_equal(totp_hotp(key, KEYLEN, i, 6), want[i]);
	assert_int_equal(totp_hotp(key, KEYLEN, 0, 0), -1);
	assert_int_equal(totp_hotp(key, KEYLEN, 0, 10), -1);
}

static void
test_verify_window_and_replay(void **state)
{
	int64_t	 m = -1;

	(void)state;
	/* 1111111109 is step 37037036; its code is 081804 */
	assert_int_equal(totp_verify(key, KEYLEN, "081804", 1111111109, 0,
	    &m), 1);
	assert_int_equal(m, 37037036);
	/* one step later and one earlier still accepted (drift) */
	assert_int_equal(totp_verify(key, KEYLEN, "081804", 1111111109 + 30,
	    0, &m), 1);
	assert_int_equal(totp_verify(key, KEYLEN, "081804", 1111111109 - 30,
	    0, &m), 1);
	/* two steps away: refused */
	assert_int_equal(totp_verify(key, KEYLEN, "081804", 1111111109 + 60,
	    0, &m), 0);
	assert_int_equal(totp_verify(key, KEYLEN, "081804", 1111111109 - 60,
	    0, &m), 0);
	/* used once at its step: the same code again is refused */
	assert_int_equal(totp_verify(key, KEYLEN, "081804", 1111111109,
	    37037036, &m), 0);
	/* a later step's code is still good after an earlier one was used */
	assert_int_equal(totp_verify(key, KEYLEN, "050471", 1111111111,
	    37037036, &m), 1);
	assert_int_equal(m, 37037037);
}

static void
test_verify_malformed(void **state)
{
	(void)state;
	assert_int_equal(totp_verify(key, KEYLEN, NULL, 59, 0, NULL), 0);
	assert_int_equal(totp_verify(key, KEYLEN, "", 59, 0, NULL), 0);
	assert_int_equal(totp_verify(key, KEYLEN, "28708", 59, 0, NULL), 0);
	assert_int_equal(totp_verify(key, KEYLEN, "2870822", 59, 0, NULL), 0);
	assert_int_equal(totp_verify(key, KEYLEN, "28708a", 59, 0, NULL), 0);
	assert_int_equal(totp_verify(key, KEYLEN, " 87082", 59, 0, NULL), 0);
	assert_int_equal(totp_verify(key, KEYLEN, "287082", 59, 0, NULL), 1);
	/* another key: refused */
	assert_int_equal(totp_verify((const unsigned char *)"x", 1, "287082",
	    59, 0, NULL), 0);
}

static void
test_base32(void **state)
{
	static const struct { const char *in; const char *out; } v[] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" },
		{ "foo", "MZXW6" }, { "foob", "MZXW6YQ" },
		{ "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI" },
	};
	char		 out[64];
	unsigned char	 raw[64];
	size_t		 i, n;

	(void)state;
	for (i = 0; i < NELEM(v); i++) {
		assert_int_equal(totp_b32_encode(out, sizeof(out),
		    (const unsigned char *)v[i].in, strlen(v[i].in)), 0);
		assert_string_equal(out, v[i].out);
		assert_int_equal(totp_b32_decode(v[i].out, raw, sizeof(raw),
		    &n), 0);
		assert_int_equal(n, strlen(v[i].in));
		assert_memory_equal(raw, v[i].in, n);
	}
	/* lower case, spaces and padding are accepted */
	assert_int_equal(totp_b32_decode("mzxw 6ytb oi======", raw,
	    sizeof(raw), &n), 0);
	assert_int_equal(n, 6);
	assert_memory_equal(raw, "foobar", 6);
	assert_int_equal(totp_b32_decode("MZ1W", raw, sizeof(raw), &n), -1);
	assert_int_equal(totp_b32_decode("MZ=W", raw, sizeof(raw), &n), -1);
	assert_int_equal(totp_b32_decode("MZXW6YTBOI", raw, 3, &n), -1);
	assert_int_equal(totp_b32_encode(out, 5, (const unsigned char *)
	    "foo", 3), -1);
	/* the RFC's key as an app would take it */
	assert_int_equal(totp_b32_encode(out, sizeof(out), key, KEYLEN), 0);
	assert_string_equal(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

static void
test_uri(void **state)
{
	char	 out[256];

	(void)state;
	assert_int_equal(totp_uri(out, sizeof(out), "stockhub", "a b@x",
	    "GEZDGNBV"), 0);
	assert_string_equal(out, "otpauth://totp/stockhub:a%20b%40x?"
	    "secret=GEZDGNBV&issuer=stockhub&algorithm=SHA1&digits=6&"
	    "period=30");
	assert_int_equal(totp_uri(out, 20, "stockhub", "alice", "GEZDGNBV"),
	    -1);
	assert_string_equal(out, "");
}

static void
test_secret_new(void **state)
{
	unsigned char	 a[TOTP_SECRET_LEN], b[TOTP_SECRET_LEN];
	char		 s[TOTP_B32_MAX];

	(void)state;
	assert_int_equal(totp_secret_new(a), 0);
	assert_int_equal(totp_secret_new(b), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(totp_b32_encode(s, sizeof(s), a, sizeof(a)), 0);
	assert_int_equal(strlen(s), 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6238_vectors),
		cmocka_unit_test(test_rfc4226_vectors),
		cmocka_unit_test(test_verify_window_and_replay),
		cmocka_unit_test(test_verify_malformed),
		cmocka_unit_test(test_base32),
		cmocka_unit_test(test_uri),
		cmocka_unit_test(test_secret_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
