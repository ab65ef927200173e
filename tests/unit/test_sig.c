/*
 * Unit tests for lib/sig.c: Shopify and Standard Webhooks (Etsy) webhook
 * signatures. The expected values were computed independently with the
 * OpenSSL command line while writing these tests, e.g.
 *   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
 *   printf '%s' "$ID.$TS.$BODY" | openssl dgst -sha256 -mac HMAC \
 *       -macopt hexkey:$(printf '%s' "$KEY" | xxd -p -c 100) -binary | base64
 * and the Standard Webhooks vector is the one the reference libraries use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "sig.h"

/* Shopify known answer. */
#define SH_SECRET	"shpss_test_secret_1"
#define SH_BODY		"{\"id\":820982911946154508,\"line_items\":" \
			"[{\"sku\":\"MUG-1\",\"quantity\":1}]}"
#define SH_SIG		"PhI1xDe0QqxE9YT3yEQT79YlInX59m9UXCzhKT++HaI="
#define SH_SIG_EMPTY	"XXMm/fxzjrEY4nZmirWfKem9mZOxoD/Lv58nOyGpUMo="

/* Standard Webhooks reference vector. */
#define SW_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SW_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SW_TS		INT64_C(1614265330)
#define SW_TS_S		"1614265330"
#define SW_BODY		"{\"test\": 2432232314}"
#define SW_SIG		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

/* Our own Etsy-shaped vector; key "stockhub-etsy-key" (padded base64). */
#define ET_SECRET	"whsec_c3RvY2todWItZXRzeS1rZXk="
#define ET_ID		"msg_2Xyz"
#define ET_TS		INT64_C(1767225600)
#define ET_TS_S		"1767225600"
#define ET_BODY		"{\"receipt_id\":4242,\"type\":\"ORDER_PAID\"}"
#define ET_SIG		"v1,UPpq6lzfUpDUyfPsBbboo+Res2iXxaKnlh/zL8wSyOM="

static int
sh_verify(const char *secret, const char *body, const char *hdr)
{
	return sig_shopify_verify(secret, body, strlen(body), hdr, NULL);
}

static int
sw_verify(const char *id, const char *ts, const char *sig, const char *body,
    int64_t now)
{
	return sig_stdwh_verify(SW_SECRET, id, ts, sig, body, strlen(body),
	    now, NULL);
}

/* ---- Shopify ---- */

static void
test_shopify_known_answer(void **state)
{
	char		 out[SIG_SHOPIFY_SIZE];
	struct err	 e;
	const char	*why = NULL;

	(void)state;
	err_clear(&e);
	assert_int_equal(sig_shopify_sign(SH_SECRET, SH_BODY,
	    strlen(SH_BODY), out, sizeof(out), &e), 0);
	assert_string_equal(out, SH_SIG);
	assert_int_equal(sig_shopify_verify(SH_SECRET, SH_BODY,
	    strlen(SH_BODY), SH_SIG, &why), 1);
	assert_string_equal(why, "valid");

	/* Empty body (NULL allowed with length 0). */
	assert_int_equal(sig_shopify_sign(SH_SECRET, NULL, 0, out,
	    sizeof(out), &e), 0);
	assert_string_equal(out, SH_SIG_EMPTY);
	assert_int_equal(sig_shopify_verify(SH_SECRET, NULL, 0, SH_SIG_EMPTY,
	    NULL), 1);
	assert_int_equal(sig_shopify_verify(SH_SECRET, "", 0, SH_SIG, NULL),
	    0);
}

static void
test_shopify_raw_bytes(void **state)
{
	static const char	body[] = { 'a', '\0', 'b', '\n' };
	static const char	want[] =
	    "a+JLLzlq/ROU4iR/oKWpLpgI1L1xS9VeQySU8zNbXHc=";
	char			out[SIG_SHOPIFY_SIZE];

	(void)state;
	/* The NUL is part of the body: nothing stops at it. */
	assert_int_equal(sig_shopify_sign("k", body, sizeof(body), out,
	    sizeof(out), NULL), 0);
	assert_string_equal(out, want);
	assert_int_equal(sig_shopify_verify("k", body, sizeof(body), want,
	    NULL), 1);
	assert_int_equal(sig_shopify_verify("k", body, 1, want, NULL), 0);
	assert_int_equal(sig_shopify_verify("k", body, 3, want, NULL), 0);
}

