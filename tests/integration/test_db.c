/*
 * lib/db against the real MariaDB: the statements a connection keeps
 * prepared (its cache) give the same answers as fresh ones, are prepared
 * once however often they run, survive a statement nested in itself, an
 * eviction when more texts are run than it keeps, a failed execution,
 * SQL text that changes in one buffer, and a reconnect.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "err.h"
#include "str.h"
#include "support.h"

static struct tdb T;

static int
setup(void **state)
{
	(void)state;
	tdb_open(&T, "db");
	tdb_exec(&T, "CREATE TABLE t_kv (k BIGINT NOT NULL PRIMARY KEY, "
	    "v VARCHAR(64) NOT NULL) ENGINE=InnoDB");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tdb_close(&T);
	return 0;
}

/* How many statements this session has asked the server to prepare. */
static int64_t
prepares(void)
{
	return t_q64(T.db, "SELECT VARIABLE_VALUE FROM "
	    "information_schema.SESSION_STATUS WHERE VARIABLE_NAME = "
	    "'COM_STMT_PREPARE'", NULL, 0);
}

static void
test_prepared_once(void **state)
{
	int64_t	 before, i;

	(void)state;
	(void)prepares();	/* the counter's own query, prepared now */
	before = prepares();
	for (i = 0; i < 100; i++) {
		t_exec(T.db, "INSERT INTO t_kv (k, v) VALUES (?, ?)",
		    (struct db_val[]){ DBI(i), DBS(i % 2 ? "odd" : "even") },
		    2);
		assert_int_equal(t_q64(T.db, "SELECT k * 2 FROM t_kv WHERE "
		    "k = ?", (struct db_val[]){ DBI(i) }, 1), i * 2);
	}
	/* two texts, a hundred runs each: two prepares (and the counter's
	 * own, kept already) */
	assert_int_equal(prepares() - before, 2);
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM t_kv WHERE v = ?",
	    (struct db_val[]){ DBS("odd") }, 1), 50);
}

/* The same text while its kept statement still has rows to give. */
static void
test_nested(void **state)
{
	struct db_res	*outer, *inner;
	struct err	 e;
	int64_t		 n = 0, sum = 0;
	int		 got;

	(void)state;
	outer = db_query(T.db, "SELECT k FROM t_kv WHERE k < ? ORDER BY k",
	    (struct db_val[]){ DBI(5) }, 1, &e);
	assert_non_null(outer);
	while ((got = db_next(outer, &e)) == 1) {
		inner = db_query(T.db, "SELECT k FROM t_kv WHERE k < ? ORDER "
		    "BY k", (struct db_val[]){ DBI(db_col_i64(outer, 0)) }, 1,
		    &e);
		assert_non_null(inner);
		while (db_next(inner, &e) == 1)
			sum += db_col_i64(inner, 0);
		db_res_free(inner);
		n++;
	}
	assert_int_equal(got, 0);
	db_res_free(outer);
	assert_int_equal(n, 5);
	/* 0 + (0) + (0+1) + (0+1+2) + (0+1+2+3) */
	assert_int_equal(sum, 0 + 0 + 1 + 3 + 6);
}

/* More texts than are kept, built in one buffer: every answer is the
 * one of the text run, never of a statement kept for another text. */
static void
test_many_texts(void **state)
{
	char	 sql[96];
	int64_t	 i, round;

	(void)state;
	for (round = 0; round < 2; round++)
		for (i = 0; i < 150; i++) {
			(void)str_fmt(sql, sizeof(sql), "SELECT %lld + ?",
			    (long long)i);
			assert_int_equal(t_q64(T.db, sql, (struct db_val[]){
			    DBI(round) }, 1), i + round);
		}
}

/* A failed execution leaves the kept statement usable. */
static void
test_after_failure(void **state)
{
	struct err	 e;

	(void)state;
	assert_int_equal(db_exec(T.db, "INSERT INTO t_kv (k, v) VALUES (?, ?)",
	    (struct db_val[]){ DBI(1), DBS("again") }, 2, NULL, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	t_exec(T.db, "INSERT INTO t_kv (k, v) VALUES (?, ?)",
	    (struct db_val[]){ DBI(1000), DBS("new") }, 2);
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM t_kv WHERE k = ?",
	    (struct db_val[]){ DBI(1000) }, 1), 1);
	/* a statement with rows run for its effect only is not kept with
	 * its rows unread: the next statement still works */
	t_exec(T.db, "SELECT k FROM t_kv WHERE k < ?", (struct db_val[]){
	    DBI(10) }, 1);
	t_exec(T.db, "SELECT k FROM t_kv WHERE k < ?", (struct db_val[]){
	    DBI(10) }, 1);
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM t_kv", NULL, 0),
	    101);
}

/* The server ends the connection: the kept statements go with it, and
 * the same texts work on the new one. */
static void
test_reconnect(void **state)
{
	struct db	*killer;
	struct err	 e;
	int64_t		 id;

	(void)state;
	id = t_q64(T.db, "SELECT CONNECTION_ID()", NULL, 0);
	killer = tdb_connect(&T);
	t_exec(killer, "KILL CONNECTION ?", (struct db_val[]){ DBI(id) }, 1);
	db_close(killer);
	assert_int_equal(db_ping(T.db, &e), 0);
	assert_true(t_q64(T.db, "SELECT CONNECTION_ID()", NULL, 0) != id);
	assert_int_equal(t_q64(T.db, "SELECT k * 2 FROM t_kv WHERE k = ?",
	    (struct db_val[]){ DBI(21) }, 1), 42);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepared_once),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_many_texts),
		cmocka_unit_test(test_after_failure),
		cmocka_unit_test(test_reconnect),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
