/*
 * stockhub: the command line for the operator. Thin: parse the arguments,
 * then call the same lib/ functions the web programs use.
 *
 *   stockhub migrate
 *   stockhub item add SKU [TITLE]
 *   stockhub item show SKU
 *   stockhub move SKU KIND QTY REASON [EVENT_KEY]
 *   stockhub check
 *   stockhub account add TYPE NAME BASE_URL SHOP_REF [options] < creds.json
 *   stockhub account list
 *   stockhub map ACCOUNT SKU EXT_LISTING [EXT_VARIANT [EXT_LOCATION]]
 *   stockhub shopify map ACCOUNT SKU [LOCATION_ID]
 *   stockhub map all ACCOUNT
 *   stockhub shopify subscribe ACCOUNT
 *   stockhub push
 *   stockhub etsy cost [--listings N] [--orders-per-day N] [--interval S ...]
 *   stockhub etsy webhook ACCOUNT < {"webhook_secrets":["whsec_..."]}
 *   stockhub buffers [--apply] [DAYS]
 *   stockhub reconcile [ACCOUNT_ID]
 *   stockhub reconcile --report RUN_ID [--json|--csv]
 *   stockhub account set ACCOUNT_ID recon_policy=report|repair
 *       recon_threshold=N|default
 *   stockhub audit ACCOUNT_ID
 *   stockhub audit confirm SUGGESTION_ID
 *   stockhub user add NAME < password
 *   stockhub map export [FILE]
 *   stockhub map import FILE|- [--source hub|etsy|shopify] [--dry-run]
 *                [--conflicts csv|hub]
 *   stockhub receive SKU QTY --reason REASON
 *   stockhub count SKU QTY --reason REASON
 *   stockhub status --json
 *   stockhub tick
 *   stockhub return SKU QTY --condition restock|damaged|inspect --reason R
 *   stockhub return held
 *   stockhub return decide HOLD_ID restock|damaged [QTY] --reason R
 *   stockhub user totp NAME [off]
 *
 * Credentials come on standard input as JSON, never as arguments, so they
 * do not show in the process list or the shell history.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "auth.h"
#include "bom.h"
#include "budget.h"
#include "bufrec.h"
#include "buf.h"
#include "channel.h"
#include "config.h"
#include "connect.h"
#include "crypt.h"
#include "db.h"
#include "err.h"
#include "etsy_poll.h"
#include "jobs.h"
#include "ledger.h"
#include "log.h"
#include "mapstore.h"
#include "migrate.h"
#include "push.h"
#include "recon.h"
#include "shopify_hook.h"
#include "skumap.h"
#include "returns.h"
#include "audit.h"
#include "stock.h"
#include "str.h"

#include <stdlib.h>
#include <jansson.h>

static int
usage(void)
{
	fprintf(stderr,
	    "usage: stockhub migrate\n"
	    "       stockhub item add SKU [TITLE]\n"
	    "       stockhub item show SKU\n"
	    "       stockhub move SKU KIND QTY REASON [EVENT_KEY]\n"
	    "       stockhub check\n"
	    "       stockhub account add TYPE NAME BASE_URL SHOP_REF "
	    "[--holdback-pct P] [--holdback-units U]\n"
	    "                [--max-shown M] [--priority N] "
	    "[--manual accept|restore] < credentials.json\n"
	    "       stockhub account list\n"
	    "       stockhub map ACCOUNT SKU EXT_LISTING [EXT_VARIANT "
	    "[EXT_LOCATION]]\n"
	    "       stockhub shopify map ACCOUNT SKU [LOCATION_ID]\n"
	    "       stockhub map all ACCOUNT\n"
	    "       stockhub shopify subscribe ACCOUNT\n"
	    "       stockhub bom set PARENT COMPONENT:QTY [COMPONENT:QTY ...] "
	    "REASON\n"
	    "                [--made-to-order [--cap N]]\n"
	    "       stockhub bom show PARENT\n"
	    "       stockhub return SKU QTY --condition restock|damaged|inspect "
	    "--reason REASON [--key KEY]\n"
	    "       stockhub return held\n"
	    "       stockhub return decide HOLD_ID restock|damaged [QTY] "
	    "--reason REASON [--key KEY]\n"
	    "       stockhub push\n"
	    "       stockhub etsy webhook ACCOUNT < webhook-secrets.json\n"
	    "       stockhub etsy cost [--listings N] [--orders-per-day N] "
	    "[--interval S ...]\n"
	    "                [--sweep S] [--push-calls N] [--recon-per-call N] "
	    "[--per-day N]\n"
	    "       stockhub buffers [--apply] [DAYS]   (recommended buffers "
	    "from the last DAYS, default 14)\n"
	    "       stockhub reconcile [ACCOUNT_ID]   (until done; prints the "
	    "report)\n"
	    "       stockhub reconcile --report RUN_ID [--json|--csv]\n"
	    "       stockhub account set ACCOUNT_ID recon_policy=report|repair "
	    "recon_threshold=N|default\n"
	    "       stockhub audit ACCOUNT_ID   (the mapping audit now)\n"
	    "       stockhub audit confirm SUGGESTION_ID\n"
	    "       stockhub user add NAME < password   (an admin web UI "
	    "account; 12 to 128 characters)\n"
	    "       stockhub map export [FILE]   (the SKU map as CSV; "
	    "standard output without FILE)\n"
	    "       stockhub map import FILE|- [--source hub|etsy|shopify] "
	    "[--dry-run]\n"
	    "                [--conflicts csv|hub]   (new items and listings "
	    "are added; a conflict\n"
	    "                needs --conflicts: take the CSV's value or keep "
	    "the hub's)\n"
	    "       stockhub receive SKU QTY --reason REASON\n"
	    "       stockhub count SKU QTY --reason REASON   (on hand becomes "
	    "QTY)\n"
	    "       stockhub status --json   (items, accounts, outbox, open "
	    "alerts)\n"
	    "       stockhub tick   (one timer tick now: webhooks, Etsy poll, "
	    "pushes, reconciliation)\n"
	    "       stockhub user totp NAME [off]   (prints the otpauth:// URI "
	    "of a new TOTP second factor, or removes it)\n"
	    "KIND is one of: receive count adjust commit release ship "
	    "return_restock write_off\n"
	    "TYPE is one of: etsy shopify amazon ebay\n");
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

/* Read credentials JSON from standard input (empty: none). */
static int
read_creds(json_t **creds, struct err *e)
{
	struct buf	 b;
	char		 chunk[4096];
	size_t		 n;
	json_error_t	 je;
	int		 rc = -1;

	*creds = NULL;
	buf_init(&b, 64 * 1024);
	if (isatty(0))
		return 0;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (buf_append(&b, chunk, n) == -1) {
			err_set(e, ERR_TOOBIG, "credentials over 64 KiB");
			goto out;
		}
	if (b.len == 0) {
		rc = 0;
		goto out;
	}
	if ((*creds = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES,
	    &je)) == NULL || !json_is_object(*creds)) {
		/* je.text may quote the input: do not echo it */
		err_set(e, ERR_INVALID, "credentials on standard input must "
		    "be one JSON object (line %d)", je.line);
		json_decref(*creds);
		*creds = NULL;
		goto out;
	}
	rc = 0;
out:
	if (b.data != NULL)
		explicit_bzero(b.data, b.cap);
	buf_free(&b);
	return rc;
}

