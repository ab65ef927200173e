/*
 * Test support for the integration tests: each test program gets a fresh
 * database of its own (t_<name>_<pid>) on the MariaDB that tests/run.sh
 * started, with every migration applied, and drops it at the end.
 */
#ifndef STOCKHUB_TEST_SUPPORT_H
#define STOCKHUB_TEST_SUPPORT_H

#include <stdint.h>

#include "config.h"
#include "db.h"
#include "ledger.h"

struct tdb {
	struct config	 cfg;
	struct db	*db;
	char		 name[65];
};

/* Create and migrate the database; aborts the test program on failure. */
void	tdb_open(struct tdb *t, const char *name);

/* Another connection to the same database (for concurrency tests). */
struct db *tdb_connect(const struct tdb *t);

/* Drop the database and close. */
void	tdb_close(struct tdb *t);

/* Run one statement that the test itself wrote (no data in it). */
void	tdb_exec(struct tdb *t, const char *sql);

/*
 * Helpers for any connection (the e2e tests use the hub's own database);
 * each aborts the test program with a "not ok" line on error.
 *   t_q64:   the integer a query returns (0 when no row)
 *   t_exec:  one statement with bound arguments
 *   t_item:  an item's balance
 *   t_post:  one movement under key, with the push queue's hook
 */
int64_t	t_q64(struct db *db, const char *sql, const struct db_val *args,
	    size_t n);
void	t_exec(struct db *db, const char *sql, const struct db_val *args,
	    size_t n);
struct ledger_item t_item(struct db *db, const char *sku);
void	t_post(struct db *db, const char *key, const char *sku,
	    enum stock_kind k, int64_t qty);

#endif
