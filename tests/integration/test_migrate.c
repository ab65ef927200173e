/*
 * Migrations against the real MariaDB: a migrated database is current and
 * rerunning is a no-op; a failing file is reported with its name, the
 * statement and the server's error, is not recorded, and is retried once
 * fixed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "err.h"
#include "migrate.h"
#include "str.h"
#include "support.h"

static struct tdb T;
static char	 tmpdir[64];		/* the scratch migrations directory */

static int
setup(void **state)
{
	(void)state;
	tdb_open(&T, "migrate");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tdb_close(&T);
	return 0;
}

/* The highest version among the migration files of dir. */
static int64_t
highest_version(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	int64_t		 v, max = 0;

	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (migrate_version_of(de->d_name, &v) == 0 && v > max)
			max = v;
	closedir(d);
	return max;
}

static int64_t
current(void)
{
	struct err	 e;
	int64_t		 v = -1;

	if (migrate_current(T.db, &v, &e) != 0)
		fail_msg("migrate_current: %s", e.msg);
	return v;
}

/* An integer from a query the test wrote; -1 when no row. */
static int64_t
query_i64(const char *sql)
{
	struct err	 e;
	int64_t		 v = -1;

	if (db_query_i64(T.db, sql, NULL, 0, &v, &e) == -1)
		fail_msg("%s: %s", sql, e.msg);
	return v;
}

static int64_t
table_exists(const char *name)
{
	struct err	 e;
	int64_t		 v = -1;

	if (db_query_i64(T.db, "SELECT COUNT(*) FROM information_schema.tables"
	    " WHERE table_schema = DATABASE() AND table_name = ?",
	    (struct db_val[]){ DBS(name) }, 1, &v, &e) == -1)
		fail_msg("table_exists: %s", e.msg);
	return v;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char	 path[256];
	FILE	*f;

	assert_int_equal(str_fmt(path, sizeof(path), "%s/%s", dir, name), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void
copy_file(const char *from_dir, const char *to_dir, const char *name)
{
	char	 path[1024], buf[4096];
	FILE	*in, *out;
	size_t	 n;

	assert_int_equal(str_fmt(path, sizeof(path), "%s/%s", from_dir, name),
	    0);
	in = fopen(path, "r");
	assert_non_null(in);
	assert_int_equal(str_fmt(path, sizeof(path), "%s/%s", to_dir, name),
	    0);
	out = fopen(path, "w");
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	assert_int_equal(ferror(in), 0);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/* A scratch directory holding a copy of every .sql file of sql_dir. */
static void
make_tmpdir(void)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n, copied = 0;

	assert_int_equal(str_copy(tmpdir, sizeof(tmpdir),
	    "/tmp/stockhub-migtest-XXXXXX"), 0);
	assert_non_null(mkdtemp(tmpdir));
	d = opendir(T.cfg.sql_dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".sql") != 0)
			continue;
		copy_file(T.cfg.sql_dir, tmpdir, de->d_name);
		copied++;
	}
	closedir(d);
	assert_true(copied > 0);
}

static int
rm_tmpdir(void **state)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[256];

	(void)state;
	if (tmpdir[0] == '\0')
		return 0;
	if ((d = opendir(tmpdir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if (str_fmt(path, sizeof(path), "%s/%s", tmpdir,
			    de->d_name) == 0)
				(void)unlink(path);
		}
		closedir(d);
	}
	(void)rmdir(tmpdir);
	tmpdir[0] = '\0';
	return 0;
}

/* Runs first: the database tdb_open migrated is at the newest file. */
static void
test_current_and_rerun(void **state)
{
	struct err	 e;
	int64_t		 want;
	int		 applied = -1;

	(void)state;
	want = highest_version(T.cfg.sql_dir);
	assert_true(want >= 1);
	assert_int_equal(current(), want);
	/* one row per file, not only the newest */
	assert_true(query_i64("SELECT COUNT(*) FROM schema_migrations") >= 1);
	assert_int_equal(query_i64("SELECT COUNT(*) FROM schema_migrations "
	    "WHERE version > 0 AND name LIKE '%.sql'"),
	    query_i64("SELECT COUNT(*) FROM schema_migrations"));

	err_clear(&e);
	if (migrate_apply(T.db, T.cfg.sql_dir, &applied, &e) != 0)
		fail_msg("rerun: %s", e.msg);
	assert_int_equal(applied, 0);
	assert_int_equal(current(), want);
	/* and once more, with applied NULL */
	assert_int_equal(migrate_apply(T.db, T.cfg.sql_dir, NULL, &e), 0);
	assert_int_equal(current(), want);
}

