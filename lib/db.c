/*
 * db: prepared statements over the MariaDB Connector/C (see db.h).
 *
 * Results are bound column by column as strings into buffers sized from
 * the stored result's max_length, so one code path reads every type; the
 * few integers we read are parsed back with str_to_i64().
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>

#include "db.h"
#include "err.h"
#include "log.h"
#include "str.h"

#define DB_TX_ATTEMPTS	8
#define DB_ARGS_MAX	64
#define DB_STMT_CACHE	64

/*
 * A prepared statement kept for the next use of the same SQL text. A
 * FastCGI worker lives for many requests and runs the same few dozen
 * statements for each; preparing one afresh costs a round trip and a
 * parse on the server every time. busy while a caller holds it (a result
 * not freed yet); a statement asked for while its entry is busy is
 * prepared apart and closed after use.
 */
struct db_stmt {
	MYSQL_STMT	*st;		/* NULL: the entry is empty */
	char		*sql;		/* an owned copy of the text */
	size_t		 len;
	uint64_t	 last;		/* db->uses when last taken */
	int		 busy;
};

struct db {
	MYSQL		*m;
	struct config	 cfg;		/* kept to reconnect */
	int		 in_tx;
	unsigned long	 retries;
	struct db_stmt	 cache[DB_STMT_CACHE];
	uint64_t	 uses;
};

struct db_res {
	struct db_stmt	*slot;		/* the cache entry of st, or NULL */
	MYSQL_STMT	*st;
	MYSQL_BIND	*bind;
	char		**bufs;
	unsigned long	*lens;
	my_bool		*nulls;
	unsigned	 ncols;
};

static int
map_errno(unsigned int no)
{
	switch (no) {
	case ER_LOCK_DEADLOCK:		/* 1213 */
	case ER_LOCK_WAIT_TIMEOUT:	/* 1205 */
	case 1020:			/* ER_CHECKREAD: snapshot conflict */
		return ERR_RETRY;
	case ER_DUP_ENTRY:		/* 1062 */
		return ERR_CONFLICT;
	default:
		return ERR_DB;
	}
}

static int
fail_conn(struct db *db, const char *what, struct err *e)
{
	unsigned int no = mysql_errno(db->m);

	return err_set(e, (enum err_kind)map_errno(no), "db: %s: %s (%u)",
	    what, mysql_error(db->m), no);
}

static int
fail_stmt(MYSQL_STMT *st, const char *what, struct err *e)
{
	unsigned int no = mysql_stmt_errno(st);

	return err_set(e, (enum err_kind)map_errno(no), "db: %s: %s (%u)",
	    what, mysql_stmt_error(st), no);
}

/* Refuse a server that can lose a committed transaction in a crash. */
static int
check_durability(struct db *db, struct err *e)
{
	struct db_res	*r;
	int64_t		 flush, logbin, syncbin;
	const char	*fmt;
	int		 rc = -1;

	r = db_query(db, "SELECT @@innodb_flush_log_at_trx_commit, @@log_bin, "
	    "@@binlog_format, @@sync_binlog", NULL, 0, e);
	if (r == NULL)
		return -1;
	if (db_next(r, e) != 1)
		goto out;
	flush = db_col_i64(r, 0);
	logbin = db_col_i64(r, 1);
	fmt = db_col_str(r, 2);
	syncbin = db_col_i64(r, 3);
	if (flush != 1) {
		err_set(e, ERR_DB, "db: innodb_flush_log_at_trx_commit is %lld; "
		    "stockhub needs 1 so that no committed sale is lost in a "
		    "crash", (long long)flush);
		goto out;
	}
	if (logbin == 1 && (fmt == NULL || strcmp(fmt, "ROW") != 0 ||
	    syncbin != 1)) {
		err_set(e, ERR_DB, "db: the binary log is on; stockhub needs "
		    "binlog_format=ROW and sync_binlog=1");
		goto out;
	}
	rc = 0;
out:
	db_res_free(r);
	return rc;
}