static int
cmd_account_add(struct db *db, const struct config *cfg, int argc,
    char **argv, struct err *e)
{
	struct alloc_policy	 pol;
	enum channel_type	 t;
	json_t			*creds = NULL;
	int64_t			 v, id = 0;
	char			*end;
	int			 i, manual = 0, rc = -1;

	memset(&pol, 0, sizeof(pol));
	if (channel_type_parse(argv[0], &t) == -1)
		return err_set(e, ERR_INVALID, "unknown type '%s'", argv[0]);
	for (i = 4; i < argc; i += 2) {
		if (i + 1 >= argc)
			return err_set(e, ERR_INVALID, "%s needs a value",
			    argv[i]);
		if (strcmp(argv[i], "--holdback-pct") == 0) {
			pol.holdback_pct = strtod(argv[i + 1], &end);
			if (*end != '\0' || end == argv[i + 1] ||
			    pol.holdback_pct < 0 || pol.holdback_pct > 100)
				return err_set(e, ERR_INVALID,
				    "--holdback-pct: 0 to 100");
		} else if (strcmp(argv[i], "--holdback-units") == 0) {
			if (str_to_i64(argv[i + 1], 0, STOCK_QTY_MAX, &v) == -1)
				return err_set(e, ERR_INVALID,
				    "--holdback-units: a whole number >= 0");
			pol.holdback_units = v;
		} else if (strcmp(argv[i], "--max-shown") == 0) {
			if (str_to_i64(argv[i + 1], 0, STOCK_QTY_MAX, &v) == -1)
				return err_set(e, ERR_INVALID,
				    "--max-shown: a whole number >= 0");
			pol.capped = 1;
			pol.max_shown = v;
		} else if (strcmp(argv[i], "--priority") == 0) {
			if (str_to_i64(argv[i + 1], -1000, 1000, &v) == -1)
				return err_set(e, ERR_INVALID,
				    "--priority: -1000 to 1000");
			pol.priority = (int)v;
		} else if (strcmp(argv[i], "--manual") == 0) {
			if (strcmp(argv[i + 1], "accept") != 0 &&
			    strcmp(argv[i + 1], "restore") != 0)
				return err_set(e, ERR_INVALID,
				    "--manual: accept or restore");
			manual = strcmp(argv[i + 1], "accept") == 0;
		} else
			return err_set(e, ERR_INVALID, "unknown option %s",
			    argv[i]);
	}
	if (read_creds(&creds, e) == -1)
		return -1;
	if (channel_account_create(db, cfg, t, argv[1], argv[2], argv[3],
	    creds, &pol, manual, &id, e) == -1)
		goto out;
	printf("account %lld: %s %s (credentials sealed)\n", (long long)id,
	    argv[0], argv[1]);
	if (t == CHANNEL_ETSY && !json_is_string(json_object_get(creds,
	    "access_token")))
		printf("paused until connected: sign in to the admin and "
		    "click Connect next to it\n");
	rc = 0;
out:
	json_decref(creds);
	return rc;
}

static int
cmd_account_list(struct db *db, struct err *e)
{
	struct db_res	*r;
	int		 rc;

	r = db_query(db, "SELECT id, type, name, shop_ref, holdback_pct, "
	    "holdback_units, COALESCE(max_shown, -1), priority, manual_edit, "
	    "paused FROM channel_accounts ORDER BY id", NULL, 0, e);
	if (r == NULL)
		return -1;
	while ((rc = db_next(r, e)) == 1)
		printf("%s\t%s\t%s\t%s\tholdback %s%% / %s units\tmax %s"
		    "\tpriority %s\tmanual edits: %s%s\n", db_col_str(r, 0),
		    db_col_str(r, 1), db_col_str(r, 2), db_col_str(r, 3),
		    db_col_str(r, 4), db_col_str(r, 5),
		    db_col_i64(r, 6) < 0 ? "none" : db_col_str(r, 6),
		    db_col_str(r, 7), db_col_str(r, 8),
		    db_col_i64(r, 9) ? "\tPAUSED" : "");
	db_res_free(r);
	return rc == -1 ? -1 : 0;
}

static int
cmd_map(struct db *db, const struct config *cfg, int argc, char **argv,
    struct err *e)
{
	struct channel_account	 a;
	int64_t			 id = 0;
	int			 rc;

	if (connect_account_by_name(db, cfg, argv[0], &a, e) == -1)
		return -1;
	rc = channel_listing_map(db, a.id, argv[1], argv[2],
	    argc > 3 ? argv[3] : "", argc > 4 ? argv[4] : "", argv[1], &id, e);
	if (rc == 0)
		rc = push_queue_listing(db, id, e);
	if (rc == 0)
		printf("listing %lld: %s on %s\n", (long long)id, argv[1],
		    a.name);
	channel_account_free(&a);
	return rc;
}

static int
cmd_map_all(struct db *db, const struct config *cfg, const char *name,
    struct err *e)
{
	struct channel_account	 a;
	int			 rc, mapped = 0, left = 0;

	if (connect_account_by_name(db, cfg, name, &a, e) == -1)
		return -1;
	if ((rc = connect_map_all(db, cfg, &a, &mapped, &left, e)) == 0)
		printf("%d SKU(s) mapped on %s by exact SKU; %d left for you "
		    "(carried by several places, or one quantity for every "
		    "variation)\n", mapped, a.name, left);
	channel_account_free(&a);
	return rc;
}

static int
cmd_shopify(struct db *db, const struct config *cfg, int argc, char **argv,
    struct err *e)
{
	struct channel_account	 a;
	const char		*loc;
	int64_t			 id = 0;
	int			 rc, n = 0;

	if (connect_account_by_name(db, cfg, argv[1], &a, e) == -1)
		return -1;
	if (strcmp(argv[0], "subscribe") == 0 && argc == 2) {
		if ((rc = connect_shopify_subscribe(cfg, &a, &n, e)) == 0)
			printf("%d new webhook subscription(s) to "
			    "%s/hooks/shopify\n", n, cfg->public_base_url);
	} else if (strcmp(argv[0], "map") == 0 && (argc == 3 || argc == 4)) {
		loc = argc == 4 ? argv[3] : json_string_value(
		    json_object_get(a.creds, "location_id"));
		if (loc == NULL)
			rc = err_set(e, ERR_INVALID, "give LOCATION_ID, or put "
			    "location_id in the account's credentials");
		else if ((rc = connect_shopify_map(db, &a, argv[2], loc, &id,
		    e)) == 0)
			printf("listing %lld: %s on %s\n", (long long)id,
			    argv[2], a.name);
	} else
		rc = err_set(e, ERR_INVALID, "see: stockhub (no arguments)");
	channel_account_free(&a);
	return rc;
}

static int
cmd_push(struct db *db, const struct config *cfg, struct err *e)
{
	struct push_stats	 st;
	char			 worker[48];

	(void)str_fmt(worker, sizeof(worker), "cli:%ld", (long)getpid());
	if (push_run(db, cfg, worker, push_now_ms() + 50000, &st, e) == -1)
		return -1;
	printf("%d claimed, %d written, %d unchanged, %d held, %d retried, "
	    "%d failed\n", st.claimed, st.written, st.unchanged, st.held,
	    st.retried, st.failed);
	return 0;
}

/*
 * The options of `return`: --condition, --reason, --key (each once).
 * Positional arguments are left in pos[] (at most npos).
 */
