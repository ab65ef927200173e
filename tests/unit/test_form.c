/*
 * Unit tests for lib/form.c: percent-decoding, hostile bodies, limits,
 * cookies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "form.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct dec_case {
	const char	*in;
	int		 plus;
	const char	*want;		/* NULL: must be refused */
};

static void
test_decode_table(void **state)
{
	static const struct dec_case cases[] = {
		{ "", 1, "" },
		{ "abc", 1, "abc" },
		{ "a+b", 1, "a b" },
		{ "a+b", 0, "a+b" },
		{ "a%2Bb", 1, "a+b" },
		{ "%41%62%7e%7E", 1, "Ab~~" },
		{ "%25", 1, "%" },
		{ "%2525", 1, "%25" },		/* decoded once only */
		{ "caf%C3%A9", 1, "caf\xc3\xa9" },
		{ "%e2%82%ac", 0, "\xe2\x82\xac" },
		{ "%3Cscript%3E", 1, "<script>" },
		{ "%", 1, NULL },
		{ "%4", 1, NULL },
		{ "a%", 1, NULL },
		{ "%G1", 1, NULL },
		{ "%1G", 1, NULL },
		{ "%%41", 1, NULL },
		{ "% 41", 1, NULL },
		{ "%-1", 1, NULL },
		{ "%00", 1, NULL },		/* embedded NUL */
		{ "a%00b", 1, NULL },
		{ "%C3", 1, NULL },		/* truncated UTF-8 */
		{ "%C0%AF", 1, NULL },		/* overlong '/' */
		{ "%ED%A0%80", 1, NULL },	/* surrogate */
		{ "%FF", 1, NULL },
		{ "\xff", 1, NULL },		/* raw invalid byte */
		{ "%F4%90%80%80", 1, NULL },	/* > U+10FFFF */
	};
	size_t i, n;
	char *out;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		n = 999;
		out = form_decode(cases[i].in, strlen(cases[i].in),
		    cases[i].plus, &n);
		if (cases[i].want == NULL) {
			if (out != NULL)
				fail_msg("case %zu \"%s\" accepted", i,
				    cases[i].in);
			continue;
		}
		if (out == NULL)
			fail_msg("case %zu \"%s\" refused", i, cases[i].in);
		assert_string_equal(out, cases[i].want);
		assert_int_equal(n, strlen(cases[i].want));
		free(out);
	}
}

static void
test_decode_bounds(void **state)
{
	size_t n;
	char *out;

	(void)state;
	/* len bounds the read: "%4" followed by bytes outside the range */
	assert_null(form_decode("%41", 2, 1, &n));
	out = form_decode("abc%41", 3, 1, &n);
	assert_non_null(out);
	assert_string_equal(out, "abc");
	free(out);
	/* a raw NUL byte inside the range */
	assert_null(form_decode("a\0b", 3, 1, &n));
	assert_null(form_decode(NULL, 1, 1, &n));
	out = form_decode(NULL, 0, 1, NULL);
	assert_non_null(out);
	assert_string_equal(out, "");
	free(out);
}

static void
test_parse_basic(void **state)
{
	struct form f = { 0 };
	struct err e;
	const char *body = "sku=AB-1&qty=3&note=hello+world%21&flag&empty=";

	(void)state;
	err_clear(&e);
	assert_int_equal(form_parse(&f, body, strlen(body), 10, &e), 0);
	assert_int_equal(f.n, 5);
	assert_string_equal(form_get(&f, "sku"), "AB-1");
	assert_string_equal(form_get(&f, "qty"), "3");
	assert_string_equal(form_get(&f, "note"), "hello world!");
	assert_string_equal(form_get(&f, "flag"), "");
	assert_string_equal(form_get(&f, "empty"), "");
	assert_null(form_get(&f, "missing"));
	assert_null(form_get(&f, "sk"));	/* no prefix match */
	assert_null(form_get(&f, NULL));
	assert_null(form_get(NULL, "sku"));
	form_free(&f);
	assert_null(f.pairs);
	assert_int_equal(f.n, 0);
	form_free(&f);				/* twice is fine */
	form_free(NULL);
}