/* Close every kept statement (before the connection goes). A busy one is
 * let go: its holder closes it (stmt_release sees it is no longer the
 * entry's). */
static void
cache_clear(struct db *db)
{
	struct db_stmt	*c;
	size_t		 i;

	for (i = 0; i < DB_STMT_CACHE; i++) {
		c = &db->cache[i];
		if (c->st != NULL && !c->busy)
			mysql_stmt_close(c->st);
		free(c->sql);
		memset(c, 0, sizeof(*c));
	}
}

/* The kept statement for sql, taken (busy), or NULL. */
static struct db_stmt *
cache_take(struct db *db, const char *sql, size_t len)
{
	struct db_stmt	*c;
	size_t		 i;

	for (i = 0; i < DB_STMT_CACHE; i++) {
		c = &db->cache[i];
		if (c->st != NULL && !c->busy && c->len == len &&
		    memcmp(c->sql, sql, len) == 0) {
			c->busy = 1;
			c->last = ++db->uses;
			return c;
		}
	}
	return NULL;
}

/* Keep st, just prepared from sql, taken (busy): in an empty entry or in
 * place of the one used least lately. NULL when every entry is busy or
 * memory is short; the caller then closes st after use. */
static struct db_stmt *
cache_put(struct db *db, MYSQL_STMT *st, const char *sql, size_t len)
{
	struct db_stmt	*c, *victim = NULL;
	char		*copy;
	size_t		 i;

	for (i = 0; i < DB_STMT_CACHE; i++) {
		c = &db->cache[i];
		if (c->busy)
			continue;
		if (c->st == NULL) {
			victim = c;
			break;
		}
		if (victim == NULL || c->last < victim->last)
			victim = c;
	}
	if (victim == NULL || (copy = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(copy, sql, len);
	copy[len] = '\0';
	if (victim->st != NULL)
		mysql_stmt_close(victim->st);
	free(victim->sql);
	victim->st = st;
	victim->sql = copy;
	victim->len = len;
	victim->busy = 1;
	victim->last = ++db->uses;
	return victim;
}

/* Done with st: back to its entry, or closed when it has none. */
static void
stmt_release(struct db_stmt *slot, MYSQL_STMT *st)
{
	if (slot != NULL && slot->st == st) {
		(void)mysql_stmt_free_result(st);
		slot->busy = 0;
	} else
		mysql_stmt_close(st);
}

static int
connect_db(struct db *db, struct err *e)
{
	unsigned int	 ctimeout = 5, rwtimeout = 30;

	if ((db->m = mysql_init(NULL)) == NULL)
		return err_set(e, ERR_SYS, "db: out of memory");
	mysql_options(db->m, MYSQL_OPT_CONNECT_TIMEOUT, &ctimeout);
	mysql_options(db->m, MYSQL_OPT_READ_TIMEOUT, &rwtimeout);
	mysql_options(db->m, MYSQL_OPT_WRITE_TIMEOUT, &rwtimeout);
	mysql_options(db->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* row locks, not snapshots, guard stock; READ COMMITTED avoids the
	 * gap locks that make REPEATABLE READ deadlock-prone */
	mysql_options(db->m, MYSQL_INIT_COMMAND,
	    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
	mysql_options(db->m, MYSQL_INIT_COMMAND,
	    "SET SESSION innodb_lock_wait_timeout = 10");
	mysql_options(db->m, MYSQL_INIT_COMMAND,
	    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,"
	    "NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO'");
	mysql_options(db->m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");

	if (mysql_real_connect(db->m,
	    db->cfg.db_socket[0] != '\0' ? NULL : db->cfg.db_host,
	    db->cfg.db_user, db->cfg.db_password, db->cfg.db_name,
	    db->cfg.db_socket[0] != '\0' ? 0 : (unsigned)db->cfg.db_port,
	    db->cfg.db_socket[0] != '\0' ? db->cfg.db_socket : NULL,
	    0) == NULL) {
		fail_conn(db, "connect", e);
		if (e != NULL && e->kind != ERR_RETRY)
			e->kind = ERR_DB;
		cache_clear(db);
		mysql_close(db->m);
		db->m = NULL;
		return -1;
	}
	if (check_durability(db, e) == -1) {
		cache_clear(db);
		mysql_close(db->m);
		db->m = NULL;
		return -1;
	}
	return 0;
}

struct db *
db_open(const struct config *c, struct err *e)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL) {
		err_set(e, ERR_SYS, "db: out of memory");
		return NULL;
	}
	db->cfg = *c;
	if (connect_db(db, e) == -1) {
		db_close(db);
		return NULL;
	}
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	cache_clear(db);
	if (db->m != NULL)
		mysql_close(db->m);
	explicit_bzero(&db->cfg, sizeof(db->cfg));
	free(db);
}

int
db_ping(struct db *db, struct err *e)
{
	if (db->m != NULL && mysql_ping(db->m) == 0)
		return 0;
	if (db->m != NULL) {
		cache_clear(db);
		mysql_close(db->m);
		db->m = NULL;
	}
	db->in_tx = 0;
	return connect_db(db, e);
}

/* Prepare sql (or take it prepared from the cache), bind args and
 * execute. *slot gets its cache entry, or NULL; stmt_release() ends it. */
static MYSQL_STMT *
run(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
    struct db_stmt **slot, struct err *e)
{
	MYSQL_STMT	*st = NULL;
	MYSQL_BIND	 bind[DB_ARGS_MAX];
	long long	 ints[DB_ARGS_MAX];
	size_t		 i, len = strlen(sql);

	if (db->m == NULL) {
		err_set(e, ERR_DB, "db: not connected");
		return NULL;
	}
	if (nargs > DB_ARGS_MAX) {
		err_set(e, ERR_SYS, "db: too many parameters");
		return NULL;
	}
	if ((*slot = cache_take(db, sql, len)) != NULL)
		st = (*slot)->st;
	else {
		if ((st = mysql_stmt_init(db->m)) == NULL) {
			fail_conn(db, "statement", e);
			return NULL;
		}
		if (mysql_stmt_prepare(st, sql, len) != 0) {
			fail_stmt(st, "prepare", e);
			mysql_stmt_close(st);
			return NULL;
		}
		*slot = cache_put(db, st, sql, len);
	}
	if (mysql_stmt_param_count(st) != nargs) {
		err_set(e, ERR_SYS, "db: statement takes %lu parameters, "
		    "%zu given", mysql_stmt_param_count(st), nargs);
		goto fail;
	}
	memset(bind, 0, sizeof(bind));
	for (i = 0; i < nargs; i++) {
		switch (args[i].type) {
		case DB_I64:
			ints[i] = (long long)args[i].i;
			bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
			bind[i].buffer = &ints[i];
			break;
		case DB_STR:
			if (args[i].s == NULL) {
				bind[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			bind[i].buffer_type = MYSQL_TYPE_STRING;
			bind[i].buffer = (void *)(uintptr_t)args[i].s;
			bind[i].buffer_length = strlen(args[i].s);
			break;
		default:
			bind[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		}
	}
	if (nargs > 0 && mysql_stmt_bind_param(st, bind) != 0) {
		fail_stmt(st, "bind", e);
		goto fail;
	}
	if (mysql_stmt_execute(st) != 0) {
		fail_stmt(st, "execute", e);
		goto fail;
	}
	return st;
fail:
	stmt_release(*slot, st);
	*slot = NULL;
	return NULL;
}

int
db_exec(struct db *db, const char *sql, const struct db_val *args,
    size_t nargs, uint64_t *affected, uint64_t *insert_id, struct err *e)
{
	MYSQL_STMT	*st;
	struct db_stmt	*slot;

	if ((st = run(db, sql, args, nargs, &slot, e)) == NULL)
		return -1;
	if (affected != NULL)
		*affected = mysql_stmt_affected_rows(st);
	if (insert_id != NULL)
		*insert_id = mysql_stmt_insert_id(st);
	/* rows nobody read would be left on the connection: such a
	 * statement is closed, never kept */
	if (mysql_stmt_field_count(st) > 0) {
		if (slot != NULL && slot->st == st) {
			free(slot->sql);
			memset(slot, 0, sizeof(*slot));
		}
		mysql_stmt_close(st);
	} else
		stmt_release(slot, st);
	return 0;
}

struct db_res *
db_query(struct db *db, const char *sql, const struct db_val *args,
    size_t nargs, struct err *e)
{
	struct db_res	*r = NULL;
	MYSQL_RES	*meta = NULL;
	MYSQL_FIELD	*f;
	MYSQL_STMT	*st;
	struct db_stmt	*slot;
	my_bool		 update_max = 1;
	unsigned	 i;
	size_t		 sz;

	if ((st = run(db, sql, args, nargs, &slot, e)) == NULL)
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto oom;
	r->st = st;
	r->slot = slot;
	if ((meta = mysql_stmt_result_metadata(st)) == NULL) {
		err_set(e, ERR_SYS, "db: statement returns no rows");
		goto fail;
	}
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
	if (mysql_stmt_store_result(st) != 0) {
		fail_stmt(st, "store result", e);
		goto fail;
	}
	r->ncols = mysql_num_fields(meta);
	f = mysql_fetch_fields(meta);
	r->bind = calloc(r->ncols, sizeof(*r->bind));
	r->bufs = calloc(r->ncols, sizeof(*r->bufs));
	r->lens = calloc(r->ncols, sizeof(*r->lens));
	r->nulls = calloc(r->ncols, sizeof(*r->nulls));
	if (r->ncols > 0 && (r->bind == NULL || r->bufs == NULL ||
	    r->lens == NULL || r->nulls == NULL))
		goto oom;
	for (i = 0; i < r->ncols; i++) {
		sz = (f[i].max_length > 64 ? f[i].max_length : 64) + 1;
		if ((r->bufs[i] = calloc(1, sz)) == NULL)
			goto oom;
		r->bind[i].buffer_type = MYSQL_TYPE_STRING;
		r->bind[i].buffer = r->bufs[i];
		r->bind[i].buffer_length = sz;
		r->bind[i].length = &r->lens[i];
		r->bind[i].is_null = &r->nulls[i];
	}
	if (r->ncols > 0 && mysql_stmt_bind_result(st, r->bind) != 0) {
		fail_stmt(st, "bind result", e);
		goto fail;
	}
	mysql_free_result(meta);
	return r;
oom:
	err_set(e, ERR_SYS, "db: out of memory");
fail:
	if (meta != NULL)
		mysql_free_result(meta);
	if (r != NULL)
		db_res_free(r);
	else
		stmt_release(slot, st);
	return NULL;
}

int
db_next(struct db_res *r, struct err *e)
{
	unsigned	 i;
	char		*nb;
	int		 rc;

	rc = mysql_stmt_fetch(r->st);
	if (rc == MYSQL_NO_DATA)
		return 0;
	if (rc == 1)
		return fail_stmt(r->st, "fetch", e);
	if (rc == MYSQL_DATA_TRUNCATED) {
		/* a column outgrew its buffer: grow it and fetch it again */
		for (i = 0; i < r->ncols; i++) {
			if (r->nulls[i] ||
			    r->lens[i] < r->bind[i].buffer_length)
				continue;
			if ((nb = realloc(r->bufs[i], r->lens[i] + 1)) == NULL)
				return err_set(e, ERR_SYS, "db: out of memory");
			r->bufs[i] = nb;
			r->bind[i].buffer = nb;
			r->bind[i].buffer_length = r->lens[i] + 1;
			if (mysql_stmt_fetch_column(r->st, &r->bind[i], i, 0))
				return fail_stmt(r->st, "fetch column", e);
		}
		if (mysql_stmt_bind_result(r->st, r->bind) != 0)
			return fail_stmt(r->st, "bind result", e);
	}
	for (i = 0; i < r->ncols; i++)
		if (!r->nulls[i])
			r->bufs[i][r->lens[i]] = '\0';
	return 1;
}

int
db_col_null(const struct db_res *r, unsigned col)
{
	return col >= r->ncols || r->nulls[col];
}

const char *
db_col_str(const struct db_res *r, unsigned col)
{
	if (db_col_null(r, col))
		return NULL;
	return r->bufs[col];
}

int64_t
db_col_i64(const struct db_res *r, unsigned col)
{
	int64_t	 v;

	if (db_col_null(r, col) ||
	    str_to_i64(r->bufs[col], INT64_MIN, INT64_MAX, &v) == -1)
		return 0;
	return v;
}

void
db_res_free(struct db_res *r)
{
	unsigned	 i;

	if (r == NULL)
		return;
	if (r->bufs != NULL)
		for (i = 0; i < r->ncols; i++)
			free(r->bufs[i]);
	free(r->bufs);
	free(r->bind);
	free(r->lens);
	free(r->nulls);
	if (r->st != NULL)
		stmt_release(r->slot, r->st);
	free(r);
}

int
db_query_i64(struct db *db, const char *sql, const struct db_val *args,
    size_t nargs, int64_t *out, struct err *e)
{
	struct db_res	*r;
	int		 rc;

	if ((r = db_query(db, sql, args, nargs, e)) == NULL)
		return -1;
	rc = db_next(r, e);
	if (rc == 1) {
		if (db_col_null(r, 0))
			rc = 0;
		else
			*out = db_col_i64(r, 0);
	}
	db_res_free(r);
	return rc;
}

int
db_begin(struct db *db, struct err *e)
{
	if (db->m == NULL)
		return err_set(e, ERR_DB, "db: not connected");
	if (db->in_tx)
		return err_set(e, ERR_SYS, "db: transaction already open");
	if (mysql_autocommit(db->m, 0) != 0)
		return fail_conn(db, "begin", e);
	db->in_tx = 1;
	return 0;
}

int
db_commit(struct db *db, struct err *e)
{
	int	 rc = 0;

	if (db->m == NULL)
		return err_set(e, ERR_DB, "db: not connected");
	if (mysql_commit(db->m) != 0)
		rc = fail_conn(db, "commit", e);
	if (rc == -1)
		(void)mysql_rollback(db->m);
	(void)mysql_autocommit(db->m, 1);
	db->in_tx = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db->m == NULL)
		return;
	if (mysql_rollback(db->m) != 0)
		log_warn("db: rollback: %s", mysql_error(db->m));
	(void)mysql_autocommit(db->m, 1);
	db->in_tx = 0;
}

static void
backoff(unsigned attempt)
{
	struct timespec	 ts;
	long		 ms;

	/* 5..20 ms, doubling per attempt, with jitter so that the
	 * processes that deadlocked do not collide again */
	ms = (long)(5u << (attempt < 5 ? attempt : 5));
	ms += (long)(rand() % 20);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
db_tx(struct db *db, int (*fn)(struct db *, void *, struct err *), void *arg,
    struct err *e)
{
	unsigned	 attempt;

	for (attempt = 0; attempt < DB_TX_ATTEMPTS; attempt++) {
		if (db_begin(db, e) == -1)
			return -1;
		if (fn(db, arg, e) == 0 && db_commit(db, e) == 0)
			return 0;
		if (db->in_tx)
			db_rollback(db);
		if (e == NULL || e->kind != ERR_RETRY)
			return -1;
		db->retries++;
		backoff(attempt);
	}
	return -1;
}

unsigned long
db_retries(const struct db *db)
{
	return db->retries;
}
