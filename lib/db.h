/*
 * db: the only door to MariaDB/MySQL. Every statement is a prepared
 * statement with bound parameters; no SQL is ever built from data.
 *
 * Errors are mapped to err kinds: deadlock (1213), lock wait timeout (1205)
 * and snapshot conflict (1020) are ERR_RETRY, a duplicate key (1062) is
 * ERR_CONFLICT, anything else is ERR_DB. db_tx() retries ERR_RETRY.
 *
 * Ownership: db_open() returns a handle freed with db_close();
 * db_query() returns a result freed with db_res_free(). Strings returned
 * by db_col_str() are borrowed from the result until the next db_next().
 */
#ifndef STOCKHUB_DB_H
#define STOCKHUB_DB_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

struct db;
struct db_res;

enum db_type {
	DB_NULL = 0,
	DB_I64,
	DB_STR
};

/* One bound parameter. Build them with the DBI/DBS/DBN macros. */
struct db_val {
	enum db_type	 type;
	int64_t		 i;
	const char	*s;	/* DB_STR: borrowed; NULL is bound as NULL */
};

#define DBI(x)	((struct db_val){ .type = DB_I64, .i = (int64_t)(x) })
#define DBS(x)	((struct db_val){ .type = DB_STR, .s = (x) })
#define DBN	((struct db_val){ .type = DB_NULL })
#define DB_NARGS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Connect with connect/read/write timeouts and utf8mb4, set the session to
 * READ COMMITTED, and refuse a server that would lose committed
 * transactions (innodb_flush_log_at_trx_commit other than 1, or a binary
 * log that is not ROW with sync_binlog=1). NULL on failure, e set.
 */
struct db *db_open(const struct config *c, struct err *e);

/* NULL-safe. */
void	db_close(struct db *db);

/* Check the connection, reconnecting once when it was lost. */
int	db_ping(struct db *db, struct err *e);

/*
 * Run one statement that returns no rows. affected and insert_id may be
 * NULL.
 */
int	db_exec(struct db *db, const char *sql, const struct db_val *args,
	    size_t nargs, uint64_t *affected, uint64_t *insert_id,
	    struct err *e);

/* Run one statement that returns rows; NULL on error. */
struct db_res *db_query(struct db *db, const char *sql,
	    const struct db_val *args, size_t nargs, struct err *e);

/* Step to the next row: 1 a row, 0 no more rows, -1 error. */
int	db_next(struct db_res *r, struct err *e);

/* Column access on the current row (0-based). NULL columns read as
 * NULL / 0; db_col_null() tells them apart. */
int	db_col_null(const struct db_res *r, unsigned col);
const char *db_col_str(const struct db_res *r, unsigned col);
int64_t	db_col_i64(const struct db_res *r, unsigned col);

/* NULL-safe. */
void	db_res_free(struct db_res *r);

/*
 * Run a query expected to give at most one integer: 1 and *out set when a
 * non-NULL row came back, 0 when none, -1 on error.
 */
int	db_query_i64(struct db *db, const char *sql, const struct db_val *args,
	    size_t nargs, int64_t *out, struct err *e);

int	db_begin(struct db *db, struct err *e);
int	db_commit(struct db *db, struct err *e);
/* Never fails from the caller's point of view (logged). */
void	db_rollback(struct db *db);

/*
 * Run fn inside a transaction: begin, fn, commit. When fn or the commit
 * fails with ERR_RETRY the transaction is rolled back and run again, up to
 * a few times with a short randomised backoff. fn returns 0 or -1 (with e
 * set) and must be safe to run more than once.
 */
int	db_tx(struct db *db, int (*fn)(struct db *, void *, struct err *),
	    void *arg, struct err *e);

/* How many times db_tx() retried since the handle was opened. */
unsigned long db_retries(const struct db *db);

#endif
