/*
 * Unit tests for lib/buf.c: limits, failure atomicity, formatting, detach.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

static void
test_init_empty(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 10);
	buf_free(&b);
	buf_free(NULL);
}

static void
test_append_terminates(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_append(&b, "abc", 3), 0);
	assert_int_equal(buf_puts(&b, "def"), 0);
	assert_int_equal(b.len, 6);
	assert_string_equal(b.data, "abcdef");
	assert_int_equal(b.data[b.len], '\0');
	/* an empty append still gives a readable string */
	buf_free(&b);
	buf_init(&b, 100);
	assert_int_equal(buf_append(&b, "", 0), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	buf_free(&b);
}

static void
test_max_exactly_hit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "1234"), 0);
	assert_int_equal(buf_puts(&b, "5678"), 0);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");
	/* one byte more is refused and changes nothing */
	assert_int_equal(buf_append(&b, "9", 1), -1);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");
	/* an empty append at the limit is fine */
	assert_int_equal(buf_append(&b, "", 0), 0);
	buf_free(&b);
}

static void
test_exceeded_leaves_unchanged(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 5);
	assert_int_equal(buf_puts(&b, "abc"), 0);
	assert_int_equal(buf_puts(&b, "def"), -1);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	assert_int_equal(buf_printf(&b, "%d", 123), -1);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	assert_int_equal(buf_printf(&b, "%d", 12), 0);
	assert_string_equal(b.data, "abc12");
	/* huge n must not wrap around */
	assert_int_equal(buf_append(&b, "x", SIZE_MAX), -1);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX - 2), -1);
	assert_string_equal(b.data, "abc12");
	buf_free(&b);
}

static void
test_zero_max(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "a", 1), -1);
	assert_int_equal(buf_append(&b, "", 0), 0);
	assert_string_equal(b.data, "");
	buf_free(&b);
}

static void
test_null_args(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_append(NULL, "a", 1), -1);
	assert_int_equal(buf_append(&b, NULL, 1), -1);
	assert_int_equal(buf_puts(&b, NULL), -1);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
test_growth_large(void **state)
{
	struct buf b;
	char chunk[1000];
	size_t i;

	(void)state;
	memset(chunk, 'x', sizeof(chunk));
	buf_init(&b, 100000);
	for (i = 0; i < 100; i++)
		assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), 0);
	assert_int_equal(b.len, 100000);
	assert_true(b.cap >= b.len + 1);
	assert_int_equal(b.data[b.len], '\0');
	assert_int_equal(buf_append(&b, "y", 1), -1);
	for (i = 0; i < b.len; i++)
		if (b.data[i] != 'x')
			fail_msg("byte %zu corrupted", i);
	buf_free(&b);
}

static void
test_printf(void **state)
{
	struct buf b;
	char big[300];

	(void)state;
	buf_init(&b, 1000);
	assert_int_equal(buf_printf(&b, "%s=%d;", "a", -5), 0);
	assert_int_equal(buf_printf(&b, "%05d", 2), 0);
	assert_string_equal(b.data, "a=-5;00002");
	assert_int_equal(b.len, strlen("a=-5;00002"));
	/* longer than the first allocation */
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(buf_printf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 10 + 301);
	assert_int_equal(b.data[b.len - 1], ']');
	assert_int_equal(buf_printf(&b, "%s", ""), 0);
	assert_int_equal(b.len, 311);
	buf_free(&b);
}

static void
test_reset(void **state)
{
	struct buf b;
	char *old;

	(void)state;
	buf_init(&b, 10);
	buf_reset(&b);			/* before any append */
	assert_int_equal(buf_puts(&b, "hello"), 0);
	old = b.data;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_ptr_equal(b.data, old);	/* memory kept */
	assert_int_equal(b.max, 10);
	assert_int_equal(buf_puts(&b, "0123456789"), 0);
	assert_int_equal(buf_puts(&b, "x"), -1);
	buf_free(&b);
}

static void
test_detach(void **state)
{
	struct buf b;
	char *p;
	size_t len = 99;

	(void)state;
	buf_init(&b, 10);
	p = buf_detach(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);

	assert_int_equal(buf_puts(&b, "abc"), 0);
	p = buf_detach(&b, &len);
	assert_string_equal(p, "abc");
	assert_int_equal(len, 3);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(p);
	/* still usable with the same limit */
	assert_int_equal(buf_puts(&b, "0123456789"), 0);
	assert_int_equal(buf_puts(&b, "x"), -1);
	p = buf_detach(&b, NULL);
	assert_string_equal(p, "0123456789");
	free(p);
	buf_free(&b);
}

static void
test_binary(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_empty),
		cmocka_unit_test(test_append_terminates),
		cmocka_unit_test(test_max_exactly_hit),
		cmocka_unit_test(test_exceeded_leaves_unchanged),
		cmocka_unit_test(test_zero_max),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_growth_large),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_binary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