static void
test_shopify_tamper(void **state)
{
	char		body[] = SH_BODY;
	char		hdr[] = SH_SIG;
	size_t		n = strlen(body), i;
	const size_t	pos[] = { 0, 10, 30, n - 1 };

	(void)state;
	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		body[pos[i]] ^= 0x01;
		assert_int_equal(sh_verify(SH_SECRET, body, SH_SIG), 0);
		body[pos[i]] ^= 0x01;
	}
	assert_int_equal(sh_verify(SH_SECRET, body, SH_SIG), 1);
	/* One more or one less byte. */
	assert_int_equal(sig_shopify_verify(SH_SECRET, body, n - 1, SH_SIG,
	    NULL), 0);
	/* Quantity 1 -> 9: the classic forgery. */
	assert_int_equal(body[n - 4], '1');
	body[n - 4] = '9';
	assert_int_equal(sh_verify(SH_SECRET, body, SH_SIG), 0);

	/* One character of the signature changed, anywhere. */
	for (i = 0; i < SIG_B64_LEN - 1; i++) {
		char keep = hdr[i];

		hdr[i] = keep == 'A' ? 'B' : 'A';
		assert_int_equal(sh_verify(SH_SECRET, SH_BODY, hdr), 0);
		hdr[i] = keep;
	}
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, hdr), 1);
}

static void
test_shopify_wrong_or_missing_secret(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(sh_verify("shpss_test_secret_2", SH_BODY, SH_SIG), 0);
	assert_int_equal(sh_verify("SHPSS_TEST_SECRET_1", SH_BODY, SH_SIG), 0);
	assert_int_equal(sh_verify("shpss_test_secret_", SH_BODY, SH_SIG), 0);
	assert_int_equal(sig_shopify_verify("", SH_BODY, strlen(SH_BODY),
	    SH_SIG, &why), 0);
	assert_string_equal(why, "no secret configured");
	assert_int_equal(sh_verify(NULL, SH_BODY, SH_SIG), 0);
}

static void
test_shopify_missing_header(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(sig_shopify_verify(SH_SECRET, SH_BODY,
	    strlen(SH_BODY), NULL, &why), 0);
	assert_string_equal(why, "missing header");
	why = NULL;
	assert_int_equal(sig_shopify_verify(SH_SECRET, SH_BODY,
	    strlen(SH_BODY), "", &why), 0);
	assert_string_equal(why, "missing header");
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, " \t "), 0);
	/* Body NULL with a length is refused, not read. */
	assert_int_equal(sig_shopify_verify(SH_SECRET, NULL, 5, SH_SIG,
	    NULL), 0);
}

static void
test_shopify_bad_base64(void **state)
{
	(void)state;
	/* OWS around the value is fine (HTTP strips it anyway). */
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, " " SH_SIG "\t"), 1);

	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, "!!!!"), 0);
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, "===="), 0);
	/* Missing padding, extra padding, trailing garbage, truncation. */
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY,
	    "PhI1xDe0QqxE9YT3yEQT79YlInX59m9UXCzhKT++HaI"), 0);
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, SH_SIG "="), 0);
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, SH_SIG "x"), 0);
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, SH_SIG " " SH_SIG), 0);
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, "PhI1xDe0"), 0);
	/* URL-safe alphabet is not what Shopify sends. */
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY,
	    "PhI1xDe0QqxE9YT3yEQT79YlInX59m9UXCzhKT--HaI="), 0);
	/* The same MAC in hex is not base64. */
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY,
	    "3e1235c437b442ac44f584f7c84413efd6252275f9f66f545c2ce1293fbe1da2"),
	    0);
	/* Prefixed like other providers do. */
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, "sha256=" SH_SIG), 0);
}

