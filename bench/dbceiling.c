/*
 * dbceiling: MariaDB's own ceiling for what one Shopify webhook makes the
 * hub write, driven straight at the database with no nginx, no FastCGI,
 * no JSON and no signature in between (make bench; see README
 * "Benchmarks"). The hub's figure is then a ratio to this one.
 *
 * One operation is the webhook path's durable writes, with the same two
 * commits the hub makes (the delivery is stored and committed before it
 * is applied, so nothing acknowledged is lost):
 *
 *   1. INSERT the delivery into webhook_inbox (autocommit, durable);
 *   2. BEGIN; INSERT the ledger event; SELECT the SKU's row FOR UPDATE;
 *      INSERT the commit movement; UPDATE the cached balance; mark the
 *      inbox row applied; COMMIT.
 *
 * Every statement is a prepared statement through lib/db.h, like the
 * hub's. All workers sell the same SKU (one row, like the hub benchmark),
 * so they contend for its lock exactly as webhooks for one product do.
 *
 *   dbceiling SKU CONCURRENCY SECONDS
 *
 * with STOCKHUB_CONFIG naming the stack's configuration. Prints one JSON
 * object: {"concurrency","ops","seconds","rps","p50_ms","p99_ms"}.
 * Workers are processes, one connection each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "err.h"
#include "str.h"

#define WORKERS_MAX	256
#define BENCH_ACCOUNT	999999	/* no real account has it */

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One operation: the two commits described above. */
static int
one_op(struct db *db, const char *sku, long worker, long n, struct err *e)
{
	char		 evid[96], key[128], body[512], hash[65];
	uint64_t	 inbox_id = 0, event_id = 0;
	int64_t		 item = 0;
	struct db_res	*r;
	int		 rc;

	(void)str_fmt(evid, sizeof(evid), "dbceil-%ld-%ld-%ld",
	    (long)getpid(), worker, n);
	(void)str_fmt(key, sizeof(key), "%d:dbceil:%s:line:1", BENCH_ACCOUNT,
	    evid);
	/* a body of the size of a small orders/create */
	(void)str_fmt(body, sizeof(body), "{\"id\":%ld,\"updated_at\":"
	    "\"2026-11-28T12:00:00Z\",\"cancelled_at\":null,\"line_items\":"
	    "[{\"id\":%ld,\"variant_id\":1,\"product_id\":1,\"quantity\":1,"
	    "\"sku\":\"%s\",\"title\":\"Bench\",\"variant_title\":\"\"}]}",
	    n, n * 10, sku);
	memset(hash, 'a', 64);
	hash[64] = '\0';
	if (db_exec(db, "INSERT INTO webhook_inbox (account_id, event_id, "
	    "topic, triggered_at, body_sha256, body) VALUES (?, ?, ?, ?, ?, ?)",
	    (struct db_val[]){ DBI(BENCH_ACCOUNT), DBS(evid),
	    DBS("orders/create"), DBS("2026-11-28T12:00:00Z"), DBS(hash),
	    DBS(body) }, 6, NULL, &inbox_id, e) == -1)
		return -1;
	if (db_begin(db, e) == -1)
		return -1;
	if (db_exec(db, "INSERT INTO ledger_events (event_key, source, "
	    "reason, payload_hash) VALUES (?, ?, ?, ?)", (struct db_val[]){
	    DBS(key), DBS("bench:dbceiling"), DBS("orders/create bench"),
	    DBS(hash) }, 4, NULL, &event_id, e) == -1)
		goto fail;
	if ((r = db_query(db, "SELECT id FROM stock_items WHERE sku = ? FOR "
	    "UPDATE", (struct db_val[]){ DBS(sku) }, 1, e)) == NULL)
		goto fail;
	if ((rc = db_next(r, e)) == 1)
		item = db_col_i64(r, 0);
	db_res_free(r);
	if (rc != 1) {
		if (rc == 0)
			(void)err_set(e, ERR_NOTFOUND, "no SKU %s", sku);
		goto fail;
	}
	if (db_exec(db, "INSERT INTO stock_movements (event_id, item_id, "
	    "kind, qty, on_hand_delta, committed_delta, on_hand_after, "
	    "committed_after) SELECT ?, id, 'commit', 1, 0, 1, on_hand, "
	    "committed + 1 FROM stock_items WHERE id = ?", (struct db_val[]){
	    DBI(event_id), DBI(item) }, 2, NULL, NULL, e) == -1)
		goto fail;
	if (db_exec(db, "UPDATE stock_items SET committed = committed + 1, "
	    "version = version + 1, updated_at = CURRENT_TIMESTAMP(6) WHERE "
	    "id = ?", (struct db_val[]){ DBI(item) }, 1, NULL, NULL, e) == -1)
		goto fail;
	if (db_exec(db, "UPDATE webhook_inbox SET state = 'applied', detail "
	    "= '1 line(s), 1 counted' WHERE id = ?", (struct db_val[]){
	    DBI(inbox_id) }, 1, NULL, NULL, e) == -1)
		goto fail;
	return db_commit(db, e);
fail:
	db_rollback(db);
	return -1;
}

