/*
 * Test support: a private, migrated database per test program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mysql.h>

#include "config.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "migrate.h"
#include "push.h"
#include "str.h"
#include "support.h"

static void
die(const char *what, const struct err *e)
{
	fprintf(stderr, "not ok - test setup: %s: %s\n", what,
	    e != NULL ? e->msg : "");
	exit(1);
}

void
tdb_open(struct tdb *t, const char *name)
{
	struct err	 e;
	struct db	*admin;
	char		 sql[128];
	size_t		 i;

	memset(t, 0, sizeof(*t));
	err_clear(&e);
	if (getenv("STOCKHUB_CONFIG") == NULL)
		die("STOCKHUB_CONFIG is not set; run the suite with make test",
		    NULL);
	if (config_load(&t->cfg, NULL, &e) == -1)
		die("config", &e);
	/* the name is made here from a literal and the pid: never data */
	if (str_fmt(t->name, sizeof(t->name), "t_%s_%ld", name,
	    (long)getpid()) == -1)
		die("name too long", NULL);
	for (i = 0; t->name[i] != '\0'; i++)
		if (!((t->name[i] >= 'a' && t->name[i] <= 'z') ||
		    (t->name[i] >= '0' && t->name[i] <= '9') ||
		    t->name[i] == '_'))
			die("bad test name", NULL);
	if ((admin = db_open(&t->cfg, &e)) == NULL)
		die("connect", &e);
	(void)str_fmt(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", t->name);
	if (db_exec(admin, sql, NULL, 0, NULL, NULL, &e) == -1)
		die("drop", &e);
	(void)str_fmt(sql, sizeof(sql), "CREATE DATABASE %s CHARACTER SET "
	    "utf8mb4 COLLATE utf8mb4_unicode_ci", t->name);
	if (db_exec(admin, sql, NULL, 0, NULL, NULL, &e) == -1)
		die("create", &e);
	db_close(admin);
	(void)str_copy(t->cfg.db_name, sizeof(t->cfg.db_name), t->name);
	if ((t->db = db_open(&t->cfg, &e)) == NULL)
		die("connect to test database", &e);
	if (migrate_apply(t->db, t->cfg.sql_dir, NULL, &e) == -1)
		die("migrate", &e);
}

struct db *
tdb_connect(const struct tdb *t)
{
	struct err	 e;
	struct db	*db;

	if ((db = db_open(&t->cfg, &e)) == NULL)
		die("connect", &e);
	return db;
}

void
tdb_exec(struct tdb *t, const char *sql)
{
	struct err	 e;

	if (db_exec(t->db, sql, NULL, 0, NULL, NULL, &e) == -1)
		die(sql, &e);
}

void
tdb_close(struct tdb *t)
{
	char	 sql[128];

	if (t->db == NULL)
		return;
	(void)str_fmt(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", t->name);
	tdb_exec(t, sql);
	db_close(t->db);
	t->db = NULL;
	mysql_library_end();
}

int64_t
t_q64(struct db *db, const char *sql, const struct db_val *args, size_t n)
{
	struct err	 e;
	int64_t		 v = 0;

	if (db_query_i64(db, sql, args, n, &v, &e) == -1)
		die(sql, &e);
	return v;
}

void
t_exec(struct db *db, const char *sql, const struct db_val *args, size_t n)
{
	struct err	 e;

	if (db_exec(db, sql, args, n, NULL, NULL, &e) == -1)
		die(sql, &e);
}

struct ledger_item
t_item(struct db *db, const char *sku)
{
	struct ledger_item	 it;
	struct err		 e;

	if (ledger_item_get(db, sku, &it, &e) == -1)
		die(sku, &e);
	return it;
}

void
t_post(struct db *db, const char *key, const char *sku, enum stock_kind k,
    int64_t qty)
{
	struct ledger_line	 l = { sku, k, qty };
	struct ledger_event	 ev = { key, "test", "test", &l, 1 };
	struct ledger_result	 res;
	struct err		 e;

	if (ledger_post(db, &ev, push_touch, NULL, &res, &e) == -1)
		die(key, &e);
}
