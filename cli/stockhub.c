/*
 * stockhub: the command line for the operator. Thin: parse the arguments,
 * then call the same lib/ functions the web programs use.
 *
 *   stockhub migrate
 *   stockhub item add SKU [TITLE]
 *   stockhub item show SKU
 *   stockhub move SKU KIND QTY REASON [EVENT_KEY]
 *   stockhub check
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "config.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "log.h"
#include "migrate.h"
#include "push.h"
#include "stock.h"
#include "str.h"

static int
usage(void)
{
	fprintf(stderr,
	    "usage: stockhub migrate\n"
	    "       stockhub item add SKU [TITLE]\n"
	    "       stockhub item show SKU\n"
	    "       stockhub move SKU KIND QTY REASON [EVENT_KEY]\n"
	    "       stockhub check\n"
	    "KIND is one of: receive count adjust commit release ship "
	    "return_restock write_off\n");
	return 2;
}

static int
cmd_migrate(struct db *db, const struct config *cfg, struct err *e)
{
	int	 applied = 0;
	int64_t	 version = 0;

	if (migrate_apply(db, cfg->sql_dir, &applied, e) == -1 ||
	    migrate_current(db, &version, e) == -1)
		return -1;
	printf("schema version %lld (%d migration(s) applied now)\n",
	    (long long)version, applied);
	return 0;
}

static int
cmd_item_show(struct db *db, const char *sku, struct err *e)
{
	struct ledger_item	 it;

	if (ledger_item_get(db, sku, &it, e) == -1)
		return -1;
	printf("sku=%s on_hand=%lld committed=%lld available=%lld "
	    "version=%lld\n", it.sku, (long long)it.on_hand,
	    (long long)it.committed, (long long)it.available,
	    (long long)it.version);
	return 0;
}

static int
cmd_move(struct db *db, int argc, char **argv, struct err *e)
{
	struct ledger_line	 line;
	struct ledger_event	 ev;
	struct ledger_result	 res;
	struct passwd		*pw;
	char			 key[80], source[LEDGER_SOURCE_MAX];
	unsigned char		 rnd[16];
	int64_t			 qty;

	if (stock_kind_parse(argv[1], &line.kind) == -1)
		return err_set(e, ERR_INVALID, "unknown kind '%s'", argv[1]);
	if (str_to_i64(argv[2], -STOCK_QTY_MAX, STOCK_QTY_MAX, &qty) == -1)
		return err_set(e, ERR_INVALID, "QTY must be a whole number");
	line.sku = argv[0];
	line.qty = qty;
	pw = getpwuid(getuid());
	(void)str_fmt(source, sizeof(source), "cli:%s",
	    pw != NULL ? pw->pw_name : "unknown");
	if (argc > 4)
		(void)str_copy(key, sizeof(key), argv[4]);
	else {
		/* a fresh key: the operator typed it once, it happens once */
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return err_set(e, ERR_SYS, "no randomness");
		memcpy(key, "cli:", 4);
		str_hex(key + 4, rnd, sizeof(rnd));
	}
	memset(&ev, 0, sizeof(ev));
	ev.key = key;
	ev.source = source;
	ev.reason = argv[3];
	ev.lines = &line;
	ev.nlines = 1;
	if (ledger_post(db, &ev, push_touch, NULL, &res, e) == -1)
		return -1;
	printf("%s event %lld%s\n", res.duplicate ? "duplicate" : "applied",
	    (long long)res.event_id, res.oversold > 0 ? " (oversold)" : "");
	return cmd_item_show(db, line.sku, e);
}

int
main(int argc, char **argv)
{
	struct config	 cfg;
	struct err	 e;
	struct db	*db = NULL;
	int64_t		 bad = 0;
	int		 rc = -1;

	log_init("stockhub");
	err_clear(&e);
	if (argc < 2)
		return usage();
	if (config_load(&cfg, NULL, &e) == -1) {
		log_error("config: %s", e.msg);
		return 1;
	}
	if ((db = db_open(&cfg, &e)) == NULL)
		goto out;

	if (strcmp(argv[1], "migrate") == 0 && argc == 2)
		rc = cmd_migrate(db, &cfg, &e);
	else if (strcmp(argv[1], "item") == 0 && argc >= 4 &&
	    strcmp(argv[2], "add") == 0 && argc <= 5)
		rc = ledger_item_create(db, argv[3], argc == 5 ? argv[4] : "",
		    NULL, &e) == -1 ? -1 : cmd_item_show(db, argv[3], &e);
	else if (strcmp(argv[1], "item") == 0 && argc == 4 &&
	    strcmp(argv[2], "show") == 0)
		rc = cmd_item_show(db, argv[3], &e);
	else if (strcmp(argv[1], "move") == 0 && (argc == 6 || argc == 7))
		rc = cmd_move(db, argc - 2, argv + 2, &e);
	else if (strcmp(argv[1], "check") == 0 && argc == 2) {
		if ((rc = ledger_check(db, &bad, &e)) == 0 && bad > 0) {
			err_set(&e, ERR_CONFLICT, "%lld item(s) disagree with "
			    "their movements", (long long)bad);
			rc = -1;
		} else if (rc == 0)
			printf("ledger consistent\n");
	} else {
		db_close(db);
		return usage();
	}
out:
	if (rc == -1)
		log_err(&e);
	db_close(db);
	return rc == -1 ? 1 : 0;
}
