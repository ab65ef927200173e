/*
 * Unit tests for the pure parts of lib/migrate.c: splitting a migration
 * file into statements, and the version in a migration's file name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "migrate.h"
#include "str.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAXSTMT		8

/* What the split callback saw: the statements joined by '|'. */
struct seen {
	char	 out[1024];
	size_t	 n;
	size_t	 stop_at;	/* return stop_rc on this call (1-based) */
	int	 stop_rc;
};

static int
collect(const char *stmt, size_t n, void *arg)
{
	struct seen	*s = arg;
	size_t		 used = strlen(s->out);

	if (used + n + 2 > sizeof(s->out))
		return 99;
	if (s->n > 0)
		s->out[used++] = '|';
	memcpy(s->out + used, stmt, n);
	s->out[used + n] = '\0';
	s->n++;
	return s->n == s->stop_at ? s->stop_rc : 0;
}

struct split_case {
	const char	*sql;
	const char	*want;		/* statements joined by '|' */
	size_t		 count;
};

static void
test_split_table(void **state)
{
	static const struct split_case cases[] = {
		{ "SELECT 1", "SELECT 1", 1 },
		/* "--" is a comment only before a space or control char */
		{ "SELECT 5--1; SELECT 2", "SELECT 5--1|SELECT 2", 2 },
		{ "SELECT 1; --\nSELECT 2", "SELECT 1|SELECT 2", 2 },
		{ "SELECT 1;", "SELECT 1", 1 },
		{ "SELECT 1;SELECT 2", "SELECT 1|SELECT 2", 2 },
		{ "  SELECT 1 ;\n\n\tSELECT 2;\r\n", "SELECT 1|SELECT 2", 2 },
		{ "", "", 0 },
		{ ";;; \n ;", "", 0 },
		{ "\n\n", "", 0 },
		/* ';' inside quotes of each kind */
		{ "INSERT INTO t VALUES ('a;b');SELECT 2",
		    "INSERT INTO t VALUES ('a;b')|SELECT 2", 2 },
		{ "SELECT \"x;y\"; SELECT 2", "SELECT \"x;y\"|SELECT 2", 2 },
		{ "CREATE TABLE `we;ird` (id INT); SELECT 2",
		    "CREATE TABLE `we;ird` (id INT)|SELECT 2", 2 },
		{ "SELECT '\";'; SELECT \"';\"", "SELECT '\";'|SELECT \"';\"",
		    2 },
		/* escaped and doubled quotes stay inside the string */
		{ "SELECT 'it\\'s; fine'; SELECT 2",
		    "SELECT 'it\\'s; fine'|SELECT 2", 2 },
		{ "SELECT \"a\\\";b\"; SELECT 2",
		    "SELECT \"a\\\";b\"|SELECT 2", 2 },
		{ "SELECT 'it''s; fine'; SELECT 2",
		    "SELECT 'it''s; fine'|SELECT 2", 2 },
		{ "SELECT '\\\\'; SELECT 2", "SELECT '\\\\'|SELECT 2", 2 },
		/* no backslash escape inside backticks */
		{ "SELECT 1 AS `a\\`; SELECT 2", "SELECT 1 AS `a\\`|SELECT 2",
		    2 },
		/* comments hide ';' */
		{ "SELECT 1 -- no; split\n, 2; SELECT 3",
		    "SELECT 1 -- no; split\n, 2|SELECT 3", 2 },
		{ "SELECT 1 # no; split\n, 2; SELECT 3",
		    "SELECT 1 # no; split\n, 2|SELECT 3", 2 },
		{ "SELECT 1 /* no; split */ , 2; SELECT 3",
		    "SELECT 1 /* no; split */ , 2|SELECT 3", 2 },
		{ "SELECT 1 /* a\n;b\n*/; SELECT 3",
		    "SELECT 1 /* a\n;b\n*/|SELECT 3", 2 },
		{ "SELECT 1 /**/; SELECT 2", "SELECT 1 /**/|SELECT 2", 2 },
		/* quotes inside comments do not open a string */
		{ "-- it's\nSELECT 1; SELECT 2", "SELECT 1|SELECT 2", 2 },
		{ "SELECT 1 /* it's */; SELECT 2",
		    "SELECT 1 /* it's */|SELECT 2", 2 },
		/* leading comment lines are dropped, comment-only skipped */
		{ "-- header\n# more\n  -- indented\nSELECT 1;",
		    "SELECT 1", 1 },
		{ "SELECT 1;\n-- only a comment;\n;\n# another\n; SELECT 2",
		    "SELECT 1|SELECT 2", 2 },
		{ "SELECT 1;\n-- trailing comment\n", "SELECT 1", 1 },
		{ "-- nothing but comments\n# here\n", "", 0 },
		/* the last statement needs no ';' */
		{ "SELECT 1;\nSELECT 2\n", "SELECT 1|SELECT 2", 2 },
		{ "SELECT 1;\nSELECT 'x;y'", "SELECT 1|SELECT 'x;y'", 2 },
		{ "SELECT 1;\nSELECT 2 -- done\n",
		    "SELECT 1|SELECT 2 -- done", 2 },
		/* ... even when a comment ends the file without a newline */
		{ "SELECT 1;\nSELECT 2 -- done",
		    "SELECT 1|SELECT 2 -- done", 2 },
		{ "SELECT 1 # done", "SELECT 1 # done", 1 },
		{ "SELECT 1 /* done */", "SELECT 1 /* done */", 1 },
	};
	struct seen	 s;
	struct err	 e;
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(&s, 0, sizeof(s));
		err_clear(&e);
		rc = migrate_split(cases[i].sql, strlen(cases[i].sql), collect,
		    &s, &e);
		if (rc != 0)
			fail_msg("case %zu: rc %d (%s)", i, rc, e.msg);
		if (s.n != cases[i].count || strcmp(s.out, cases[i].want) != 0)
			fail_msg("case %zu: got %zu [%s], want %zu [%s]", i,
			    s.n, s.out, cases[i].count, cases[i].want);
	}
}

