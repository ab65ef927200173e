/*
 * Unit tests for lib/html.c: escaping, the template writer, sticky failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "html.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct esc_case {
	const char	*in;
	const char	*want;
};

static void
test_escape_table(void **state)
{
	static const struct esc_case cases[] = {
		{ "", "" },
		{ "plain", "plain" },
		{ "&", "&amp;" },
		{ "<", "&lt;" },
		{ ">", "&gt;" },
		{ "\"", "&quot;" },
		{ "'", "&#39;" },
		{ "&amp;", "&amp;amp;" },		/* no double-decode */
		{ "<script>alert(1)</script>",
		  "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "\"><img src=x onerror=alert(1)>",
		  "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" },
		{ "' onmouseover='alert(1)",
		  "&#39; onmouseover=&#39;alert(1)" },
		{ "javascript:alert(\"x\")", "javascript:alert(&quot;x&quot;)" },
		{ "caf\xc3\xa9 <b>", "caf\xc3\xa9 &lt;b&gt;" },
		{ "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&#39;f" },
	};
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		buf_init(&b, 1000);
		assert_int_equal(html_escape(&b, cases[i].in,
		    strlen(cases[i].in)), 0);
		assert_non_null(b.data);
		assert_string_equal(b.data, cases[i].want);
		buf_free(&b);
	}
}

static void
test_escape_n_bounds(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(html_escape(&b, "a<b>", 2), 0);
	assert_string_equal(b.data, "a&lt;");
	assert_int_equal(html_escape(&b, NULL, 0), 0);
	assert_int_equal(html_escape(&b, NULL, 1), -1);
	assert_int_equal(html_escape(NULL, "a", 1), -1);
	assert_string_equal(b.data, "a&lt;");
	buf_free(&b);
}

static void
test_escape_limit_atomic(void **state)
{
	struct buf b;

	(void)state;
	/* "x&lt;" is 5 bytes: exactly at the limit */
	buf_init(&b, 6);
	assert_int_equal(buf_puts(&b, "["), 0);
	assert_int_equal(html_escape(&b, "x<", 2), 0);
	assert_string_equal(b.data, "[x&lt;");
	buf_free(&b);
	/* one over: nothing of the escaped text stays */
	buf_init(&b, 6);
	assert_int_equal(buf_puts(&b, "["), 0);
	assert_int_equal(html_escape(&b, "xy<", 3), -1);
	assert_string_equal(b.data, "[");
	assert_int_equal(b.len, 1);
	buf_free(&b);
}

static void
test_printf_conversions(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 1000);
	html_init(&h, &b);
	html_printf(&h, "<p class=\"%s\">%d/%D %% done</p>", "a\"b", -42,
	    (int64_t)INT64_MIN);
	assert_false(html_failed(&h));
	assert_string_equal(b.data,
	    "<p class=\"a&quot;b\">-42/-9223372036854775808 % done</p>");
	buf_reset(&b);
	html_printf(&h, "%D|%d|%s|%s", (int64_t)INT64_MAX, 0, (const char *)NULL,
	    "<x>");
	assert_false(html_failed(&h));
	assert_string_equal(b.data, "9223372036854775807|0||&lt;x&gt;");
	buf_reset(&b);
	html_printf(&h, "no conversions");
	html_printf(&h, "");
	assert_string_equal(b.data, "no conversions");
	assert_false(html_failed(&h));
	buf_free(&b);
}

static void
test_printf_template_is_not_data(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	/* a %s argument holding conversions is printed, not interpreted */
	buf_init(&b, 1000);
	html_init(&h, &b);
	html_printf(&h, "%s", "%d %s %n %%");
	assert_false(html_failed(&h));
	assert_string_equal(b.data, "%d %s %n %%");
	buf_free(&b);
}

static void
test_printf_bad_template(void **state)
{
	static const char *const bad[] = {
		"%x", "%n", "%i", "%ld", "%5d", "%-s", "%", "abc%", "%S",
		"%u", "%p", "%c",
	};
	struct buf b;
	struct html h;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		buf_init(&b, 1000);
		html_init(&h, &b);
		html_printf(&h, "ok");
		html_printf(&h, bad[i], 1);
		if (!html_failed(&h))
			fail_msg("template \"%s\" accepted", bad[i]);
		assert_string_equal(b.data, "ok");	/* rolled back */
		buf_free(&b);
	}
	buf_init(&b, 1000);
	html_init(&h, &b);
	html_printf(&h, NULL);
	assert_true(html_failed(&h));
	buf_free(&b);
}

static void
test_sticky_failure(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 1000);
	html_init(&h, &b);
	html_text(&h, "a");
	html_printf(&h, "%q");
	assert_true(html_failed(&h));
	html_text(&h, "b");
	html_printf(&h, "c%d", 1);
	assert_true(html_failed(&h));
	assert_string_equal(b.data, "a");	/* later calls did nothing */
	buf_free(&b);
}

static void
test_limit_fails_writer(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 10);
	html_init(&h, &b);
	html_text(&h, "12345");
	html_text(&h, "<<");		/* 8 bytes: over */
	assert_true(html_failed(&h));
	assert_string_equal(b.data, "12345");
	html_text(&h, "x");		/* would fit, but failure is sticky */
	assert_string_equal(b.data, "12345");
	buf_free(&b);

	buf_init(&b, 10);
	html_init(&h, &b);
	html_printf(&h, "%s%D", "ab", (int64_t)12345678);
	assert_false(html_failed(&h));
	assert_string_equal(b.data, "ab12345678");
	html_printf(&h, "%%");
	assert_true(html_failed(&h));
	buf_free(&b);
}

static void
test_text(void **state)
{
	struct buf b;
	struct html h;

	(void)state;
	buf_init(&b, 100);
	html_init(&h, &b);
	html_text(&h, "<b>'x'</b>");
	html_text(&h, NULL);
	assert_false(html_failed(&h));
	assert_string_equal(b.data, "&lt;b&gt;&#39;x&#39;&lt;/b&gt;");
	buf_free(&b);
	/* NULL writer and NULL buffer */
	assert_true(html_failed(NULL));
	html_init(&h, NULL);
	assert_true(html_failed(&h));
	html_text(&h, "x");
	html_printf(&h, "x");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_escape_n_bounds),
		cmocka_unit_test(test_escape_limit_atomic),
		cmocka_unit_test(test_printf_conversions),
		cmocka_unit_test(test_printf_template_is_not_data),
		cmocka_unit_test(test_printf_bad_template),
		cmocka_unit_test(test_sticky_failure),
		cmocka_unit_test(test_limit_fails_writer),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
