/*
 * migrate: numbered SQL migrations (see migrate.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "err.h"
#include "log.h"
#include "migrate.h"
#include "str.h"

#define MIGRATE_FILES_MAX	1000
#define MIGRATE_FILE_MAX	(1024 * 1024)
#define MIGRATE_LOCK_WAIT	60

int
migrate_split(const char *sql, size_t len,
    int (*fn)(const char *, size_t, void *), void *arg, struct err *e)
{
	size_t	 i, start = 0, a, b;
	char	 quote = 0;
	int	 rc;

	for (i = 0; i <= len; i++) {
		if (i < len && quote != 0) {
			if (sql[i] == '\\' && quote != '`' && i + 1 < len)
				i++;
			else if (sql[i] == quote)
				quote = 0;
			continue;
		}
		if (i < len && (sql[i] == '\'' || sql[i] == '"' ||
		    sql[i] == '`')) {
			quote = sql[i];
			continue;
		}
		/* "-- " and "#" comments run to the end of the line; as in
		 * MariaDB, "--" starts one only before a space or control
		 * character ("5--1" is arithmetic) */
		if (i < len && ((sql[i] == '-' && i + 1 < len &&
		    sql[i + 1] == '-' && (i + 2 == len ||
		    (unsigned char)sql[i + 2] <= ' ')) || sql[i] == '#')) {
			while (i + 1 < len && sql[i + 1] != '\n')
				i++;
			continue;
		}
		if (i < len && sql[i] == '/' && i + 1 < len &&
		    sql[i + 1] == '*') {
			for (i += 2; i + 1 < len &&
			    !(sql[i] == '*' && sql[i + 1] == '/'); i++)
				;
			if (i + 1 >= len)
				return err_set(e, ERR_INVALID,
				    "unterminated comment");
			i++;
			continue;
		}
		if ((i < len && sql[i] != ';') || quote != 0)
			continue;
		/* a statement ends here: trim it, skipping comment-only ones */
		a = start;
		b = i;
		start = i + 1;
		while (a < b && (sql[a] == ' ' || sql[a] == '\t' ||
		    sql[a] == '\n' || sql[a] == '\r'))
			a++;
		while (b > a && (sql[b - 1] == ' ' || sql[b - 1] == '\t' ||
		    sql[b - 1] == '\n' || sql[b - 1] == '\r'))
			b--;
		/* leading comment lines */
		while (a < b && ((sql[a] == '-' && a + 1 < b &&
		    sql[a + 1] == '-') || sql[a] == '#')) {
			while (a < b && sql[a] != '\n')
				a++;
			while (a < b && (sql[a] == ' ' || sql[a] == '\t' ||
			    sql[a] == '\n' || sql[a] == '\r'))
				a++;
		}
		if (a == b)
			continue;
		if ((rc = fn(sql + a, b - a, arg)) != 0)
			return rc;
	}
	if (quote != 0)
		return err_set(e, ERR_INVALID, "unterminated quote");
	return 0;
}

int
migrate_version_of(const char *name, int64_t *version)
{
	size_t	 n, digits;

	n = strlen(name);
	for (digits = 0; digits < n && name[digits] >= '0' &&
	    name[digits] <= '9'; digits++)
		;
	if (digits < 3 || digits > 9 || name[digits] != '_' ||
	    n < digits + 6 || strcmp(name + n - 4, ".sql") != 0)
		return -1;
	for (size_t i = digits + 1; i < n - 4; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return -1;
	return str_to_i64n(name, digits, 1, 999999999, version);
}

int
migrate_current(struct db *db, int64_t *version, struct err *e)
{
	int	 rc;

	*version = 0;
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version BIGINT UNSIGNED NOT NULL PRIMARY KEY,"
	    " name VARCHAR(255) NOT NULL,"
	    " applied_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
	    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", NULL, 0, NULL, NULL,
	    e) == -1)
		return -1;
	rc = db_query_i64(db, "SELECT MAX(version) FROM schema_migrations",
	    NULL, 0, version, e);
	return rc == -1 ? -1 : 0;
}

struct file {
	int64_t	 version;
	char	 name[256];
};

static int
file_cmp(const void *a, const void *b)
{
	const struct file *fa = a, *fb = b;

	return fa->version < fb->version ? -1 : fa->version > fb->version;
}

struct run_ctx {
	struct db	*db;
	const char	*file;
	struct err	*e;
};