/* len bounds the text: nothing past it is read or split. */
static void
test_split_respects_len(void **state)
{
	static const char sql[] = "SELECT 1; SELECT 2; SELECT 3";
	struct seen	 s;
	struct err	 e;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(migrate_split(sql, 18, collect, &s, &e), 0);
	assert_string_equal(s.out, "SELECT 1|SELECT 2");
	memset(&s, 0, sizeof(s));
	assert_int_equal(migrate_split(sql, 0, collect, &s, &e), 0);
	assert_int_equal(s.n, 0);
}

/* An unterminated string or comment is an error, not a statement. */
static void
test_split_unterminated(void **state)
{
	static const char *const bad[] = {
		"SELECT 'abc",
		"SELECT \"abc",
		"SELECT `abc",
		"SELECT 1; SELECT 'a;b",
		"SELECT 'it\\'",		/* the closing quote is escaped */
		"SELECT 1 /* no end",
		"SELECT 1 /*/",
	};
	struct seen	 s;
	struct err	 e;
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		memset(&s, 0, sizeof(s));
		err_clear(&e);
		rc = migrate_split(bad[i], strlen(bad[i]), collect, &s, &e);
		if (rc != -1)
			fail_msg("case %zu: rc %d", i, rc);
		if (e.kind != ERR_INVALID)
			fail_msg("case %zu: kind %s", i, err_kind_name(e.kind));
		if (strstr(e.msg, "unterminated") == NULL)
			fail_msg("case %zu: message %s", i, e.msg);
	}
	/*
	 * The statements before the broken one were seen. (The broken tail
	 * itself is currently also passed to the callback before the error
	 * is returned; migrate_apply then reports the server's error for it,
	 * which names the file. Not asserted either way.)
	 */
	memset(&s, 0, sizeof(s));
	assert_int_equal(migrate_split("SELECT 1; SELECT 'x", 19, collect, &s,
	    &e), -1);
	assert_true(s.n >= 1);
	assert_memory_equal(s.out, "SELECT 1", 8);
	assert_true(s.out[8] == '\0' || s.out[8] == '|');
}

static void
test_split_callback_stops(void **state)
{
	static const char sql[] = "SELECT 1; SELECT 2; SELECT 3; SELECT 4";
	struct seen	 s;
	struct err	 e;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	s.stop_rc = 7;
	assert_int_equal(migrate_split(sql, strlen(sql), collect, &s, &e), 7);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.out, "SELECT 1|SELECT 2");
	memset(&s, 0, sizeof(s));
	s.stop_at = 1;
	s.stop_rc = -1;
	assert_int_equal(migrate_split(sql, strlen(sql), collect, &s, &e), -1);
	assert_int_equal(s.n, 1);
	/* the last statement, without ';', can stop it too */
	memset(&s, 0, sizeof(s));
	s.stop_at = 4;
	s.stop_rc = 3;
	assert_int_equal(migrate_split(sql, strlen(sql), collect, &s, &e), 3);
	assert_int_equal(s.n, 4);
}

struct version_case {
	const char	*name;
	int		 rc;
	int64_t		 want;
};

static void
test_version_of(void **state)
{
	static const struct version_case cases[] = {
		{ "001_ledger.sql", 0, 1 },
		{ "010_x.sql", 0, 10 },
		{ "002_push_queue.sql", 0, 2 },
		{ "123_a1_b2.sql", 0, 123 },
		{ "0042_x.sql", 0, 42 },
		{ "999999999_x.sql", 0, 999999999 },
		{ "1_x.sql", -1, 0 },		/* too few digits */
		{ "01_x.sql", -1, 0 },
		{ "1234567890_x.sql", -1, 0 },	/* too many */
		{ "000_x.sql", -1, 0 },		/* versions start at 1 */
		{ "001-x.sql", -1, 0 },
		{ "001x.sql", -1, 0 },
		{ "001_X.sql", -1, 0 },		/* upper case */
		{ "001_Ledger.sql", -1, 0 },
		{ "001_.sql", -1, 0 },		/* no name */
		{ "001_x.sql~", -1, 0 },		/* editor backup */
		{ "001_x.sql.orig", -1, 0 },
		{ "001_x.SQL", -1, 0 },
		{ "001_x.sq", -1, 0 },
		{ "001_x", -1, 0 },
		{ "001_a-b.sql", -1, 0 },
		{ "001_a.b.sql", -1, 0 },
		{ "001_a b.sql", -1, 0 },
		{ ".001_x.sql", -1, 0 },
		{ "#001_x.sql#", -1, 0 },
		{ "abc.sql", -1, 0 },
		{ ".sql", -1, 0 },
		{ "", -1, 0 },
		{ ".", -1, 0 },
		{ "..", -1, 0 },
	};
	size_t		 i;
	int64_t		 v;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		v = -5;
		if (migrate_version_of(cases[i].name, &v) != cases[i].rc)
			fail_msg("\"%s\": want rc %d", cases[i].name,
			    cases[i].rc);
		if (cases[i].rc == 0 && v != cases[i].want)
			fail_msg("\"%s\": version %lld, want %lld",
			    cases[i].name, (long long)v,
			    (long long)cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_table),
		cmocka_unit_test(test_split_respects_len),
		cmocka_unit_test(test_split_unterminated),
		cmocka_unit_test(test_split_callback_stops),
		cmocka_unit_test(test_version_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
