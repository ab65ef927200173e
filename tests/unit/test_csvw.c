/*
 * csvw: quoting only where needed, quotes doubled, the formula guard,
 * and the bounded buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "csvw.h"

static void
check(const char *in, int flags, const char *want)
{
	struct buf	 b;

	buf_init(&b, 1024);
	assert_int_equal(csvw_field(&b, in, flags), 0);
	assert_int_equal(buf_append(&b, "", 1), 0);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void
test_quoting(void **state)
{
	(void)state;
	check("plain", 0, "plain");
	check("", 0, "");
	check(NULL, 0, "");
	check("a,b", 0, "\"a,b\"");
	check("say \"hi\"", 0, "\"say \"\"hi\"\"\"");
	check("two\r\nlines", 0, "\"two\r\nlines\"");
	check(" lead", 0, "\" lead\"");
	check("trail\t", 0, "\"trail\t\"");
	check("Cr\xc3\xa8me \xe2\x80\x94 mug", 0, "Cr\xc3\xa8me \xe2\x80\x94 mug");
}

static void
test_guard(void **state)
{
	(void)state;
	check("=1+1", 0, "=1+1");		/* the map keeps it as it is */
	check("=1+1", CSVW_GUARD, "'=1+1");
	check("+1", CSVW_GUARD, "'+1");
	check("@SUM(A1)", CSVW_GUARD, "'@SUM(A1)");
	check("-x", CSVW_GUARD, "'-x");
	check("-12", CSVW_GUARD, "-12");	/* a negative number */
	check("=HYPERLINK(\"x\")", CSVW_GUARD, "\"'=HYPERLINK(\"\"x\"\")\"");
	check("\tx", CSVW_GUARD, "'\tx");
}

static void
test_bounded(void **state)
{
	struct buf	 b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(csvw_field(&b, "far too long", 0), -1);
	buf_free(&b);
	buf_init(&b, 4);
	assert_int_equal(csvw_field(&b, "a", 0), 0);
	assert_int_equal(csvw_sep(&b, 1), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\r\n", 3);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
