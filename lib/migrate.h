/*
 * migrate: applies sql/NNN_name.sql files in order and records each in
 * schema_migrations. Rerunning is a no-op. A failing statement is
 * reported with the file, its text (shortened) and the server's error,
 * and the file is not recorded, so fixing it and rerunning retries that
 * file. (MariaDB commits DDL implicitly, so migrations are written to be
 * safe to rerun: CREATE TABLE IF NOT EXISTS and the like.) Concurrent
 * runners are serialised with a named lock.
 */
#ifndef STOCKHUB_MIGRATE_H
#define STOCKHUB_MIGRATE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"

/*
 * Split SQL text into statements at ';' outside quotes and comments, and
 * call fn on each (trimmed, without the ';', not NUL-terminated). Empty
 * statements are skipped. Pure. Returns 0, or the first non-zero value fn
 * returned, or -1 for an unterminated quote (e set).
 */
int	migrate_split(const char *sql, size_t len,
	    int (*fn)(const char *stmt, size_t n, void *arg), void *arg,
	    struct err *e);

/*
 * Parse a migration file name "NNN_name.sql" into its version. Returns 0,
 * or -1 when the name does not have that form. Pure.
 */
int	migrate_version_of(const char *filename, int64_t *version);

/* Apply every pending migration in dir; *applied counts them (may be NULL). */
int	migrate_apply(struct db *db, const char *dir, int *applied,
	    struct err *e);

/* The highest applied version (0 for a fresh database). */
int	migrate_current(struct db *db, int64_t *version, struct err *e);

#endif
