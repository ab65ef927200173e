/*
 * Many processes post sales of one SKU at once, each sale delivered twice
 * (by two processes, at the same moment): every sale must count exactly
 * once, nothing may be lost, and every unit sold past the stock must be
 * counted as oversold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "err.h"
#include "ledger.h"
#include "str.h"
#include "support.h"

#define PROCS		8
#define SALES		1000	/* per process */
#define STOCK		3000	/* fewer than the distinct sales */

static struct tdb T;

static int
setup(void **state)
{
	(void)state;
	tdb_open(&T, "concurrency");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tdb_close(&T);
	return 0;
}

/*
 * Child p posts the 1000 sales of pair p/2, so every sale is posted by two
 * processes; odd children go backwards so that the copies meet both head
 * on and side by side. Writes "applied duplicates" to fd.
 */
static void
child(int p, int fd)
{
	struct ledger_line	 l = { "HOT-1", STOCK_COMMIT, 1 };
	struct ledger_event	 ev = { NULL, "test", "sale", &l, 1 };
	struct ledger_result	 res;
	struct err		 e;
	struct db		*db;
	char			 key[64], out[64];
	int			 i, s, applied = 0, dups = 0;

	db = tdb_connect(&T);
	for (i = 0; i < SALES; i++) {
		s = (p % 2 == 0) ? i : SALES - 1 - i;
		(void)str_fmt(key, sizeof(key), "order-%d-line-%d", p / 2, s);
		ev.key = key;
		if (ledger_post(db, &ev, NULL, NULL, &res, &e) == -1) {
			fprintf(stderr, "child %d: %s\n", p, e.msg);
			_exit(1);
		}
		if (res.duplicate)
			dups++;
		else
			applied++;
	}
	(void)str_fmt(out, sizeof(out), "%d %d\n", applied, dups);
	if (write(fd, out, strlen(out)) < 0)
		_exit(1);
	db_close(db);
	_exit(0);
}

static void
test_parallel_sales_exactly_once(void **state)
{
	struct ledger_line	 l = { "HOT-1", STOCK_RECEIVE, STOCK };
	struct ledger_event	 ev = { "stock-in", "test", "receive", &l, 1 };
	struct ledger_result	 res;
	struct ledger_item	 it;
	struct err		 e;
	pid_t			 pids[PROCS];
	int			 fds[2], p, status, applied = 0, dups = 0;
	int			 a, d;
	int64_t			 n = 0, bad = -1;
	FILE			*f;

	(void)state;
	assert_int_equal(ledger_item_create(T.db, "HOT-1", "", NULL, &e), 0);
	assert_int_equal(ledger_post(T.db, &ev, NULL, NULL, &res, &e), 0);
	assert_int_equal(pipe(fds), 0);
	for (p = 0; p < PROCS; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			close(fds[0]);
			child(p, fds[1]);
		}
	}
	close(fds[1]);
	for (p = 0; p < PROCS; p++) {
		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	f = fdopen(fds[0], "r");
	assert_non_null(f);
	while (fscanf(f, "%d %d", &a, &d) == 2) {
		applied += a;
		dups += d;
	}
	fclose(f);

	/* each distinct sale applied once, each copy reported duplicate */
	assert_int_equal(applied, PROCS / 2 * SALES);
	assert_int_equal(dups, PROCS / 2 * SALES);
	assert_int_equal(ledger_item_get(T.db, "HOT-1", &it, &e), 0);
	assert_int_equal(it.committed, PROCS / 2 * SALES);
	assert_int_equal(it.on_hand, STOCK);
	assert_int_equal(it.version, PROCS / 2 * SALES + 1);
	assert_int_equal(db_query_i64(T.db, "SELECT COUNT(*) FROM "
	    "stock_movements WHERE kind = 'commit'", NULL, 0, &n, &e), 1);
	assert_int_equal(n, PROCS / 2 * SALES);
	/* the sales past the stock were all kept, and all counted */
	assert_int_equal(db_query_i64(T.db, "SELECT SUM(oversold) FROM "
	    "stock_movements", NULL, 0, &n, &e), 1);
	assert_int_equal(n, PROCS / 2 * SALES - STOCK);
	assert_int_equal(ledger_check(T.db, &bad, &e), 0);
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parallel_sales_exactly_once),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