static void
test_failing_file_reported_and_retried(void **state)
{
	struct err	 e;
	int64_t		 before;
	int		 applied = -1;

	(void)state;
	before = current();
	assert_true(before < 900);
	make_tmpdir();
	write_file(tmpdir, "900_good.sql",
	    "-- a good migration\n"
	    "CREATE TABLE IF NOT EXISTS t_good (id INT);\n");
	write_file(tmpdir, "901_bad.sql",
	    "CREATE TABLE IF NOT EXISTS t_partial (id INT);\n"
	    "ALTER TABLE no_such_table ADD COLUMN x INT;\n");
	/* not migrations: ignored */
	write_file(tmpdir, "901_bad.sql~", "THIS IS NOT SQL;\n");
	write_file(tmpdir, "README", "THIS IS NOT SQL;\n");

	err_clear(&e);
	assert_int_equal(migrate_apply(T.db, tmpdir, &applied, &e), -1);
	assert_int_equal(applied, 1);			/* 900 only */
	assert_int_equal(e.kind, ERR_DB);
	if (strstr(e.msg, "901_bad.sql") == NULL ||
	    strstr(e.msg, "ALTER TABLE no_such_table") == NULL ||
	    strstr(e.msg, "no_such_table' doesn't exist") == NULL ||
	    strstr(e.msg, "1146") == NULL)
		fail_msg("message lacks file, statement or server error: %s",
		    e.msg);
	/* 900 is recorded, 901 is not (its first statement did run) */
	assert_int_equal(current(), 900);
	assert_int_equal(query_i64("SELECT COUNT(*) FROM schema_migrations "
	    "WHERE version = 901"), 0);
	assert_int_equal(table_exists("t_good"), 1);
	assert_int_equal(table_exists("t_partial"), 1);

	/* rerunning the broken file fails the same way, and applies none */
	assert_int_equal(migrate_apply(T.db, tmpdir, &applied, &e), -1);
	assert_int_equal(applied, 0);
	assert_non_null(strstr(e.msg, "901_bad.sql"));
	assert_int_equal(current(), 900);

	/* fixed (safe to rerun, as the rules say): applied exactly once */
	write_file(tmpdir, "901_bad.sql",
	    "CREATE TABLE IF NOT EXISTS t_partial (id INT);\n"
	    "ALTER TABLE t_partial ADD COLUMN IF NOT EXISTS x INT;\n");
	err_clear(&e);
	if (migrate_apply(T.db, tmpdir, &applied, &e) != 0)
		fail_msg("after the fix: %s", e.msg);
	assert_int_equal(applied, 1);
	assert_int_equal(current(), 901);
	assert_int_equal(query_i64("SELECT COUNT(*) FROM "
	    "information_schema.columns WHERE table_schema = DATABASE() AND "
	    "table_name = 't_partial' AND column_name = 'x'"), 1);
	assert_int_equal(migrate_apply(T.db, tmpdir, &applied, &e), 0);
	assert_int_equal(applied, 0);
}

/* A last statement followed by a comment and no final newline still runs. */
static void
test_trailing_comment_without_newline(void **state)
{
	struct err	 e;
	int64_t		 before;
	int		 applied = -1;

	(void)state;
	before = current();
	make_tmpdir();
	write_file(tmpdir, "950_tail.sql",
	    "CREATE TABLE IF NOT EXISTS t_tail1 (id INT);\n"
	    "CREATE TABLE IF NOT EXISTS t_tail2 (id INT) -- no newline");
	err_clear(&e);
	if (migrate_apply(T.db, tmpdir, &applied, &e) != 0)
		fail_msg("apply: %s", e.msg);
	assert_int_equal(applied, 1);
	assert_true(current() == 950 && before < 950);
	assert_int_equal(table_exists("t_tail1"), 1);
	assert_int_equal(table_exists("t_tail2"), 1);
}

/* Two files with the same version: refused before anything runs. */
static void
test_duplicate_version(void **state)
{
	struct err	 e;
	int64_t		 before;
	int		 applied = -1;

	(void)state;
	before = current();
	make_tmpdir();
	write_file(tmpdir, "960_a.sql", "CREATE TABLE t_dup_a (id INT);\n");
	write_file(tmpdir, "960_b.sql", "CREATE TABLE t_dup_b (id INT);\n");
	err_clear(&e);
	assert_int_equal(migrate_apply(T.db, tmpdir, &applied, &e), -1);
	assert_int_equal(applied, 0);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_non_null(strstr(e.msg, "960_a.sql"));
	assert_non_null(strstr(e.msg, "960_b.sql"));
	assert_int_equal(current(), before);
	assert_int_equal(table_exists("t_dup_a"), 0);
	assert_int_equal(table_exists("t_dup_b"), 0);
}

/* A file with an unterminated string fails and is not recorded. */
static void
test_unterminated_quote(void **state)
{
	struct err	 e;
	int64_t		 before;
	int		 applied = -1;

	(void)state;
	before = current();
	make_tmpdir();
	write_file(tmpdir, "970_quote.sql",
	    "CREATE TABLE IF NOT EXISTS t_q (v VARCHAR(9) DEFAULT 'a;b');\n"
	    "INSERT INTO t_q VALUES ('oops);\n");
	err_clear(&e);
	assert_int_equal(migrate_apply(T.db, tmpdir, &applied, &e), -1);
	assert_int_equal(applied, 0);
	assert_true(e.msg[0] != '\0');
	assert_int_equal(current(), before);
	assert_int_equal(query_i64("SELECT COUNT(*) FROM schema_migrations "
	    "WHERE version = 970"), 0);
}

static void
test_missing_dir(void **state)
{
	struct err	 e;
	int		 applied = -1;

	(void)state;
	err_clear(&e);
	assert_int_equal(migrate_apply(T.db, "/nonexistent/stockhub-sql",
	    &applied, &e), -1);
	assert_int_equal(applied, 0);
	assert_non_null(strstr(e.msg, "/nonexistent/stockhub-sql"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* in this order: the later ones raise the version */
		cmocka_unit_test(test_current_and_rerun),
		cmocka_unit_test_teardown(
		    test_failing_file_reported_and_retried, rm_tmpdir),
		cmocka_unit_test_teardown(
		    test_trailing_comment_without_newline, rm_tmpdir),
		cmocka_unit_test_teardown(test_duplicate_version, rm_tmpdir),
		cmocka_unit_test_teardown(test_unterminated_quote, rm_tmpdir),
		cmocka_unit_test(test_missing_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