static void
test_shopify_reserialized_json(void **state)
{
	(void)state;
	/* Same JSON value, different bytes: must not verify. */
	assert_int_equal(sh_verify(SH_SECRET,
	    "{\"id\": 820982911946154508, \"line_items\": "
	    "[{\"sku\": \"MUG-1\", \"quantity\": 1}]}", SH_SIG), 0);
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY "\n", SH_SIG), 0);
	assert_int_equal(sh_verify(SH_SECRET,
	    "{\"line_items\":[{\"sku\":\"MUG-1\",\"quantity\":1}],"
	    "\"id\":820982911946154508}", SH_SIG), 0);
}

static void
test_shopify_rotation(void **state)
{
	char	by_old[SIG_SHOPIFY_SIZE], by_new[SIG_SHOPIFY_SIZE];
	char	by_other[SIG_SHOPIFY_SIZE];
	size_t	n = strlen(SH_BODY);

	(void)state;
	assert_int_equal(sig_shopify_sign("old-secret", SH_BODY, n, by_old,
	    sizeof(by_old), NULL), 0);
	assert_int_equal(sig_shopify_sign("new-secret", SH_BODY, n, by_new,
	    sizeof(by_new), NULL), 0);
	assert_int_equal(sig_shopify_sign("other", SH_BODY, n, by_other,
	    sizeof(by_other), NULL), 0);
	assert_string_not_equal(by_old, by_new);

	assert_int_equal(sig_shopify_verify2("new-secret", "old-secret",
	    SH_BODY, n, by_old, NULL), 1);
	assert_int_equal(sig_shopify_verify2("new-secret", "old-secret",
	    SH_BODY, n, by_new, NULL), 1);
	assert_int_equal(sig_shopify_verify2("new-secret", "old-secret",
	    SH_BODY, n, by_other, NULL), 0);
	/* Only the new one configured: old signatures fail. */
	assert_int_equal(sig_shopify_verify("new-secret", SH_BODY, n, by_old,
	    NULL), 0);
	assert_int_equal(sig_shopify_verify2("new-secret", NULL, SH_BODY, n,
	    by_old, NULL), 0);
	assert_int_equal(sig_shopify_verify2("new-secret", "", SH_BODY, n,
	    by_new, NULL), 1);
	assert_int_equal(sig_shopify_verify2(NULL, "old-secret", SH_BODY, n,
	    by_old, NULL), 1);
	assert_int_equal(sig_shopify_verify2(NULL, NULL, SH_BODY, n, by_old,
	    NULL), 0);
	/* Rotation does not make a tampered body pass. */
	assert_int_equal(sig_shopify_verify2("new-secret", "old-secret",
	    SH_BODY, n - 1, by_old, NULL), 0);
}

static void
test_shopify_oversize_and_garbage(void **state)
{
	char		*big;
	const char	*why = NULL;
	size_t		 n = SIG_MAX_HEADER + 10;

	(void)state;
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'A', n);
	big[n] = '\0';
	assert_int_equal(sig_shopify_verify(SH_SECRET, SH_BODY,
	    strlen(SH_BODY), big, &why), 0);
	assert_string_equal(why, "header too long");
	/* A valid signature drowned in blanks past the limit: refused. */
	memset(big, ' ', n);
	memcpy(big, SH_SIG, strlen(SH_SIG));
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, big), 0);
	/* ... but within the limit the blanks are trimmed. */
	big[SIG_MAX_HEADER] = '\0';
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, big), 1);
	free(big);

	assert_int_equal(sh_verify(SH_SECRET, SH_BODY,
	    "\xff\xfe\x01\x02garbage\x7f"), 0);
	assert_int_equal(sh_verify(SH_SECRET, SH_BODY, "\r\n"), 0);
}

