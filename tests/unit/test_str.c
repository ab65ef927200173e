/*
 * Unit tests for lib/str.c: integer parsing, bounded copies, constant-time
 * compare, UTF-8 validation, hex.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "str.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct i64_case {
	const char	*in;
	int		 rc;
	int64_t		 want;
};

static void
test_to_i64_table(void **state)
{
	static const struct i64_case cases[] = {
		{ "0", 0, 0 },
		{ "42", 0, 42 },
		{ "-42", 0, -42 },
		{ "+7", 0, 7 },
		{ "007", 0, 7 },
		{ "  12", 0, 12 },
		{ "12  ", 0, 12 },
		{ "  -3  ", 0, -3 },
		{ "9223372036854775807", 0, INT64_MAX },
		{ "-9223372036854775808", 0, INT64_MIN },
		{ "9223372036854775808", -1, 0 },	/* overflow */
		{ "-9223372036854775809", -1, 0 },
		{ "99999999999999999999999", -1, 0 },
		{ "", -1, 0 },
		{ "   ", -1, 0 },
		{ "+", -1, 0 },
		{ "-", -1, 0 },
		{ "- 1", -1, 0 },
		{ "+-1", -1, 0 },
		{ "--1", -1, 0 },
		{ "12abc", -1, 0 },
		{ "12 3", -1, 0 },
		{ "1.5", -1, 0 },
		{ "1e3", -1, 0 },
		{ "0x10", -1, 0 },
		{ "\t12", -1, 0 },		/* only ASCII spaces */
		{ "12\n", -1, 0 },
		{ "\n12", -1, 0 },
		{ "abc", -1, 0 },
		{ "١٢", -1, 0 },		/* Arabic-Indic digits */
	};
	size_t i;
	int64_t v;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		v = 12345;
		if (str_to_i64(cases[i].in, INT64_MIN, INT64_MAX, &v) !=
		    cases[i].rc)
			fail_msg("case %zu \"%s\": wrong rc", i, cases[i].in);
		if (cases[i].rc == 0 && v != cases[i].want)
			fail_msg("case %zu \"%s\": got %lld", i, cases[i].in,
			    (long long)v);
		if (cases[i].rc == -1 && v != 12345)
			fail_msg("case %zu: out written on failure", i);
	}
}