/* A worker: operations until the deadline, each one's latency in
 * microseconds written to fd. */
static int
worker_run(const struct config *cfg, const char *sku, long worker,
    double until, int fd)
{
	struct err	 e;
	struct db	*db;
	double		 t0;
	uint32_t	 us;
	long		 n = 0, fails = 0;

	if ((db = db_open(cfg, &e)) == NULL) {
		fprintf(stderr, "dbceiling: %s\n", e.msg);
		return 1;
	}
	while ((t0 = now_s()) < until) {
		if (one_op(db, sku, worker, n++, &e) == -1) {
			/* a deadlock is retried by the next operation, as
			 * the hub's db_tx() would */
			if (e.kind != ERR_RETRY || ++fails > 100) {
				fprintf(stderr, "dbceiling: %s\n", e.msg);
				db_close(db);
				return 1;
			}
			continue;
		}
		us = (uint32_t)((now_s() - t0) * 1e6);
		if (write(fd, &us, sizeof(us)) != (ssize_t)sizeof(us)) {
			db_close(db);
			return 1;
		}
	}
	db_close(db);
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	struct config	 cfg;
	struct err	 e;
	char		 path[64];
	pid_t		 pids[WORKERS_MAX];
	int		 fds[WORKERS_MAX];
	uint32_t	*lat = NULL, *grown;
	size_t		 n = 0, cap = 0;
	uint32_t	 us;
	double		 secs, start, until, took;
	int64_t		 conc;
	long		 i;
	int		 st, bad = 0;

	if (argc != 4 || str_to_i64(argv[2], 1, WORKERS_MAX, &conc) == -1 ||
	    (secs = strtod(argv[3], NULL)) <= 0) {
		fprintf(stderr, "usage: dbceiling SKU CONCURRENCY SECONDS\n");
		return 2;
	}
	if (config_load(&cfg, NULL, &e) == -1) {
		fprintf(stderr, "dbceiling: %s\n", e.msg);
		return 1;
	}
	start = now_s();
	until = start + secs;
	for (i = 0; i < conc; i++) {
		(void)str_fmt(path, sizeof(path), "/tmp/dbceiling.XXXXXX");
		if ((fds[i] = mkstemp(path)) == -1) {
			perror("dbceiling: mkstemp");
			return 1;
		}
		(void)unlink(path);
		if ((pids[i] = fork()) == -1) {
			perror("dbceiling: fork");
			return 1;
		}
		if (pids[i] == 0)
			_exit(worker_run(&cfg, argv[1], i, until, fds[i]));
	}
	for (i = 0; i < conc; i++)
		if (waitpid(pids[i], &st, 0) == -1 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			bad = 1;
	took = now_s() - start;
	for (i = 0; i < conc; i++) {
		(void)lseek(fds[i], 0, SEEK_SET);
		while (read(fds[i], &us, sizeof(us)) == (ssize_t)sizeof(us)) {
			if (n == cap) {
				cap = cap ? cap * 2 : 4096;
				if ((grown = realloc(lat, cap *
				    sizeof(*lat))) == NULL) {
					free(lat);
					return 1;
				}
				lat = grown;
			}
			lat[n++] = us;
		}
		(void)close(fds[i]);
	}
	if (bad || n == 0) {
		fprintf(stderr, "dbceiling: a worker failed\n");
		free(lat);
		return 1;
	}
	qsort(lat, n, sizeof(*lat), cmp_u32);
	printf("{\"concurrency\":%ld,\"ops\":%zu,\"seconds\":%.3f,"
	    "\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n", (long)conc, n,
	    took, (double)n / took, lat[n / 2] / 1000.0,
	    lat[n * 99 / 100 < n ? n * 99 / 100 : n - 1] / 1000.0);
	free(lat);
	return 0;
}