static void
test_shopify_sign_errors(void **state)
{
	char		out[SIG_SHOPIFY_SIZE];
	struct err	e;

	(void)state;
	err_clear(&e);
	assert_int_equal(sig_shopify_sign(SH_SECRET, SH_BODY, 3, out,
	    SIG_SHOPIFY_SIZE - 1, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	err_clear(&e);
	assert_int_equal(sig_shopify_sign(SH_SECRET, SH_BODY, 3, NULL, 100,
	    &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	err_clear(&e);
	assert_int_equal(sig_shopify_sign("", SH_BODY, 3, out, sizeof(out),
	    &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_string_equal(out, "");
	err_clear(&e);
	assert_int_equal(sig_shopify_sign(SH_SECRET, NULL, 3, out,
	    sizeof(out), &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
}

/* ---- Standard Webhooks (Etsy) ---- */

static void
test_stdwh_known_answer(void **state)
{
	char		 out[SIG_STDWH_SIZE];
	struct err	 e;
	const char	*why = NULL;

	(void)state;
	err_clear(&e);
	assert_int_equal(sig_stdwh_sign(SW_SECRET, SW_ID, SW_TS, SW_BODY,
	    strlen(SW_BODY), out, sizeof(out), &e), 0);
	assert_string_equal(out, SW_SIG);
	assert_int_equal(sig_stdwh_verify(SW_SECRET, SW_ID, SW_TS_S, SW_SIG,
	    SW_BODY, strlen(SW_BODY), SW_TS, &why), 1);
	assert_string_equal(why, "valid");

	/* Padded key, Etsy-shaped body. */
	assert_int_equal(sig_stdwh_sign(ET_SECRET, ET_ID, ET_TS, ET_BODY,
	    strlen(ET_BODY), out, sizeof(out), &e), 0);
	assert_string_equal(out, ET_SIG);
	assert_int_equal(sig_stdwh_verify(ET_SECRET, ET_ID, ET_TS_S, ET_SIG,
	    ET_BODY, strlen(ET_BODY), ET_TS + 10, NULL), 1);
}

static void
test_stdwh_secret_forms(void **state)
{
	static const char *const same[] = {
		"whsec_c3RvY2todWItZXRzeS1rZXk=",
		"c3RvY2todWItZXRzeS1rZXk=",	/* prefix optional */
		"whsec_c3RvY2todWItZXRzeS1rZXk",	/* padding optional */
	};
	static const char *const bad[] = {
		"whsec_", "", "whsec_!!!!", "whsec_c3Rv=Y2to",
		"whsec_c3RvY2todWItZXRzeS1rZXk===", "whsec_c3RvY", "whsec_ c3Rv",
		"whsec_c3RvY2todWItZXRzeS1rZXk=\n",
		"whsec_c3RvY2todWItZXRzeS1rZXk==",	/* padding past 4n */
		"whsec_c3Rv=",
	};
	char		out[SIG_STDWH_SIZE];
	const char	*why;
	struct err	e;
	size_t		i, n = strlen(ET_BODY);

	(void)state;
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		assert_int_equal(sig_stdwh_verify(same[i], ET_ID, ET_TS_S,
		    ET_SIG, ET_BODY, n, ET_TS, NULL), 1);
		assert_int_equal(sig_stdwh_sign(same[i], ET_ID, ET_TS, ET_BODY,
		    n, out, sizeof(out), NULL), 0);
		assert_string_equal(out, ET_SIG);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(sig_stdwh_verify(bad[i], ET_ID, ET_TS_S,
		    ET_SIG, ET_BODY, n, ET_TS, &why), 0);
		assert_string_equal(why, "no usable secret configured");
		err_clear(&e);
		assert_int_equal(sig_stdwh_sign(bad[i], ET_ID, ET_TS, ET_BODY,
		    n, out, sizeof(out), &e), -1);
		assert_int_equal(e.kind, ERR_INVALID);
	}
	assert_int_equal(sig_stdwh_verify(NULL, ET_ID, ET_TS_S, ET_SIG,
	    ET_BODY, n, ET_TS, NULL), 0);
	/* The key is the DECODED secret, not its text. */
	assert_int_equal(sig_stdwh_verify("whsec_c3RvY2todWItZXRzeS1rZXo=",
	    ET_ID, ET_TS_S, ET_SIG, ET_BODY, n, ET_TS, NULL), 0);
}

static void
test_stdwh_timestamp_tolerance(void **state)
{
	const char *why = NULL;

	(void)state;
	/* now is the receiver's clock; the message says SW_TS. */
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, SW_SIG, SW_BODY,
	    SW_TS + 299), 1);
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, SW_SIG, SW_BODY,
	    SW_TS - 299), 1);
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, SW_SIG, SW_BODY,
	    SW_TS + 300), 1);
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, SW_SIG, SW_BODY,
	    SW_TS - 300), 1);
	assert_int_equal(sig_stdwh_verify(SW_SECRET, SW_ID, SW_TS_S, SW_SIG,
	    SW_BODY, strlen(SW_BODY), SW_TS + 301, &why), 0);
	assert_string_equal(why, "timestamp out of tolerance");
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, SW_SIG, SW_BODY,
	    SW_TS - 301), 0);
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, SW_SIG, SW_BODY,
	    SW_TS + 86400), 0);
	/* Extreme clocks: no overflow, just invalid. */
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, SW_SIG, SW_BODY,
	    INT64_MIN), 0);
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, SW_SIG, SW_BODY,
	    INT64_MAX), 0);
	assert_int_equal(sw_verify(SW_ID, "9223372036854775807", SW_SIG,
	    SW_BODY, INT64_MIN), 0);
	assert_int_equal(sw_verify(SW_ID, "0", SW_SIG, SW_BODY, 0), 0);
}