static int
run_stmt(const char *stmt, size_t n, void *arg)
{
	struct run_ctx	*ctx = arg;
	char		*sql;
	int		 rc;

	if ((sql = strndup(stmt, n)) == NULL)
		return err_set(ctx->e, ERR_SYS, "out of memory");
	rc = db_exec(ctx->db, sql, NULL, 0, NULL, NULL, ctx->e);
	if (rc == -1 && ctx->e != NULL) {
		char msg[sizeof(ctx->e->msg)];

		/* name the file and the statement, not only the error */
		(void)str_copy(msg, sizeof(msg), ctx->e->msg);
		err_set(ctx->e, ERR_DB, "%s: statement \"%.80s%s\" failed: %s",
		    ctx->file, sql, n > 80 ? "..." : "", msg);
	}
	free(sql);
	return rc;
}

static int
read_all(const char *path, struct buf *b, struct err *e)
{
	FILE	*f;
	char	 chunk[4096];
	size_t	 n;
	int	 rc = 0;

	if ((f = fopen(path, "r")) == NULL)
		return err_set(e, ERR_SYS, "%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, n) == -1) {
			rc = err_set(e, ERR_INVALID, "%s: too large", path);
			break;
		}
	if (rc == 0 && ferror(f))
		rc = err_set(e, ERR_SYS, "%s: read error", path);
	fclose(f);
	return rc;
}

int
migrate_apply(struct db *db, const char *dir, int *applied, struct err *e)
{
	DIR		*d = NULL;
	struct dirent	*de;
	struct file	*files = NULL;
	struct buf	 b;
	struct run_ctx	 ctx;
	char		 path[1024];
	int64_t		 current, v, locked = 0;
	size_t		 n = 0, i;
	int		 rc = -1, count = 0;
	uint64_t	 dummy;

	buf_init(&b, MIGRATE_FILE_MAX);
	if (applied != NULL)
		*applied = 0;
	if ((files = calloc(MIGRATE_FILES_MAX, sizeof(*files))) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	if ((d = opendir(dir)) == NULL) {
		err_set(e, ERR_SYS, "%s: %s", dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (migrate_version_of(de->d_name, &v) == -1)
			continue;
		if (n == MIGRATE_FILES_MAX) {
			err_set(e, ERR_SYS, "%s: too many migrations", dir);
			goto out;
		}
		files[n].version = v;
		if (str_copy(files[n].name, sizeof(files[n].name),
		    de->d_name) == -1)
			continue;
		n++;
	}
	qsort(files, n, sizeof(*files), file_cmp);
	for (i = 1; i < n; i++)
		if (files[i].version == files[i - 1].version) {
			err_set(e, ERR_INVALID, "%s and %s have the same "
			    "version", files[i - 1].name, files[i].name);
			goto out;
		}

	/* one runner at a time; the lock ends with the connection too */
	if (db_query_i64(db, "SELECT GET_LOCK('stockhub_migrate', ?)",
	    (struct db_val[]){ DBI(MIGRATE_LOCK_WAIT) }, 1, &locked, e) == -1)
		goto out;
	if (locked != 1) {
		err_set(e, ERR_RETRY, "another migration is running");
		goto out;
	}
	if (migrate_current(db, &current, e) == -1)
		goto out;

	for (i = 0; i < n; i++) {
		if (files[i].version <= current)
			continue;
		if (str_fmt(path, sizeof(path), "%s/%s", dir,
		    files[i].name) == -1) {
			err_set(e, ERR_SYS, "%s: path too long", files[i].name);
			goto out;
		}
		buf_reset(&b);
		if (read_all(path, &b, e) == -1)
			goto out;
		ctx.db = db;
		ctx.file = files[i].name;
		ctx.e = e;
		if (migrate_split(b.data != NULL ? b.data : "", b.len,
		    run_stmt, &ctx, e) != 0) {
			if (e != NULL && e->kind == ERR_INVALID) {
				char msg[sizeof(e->msg)];

				/* a split error: say which file */
				(void)str_copy(msg, sizeof(msg), e->msg);
				err_set(e, ERR_INVALID, "%s: %s",
				    files[i].name, msg);
			}
			goto out;
		}
		if (db_exec(db, "INSERT INTO schema_migrations (version, name) "
		    "VALUES (?, ?)", (struct db_val[]){ DBI(files[i].version),
		    DBS(files[i].name) }, 2, &dummy, NULL, e) == -1)
			goto out;
		log_info("migrate: applied %s", files[i].name);
		count++;
	}
	rc = 0;
out:
	if (locked == 1)
		(void)db_query_i64(db, "SELECT RELEASE_LOCK('stockhub_migrate')",
		    NULL, 0, &v, NULL);
	if (applied != NULL)
		*applied = count;
	if (d != NULL)
		closedir(d);
	free(files);
	buf_free(&b);
	return rc;
}