static int
return_opts(int argc, char **argv, const char **cond, const char **reason,
    const char **key, char **pos, int *npos, struct err *e)
{
	int	 i, max = *npos;

	*cond = *reason = *key = NULL;
	*npos = 0;
	for (i = 0; i < argc; i++) {
		const char **slot = strcmp(argv[i], "--condition") == 0 ? cond :
		    strcmp(argv[i], "--reason") == 0 ? reason :
		    strcmp(argv[i], "--key") == 0 ? key : NULL;

		if (slot != NULL) {
			if (i + 1 >= argc || *slot != NULL)
				return err_set(e, ERR_INVALID, "%s takes one "
				    "value, once", argv[i]);
			*slot = argv[++i];
		} else if (strncmp(argv[i], "--", 2) == 0 || *npos >= max)
			return err_set(e, ERR_INVALID, "unexpected argument "
			    "'%s'", argv[i]);
		else
			pos[(*npos)++] = argv[i];
	}
	if (*reason == NULL || (*reason)[0] == '\0')
		return err_set(e, ERR_INVALID, "--reason is required (it is "
		    "kept in the ledger)");
	return 0;
}

/* The operator's source and a key (the one given, or a fresh one). */
static int
cli_source_key(const char *given, char *source, size_t sourcesz, char *key,
    size_t keysz, struct err *e)
{
	struct passwd	*pw;
	unsigned char	 rnd[16];

	pw = getpwuid(getuid());
	(void)str_fmt(source, sourcesz, "cli:%s",
	    pw != NULL ? pw->pw_name : "unknown");
	if (given != NULL)
		return str_copy(key, keysz, given) == -1 ? err_set(e,
		    ERR_INVALID, "--key is too long") : 0;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1 || keysz < 4 + 33)
		return err_set(e, ERR_SYS, "no randomness");
	memcpy(key, "cli:", 4);
	str_hex(key + 4, rnd, sizeof(rnd));
	return 0;
}

/* Units that came back: stockhub return SKU QTY --condition C --reason R */
static int
cmd_return(struct db *db, const struct config *cfg, int argc, char **argv,
    struct err *e)
{
	struct returns_req	 q;
	struct returns_result	 res;
	const char		*cond, *reason, *given;
	char			*pos[2];
	char			 key[LEDGER_KEY_MAX + 1];
	char			 source[LEDGER_SOURCE_MAX];
	int			 npos = 2;

	memset(&q, 0, sizeof(q));
	if (return_opts(argc, argv, &cond, &reason, &given, pos, &npos,
	    e) == -1)
		return -1;
	if (npos != 2)
		return err_set(e, ERR_INVALID, "usage: return SKU QTY "
		    "--condition restock|damaged|inspect --reason REASON");
	if (cond == NULL || returns_cond_parse(cond, &q.cond) == -1)
		return err_set(e, ERR_INVALID, "--condition must be restock, "
		    "damaged or inspect");
	if (str_to_i64(pos[1], 1, STOCK_QTY_MAX, &q.qty) == -1)
		return err_set(e, ERR_INVALID, "QTY must be a whole number "
		    "of at least 1");
	if (cli_source_key(given, source, sizeof(source), key, sizeof(key),
	    e) == -1)
		return -1;
	q.sku = pos[0];
	q.key = key;
	q.source = source;
	q.reason = reason;
	if (returns_sku(db, &q, &res, e) == -1)
		return -1;
	if (res.duplicate)
		printf("duplicate: that return was recorded before\n");
	else if (q.cond == RETURNS_INSPECT)
		printf("held %lld unit(s) of %s for inspection as return %lld; "
		    "decide with: stockhub return decide %lld restock|damaged "
		    "--reason ...\n", (long long)res.done, q.sku,
		    (long long)res.hold_id, (long long)res.hold_id);
	else
		printf("%s %lld unit(s) of %s\n", q.cond == RETURNS_RESTOCK ?
		    "restocked" : "wrote off (damaged)", (long long)res.done,
		    q.sku);
	return q.cond == RETURNS_RESTOCK && !res.duplicate ?
	    cmd_push(db, cfg, e) : 0;
}

static int
cmd_return_held(struct db *db, struct err *e)
{
	struct returns_held	*h = NULL;
	size_t			 n = 0, i;

	if (returns_list_held(db, 1000, &h, &n, e) == -1)
		return -1;
	if (n == 0)
		printf("nothing held for inspection\n");
	for (i = 0; i < n; i++)
		printf("%lld\t%s\t%lld held of %lld\t%s\t%s\t%s\t%s\n",
		    (long long)h[i].id, h[i].sku, (long long)h[i].held,
		    (long long)h[i].qty, h[i].at, h[i].source,
		    h[i].order[0] != '\0' ? h[i].order : "-", h[i].reason);
	free(h);
	return 0;
}

/* stockhub return decide HOLD_ID restock|damaged [QTY] --reason R */
static int
cmd_return_decide(struct db *db, const struct config *cfg, int argc,
    char **argv, struct err *e)
{
	struct returns_req	 q;
	struct returns_result	 res;
	const char		*cond, *reason, *given;
	char			*pos[3];
	char			 key[LEDGER_KEY_MAX + 1];
	char			 source[LEDGER_SOURCE_MAX];
	int64_t			 id, qty = -1;
	int			 npos = 3;

	memset(&q, 0, sizeof(q));
	if (return_opts(argc, argv, &cond, &reason, &given, pos, &npos,
	    e) == -1)
		return -1;
	if (cond != NULL || npos < 2)
		return err_set(e, ERR_INVALID, "usage: return decide HOLD_ID "
		    "restock|damaged [QTY] --reason REASON");
	if (str_to_i64(pos[0], 1, INT64_MAX, &id) == -1)
		return err_set(e, ERR_INVALID, "HOLD_ID must be a number "
		    "(see: stockhub return held)");
	if (returns_cond_parse(pos[1], &q.cond) == -1 ||
	    q.cond == RETURNS_INSPECT)
		return err_set(e, ERR_INVALID, "decide restock or damaged");
	if (npos == 3 && str_to_i64(pos[2], 1, STOCK_QTY_MAX, &qty) == -1)
		return err_set(e, ERR_INVALID, "QTY must be a whole number "
		    "of at least 1");
	if (cli_source_key(given, source, sizeof(source), key, sizeof(key),
	    e) == -1)
		return -1;
	q.key = key;
	q.source = source;
	q.reason = reason;
	if (returns_decide(db, id, qty, &q, &res, e) == -1)
		return -1;
	if (res.duplicate)
		printf("duplicate: that decision was recorded before\n");
	else
		printf("return %lld: %lld unit(s) %s\n", (long long)id,
		    (long long)res.done, q.cond == RETURNS_RESTOCK ?
		    "restocked" : "written off (damaged)");
	return q.cond == RETURNS_RESTOCK && !res.duplicate ?
	    cmd_push(db, cfg, e) : 0;
}

/*
 * An admin account; the password is the first line of standard input
 * (never an argument: it would show in the process list).
 */
/* Run (or continue) a reconciliation until it is done; print the report.
 * Repairs are queued pushes: the next tick (or `stockhub push`) sends
 * them. */
static int
cmd_reconcile(struct db *db, const struct config *cfg, const char *account,
    struct err *e)
{
	struct recon_opts	 o;
	struct recon_report	 rep;
	int64_t			 run_id;
	int			 done = 0, i;