static void
test_stdwh_timestamp_is_signed(void **state)
{
	char		out[SIG_STDWH_SIZE];
	const char	*why = NULL;

	(void)state;
	/* A replay with a fresh timestamp but the old signature fails. */
	assert_int_equal(sw_verify(SW_ID, "1614265331", SW_SIG, SW_BODY,
	    SW_TS), 0);
	/* Same number, other text: the bytes are signed, not the value. */
	assert_int_equal(sw_verify(SW_ID, "01614265330", SW_SIG, SW_BODY,
	    SW_TS), 0);
	/* Surrounding blanks are header whitespace, trimmed. */
	assert_int_equal(sw_verify(SW_ID, " " SW_TS_S " ", SW_SIG, SW_BODY,
	    SW_TS), 1);
	/* Not digits. */
	assert_int_equal(sig_stdwh_verify(SW_SECRET, SW_ID, "+1614265330",
	    SW_SIG, SW_BODY, strlen(SW_BODY), SW_TS, &why), 0);
	assert_string_equal(why, "bad webhook-timestamp");
	assert_int_equal(sw_verify(SW_ID, "-1614265330", SW_SIG, SW_BODY,
	    SW_TS), 0);
	assert_int_equal(sw_verify(SW_ID, "1614265330.0", SW_SIG, SW_BODY,
	    SW_TS), 0);
	assert_int_equal(sw_verify(SW_ID, "16142 65330", SW_SIG, SW_BODY,
	    SW_TS), 0);
	assert_int_equal(sw_verify(SW_ID, "2021-02-25T15:02:10Z", SW_SIG,
	    SW_BODY, SW_TS), 0);
	assert_int_equal(sw_verify(SW_ID, "99999999999999999999", SW_SIG,
	    SW_BODY, SW_TS), 0);
	/* Signing rejects negative times. */
	assert_int_equal(sig_stdwh_sign(SW_SECRET, SW_ID, -1, SW_BODY,
	    strlen(SW_BODY), out, sizeof(out), NULL), -1);
}

static void
test_stdwh_tamper_and_wrong_secret(void **state)
{
	char	body[] = SW_BODY;
	size_t	i, n = strlen(body);

	(void)state;
	for (i = 0; i < n; i++) {
		body[i] ^= 0x20;
		assert_int_equal(sw_verify(SW_ID, SW_TS_S, SW_SIG, body,
		    SW_TS), 0);
		body[i] ^= 0x20;
	}
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, SW_SIG, body, SW_TS), 1);
	/* Other message id. */
	assert_int_equal(sw_verify("msg_p5jXN8AQM9LWM0D4loKWxJeK", SW_TS_S,
	    SW_SIG, SW_BODY, SW_TS), 0);
	/* Wrong secret. */
	assert_int_equal(sig_stdwh_verify(ET_SECRET, SW_ID, SW_TS_S, SW_SIG,
	    SW_BODY, strlen(SW_BODY), SW_TS, NULL), 0);
	/* Re-serialized JSON. */
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, SW_SIG,
	    "{\"test\":2432232314}", SW_TS), 0);
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, SW_SIG,
	    "{\"test\": 2432232314}\n", SW_TS), 0);
	/* The content is id.ts.body: moving bytes between parts fails. */
	assert_int_equal(sig_stdwh_verify(SW_SECRET, SW_ID ".1614265330",
	    "", SW_SIG, SW_BODY, strlen(SW_BODY), SW_TS, NULL), 0);
}

