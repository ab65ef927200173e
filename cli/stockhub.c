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
 *   stockhub shopify subscribe ACCOUNT
 *   stockhub push
 *   stockhub reconcile [ACCOUNT_ID]
 *   stockhub reconcile --report RUN_ID [--json|--csv]
 *   stockhub account set ACCOUNT_ID recon_policy=report|repair
 *       recon_threshold=N|default
 *   stockhub audit ACCOUNT_ID
 *   stockhub audit confirm SUGGESTION_ID
 *   stockhub user add NAME < password
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
#include "buf.h"
#include "channel.h"
#include "config.h"
#include "connect.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "log.h"
#include "migrate.h"
#include "push.h"
#include "recon.h"
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
	    "       stockhub shopify subscribe ACCOUNT\n"
	    "       stockhub bom set PARENT COMPONENT:QTY [COMPONENT:QTY ...] "
	    "REASON\n"
	    "                [--made-to-order [--cap N]]\n"
	    "       stockhub bom show PARENT\n"
	    "       stockhub push\n"
	    "       stockhub reconcile [ACCOUNT_ID]   (until done; prints the "
	    "report)\n"
	    "       stockhub reconcile --report RUN_ID [--json|--csv]\n"
	    "       stockhub account set ACCOUNT_ID recon_policy=report|repair "
	    "recon_threshold=N|default\n"
	    "       stockhub audit ACCOUNT_ID   (the mapping audit now)\n"
	    "       stockhub audit confirm SUGGESTION_ID\n"
	    "       stockhub user add NAME < password   (an admin web UI "
	    "account; 12 to 128 characters)\n"
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
	} else if (strcmp(argv[1], "account") == 0 && argc >= 6 &&
	    strcmp(argv[2], "add") == 0)
		rc = cmd_account_add(db, &cfg, argc - 3, argv + 3, &e);
	else if (strcmp(argv[1], "account") == 0 && argc == 3 &&
	    strcmp(argv[2], "list") == 0)
		rc = cmd_account_list(db, &e);
	else if (strcmp(argv[1], "map") == 0 && argc >= 5 && argc <= 7)
		rc = cmd_map(db, &cfg, argc - 2, argv + 2, &e);
	else if (strcmp(argv[1], "shopify") == 0 && argc >= 4)
		rc = cmd_shopify(db, &cfg, argc - 2, argv + 2, &e);
	else if (strcmp(argv[1], "push") == 0 && argc == 2)
		rc = cmd_push(db, &cfg, &e);
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
	else if (strcmp(argv[1], "bom") == 0 && argc >= 6 &&
	    strcmp(argv[2], "set") == 0)
		rc = cmd_bom_set(db, argc - 3, argv + 3, &e);
	else if (strcmp(argv[1], "bom") == 0 && argc == 4 &&
	    strcmp(argv[2], "show") == 0)
		rc = cmd_bom_show(db, argv[3], &e);
	else {
		db_close(db);
		return usage();
	}
out:
	if (rc == -1)
		log_err(&e);
	db_close(db);
	return rc == -1 ? 1 : 0;
}
