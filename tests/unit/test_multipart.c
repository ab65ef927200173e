/*
 * Unit tests for lib/multipart.c: the boundary from the Content-Type, a
 * browser's upload kept byte for byte, and broken bodies refused whole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "form.h"
#include "multipart.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
test_boundary(void **state)
{
	char	 b[80];

	(void)state;
	assert_int_equal(multipart_boundary("multipart/form-data; "
	    "boundary=----WebKitFormBoundaryX3", b, sizeof(b)), 0);
	assert_string_equal(b, "----WebKitFormBoundaryX3");
	assert_int_equal(multipart_boundary("Multipart/Form-Data; charset=x; "
	    "boundary=\"a b\"", b, sizeof(b)), 0);
	assert_string_equal(b, "a b");
	assert_int_equal(multipart_boundary("application/x-www-form-"
	    "urlencoded", b, sizeof(b)), -1);
	assert_int_equal(multipart_boundary("multipart/form-data", b,
	    sizeof(b)), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=",
	    b, sizeof(b)), -1);
	assert_int_equal(multipart_boundary("multipart/form-datax; "
	    "boundary=a", b, sizeof(b)), -1);
}

static void
test_upload_kept_exactly(void **state)
{
	static const char body[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
	    "tok\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"file\"; "
	    "filename=\"map.csv\"\r\n"
	    "Content-Type: text/csv\r\n\r\n"
	    "sku,title\r\nA,\"two\nlines\"\r\n--X not the end\r\n"
	    "\r\n--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"empty\"\r\n\r\n"
	    "\r\n--XyZ--\r\n";
	struct form	 f;
	struct err	 e;

	(void)state;
	assert_int_equal(multipart_parse(&f, "XyZ", body, sizeof(body) - 1,
	    8, &e), 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(form_get(&f, "csrf"), "tok");
	assert_string_equal(form_get(&f, "file"), "sku,title\r\nA,\"two\n"
	    "lines\"\r\n--X not the end\r\n");
	assert_string_equal(form_get(&f, "empty"), "");
	form_free(&f);
	assert_int_equal(multipart_parse(&f, "XyZ", body, sizeof(body) - 1,
	    2, &e), -1);
	assert_int_equal(e.kind, ERR_TOOBIG);
	assert_null(f.pairs);
}

static void
test_broken_bodies(void **state)
{
	static const char *const bad[] = {
		"",
		"--XyZ",
		"--Other\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
		    "x\r\n--Other--",
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
		    "no end",
		"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n"
		    "x\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
		    "\xff\r\n--XyZ--",
	};
	struct form	 f;
	struct err	 e;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		assert_int_equal(multipart_parse(&f, "XyZ", bad[i],
		    strlen(bad[i]), 8, &e), -1);
		assert_int_equal(e.kind, ERR_INVALID);
		assert_null(f.pairs);
	}
	/* a NUL byte inside a value */
	assert_int_equal(multipart_parse(&f, "XyZ", "--XyZ\r\nContent-"
	    "Disposition: form-data; name=\"a\"\r\n\r\na\0b\r\n--XyZ--", 56,
	    8, &e), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_upload_kept_exactly),
		cmocka_unit_test(test_broken_bodies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
