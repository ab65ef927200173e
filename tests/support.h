/*
 * Test support for the integration tests: each test program gets a fresh
 * database of its own (t_<name>_<pid>) on the MariaDB that tests/run.sh
 * started, with every migration applied, and drops it at the end.
 */
#ifndef STOCKHUB_TEST_SUPPORT_H
#define STOCKHUB_TEST_SUPPORT_H

#include "config.h"
#include "db.h"

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

#endif