	memset(&o, 0, sizeof(o));
	if (account != NULL && str_to_i64(account, 1, INT64_MAX,
	    &o.account_id) == -1)
		return err_set(e, ERR_INVALID, "ACCOUNT_ID: not a positive id");
	if (recon_start(db, &o, "manual", &run_id, e) == -1)
		return -1;
	/* another process may hold the run for a while: wait for it */
	for (i = 0; !done; i++) {
		if (recon_step(db, cfg, run_id, &o, push_now_ms() + 10000,
		    &done, e) == -1)
			return -1;
		if (!done && i > 0 && i % 10 == 0)
			fprintf(stderr, "reconciliation run %lld: still going\n",
			    (long long)run_id);
		if (!done)
			(void)usleep(100000);
	}
	if (recon_report_load(db, run_id, &rep, e) == -1)
		return -1;
	recon_report_print(&rep, stdout);
	return 0;
}

/* The report of a finished or running run: text, --json or --csv. */
static int
cmd_recon_report(struct db *db, int argc, char **argv, struct err *e)
{
	struct recon_report	 rep;
	struct buf		 b;
	json_t			*j = NULL;
	int64_t			 run_id;
	int			 rc = -1;

	if (str_to_i64(argv[0], 1, INT64_MAX, &run_id) == -1)
		return err_set(e, ERR_INVALID, "--report: RUN_ID must be a "
		    "positive id");
	if (argc == 1) {
		if (recon_report_load(db, run_id, &rep, e) == -1)
			return -1;
		recon_report_print(&rep, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--json") != 0 && strcmp(argv[1], "--csv") != 0)
		return err_set(e, ERR_INVALID, "--report RUN_ID takes --json or "
		    "--csv");
	buf_init(&b, 64u << 20);
	if (recon_report_json(db, run_id, &j, e) == -1)
		goto out;
	if (strcmp(argv[1], "--json") == 0) {
		if (json_dumpf(j, stdout, JSON_INDENT(2)) == -1) {
			err_set(e, ERR_SYS, "cannot write the report");
			goto out;
		}
		fputc('\n', stdout);
	} else {
		if (recon_report_csv(j, &b, e) == -1)
			goto out;
		if (b.len > 0 && fwrite(b.data, 1, b.len, stdout) != b.len) {
			err_set(e, ERR_SYS, "cannot write the report");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(j);
	buf_free(&b);
	return rc;
}

/* The mapping audit of one account now: findings by kind, then the open
 * suggestions to confirm. */
static int
cmd_audit(struct db *db, const struct config *cfg, const char *account,
    struct err *e)
{
	struct audit_stats	 st;
	struct db_res		*q;
	int64_t			 id;
	int			 i, t;

	if (str_to_i64(account, 1, INT64_MAX, &id) == -1)
		return err_set(e, ERR_INVALID, "ACCOUNT_ID must be a positive "
		    "id");
	if (audit_run(db, cfg, id, "manual", &st, e) == -1)
		return -1;
	printf("mapping audit %lld: %lld places on the channel, %lld mapped, "
	    "%lld API calls\n", (long long)st.run_id, (long long)st.places,
	    (long long)st.mapped, (long long)st.api_calls);
	printf("findings: %lld\n", (long long)st.findings);
	for (i = 0; i < AUDIT__MAX; i++)
		if (st.by_kind[i] > 0)
			printf("  %s: %lld\n", audit_kind_label(
			    (enum audit_kind)i), (long long)st.by_kind[i]);
	if (st.findings == 0)
		printf("clean\n");
	if ((q = db_query(db, "SELECT id, action, sku, ext_listing, "
	    "ext_variant FROM audit_suggestions WHERE account_id = ? AND "
	    "state = 'open' ORDER BY id", (struct db_val[]){ DBI(id) }, 1,
	    e)) == NULL)
		return -1;
	while ((t = db_next(q, e)) == 1)
		printf("suggestion %s: %s listing %s [%s] to SKU %s "
		    "(stockhub audit confirm %s)\n", db_col_str(q, 0),
		    strcmp(db_col_str(q, 1), "remap") == 0 ? "move the map entry "
		    "to" : "map", db_col_str(q, 3), db_col_str(q, 4),
		    db_col_str(q, 2), db_col_str(q, 0));
	db_res_free(q);
	return t == -1 ? -1 : 0;
}

static int
cmd_audit_confirm(struct db *db, const char *sid, struct err *e)
{
	int64_t	 id;

	if (str_to_i64(sid, 1, INT64_MAX, &id) == -1)
		return err_set(e, ERR_INVALID, "SUGGESTION_ID must be a "
		    "positive id");
	if (audit_confirm(db, id, e) == -1)
		return -1;
	printf("suggestion %lld confirmed: the map entry is written\n",
	    (long long)id);
	return 0;
}

/* stockhub account set ID KEY=VALUE... (reconciliation settings). */
static int
cmd_account_set(struct db *db, int argc, char **argv, struct err *e)
{
	int64_t	 id;
	int	 i;

	if (str_to_i64(argv[0], 1, INT64_MAX, &id) == -1)
		return err_set(e, ERR_INVALID, "ACCOUNT_ID must be a positive "
		    "id");
	for (i = 1; i < argc; i++)
		if (recon_account_set(db, id, argv[i], e) == -1)
			return -1;
	printf("account %lld: %d setting(s) saved\n", (long long)id, argc - 1);
	return 0;
}

static int
cmd_user_add(struct db *db, const char *name, struct err *e)
{
	char	 pw[AUTH_PW_MAX + 3];
	size_t	 n;
	int64_t	 id = 0;
	int	 rc = -1;

	if (auth_name_check(name, e) == -1)
		return -1;
	if (isatty(0))
		fprintf(stderr, "password for %s (input is shown; pipe it in "
		    "instead to keep it off the screen): ", name);
	if (fgets(pw, sizeof(pw), stdin) == NULL) {
		err_set(e, ERR_INVALID, "give the password on standard input");
		goto out;
	}
	n = strcspn(pw, "\r\n");
	if (pw[n] == '\0' && !feof(stdin)) {
		err_set(e, ERR_INVALID, "the password must have at most %d "
		    "characters", AUTH_PW_MAX);
		goto out;
	}
	pw[n] = '\0';
	if (auth_user_add(db, name, pw, &id, e) == -1)
		goto out;
	printf("user %s added (id %lld); sign in at /admin/login\n", name,
	    (long long)id);
	rc = 0;
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	return rc;
}

/* user totp NAME [off]: give NAME a TOTP second factor, or remove it */
static int
cmd_user_totp(struct db *db, const struct config *cfg, const char *name,
    int off, struct err *e)
{
	unsigned char	 key[CRYPT_KEY_LEN];
	char		 uri[512];
	int		 rc;

	if (off) {
		if (auth_totp_disable(db, name, e) == -1)
			return -1;
		printf("user %s signs in with the password alone now\n", name);
		return 0;
	}
	if (crypt_key_parse(cfg->master_key, key, e) == -1)
		return -1;
	rc = auth_totp_enable(db, key, name, uri, sizeof(uri), e);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc == -1)
		return -1;
	printf("%s\n", uri);
	fprintf(stderr, "add this to an authenticator app (it holds the "
	    "secret: keep it private); from now on %s signs in with the "
	    "password and a 6-digit code\n", name);
	OPENSSL_cleanse(uri, sizeof(uri));
	return 0;
}

/*
 * bom set PARENT COMPONENT:QTY [COMPONENT:QTY ...] REASON
 *     [--made-to-order [--cap N]]
 */
static int
cmd_bom_set(struct db *db, int argc, char **argv, struct err *e)
{
	struct bom_component	 comp[BOM_COMPONENTS_MAX];
	struct bom_spec		 s;
	struct passwd		*pw;
	const char		*pos[BOM_COMPONENTS_MAX + 2];
	char			 actor[LEDGER_SOURCE_MAX];
	char			 names[BOM_COMPONENTS_MAX][BOM_SKU_SIZE];
	const char		*colon;
	size_t			 npos = 0, i, len;
	int			 i_arg;

	memset(&s, 0, sizeof(s));
	s.kind = BOM_BUNDLE;
	for (i_arg = 0; i_arg < argc; i_arg++) {
		if (strcmp(argv[i_arg], "--made-to-order") == 0)
			s.kind = BOM_MADE_TO_ORDER;
		else if (strcmp(argv[i_arg], "--cap") == 0) {
			if (i_arg + 1 >= argc || str_to_i64(argv[i_arg + 1], 0,
			    STOCK_QTY_MAX, &s.cap) == -1)
				return err_set(e, ERR_INVALID, "--cap needs a "
				    "whole number >= 0");
			s.has_cap = 1;
			i_arg++;
		} else if (npos == sizeof(pos) / sizeof(pos[0]))
			return err_set(e, ERR_INVALID, "at most %d components",
			    BOM_COMPONENTS_MAX);
		else
			pos[npos++] = argv[i_arg];
	}
	if (s.has_cap && s.kind != BOM_MADE_TO_ORDER)
		return err_set(e, ERR_INVALID, "--cap goes with "
		    "--made-to-order");
	if (npos < 3)
		return err_set(e, ERR_INVALID, "usage: bom set PARENT "
		    "COMPONENT:QTY [...] REASON");
	for (i = 1; i + 1 < npos; i++) {
		colon = strrchr(pos[i], ':');
		len = colon != NULL ? (size_t)(colon - pos[i]) : 0;
		if (colon == NULL || len == 0 || len >= BOM_SKU_SIZE)
			return err_set(e, ERR_INVALID, "'%s' is not "
			    "COMPONENT:QTY", pos[i]);
		memcpy(names[i - 1], pos[i], len);
		names[i - 1][len] = '\0';
		comp[i - 1].sku = names[i - 1];
		if (str_to_i64(colon + 1, 1, STOCK_QTY_MAX,
		    &comp[i - 1].qty) == -1)
			return err_set(e, ERR_INVALID, "quantity of '%s' must "
			    "be a whole number >= 1", names[i - 1]);
	}
	pw = getpwuid(getuid());
	(void)str_fmt(actor, sizeof(actor), "cli:%s",
	    pw != NULL ? pw->pw_name : "unknown");
	s.components = comp;
	s.ncomponents = npos - 2;
	s.actor = actor;
	s.reason = pos[npos - 1];
	if (bom_set(db, pos[0], &s, e) == -1)
		return -1;
	printf("BOM of %s set (%s, %zu component(s))\n", pos[0],
	    bom_kind_name(s.kind), s.ncomponents);
	return 0;
}

static int
cmd_bom_show(struct db *db, const char *parent, struct err *e)
{
	struct ledger_item	 it;
	struct db_res		*r;
	int64_t			 avail = 0;
	int			 rc;

	if (ledger_item_get(db, parent, &it, e) == -1 ||
	    bom_item_available(db, it.id, &avail, e) == -1)
		return -1;
	r = db_query(db, "SELECT kind, mto_cap FROM stock_items WHERE id = ?",
	    (struct db_val[]){ DBI(it.id) }, 1, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 1) {
		printf("sku=%s kind=%s", it.sku, db_col_str(r, 0));
		if (!db_col_null(r, 1))
			printf(" cap=%lld", (long long)db_col_i64(r, 1));
		printf(" available=%lld\n", (long long)avail);
	}
	db_res_free(r);
	if (rc == -1)
		return -1;
	r = db_query(db, "SELECT c.sku, b.qty FROM bom_lines b JOIN "
	    "stock_items c ON c.id = b.component_id WHERE b.parent_id = ? "
	    "ORDER BY c.sku", (struct db_val[]){ DBI(it.id) }, 1, e);
	if (r == NULL)
		return -1;
	while ((rc = db_next(r, e)) == 1)
		printf("  %s x %lld\n", db_col_str(r, 0),
		    (long long)db_col_i64(r, 1));
	db_res_free(r);
	return rc == -1 ? -1 : 0;
}

/* ---- the SKU map as CSV ---- */

static int
cmd_map_export(struct db *db, const char *path, struct err *e)
{
	struct skumap	 m;
	struct buf	 b;
	FILE		*f = stdout;
	int		 rc = -1;

	buf_init(&b, 256 * 1024 * 1024);
	if (mapstore_load(db, NULL, &m, e) == -1)
		return -1;
	if (skumap_write(&b, &m, e) == -1)
		goto out;
	if (path != NULL && (f = fopen(path, "wb")) == NULL) {
		err_set(e, ERR_SYS, "cannot write %s", path);
		goto out;
	}
	if ((b.len > 0 && fwrite(b.data, 1, b.len, f) != b.len) ||
	    fflush(f) != 0) {
		err_set(e, ERR_SYS, "writing the CSV failed");
		goto out;
	}
	if (path != NULL)
		fprintf(stderr, "%zu row(s) written to %s\n", m.n, path);
	rc = 0;
out:
	if (f != NULL && f != stdout && fclose(f) != 0 && rc == 0)
		rc = err_set(e, ERR_SYS, "writing %s failed", path);
	skumap_free(&m);
	buf_free(&b);
	return rc;
}

/* A whole file ("-": standard input), at most 16 MiB. */
static int
read_file(const char *path, struct buf *b, struct err *e)
{
	FILE	*f = stdin;
	char	 chunk[8192];
	size_t	 n;
	int	 rc = 0;

	buf_init(b, 16 * 1024 * 1024);
	if (strcmp(path, "-") != 0 && (f = fopen(path, "rb")) == NULL)
		return err_set(e, ERR_NOTFOUND, "cannot read %s", path);
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, n) == -1)
			rc = err_set(e, ERR_TOOBIG, "%s is over 16 MiB", path);
	if (rc == 0 && ferror(f))
		rc = err_set(e, ERR_SYS, "reading %s failed", path);
	if (f != stdin)
		fclose(f);
	return rc;
}

static void
print_prop(const struct skumap_prop *p)
{
	const struct skumap_row	*r = p->csv;

	switch (p->act) {
	case SKUMAP_NEW_ITEM:
		printf("row %zu: new item %s \"%s\"\n", r->row, r->sku,
		    r->title);
		break;
	case SKUMAP_NEW_LISTING:
		printf("row %zu: new listing %s on %s: %s%s%s\n", r->row,
		    r->sku, r->account, r->ext_listing,
		    r->ext_variant[0] != '\0' ? " " : "", r->ext_variant);
		break;
	case SKUMAP_MATCH:
		printf("row %zu: matches %s \"%s\"\n", r->row, r->sku,
		    p->hub->title);
		break;
	case SKUMAP_TITLE_CONFLICT:
		printf("row %zu: CONFLICT title of %s: the CSV says \"%s\", "
		    "the hub says \"%s\"\n", r->row, r->sku, r->title,
		    p->hub->title);
		break;
	default:
		printf("row %zu: CONFLICT listing %s%s%s on %s: the CSV says "
		    "%s (location '%s', channel SKU '%s'), the hub says %s "
		    "(location '%s', channel SKU '%s')\n", r->row,
		    r->ext_listing, r->ext_variant[0] != '\0' ? " " : "",
		    r->ext_variant, r->account, r->sku, r->ext_location,
		    r->channel_sku, p->hub->sku, p->hub->ext_location,
		    p->hub->channel_sku);
		break;
	}
}

static int
cmd_map_import(struct db *db, int argc, char **argv, struct err *e)
{
	enum skumap_source	 src = SKUMAP_HUB;
	struct skumap		 csv, hub;
	struct skumap_plan	 plan;
	struct mapstore_result	 res;
	struct buf		 b;
	unsigned char		*accept = NULL;
	char			**names = NULL, fp[65];
	size_t			  nnames = 0, i, nconf = 0;
	int			  dry = 0, conflicts = -1, rc = -1;

	memset(&csv, 0, sizeof(csv));
	memset(&hub, 0, sizeof(hub));
	memset(&plan, 0, sizeof(plan));
	buf_init(&b, 1);
	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			dry = 1;
		else if (strcmp(argv[i], "--source") == 0 &&
		    i + 1 < (size_t)argc) {
			if (skumap_source_parse(argv[++i], &src) == -1)
				return err_set(e, ERR_INVALID, "--source: hub, "
				    "etsy or shopify");
		} else if (strcmp(argv[i], "--conflicts") == 0 &&
		    i + 1 < (size_t)argc) {
			i++;
			if (strcmp(argv[i], "csv") == 0)
				conflicts = 1;
			else if (strcmp(argv[i], "hub") == 0)
				conflicts = 0;
			else
				return err_set(e, ERR_INVALID, "--conflicts: "
				    "csv or hub");
		} else
			return err_set(e, ERR_INVALID, "unknown option %s "
			    "(see: stockhub with no arguments)", argv[i]);
	}
	if (read_file(argv[0], &b, e) == -1)
		goto out;
	if (skumap_parse(&csv, src, b.data != NULL ? b.data : "", b.len,
	    e) == -1)
		goto out;
	if (mapstore_load(db, NULL, &hub, e) == -1 ||
	    skumap_fingerprint(&hub, fp, e) == -1 ||
	    mapstore_accounts(db, &names, &nnames, e) == -1)
		goto out;
	if (csv.nprobs == 0 && skumap_propose(&csv, src, &hub,
	    (const char *const *)names, nnames, &plan, e) == -1)
		goto out;
	if (csv.nprobs > 0) {
		for (i = 0; i < csv.nprobs; i++)
			fprintf(stderr, "%s\n", csv.probs[i].msg);
		err_set(e, ERR_INVALID, "import refused: %zu row(s) to fix "
		    "first (listed above); nothing was changed", csv.nprobs);
		goto out;
	}
	if ((accept = calloc(plan.n + 1, 1)) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	for (i = 0; i < plan.n; i++) {
		print_prop(&plan.props[i]);
		if (plan.props[i].act == SKUMAP_TITLE_CONFLICT ||
		    plan.props[i].act == SKUMAP_PLACE_CONFLICT) {
			nconf++;
			accept[i] = conflicts == 1;
		} else
			accept[i] = 1;
	}
	printf("%zu row(s) read, %zu unchanged, %zu proposal(s), %zu "
	    "conflict(s)%s\n", csv.n, plan.same, plan.n, nconf,
	    csv.skipped > 0 ? " (rows without a SKU skipped)" : "");
	if (dry) {
		rc = 0;
		goto out;
	}
	if (nconf > 0 && conflicts == -1) {
		err_set(e, ERR_CONFLICT, "%zu conflict(s): choose --conflicts "
		    "csv or --conflicts hub (or resolve them one by one in the "
		    "admin's SKU map import); nothing was changed", nconf);
		goto out;
	}
	if (mapstore_apply(db, &plan, accept, fp, &res, e) == -1)
		goto out;
	printf("applied: %d item(s) created, %d title(s) changed, %d "
	    "listing(s) added, %d listing(s) moved\n", res.items_created,
	    res.titles_changed, res.listings_added, res.listings_moved);
	rc = 0;
out:
	free(accept);
	mapstore_names_free(names, nnames);
	skumap_plan_free(&plan);
	skumap_free(&hub);
	skumap_free(&csv);
	buf_free(&b);
	return rc;
}

/* receive|count SKU QTY --reason REASON: cmd_move with a fresh key. */
static int
cmd_stock(struct db *db, const char *kind, int argc, char **argv,
    struct err *e)
{
	char	*mv[4], k[16];

	if (argc != 4 || strcmp(argv[2], "--reason") != 0 ||
	    argv[3][0] == '\0')
		return err_set(e, ERR_INVALID, "usage: stockhub %s SKU QTY "
		    "--reason REASON", kind);
	mv[0] = argv[0];
	(void)str_copy(k, sizeof(k), kind);
	mv[1] = k;
	mv[2] = argv[1];
	mv[3] = argv[3];
	return cmd_move(db, 4, mv, e);
}

static int
status_i64(struct db *db, const char *sql, json_t *o, const char *key,
    struct err *e)
{
	int64_t	 v = 0;

	if (db_query_i64(db, sql, NULL, 0, &v, e) == -1)
		return -1;
	return json_object_set_new(o, key, json_integer(v)) == 0 ? 0 :
	    err_set(e, ERR_SYS, "out of memory");
}

static int
cmd_status(struct db *db, struct err *e)
{
	struct db_res	*r = NULL;
	json_t		*o, *accts, *a;
	int64_t		 ver = 0;
	int		 got, rc = -1;

	if ((o = json_object()) == NULL || (accts = json_array()) == NULL ||
	    json_object_set_new(o, "accounts", accts) == -1) {
		json_decref(o);
		return err_set(e, ERR_SYS, "out of memory");
	}
	if (migrate_current(db, &ver, e) == -1 ||
	    json_object_set_new(o, "schema_version", json_integer(ver)) == -1)
		goto out;
	if (status_i64(db, "SELECT COUNT(*) FROM stock_items", o, "items",
	    e) == -1 ||
	    status_i64(db, "SELECT COUNT(*) FROM stock_items WHERE on_hand - "
	    "committed <= 0", o, "items_out_of_stock", e) == -1 ||
	    status_i64(db, "SELECT COUNT(*) FROM channel_listings", o,
	    "listings", e) == -1 ||
	    status_i64(db, "SELECT COUNT(*) FROM push_queue WHERE dead = 0 "
	    "AND done_version < want_version", o, "outbox_depth", e) == -1 ||
	    status_i64(db, "SELECT COUNT(*) FROM push_queue WHERE dead = 1", o,
	    "outbox_failed", e) == -1 ||
	    status_i64(db, "SELECT COUNT(*) FROM alerts WHERE resolved_at IS "
	    "NULL", o, "open_alerts", e) == -1)
		goto out;
	if ((r = db_query(db, "SELECT ca.id, ca.type, ca.name, ca.paused, "
	    "(SELECT COUNT(*) FROM channel_listings cl WHERE cl.account_id = "
	    "ca.id), (SELECT COUNT(*) FROM push_queue pq JOIN "
	    "channel_listings cl ON cl.id = pq.listing_id WHERE "
	    "cl.account_id = ca.id AND pq.dead = 0 AND pq.done_version < "
	    "pq.want_version) FROM channel_accounts ca ORDER BY ca.id", NULL,
	    0, e)) == NULL)
		goto out;
	while ((got = db_next(r, e)) == 1) {
		a = json_pack("{s:I, s:s, s:s, s:b, s:I, s:I}", "id",
		    (json_int_t)db_col_i64(r, 0), "type", db_col_str(r, 1),
		    "name", db_col_str(r, 2), "paused", (int)db_col_i64(r, 3),
		    "listings", (json_int_t)db_col_i64(r, 4), "outbox_depth",
		    (json_int_t)db_col_i64(r, 5));
		if (a == NULL || json_array_append_new(accts, a) == -1) {
			err_set(e, ERR_SYS, "out of memory");
			goto out;
		}
	}
	if (got == -1)
		goto out;
	if (json_dumpf(o, stdout, JSON_SORT_KEYS | JSON_COMPACT) == -1 ||
	    putchar('\n') == EOF) {
		err_set(e, ERR_SYS, "writing the status failed");
		goto out;
	}
	rc = 0;
out:
	db_res_free(r);
	json_decref(o);
	return rc;
}

/* One timer tick in this process, as POST /jobs/tick runs it. */
static int
cmd_tick(struct db *db, const struct config *cfg, struct err *e)
{
	struct jobs_report	 o;
	char			 worker[48];

	(void)str_fmt(worker, sizeof(worker), "cli-tick:%ld", (long)getpid());
	if (jobs_run(db, cfg, worker, 0, &o, e) == -1)
		return -1;
	printf("webhooks applied %d; etsy: %d polled, %d failed, %d "
	    "committed, %d released; push: %d claimed, %d written, %d "
	    "unchanged, %d held, %d retried, %d failed%s\n", o.hooks,
	    o.etsy.polled, o.etsy.failed, o.etsy.committed, o.etsy.released,
	    o.push.claimed, o.push.written, o.push.unchanged, o.push.held,
	    o.push.retried, o.push.failed, o.recon_run != 0 ? (o.recon_done ?
	    "; reconciliation done" : "; reconciliation continues") : "");
	return 0;
}

/*
 * stockhub etsy webhook ACCOUNT < {"webhook_secrets":["whsec_...", ...]}:
 * the ORDER_PAID endpoint secrets (several during a rotation), sealed
 * with the account's other credentials; prints the address to register.
 */
static int
cmd_etsy_webhook(struct db *db, const struct config *cfg, const char *name,
    struct err *e)
{
	struct channel_account	 a;
	json_t			*in = NULL, *c = NULL, *arr, *v;
	size_t			 i;
	int			 rc = -1;

	memset(&a, 0, sizeof(a));
	if (connect_account_by_name(db, cfg, name, &a, e) == -1)
		return -1;
	if (a.type != CHANNEL_ETSY) {
		err_set(e, ERR_INVALID, "'%s' is not an Etsy account", name);
		goto out;
	}
	if (read_creds(&in, e) == -1)
		goto out;
	arr = json_object_get(in, "webhook_secrets");
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > 8) {
		err_set(e, ERR_INVALID, "give {\"webhook_secrets\":"
		    "[\"whsec_...\"]} (1 to 8) on standard input");
		goto out;
	}
	json_array_foreach(arr, i, v)
		if (!json_is_string(v) || strncmp(json_string_value(v),
		    "whsec_", 6) != 0 || json_string_length(v) < 10) {
			err_set(e, ERR_INVALID, "webhook_secrets[%zu]: not a "
			    "whsec_ secret", i);
			goto out;
		}
	if ((c = json_deep_copy(a.creds)) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	(void)json_object_del(c, "webhook_secret");
	if (json_object_set(c, "webhook_secrets", arr) == -1 ||
	    channel_account_store_creds(db, cfg, &a, c, e) == -1)
		goto out;
	printf("account %lld: %zu ORDER_PAID secret(s) sealed; register %s"
	    "/hooks/etsy/%lld in Etsy's webhook portal\n", (long long)a.id,
	    json_array_size(arr), cfg->public_base_url, (long long)a.id);
	rc = 0;
out:
	json_decref(in);
	json_decref(c);
	channel_account_free(&a);
	return rc;
}

/*
 * stockhub etsy cost [--listings N] [--orders-per-day N] [--interval S
 * ...] [--sweep S] [--push-calls N] [--recon-per-call N] [--per-day N]:
 * the article's polling table recomputed (budget_cost_compute). Needs
 * no database.
 */
static int
cmd_etsy_cost(int argc, char **argv, struct err *e)
{
	static const int64_t	 table[] = { 15, 30, 60, 120, 300, 900 };
	struct budget_cost_in	 in;
	struct budget_cost	 c;
	struct budget_split	 s;
	int64_t			 iv[16], v;
	size_t			 niv = 0, k;
	int			 i;

	budget_cost_default(&in);
	budget_split_default(&s);
	for (i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			return err_set(e, ERR_INVALID, "%s needs a value",
			    argv[i]);
		if (str_to_i64(argv[i + 1], 0, 100000000, &v) == -1)
			return err_set(e, ERR_INVALID, "%s: a whole number "
			    ">= 0", argv[i]);
		if (strcmp(argv[i], "--listings") == 0)
			in.listings = v;
		else if (strcmp(argv[i], "--orders-per-day") == 0)
			in.orders_per_day = v;
		else if (strcmp(argv[i], "--interval") == 0 && v > 0 &&
		    niv < 16)
			iv[niv++] = v;
		else if (strcmp(argv[i], "--sweep") == 0 && v > 0)
			in.sweep_every_s = v;
		else if (strcmp(argv[i], "--push-calls") == 0 && v > 0)
			in.push_calls = v;
		else if (strcmp(argv[i], "--recon-per-call") == 0 && v > 0)
			in.recon_per_call = v;
		else if (strcmp(argv[i], "--per-day") == 0 && v > 0)
			in.per_day = v;
		else
			return err_set(e, ERR_INVALID, "unknown option or bad "
			    "value: %s %s", argv[i], argv[i + 1]);
	}
	if (niv == 0)
		for (k = 0; k < sizeof(table) / sizeof(table[0]); k++)
			iv[niv++] = table[k];
	printf("Etsy API calls per day: %lld listings, %lld orders/day, "
	    "limit %lld/day\n(shares: poll %lld, push %lld, recon %lld; "
	    "sweep every %lld s; %lld calls per push; %lld listings per "
	    "recon call)\n\n", (long long)in.listings,
	    (long long)in.orders_per_day, (long long)in.per_day,
	    (long long)budget_share(in.per_day, &s, BUDGET_POLL),
	    (long long)budget_share(in.per_day, &s, BUDGET_PUSH),
	    (long long)budget_share(in.per_day, &s, BUDGET_RECON),
	    (long long)in.sweep_every_s, (long long)in.push_calls,
	    (long long)in.recon_per_call);
	printf("| polling interval | sale seen within | polls | poll calls "
	    "(with sweep) | push | recon | token | calls/day | of the limit | "
	    "fits |\n|---|---|---|---|---|---|---|---|---|---|\n");
	for (k = 0; k < niv; k++) {
		in.interval_s = iv[k];
		if (budget_cost_compute(&in, &s, &c) == -1)
			return err_set(e, ERR_INVALID, "bad settings");
		printf("| %lld s | %lld s | %lld | %lld | %lld | %lld | %lld | "
		    "%lld | %lld %% | %s |\n", (long long)in.interval_s,
		    (long long)c.latency_s, (long long)c.polls,
		    (long long)c.calls[BUDGET_POLL],
		    (long long)c.calls[BUDGET_PUSH],
		    (long long)c.calls[BUDGET_RECON], (long long)c.token,
		    (long long)c.total, (long long)(c.total * 100 /
		    in.per_day), c.fits ? "yes" : "no");
	}
	return 0;
}

static int
cmd_buffers(struct db *db, int argc, char **argv, struct err *e)
{
	struct bufrec_row	 rows[BUFREC_CLASSES];
	struct db_res		*r;
	int64_t			 days = 14, id;
	size_t			 n, i;
	int			 apply = 0, k, changed = 0, rc;

	for (k = 0; k < argc; k++) {
		if (strcmp(argv[k], "--apply") == 0)
			apply = 1;
		else if (str_to_i64(argv[k], 1, 366, &days) == -1)
			return err_set(e, ERR_INVALID, "DAYS must be 1..366");
	}
	if ((r = db_query(db, "SELECT id, name FROM channel_accounts ORDER "
	    "BY id", NULL, 0, e)) == NULL)
		return -1;
	while ((rc = db_next(r, e)) == 1) {
		id = db_col_i64(r, 0);
		printf("%s (account %lld):\n", db_col_str(r, 1), (long long)id);
		if (bufrec_account(db, id, (int)days, BUFREC_TARGET, rows, &n,
		    e) == -1) {
			rc = -1;
			break;
		}
		if (n == 0)
			printf("  no listings\n");
		for (i = 0; i < n; i++)
			printf("  %-9s %4d SKUs  configured %.2f%% / %lld units"
			    "  recommended %lld units  (%s)\n",
			    bufrec_class_name(rows[i].cls), rows[i].skus,
			    rows[i].configured_pct,
			    (long long)rows[i].configured_units,
			    (long long)rows[i].units, rows[i].why);
	}
	db_res_free(r);
	if (rc == -1)
		return -1;
	if (apply) {
		if (bufrec_apply(db, (int)days, BUFREC_TARGET, &changed, e) == -1)
			return -1;
		printf("applied: %d listing(s) changed their holdback\n",
		    changed);
	}
	return 0;
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
	/* arithmetic only: no configuration or database needed */
	if (argc >= 3 && strcmp(argv[1], "etsy") == 0 &&
	    strcmp(argv[2], "cost") == 0) {
		if (cmd_etsy_cost(argc - 3, argv + 3, &e) == -1) {
			log_err(&e);
			return 1;
		}
		return 0;
	}
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
	} else if (strcmp(argv[1], "account") == 0 && argc >= 6 &&
	    strcmp(argv[2], "add") == 0)
		rc = cmd_account_add(db, &cfg, argc - 3, argv + 3, &e);
	else if (strcmp(argv[1], "account") == 0 && argc == 3 &&
	    strcmp(argv[2], "list") == 0)
		rc = cmd_account_list(db, &e);
	else if (strcmp(argv[1], "map") == 0 && argc >= 3 && argc <= 4 &&
	    strcmp(argv[2], "export") == 0)
		rc = cmd_map_export(db, argc == 4 ? argv[3] : NULL, &e);
	else if (strcmp(argv[1], "map") == 0 && argc == 4 &&
	    strcmp(argv[2], "all") == 0)
		rc = cmd_map_all(db, &cfg, argv[3], &e);
	else if (strcmp(argv[1], "map") == 0 && argc >= 4 &&
	    strcmp(argv[2], "import") == 0)
		rc = cmd_map_import(db, argc - 3, argv + 3, &e);
	else if ((strcmp(argv[1], "receive") == 0 ||
	    strcmp(argv[1], "count") == 0) && argc >= 4)
		rc = cmd_stock(db, argv[1], argc - 2, argv + 2, &e);
	else if (strcmp(argv[1], "status") == 0 && argc == 3 &&
	    strcmp(argv[2], "--json") == 0)
		rc = cmd_status(db, &e);
	else if (strcmp(argv[1], "tick") == 0 && argc == 2)
		rc = cmd_tick(db, &cfg, &e);
	else if (strcmp(argv[1], "map") == 0 && argc >= 5 && argc <= 7)
		rc = cmd_map(db, &cfg, argc - 2, argv + 2, &e);
	else if (strcmp(argv[1], "shopify") == 0 && argc >= 4)
		rc = cmd_shopify(db, &cfg, argc - 2, argv + 2, &e);
	else if (strcmp(argv[1], "etsy") == 0 && argc == 4 &&
	    strcmp(argv[2], "webhook") == 0)
		rc = cmd_etsy_webhook(db, &cfg, argv[3], &e);
	else if (strcmp(argv[1], "push") == 0 && argc == 2)
		rc = cmd_push(db, &cfg, &e);
	else if (strcmp(argv[1], "buffers") == 0 && argc <= 4)
		rc = cmd_buffers(db, argc - 2, argv + 2, &e);
	else if (strcmp(argv[1], "reconcile") == 0 && argc >= 4 &&
	    argc <= 5 && strcmp(argv[2], "--report") == 0)
		rc = cmd_recon_report(db, argc - 3, argv + 3, &e);
	else if (strcmp(argv[1], "audit") == 0 && argc == 4 &&
	    strcmp(argv[2], "confirm") == 0)
		rc = cmd_audit_confirm(db, argv[3], &e);
	else if (strcmp(argv[1], "audit") == 0 && argc == 3)
		rc = cmd_audit(db, &cfg, argv[2], &e);
	else if (strcmp(argv[1], "account") == 0 && argc >= 5 &&
	    strcmp(argv[2], "set") == 0)
		rc = cmd_account_set(db, argc - 3, argv + 3, &e);
	else if (strcmp(argv[1], "reconcile") == 0 && argc <= 3)
		rc = cmd_reconcile(db, &cfg, argc == 3 ? argv[2] : NULL, &e);
	else if (strcmp(argv[1], "user") == 0 && argc == 4 &&
	    strcmp(argv[2], "add") == 0)
		rc = cmd_user_add(db, argv[3], &e);
	else if (strcmp(argv[1], "user") == 0 && (argc == 4 || (argc == 5 &&
	    strcmp(argv[4], "off") == 0)) && strcmp(argv[2], "totp") == 0)
		rc = cmd_user_totp(db, &cfg, argv[3], argc == 5, &e);
	else if (strcmp(argv[1], "bom") == 0 && argc >= 6 &&
	    strcmp(argv[2], "set") == 0)
		rc = cmd_bom_set(db, argc - 3, argv + 3, &e);
	else if (strcmp(argv[1], "bom") == 0 && argc == 4 &&
	    strcmp(argv[2], "show") == 0)
		rc = cmd_bom_show(db, argv[3], &e);
	else if (strcmp(argv[1], "return") == 0 && argc == 3 &&
	    strcmp(argv[2], "held") == 0)
		rc = cmd_return_held(db, &e);
	else if (strcmp(argv[1], "return") == 0 && argc >= 5 &&
	    strcmp(argv[2], "decide") == 0)
		rc = cmd_return_decide(db, &cfg, argc - 3, argv + 3, &e);
	else if (strcmp(argv[1], "return") == 0 && argc >= 4)
		rc = cmd_return(db, &cfg, argc - 2, argv + 2, &e);
	else {
		db_close(db);
		return usage();
	}
out:
	/* what was printed comes before the reason it stopped */
	(void)fflush(stdout);
	if (rc == -1)
		log_err(&e);
	db_close(db);
	return rc == -1 ? 1 : 0;
}