static void
test_parse_keys_decoded_first_wins(void **state)
{
	struct form f = { 0 };
	struct err e;
	const char *body = "a%5Bb%5D=1&a[b]=2&x=a=b";

	(void)state;
	assert_int_equal(form_parse(&f, body, strlen(body), 10, &e), 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(form_get(&f, "a[b]"), "1");
	assert_string_equal(f.pairs[1].val, "2");
	assert_string_equal(form_get(&f, "x"), "a=b");	/* first '=' splits */
	form_free(&f);
}

static void
test_parse_empty_segments(void **state)
{
	struct form f = { 0 };
	struct err e;
	const char *body = "&&a=1&&&b=2&";

	(void)state;
	assert_int_equal(form_parse(&f, body, strlen(body), 2, &e), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(form_get(&f, "b"), "2");
	form_free(&f);

	assert_int_equal(form_parse(&f, "", 0, 0, &e), 0);
	assert_int_equal(f.n, 0);
	form_free(&f);
	assert_int_equal(form_parse(&f, "&&&", 3, 0, &e), 0);
	assert_int_equal(f.n, 0);
	form_free(&f);
	assert_int_equal(form_parse(&f, NULL, 0, 5, &e), 0);
	form_free(&f);
}

static void
test_parse_max_pairs(void **state)
{
	struct form f = { 0 };
	struct err e;
	const char *body = "a=1&b=2&c=3";

	(void)state;
	assert_int_equal(form_parse(&f, body, strlen(body), 3, &e), 0);
	assert_int_equal(f.n, 3);
	form_free(&f);
	err_clear(&e);
	assert_int_equal(form_parse(&f, body, strlen(body), 2, &e), -1);
	assert_int_equal(e.kind, ERR_TOOBIG);
	assert_null(f.pairs);
	assert_int_equal(f.n, 0);
	assert_int_equal(form_parse(&f, "a", 1, 0, &e), -1);
	assert_int_equal(e.kind, ERR_TOOBIG);
}

static void
test_parse_hostile(void **state)
{
	static const char *const bad[] = {
		"a=1&b=%00",
		"a=1&b%00=2",
		"a=1&b=%ZZ",
		"a=1&b=%",
		"a=1&b=%4",
		"a=%C0%AE%C0%AE%2F",		/* overlong "../" */
		"a=%ED%B0%80",			/* surrogate */
		"a=ok&name=%FF%FE",
		"a=%E2%82",			/* truncated */
		"x=\xc3",			/* raw truncated */
	};
	struct form f = { 0 };
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		err_clear(&e);
		if (form_parse(&f, bad[i], strlen(bad[i]), 10, &e) != -1)
			fail_msg("hostile %zu \"%s\" accepted", i, bad[i]);
		assert_int_equal(e.kind, ERR_INVALID);
		assert_true(e.msg[0] != '\0');
		/* refused, not half-read */
		assert_null(f.pairs);
		assert_int_equal(f.n, 0);
		assert_null(form_get(&f, "a"));
	}
	/* raw NUL inside the given length */
	assert_int_equal(form_parse(&f, "a=1\0&b=2", 8, 10, &e), -1);
	assert_int_equal(f.n, 0);
	/* e may be NULL */
	assert_int_equal(form_parse(&f, "a=%", 3, 10, NULL), -1);
}

static void
test_parse_not_nul_terminated(void **state)
{
	struct form f = { 0 };
	struct err e;
	const char body[] = { 'a', '=', '1', '&', 'b', '=', '2', '%' };

	(void)state;
	/* only the first 7 bytes: the trailing '%' lies outside */
	assert_int_equal(form_parse(&f, body, 7, 10, &e), 0);
	assert_string_equal(form_get(&f, "b"), "2");
	form_free(&f);
	assert_int_equal(form_parse(&f, body, 8, 10, &e), -1);
}

struct cookie_case {
	const char	*hdr;
	const char	*name;
	const char	*want;		/* NULL: not found */
};

static void
test_cookie_table(void **state)
{
	static const struct cookie_case cases[] = {
		{ "a=1; b=2", "a", "1" },
		{ "a=1; b=2", "b", "2" },
		{ "a=1;b=2", "b", "2" },
		{ "a=1 ;  b=2  ", "b", "2" },
		{ "  a = 1 ; b=2", "a", "1" },
		{ "sid=abc; sid2=def", "sid2", "def" },
		{ "sid2=def; sid=abc", "sid", "abc" },	/* not prefix */
		{ "xsid=1; sid=2", "sid", "2" },	/* not suffix */
		{ "sidx=1", "sid", NULL },
		{ "a=1", "b", NULL },
		{ "", "a", NULL },
		{ "a", "a", NULL },			/* no '=' */
		{ "a=", "a", "" },
		{ "a=\"quoted\"", "a", "quoted" },
		{ "a=\"\"", "a", "" },
		{ "a=\"", "a", "\"" },
		{ "a=x=y", "a", "x=y" },
		{ "a=1; a=2", "a", "1" },		/* first wins */
		{ "A=1", "a", NULL },			/* exact case */
		{ ";;a=1;;", "a", "1" },
		{ "b=2; a=<script>", "a", "<script>" },
	};
	char out[32];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(out, 'Z', sizeof(out));
		rc = form_cookie(cases[i].hdr, cases[i].name, out,
		    sizeof(out));
		if (cases[i].want == NULL) {
			if (rc != -1)
				fail_msg("cookie case %zu found \"%s\"", i,
				    out);
			continue;
		}
		if (rc != 0)
			fail_msg("cookie case %zu not found", i);
		assert_string_equal(out, cases[i].want);
	}
}

static void
test_cookie_limits(void **state)
{
	char out[4];

	(void)state;
	assert_int_equal(form_cookie("a=123", "a", out, sizeof(out)), 0);
	assert_string_equal(out, "123");
	assert_int_equal(form_cookie("a=1234", "a", out, sizeof(out)), -1);
	assert_string_equal(out, "");		/* no truncated value */
	assert_int_equal(form_cookie("a=\"123\"", "a", out, sizeof(out)), 0);
	assert_string_equal(out, "123");
	assert_int_equal(form_cookie(NULL, "a", out, sizeof(out)), -1);
	assert_int_equal(form_cookie("a=1", NULL, out, sizeof(out)), -1);
	assert_int_equal(form_cookie("a=1", "", out, sizeof(out)), -1);
	assert_int_equal(form_cookie("=1", "", out, sizeof(out)), -1);
	assert_int_equal(form_cookie("a=1", "a", NULL, 4), -1);
	assert_int_equal(form_cookie("a=1", "a", out, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_decode_bounds),
		cmocka_unit_test(test_parse_basic),
		cmocka_unit_test(test_parse_keys_decoded_first_wins),
		cmocka_unit_test(test_parse_empty_segments),
		cmocka_unit_test(test_parse_max_pairs),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_parse_not_nul_terminated),
		cmocka_unit_test(test_cookie_table),
		cmocka_unit_test(test_cookie_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