static void
test_stdwh_multiple_signatures(void **state)
{
	static const char *const good[] = {
		"v1,Zm9vYmFy " SW_SIG,
		SW_SIG " v1,Zm9vYmFy",
		"v1a,abc   " SW_SIG "   v2,xyz",
		"v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v1,x " SW_SIG,
		"  " SW_SIG "  ",
	};
	static const char *const bad[] = {
		"v1,Zm9vYmFy v1,YmFyYmF6",
		"g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",	/* no v1, */
		"v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
		"v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
		"V1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
		"v1=g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=,",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\x01",
		"v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=",
		"v1, g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
		"v1,",
		"v1",
		",",
	};
	const char	*why;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(sw_verify(SW_ID, SW_TS_S, good[i], SW_BODY,
		    SW_TS), 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(sig_stdwh_verify(SW_SECRET, SW_ID, SW_TS_S,
		    bad[i], SW_BODY, strlen(SW_BODY), SW_TS, &why), 0);
		assert_string_equal(why, "signature mismatch");
	}
}

static void
test_stdwh_missing_and_oversize(void **state)
{
	char		*big, id[SIG_STDWH_MAX_ID + 2], out[SIG_STDWH_SIZE];
	const char	*why = NULL;
	size_t		 n = SIG_MAX_HEADER + 1, i;
	struct err	 e;

	(void)state;
	assert_int_equal(sig_stdwh_verify(SW_SECRET, NULL, SW_TS_S, SW_SIG,
	    SW_BODY, strlen(SW_BODY), SW_TS, &why), 0);
	assert_string_equal(why, "missing or oversize header");
	assert_int_equal(sw_verify(SW_ID, NULL, SW_SIG, SW_BODY, SW_TS), 0);
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, NULL, SW_BODY, SW_TS), 0);
	assert_int_equal(sw_verify("", SW_TS_S, SW_SIG, SW_BODY, SW_TS), 0);
	assert_int_equal(sw_verify(SW_ID, "", SW_SIG, SW_BODY, SW_TS), 0);
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, " ", SW_BODY, SW_TS), 0);

	/* Signature header over the limit, even with a good entry inside. */
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big + n - strlen(SW_SIG), SW_SIG, strlen(SW_SIG));
	big[n] = '\0';
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, big, SW_BODY, SW_TS), 0);
	/* Many bogus entries then the good one, within the limit: fine. */
	for (i = 0; i + 4 < n; i += 4)
		memcpy(big + i, "v1,x", 4);
	big[n - strlen(SW_SIG) - 1] = ' ';
	big[SIG_MAX_HEADER] = '\0';
	memcpy(big + SIG_MAX_HEADER - strlen(SW_SIG) - 1, " " SW_SIG,
	    strlen(SW_SIG) + 1);
	assert_int_equal(sw_verify(SW_ID, SW_TS_S, big, SW_BODY, SW_TS), 1);
	free(big);

	/* webhook-id: too long, blanks or control bytes inside. */
	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	why = NULL;
	assert_int_equal(sig_stdwh_verify(SW_SECRET, id, SW_TS_S, SW_SIG,
	    SW_BODY, strlen(SW_BODY), SW_TS, &why), 0);
	assert_string_equal(why, "bad webhook-id");
	assert_int_equal(sig_stdwh_sign(SW_SECRET, id, SW_TS, SW_BODY,
	    strlen(SW_BODY), out, sizeof(out), NULL), -1);
	id[SIG_STDWH_MAX_ID] = '\0';	/* exactly the maximum: fine */
	assert_int_equal(sig_stdwh_sign(SW_SECRET, id, SW_TS, SW_BODY,
	    strlen(SW_BODY), out, sizeof(out), NULL), 0);
	assert_int_equal(sw_verify(id, SW_TS_S, out, SW_BODY, SW_TS), 1);
	assert_int_equal(sw_verify("msg 1", SW_TS_S, SW_SIG, SW_BODY, SW_TS),
	    0);
	assert_int_equal(sw_verify("msg\x01", SW_TS_S, SW_SIG, SW_BODY,
	    SW_TS), 0);
	why = NULL;
	assert_int_equal(sig_stdwh_verify(SW_SECRET, "msg\xc3\xa9", SW_TS_S,
	    SW_SIG, SW_BODY, strlen(SW_BODY), SW_TS, &why), 0);
	assert_string_equal(why, "bad webhook-id");
	why = NULL;
	assert_int_equal(sig_stdwh_verify(SW_SECRET, "msg\x7f", SW_TS_S,
	    SW_SIG, SW_BODY, strlen(SW_BODY), SW_TS, &why), 0);
	assert_string_equal(why, "bad webhook-id");
	assert_int_equal(sig_stdwh_sign(SW_SECRET, "msg\xc3\xa9", SW_TS,
	    SW_BODY, strlen(SW_BODY), out, sizeof(out), NULL), -1);

	/* Sign: output too small, NULL id, NULL body with a length. */
	err_clear(&e);
	assert_int_equal(sig_stdwh_sign(SW_SECRET, SW_ID, SW_TS, SW_BODY,
	    strlen(SW_BODY), out, SIG_STDWH_SIZE - 1, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_int_equal(sig_stdwh_sign(SW_SECRET, NULL, SW_TS, SW_BODY,
	    strlen(SW_BODY), out, sizeof(out), NULL), -1);
	assert_int_equal(sig_stdwh_sign(SW_SECRET, SW_ID, SW_TS, NULL, 4,
	    out, sizeof(out), NULL), -1);
	assert_int_equal(sig_stdwh_verify(SW_SECRET, SW_ID, SW_TS_S, SW_SIG,
	    NULL, 4, SW_TS, NULL), 0);
}

static void
test_stdwh_roundtrip(void **state)
{
	char	out[SIG_STDWH_SIZE], hdr[2 * SIG_STDWH_SIZE + 2];
	size_t	n = strlen(ET_BODY);

	(void)state;
	/* What the sandbox emulators send verifies on the hub side. */
	assert_int_equal(sig_stdwh_sign(SW_SECRET, "msg_emu_1", 1800000000,
	    ET_BODY, n, out, sizeof(out), NULL), 0);
	assert_int_equal(strncmp(out, "v1,", 3), 0);
	assert_int_equal(strlen(out), SIG_STDWH_SIZE - 1);
	assert_int_equal(sw_verify("msg_emu_1", "1800000000", out, ET_BODY,
	    1800000000), 1);
	assert_int_equal(sw_verify("msg_emu_2", "1800000000", out, ET_BODY,
	    1800000000), 0);
	/* Sender-side rotation: old and new signatures side by side. */
	memcpy(hdr, ET_SIG " ", strlen(ET_SIG) + 1);
	memcpy(hdr + strlen(ET_SIG) + 1, out, strlen(out) + 1);
	assert_int_equal(sw_verify("msg_emu_1", "1800000000", hdr, ET_BODY,
	    1800000000), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shopify_known_answer),
		cmocka_unit_test(test_shopify_raw_bytes),
		cmocka_unit_test(test_shopify_tamper),
		cmocka_unit_test(test_shopify_wrong_or_missing_secret),
		cmocka_unit_test(test_shopify_missing_header),
		cmocka_unit_test(test_shopify_bad_base64),
		cmocka_unit_test(test_shopify_reserialized_json),
		cmocka_unit_test(test_shopify_rotation),
		cmocka_unit_test(test_shopify_oversize_and_garbage),
		cmocka_unit_test(test_shopify_sign_errors),
		cmocka_unit_test(test_stdwh_known_answer),
		cmocka_unit_test(test_stdwh_secret_forms),
		cmocka_unit_test(test_stdwh_timestamp_tolerance),
		cmocka_unit_test(test_stdwh_timestamp_is_signed),
		cmocka_unit_test(test_stdwh_tamper_and_wrong_secret),
		cmocka_unit_test(test_stdwh_multiple_signatures),
		cmocka_unit_test(test_stdwh_missing_and_oversize),
		cmocka_unit_test(test_stdwh_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