static void
test_to_i64_range(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(str_to_i64("10", 0, 10, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(str_to_i64("0", 0, 10, &v), 0);
	assert_int_equal(str_to_i64("11", 0, 10, &v), -1);
	assert_int_equal(str_to_i64("-1", 0, 10, &v), -1);
	assert_int_equal(str_to_i64("-1", -1, -1, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(str_to_i64(NULL, 0, 10, &v), -1);
	assert_int_equal(str_to_i64("1", 0, 10, NULL), -1);
}

static void
test_to_i64_errno_preserved(void **state)
{
	int64_t v;

	(void)state;
	errno = EBADF;
	assert_int_equal(str_to_i64("99999999999999999999", INT64_MIN,
	    INT64_MAX, &v), -1);
	assert_int_equal(errno, EBADF);
	errno = 0;
	assert_int_equal(str_to_i64("99999999999999999999", INT64_MIN,
	    INT64_MAX, &v), -1);
	assert_int_equal(errno, 0);
	errno = EINTR;
	assert_int_equal(str_to_i64("5", 0, 9, &v), 0);
	assert_int_equal(errno, EINTR);
}

static void
test_to_i64n(void **state)
{
	char long_in[80];
	int64_t v = 0;

	(void)state;
	/* not NUL-terminated: only the first n bytes count */
	assert_int_equal(str_to_i64n("123456", 3, 0, 1000, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(str_to_i64n("12x", 2, 0, 1000, &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(str_to_i64n("12x", 3, 0, 1000, &v), -1);
	assert_int_equal(str_to_i64n("12", 0, 0, 1000, &v), -1);
	assert_int_equal(str_to_i64n("1\0002", 3, 0, 1000, &v), -1);
	assert_int_equal(str_to_i64n(NULL, 1, 0, 1000, &v), -1);
	/* 63 bytes is the limit: spaces pad a valid number */
	memset(long_in, ' ', sizeof(long_in));
	long_in[0] = '7';
	assert_int_equal(str_to_i64n(long_in, 63, 0, 1000, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(str_to_i64n(long_in, 64, 0, 1000, &v), -1);
	assert_int_equal(str_to_i64n("-9223372036854775808", 20, INT64_MIN,
	    INT64_MAX, &v), 0);
	assert_true(v == INT64_MIN);
}

static void
test_copy(void **state)
{
	char d[4];

	(void)state;
	assert_int_equal(str_copy(d, sizeof(d), "abc"), 0);
	assert_string_equal(d, "abc");
	assert_int_equal(str_copy(d, sizeof(d), "abcd"), -1);
	assert_string_equal(d, "abc");
	assert_int_equal(str_copy(d, sizeof(d), ""), 0);
	assert_string_equal(d, "");
	assert_int_equal(str_copy(d, 1, "x"), -1);
	assert_string_equal(d, "");
	d[0] = 'z';
	assert_int_equal(str_copy(d, 0, "x"), -1);
	assert_int_equal(d[0], 'z');		/* nothing written */
	assert_int_equal(str_copy(NULL, 4, "x"), -1);
	assert_int_equal(str_copy(d, sizeof(d), NULL), -1);
	assert_string_equal(d, "");
}

static void
test_fmt(void **state)
{
	char d[6];

	(void)state;
	assert_int_equal(str_fmt(d, sizeof(d), "%d-%s", 12, "ab"), 0);
	assert_string_equal(d, "12-ab");
	assert_int_equal(str_fmt(d, sizeof(d), "%d-%s", 123, "ab"), -1);
	assert_string_equal(d, "123-a");	/* truncated, terminated */
	assert_int_equal(str_fmt(d, 0, "x"), -1);
	assert_int_equal(str_fmt(d, sizeof(d), "%s", ""), 0);
	assert_string_equal(d, "");
}

static void
test_ct_equal(void **state)
{
	(void)state;
	assert_int_equal(str_ct_equal("abc", 3, "abc", 3), 1);
	assert_int_equal(str_ct_equal("abc", 3, "abd", 3), 0);
	assert_int_equal(str_ct_equal("abc", 3, "xbc", 3), 0);
	assert_int_equal(str_ct_equal("abc", 3, "ab", 2), 0);
	assert_int_equal(str_ct_equal("ab", 2, "abc", 3), 0);
	/* a prefix padded with NUL must still differ */
	assert_int_equal(str_ct_equal("ab\0", 3, "ab", 2), 0);
	assert_int_equal(str_ct_equal("", 0, "", 0), 1);
	assert_int_equal(str_ct_equal(NULL, 0, NULL, 0), 1);
	assert_int_equal(str_ct_equal(NULL, 0, "a", 1), 0);
	assert_int_equal(str_ct_equal("\x80\xff", 2, "\x80\xff", 2), 1);
	assert_int_equal(str_ct_equal("\x80\xff", 2, "\x80\xfe", 2), 0);
	assert_int_equal(str_ct_equal("\x01", 1, "\x00", 1), 0);
}

struct utf8_case {
	const char	*in;
	size_t		 n;
	int		 ok;
};

#define U(s, ok)	{ s, sizeof(s) - 1, ok }

static void
test_utf8_valid(void **state)
{
	static const struct utf8_case cases[] = {
		U("", 1),
		U("plain ascii", 1),
		U("caf\xc3\xa9", 1),			/* é */
		U("\xe2\x82\xac", 1),			/* € */
		U("\xf0\x9f\x98\x80", 1),		/* emoji */
		U("\xed\x9f\xbf", 1),			/* U+D7FF */
		U("\xee\x80\x80", 1),			/* U+E000 */
		U("\xf4\x8f\xbf\xbf", 1),		/* U+10FFFF */
		U("\xc2\x80", 1),			/* U+0080 */
		U("\xe0\xa0\x80", 1),			/* U+0800 */
		U("\xf0\x90\x80\x80", 1),		/* U+10000 */
		U("\x80", 0),				/* lone continuation */
		U("\xbf", 0),
		U("\xc0\xaf", 0),			/* overlong '/' */
		U("\xc1\xbf", 0),
		U("\xe0\x80\xaf", 0),			/* overlong 3-byte */
		U("\xe0\x9f\xbf", 0),
		U("\xf0\x80\x80\xaf", 0),		/* overlong 4-byte */
		U("\xf0\x8f\xbf\xbf", 0),
		U("\xed\xa0\x80", 0),			/* U+D800 */
		U("\xed\xbf\xbf", 0),			/* U+DFFF */
		U("\xf4\x90\x80\x80", 0),		/* U+110000 */
		U("\xf5\x80\x80\x80", 0),
		U("\xff", 0),
		U("\xfe", 0),
		U("\xc3", 0),				/* truncated */
		U("\xe2\x82", 0),
		U("\xf0\x9f\x98", 0),
		U("a\xc3", 0),
		U("\xc3\x28", 0),			/* bad continuation */
		U("\xe2\x28\xa1", 0),
		U("\xf0\x9f\x28\x80", 0),
	};
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++)
		if (str_utf8_valid(cases[i].in, cases[i].n) != cases[i].ok)
			fail_msg("utf8 case %zu: want %d", i, cases[i].ok);
	/* n bounds the read: a valid prefix of an invalid string */
	assert_int_equal(str_utf8_valid("ab\xff", 2), 1);
	/* embedded NUL is valid UTF-8 (callers reject it separately) */
	assert_int_equal(str_utf8_valid("a\0b", 3), 1);
}

static void
test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(str_utf8_len("", 0), 0);
	assert_int_equal(str_utf8_len("abc", 3), 3);
	assert_int_equal(str_utf8_len("caf\xc3\xa9", 5), 4);
	assert_int_equal(str_utf8_len("\xe2\x82\xac\xf0\x9f\x98\x80", 7), 2);
}

static void
test_hex(void **state)
{
	static const unsigned char in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab,
	    0xff };
	char out[2 * sizeof(in) + 1];

	(void)state;
	memset(out, 'Z', sizeof(out));
	str_hex(out, in, sizeof(in));
	assert_string_equal(out, "00017f80abff");
	str_hex(out, in, 0);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_i64_table),
		cmocka_unit_test(test_to_i64_range),
		cmocka_unit_test(test_to_i64_errno_preserved),
		cmocka_unit_test(test_to_i64n),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_ct_equal),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
