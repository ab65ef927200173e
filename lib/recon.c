/*
 * recon: reconciliation runs (see recon.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "buf.h"
#include "csvw.h"
#include "channel.h"
#include "clock.h"
#include "db.h"
#include "err.h"
#include "log.h"
#include "push.h"
#include "recon.h"
#include "shopify.h"
#include "shopify_hook.h"
#include "str.h"

/* ---- pure ------------------------------------------------------------------ */

int
recon_over(int64_t diff, int64_t threshold)
{
	if (threshold < 1)
		threshold = 1;
	if (diff < 0)
		diff = diff == INT64_MIN ? INT64_MAX : -diff;
	return diff >= threshold;
}

enum recon_cause
recon_classify(const struct recon_obs *o, int64_t threshold)
{
	if (o == NULL)
		return RECON_NONE;
	if (!o->found)
		return RECON_MAPPING;
	if (!recon_over(o->shown - o->desired, threshold))
		return RECON_NONE;
	if (o->has_last_pushed && o->shown < o->last_pushed && o->unseen_sales)
		return RECON_SALE_UNSEEN;
	if (o->sold_out)
		return RECON_SOLD_OUT;
	if (!o->has_last_pushed || o->desired != o->last_pushed)
		return RECON_LOST_PUSH;
	return RECON_MANUAL_EDIT;
}

static const char *const cause_names[RECON__MAX] = {
	"none", "sale_unseen", "manual_edit", "lost_push", "mapping",
	"sold_out"
};

static const char *const cause_labels[RECON__MAX] = {
	"none", "sale not yet seen", "manual edit on the channel",
	"failed or lost push", "mapping problem", "sold out on Etsy"
};

const char *
recon_cause_name(enum recon_cause c)
{
	return (unsigned)c < RECON__MAX ? cause_names[c] : "none";
}

const char *
recon_cause_label(enum recon_cause c)
{
	return (unsigned)c < RECON__MAX ? cause_labels[c] : "none";
}

int
recon_repairable(enum recon_cause c)
{
	return c == RECON_MANUAL_EDIT || c == RECON_LOST_PUSH ||
	    c == RECON_SOLD_OUT;
}

/* ---- runs ------------------------------------------------------------------ */

struct start {
	const struct recon_opts	*o;
	const char		*origin;
	int64_t			 run_id;
};

static int
start_fn(struct db *db, void *arg, struct err *e)
{
	struct start	*s = arg;
	int64_t		 acct = s->o != NULL ? s->o->account_id : 0;
	int64_t		 th = s->o != NULL && s->o->threshold > 0 ?
			    s->o->threshold : RECON_THRESHOLD_DEFAULT;
	uint64_t	 id;
	int		 rc;

	/* the schedule row serialises starters */
	if (db_query_i64(db, "SELECT id FROM recon_schedule WHERE id = 1 FOR "
	    "UPDATE", NULL, 0, &s->run_id, e) == -1)
		return -1;
	s->run_id = 0;
	rc = db_query_i64(db, "SELECT id FROM recon_runs WHERE state = "
	    "'running' AND account_id <=> ? ORDER BY id LIMIT 1",
	    (struct db_val[]){ acct != 0 ? DBI(acct) : DBN }, 1, &s->run_id,
	    e);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	if (db_exec(db, "INSERT INTO recon_runs (account_id, origin, "
	    "threshold) VALUES (?, ?, ?)", (struct db_val[]){ acct != 0 ?
	    DBI(acct) : DBN, DBS(s->origin), DBI(th) }, 3, NULL, &id, e) == -1)
		return -1;
	s->run_id = (int64_t)id;
	return 0;
}

int
recon_start(struct db *db, const struct recon_opts *o, const char *origin,
    int64_t *run_id, struct err *e)
{
	struct start	 s;

	s.o = o;
	s.origin = origin != NULL && strcmp(origin, "schedule") == 0 ?
	    "schedule" : "manual";
	s.run_id = 0;
	if (db_tx(db, start_fn, &s, e) == -1)
		return -1;
	*run_id = s.run_id;
	return 0;
}

/* What one listing's check found, recorded in one transaction. */
struct check {
	int64_t			 run_id;
	int64_t			 listing_id;
	int64_t			 account_id;
	int64_t			 item_id;
	const char		*account_name;
	const char		*sku;
	int			 calls;
	int			 unreadable;
	int			 read_ok;
	struct recon_obs	 obs;
	enum recon_cause	 cause;
	int			 repair;
	char			 detail[256];
};

static int
record_fn(struct db *db, void *arg, struct err *e)
{
	struct check	*c = arg;
	uint64_t	 n = 0;
	int		 disc = c->cause != RECON_NONE;
	char		 key[64], msg[256];

	/* the cursor moves once per listing: a repeat (another process, a
	 * retried step) records nothing */
	if (db_exec(db, "UPDATE recon_runs SET cursor_id = ?, checked = "
	    "checked + 1, api_calls = api_calls + ?, unreadable = unreadable "
	    "+ ?, discrepancies = discrepancies + ?, sale_unseen = sale_unseen "
	    "+ (? = 1), manual_edit = manual_edit + (? = 2), lost_push = "
	    "lost_push + (? = 3), mapping = mapping + (? = 4), sold_out = "
	    "sold_out + (? = 5), repairs = repairs + ? WHERE id = ? AND "
	    "state = 'running' AND cursor_id < ?", (struct db_val[]){
	    DBI(c->listing_id), DBI(c->calls), DBI(c->unreadable),
	    DBI(disc), DBI(c->cause), DBI(c->cause), DBI(c->cause),
	    DBI(c->cause), DBI(c->cause), DBI(c->repair), DBI(c->run_id),
	    DBI(c->listing_id) }, 12, &n, NULL, e) == -1)
		return -1;
	if (n == 0)
		return 0;
	if (c->read_ok && db_exec(db, "UPDATE channel_listings SET "
	    "last_seen_qty = ?, last_seen_at = CURRENT_TIMESTAMP(6) WHERE id = "
	    "?", (struct db_val[]){ DBI(c->obs.shown), DBI(c->listing_id) }, 2,
	    NULL, NULL, e) == -1)
		return -1;
	if (!disc)
		return 0;
	if (db_exec(db, "INSERT INTO recon_discrepancies (run_id, listing_id, "
	    "account_id, item_id, hub_desired, last_pushed, channel_shows, "
	    "difference, cause, action, detail) VALUES (?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, LEFT(?, 255))", (struct db_val[]){ DBI(c->run_id),
	    DBI(c->listing_id), DBI(c->account_id), DBI(c->item_id),
	    DBI(c->obs.desired), c->obs.has_last_pushed ?
	    DBI(c->obs.last_pushed) : DBN, c->obs.found ? DBI(c->obs.shown) :
	    DBN, DBI(c->obs.found ? c->obs.shown - c->obs.desired : 0),
	    DBS(recon_cause_name(c->cause)), DBS(c->repair ? "repair_queued" :
	    "reported"), DBS(c->detail) }, 11, NULL, NULL, e) == -1)
		return -1;
	if (c->repair && push_queue_listing(db, c->listing_id, e) == -1)
		return -1;
	(void)str_fmt(key, sizeof(key), "discrepancy:%" PRId64,
	    c->listing_id);
	if (c->obs.found)
		(void)str_fmt(msg, sizeof(msg), "%.60s: %.80s shows %" PRId64
		    ", the hub wants %" PRId64 " (%s)%s", c->account_name,
		    c->sku, c->obs.shown, c->obs.desired,
		    recon_cause_label(c->cause), c->repair ? "; repair queued" :
		    "");
	else
		(void)str_fmt(msg, sizeof(msg), "%.60s: %.80s not found on the "
		    "channel (%s)", c->account_name, c->sku,
		    recon_cause_label(c->cause));
	return alert_raise(db, "discrepancy", key, c->account_id, c->item_id,
	    msg, c->detail, e);
}

/* 1 when the channel may have sales of this listing the hub has not
 * applied: order webhooks stored but not applied (Shopify), or a receipts
 * poll that failed or has not run since the last push (Etsy). */
static int
sales_unseen(struct db *db, int64_t run_id, const struct channel_account *a,
    const struct channel_listing *l, struct err *e)
{
	int64_t	 n = 0;

	switch (a->type) {
	case CHANNEL_SHOPIFY:
		/* or this run's sweep of the account's orders failed: a
		 * dropped order webhook may explain the difference */
		if (db_query_i64(db, "SELECT (SELECT COUNT(*) FROM "
		    "webhook_inbox WHERE account_id = ? AND state IN ('new',"
		    "'failed') AND topic LIKE 'orders/%') + (SELECT COUNT(*) "
		    "FROM recon_sweeps WHERE run_id = ? AND account_id = ? AND "
		    "state = 'failed')", (struct db_val[]){ DBI(a->id),
		    DBI(run_id), DBI(a->id) }, 3, &n, e) == -1)
			return -1;
		break;
	case CHANNEL_ETSY:
		if (db_query_i64(db, "SELECT COUNT(*) FROM etsy_poll_state s "
		    "JOIN channel_listings l ON l.account_id = s.account_id "
		    "WHERE l.id = ? AND (s.dirty = 1 OR l.last_pushed_at IS "
		    "NULL OR s.last_success_at < UNIX_TIMESTAMP("
		    "l.last_pushed_at))", (struct db_val[]){ DBI(l->id) }, 1,
		    &n, e) == -1)
			return -1;
		break;
	default:
		break;
	}
	return n > 0;
}

/* Classify what was read of one listing (c->obs.shown and the read's
 * outcome filled in by the caller); the caller records it. */
static int
check_finish(struct db *db, const struct channel_account *acct,
    const struct channel_listing *l, int64_t threshold, int read_rc,
    const struct err *re, struct check *c, struct err *e)
{
	int64_t	 v = 0;
	int	 u = 0;

	switch (read_rc) {
	case 1:
		c->obs.sold_out = 1;
		c->obs.shown = 0;
		/* FALLTHROUGH */
	case 0:
		c->read_ok = 1;
		break;
	default:
		if (re->kind != ERR_NOTFOUND) {
			/* counted and passed over: the next run reads it */
			log_warn("recon: listing %" PRId64 ": %s", l->id,
			    re->msg);
			c->unreadable = 1;
			goto record;
		}
		c->obs.found = 0;
		(void)str_copy(c->detail, sizeof(c->detail), re->msg);
		break;
	}
	if (c->obs.found && (u = sales_unseen(db, c->run_id, acct, l, e)) == -1)
		return -1;
	c->obs.unseen_sales = c->obs.found ? u : 0;
	c->cause = recon_classify(&c->obs, threshold);
	if (c->cause != RECON_NONE) {
		if (db_query_i64(db, "SELECT recon_policy = 'repair' FROM "
		    "channel_accounts WHERE id = ?", (struct db_val[]){
		    DBI(acct->id) }, 1, &v, e) == -1)
			return -1;
		c->repair = v == 1 && recon_repairable(c->cause);
		if (c->obs.found)
			(void)str_fmt(c->detail, sizeof(c->detail), "listing %"
			    PRId64 " (%s %s/%s): channel shows %" PRId64
			    ", hub desired %" PRId64 ", last pushed %s%" PRId64
			    "; likely cause: %s", l->id, l->sku, l->ext_listing,
			    l->ext_variant, c->obs.shown, c->obs.desired,
			    l->has_last_pushed ? "" : "never ",
			    l->has_last_pushed ? l->last_pushed : 0,
			    recon_cause_label(c->cause));
		log_info("recon: %s%s", c->detail, c->repair ?
		    "; repair queued" : "");
	}
record:
	return 0;
}

/* Record a group's checks in one transaction: the cursor moves past the
 * group with its discrepancies, counters and repairs, or not at all. */
struct group_rec {
	struct check	*c;
	size_t		 n;
};

static int
record_group_fn(struct db *db, void *arg, struct err *e)
{
	struct group_rec	*g = arg;
	size_t			 i;

	for (i = 0; i < g->n; i++)
		if (record_fn(db, &g->c[i], e) == -1)
			return -1;
	return 0;
}

/* One group of listings of one account read together. */
struct group {
	struct channel_listing	 l[RECON_LISTING_BATCH];
	struct check		 c[RECON_LISTING_BATCH];
	struct channel_read	 rd[RECON_LISTING_BATCH];
	size_t			 n;
};

/* Prepare the check of listing l: what the hub wants, what was pushed. */
static int
check_prepare(struct db *db, int64_t run_id, const struct channel_account *a,
    const struct channel_listing *l, struct check *c, struct err *e)
{
	int64_t	 version = 0;

	memset(c, 0, sizeof(*c));
	c->run_id = run_id;
	c->listing_id = l->id;
	c->account_id = a->id;
	c->item_id = l->item_id;
	c->account_name = a->name;
	c->sku = l->sku;
	if (channel_desired(db, l->id, &c->obs.desired, &version, e) == -1)
		return -1;
	c->obs.has_last_pushed = l->has_last_pushed;
	c->obs.last_pushed = l->last_pushed;
	c->obs.found = 1;
	return 0;
}

/*
 * Read and record g's listings (all of account a): in one batch when the
 * adapter has one, else one read each. *calls gets the API calls spent.
 */
static int
check_group(struct db *db, const struct config *cfg,
    struct channel_account *a, int64_t threshold, int64_t deadline_ms,
    struct group *g, int *calls, struct err *e)
{
	const struct channel_ops	*ops = channel_ops_for(a->type);
	struct channel_ctx		 ctx = { 0 };
	struct group_rec		 rec;
	size_t				 i;
	int				 nc = 0;

	*calls = 0;
	ctx.db = db;
	ctx.cfg = cfg;
	ctx.acct = a;
	ctx.deadline_ms = deadline_ms;
	/* the account's own threshold, when it has one */
	if (db_query_i64(db, "SELECT COALESCE(recon_threshold, ?) FROM "
	    "channel_accounts WHERE id = ?", (struct db_val[]){ DBI(threshold),
	    DBI(a->id) }, 2, &threshold, e) == -1)
		return -1;
	rec.c = g->c;
	rec.n = g->n;
	if (ops == NULL || ops->read == NULL) {
		for (i = 0; i < g->n; i++)
			g->c[i].unreadable = 1;
		return db_tx(db, record_group_fn, &rec, e);
	}
	if (ops->read_batch != NULL && g->n > 1) {
		if (ops->read_batch(&ctx, g->l, g->n, g->rd, &nc, e) == -1)
			return -1;
	} else {
		for (i = 0; i < g->n; i++) {
			memset(&g->rd[i], 0, sizeof(g->rd[i]));
			g->rd[i].rc = ops->read(&ctx, &g->l[i], &g->rd[i].shown,
			    &g->rd[i].err);
			nc++;
		}
	}
	*calls = nc;
	for (i = 0; i < g->n; i++) {
		/* the calls are counted with the group's first listing */
		g->c[i].calls = i == 0 ? nc : 0;
		g->c[i].obs.shown = g->rd[i].shown;
		if (check_finish(db, a, &g->l[i], threshold, g->rd[i].rc,
		    &g->rd[i].err, &g->c[i], e) == -1)
			return -1;
	}
	return db_tx(db, record_group_fn, &rec, e);
}

/* ---- the sweep of Shopify orders ------------------------------------------ */

struct sweep {
	struct db		*db;
	struct channel_account	*a;
	int64_t			 orders;
	int64_t			 repaired;
	char			 newest[SHOPIFY_TS_MAX];
};

struct sweep_one {
	struct channel_account	*a;
	const struct shopify_order *o;
	int			 counted;
};

static int
sweep_one_fn(struct db *db, void *arg, struct err *e)
{
	struct sweep_one	*s = arg;

	return shopify_hook_order_lines(db, s->a, s->o, "recon sweep", 0,
	    &s->counted, e);
}

/* One order of the window: applied through the webhook path's code, in
 * its own transaction; an order the hub had counts nothing. */
static int
sweep_order(void *arg, const struct shopify_order *o, struct err *e)
{
	struct sweep		*sw = arg;
	struct sweep_one	 one;

	one.a = sw->a;
	one.o = o;
	one.counted = 0;
	if (o->lines_cut)
		log_warn("recon: shopify account %" PRId64 ": order %" PRId64
		    " has more than %d lines; only those were swept",
		    sw->a->id, o->id, SHOPIFY_ORDER_LINES);
	if (db_tx(sw->db, sweep_one_fn, &one, e) == -1)
		return -1;
	sw->orders++;
	if (one.counted > 0) {
		sw->repaired++;
		log_info("recon: shopify account %" PRId64 ": missed webhook "
		    "repaired: order %" PRId64 " (%d line(s) applied)",
		    sw->a->id, o->id, one.counted);
	}
	if (strcmp(o->updated_at, sw->newest) > 0)
		(void)str_copy(sw->newest, sizeof(sw->newest), o->updated_at);
	return 0;
}

struct sweep_rec {
	int64_t		 run_id;
	int64_t		 account_id;
	int		 ok;
	const struct sweep *sw;
	int		 calls;
	const char	*detail;
	int64_t		 started_s;	/* when the listing began */
};

/* The window is committed: the watermark moves (only forward) with the
 * run's counters, in one transaction. */
static int
sweep_rec_fn(struct db *db, void *arg, struct err *e)
{
	struct sweep_rec	*r = arg;
	uint64_t		 n = 0;

	if (db_exec(db, "INSERT IGNORE INTO recon_sweeps (run_id, account_id, "
	    "state, orders, repaired, api_calls, detail) VALUES (?, ?, ?, ?, "
	    "?, ?, LEFT(?, 255))", (struct db_val[]){ DBI(r->run_id),
	    DBI(r->account_id), DBS(r->ok ? "done" : "failed"),
	    DBI(r->sw->orders), DBI(r->sw->repaired), DBI(r->calls),
	    DBS(r->detail) }, 7, &n, NULL, e) == -1)
		return -1;
	if (n == 0)
		return 0;	/* recorded by another step */
	if (db_exec(db, "UPDATE recon_runs SET missed_repaired = "
	    "missed_repaired + ?, api_calls = api_calls + ? WHERE id = ?",
	    (struct db_val[]){ DBI(r->sw->repaired), DBI(r->calls),
	    DBI(r->run_id) }, 3, NULL, NULL, e) == -1)
		return -1;
	if (!r->ok)
		return 0;
	/* every order updated before the listing began is applied */
	if (channel_caught_up(db, r->account_id, r->started_s, e) == -1)
		return -1;
	if (r->sw->newest[0] == '\0')
		return 0;
	return db_exec(db, "INSERT INTO shopify_order_sweeps (account_id, "
	    "watermark) VALUES (?, STR_TO_DATE(LEFT(?, 19), "
	    "'%Y-%m-%dT%H:%i:%s')) ON DUPLICATE KEY UPDATE watermark = "
	    "GREATEST(COALESCE(watermark, VALUES(watermark)), "
	    "VALUES(watermark)), swept_at = CURRENT_TIMESTAMP(6)",
	    (struct db_val[]){ DBI(r->account_id), DBS(r->sw->newest) }, 2,
	    NULL, NULL, e);
}

/* Sweep one Shopify account's orders updated since its watermark minus
 * RECON_SWEEP_OVERLAP_S (the first time: the last RECON_SWEEP_FIRST_S)
 * and record it; *calls gets the API calls. A failed listing is recorded
 * as such (the run goes on, the watermark stays). */
static int
sweep_account(struct db *db, const struct config *cfg, int64_t run_id,
    int64_t account_id, int64_t deadline_ms, int *calls, struct err *e)
{
	struct channel_account	 a;
	struct sweep		 sw;
	struct sweep_rec	 r;
	struct db_res		*res = NULL;
	struct err		 se;
	char			 since[SHOPIFY_TS_MAX], detail[256];
	int			 rc = -1, t;

	*calls = 0;
	memset(&a, 0, sizeof(a));
	memset(&sw, 0, sizeof(sw));
	if (channel_account_load(db, cfg, account_id, &a, e) == -1)
		return -1;
	if ((res = db_query(db, "SELECT DATE_FORMAT(COALESCE((SELECT "
	    "watermark - INTERVAL ? SECOND FROM shopify_order_sweeps WHERE "
	    "account_id = ? AND watermark IS NOT NULL), UTC_TIMESTAMP() - "
	    "INTERVAL ? SECOND), '%Y-%m-%dT%H:%i:%sZ')", (struct db_val[]){
	    DBI(RECON_SWEEP_OVERLAP_S), DBI(account_id),
	    DBI(RECON_SWEEP_FIRST_S) }, 3, e)) == NULL)
		goto out;
	if ((t = db_next(res, e)) != 1) {
		if (t == 0)
			err_set(e, ERR_NOTFOUND, "recon: no sweep window");
		goto out;
	}
	(void)str_copy(since, sizeof(since), db_col_str(res, 0));
	db_res_free(res);
	res = NULL;
	sw.db = db;
	sw.a = &a;
	err_clear(&se);
	r.started_s = clock_now_ms() / 1000;
	r.ok = shopify_orders_since(&a, since, deadline_ms, sweep_order, &sw,
	    calls, &se) == 0;
	if (!r.ok) {
		if (se.kind == ERR_SYS) {
			*e = se;
			goto out;
		}
		log_warn("recon: shopify account %" PRId64 ": order sweep "
		    "since %s failed: %s", account_id, since, se.msg);
		(void)str_fmt(detail, sizeof(detail), "since %s: %.200s", since,
		    se.msg);
	} else
		(void)str_fmt(detail, sizeof(detail), "since %s: %" PRId64
		    " order(s), %" PRId64 " missed", since, sw.orders,
		    sw.repaired);
	r.run_id = run_id;
	r.account_id = account_id;
	r.sw = &sw;
	r.calls = *calls;
	r.detail = detail;
	rc = db_tx(db, sweep_rec_fn, &r, e);
out:
	db_res_free(res);
	channel_account_free(&a);
	return rc;
}

/* The run's sweeps, account by account until the deadline; *done when
 * every Shopify account in scope has been swept. */
static int
sweep_run(struct db *db, const struct config *cfg, int64_t run_id,
    int64_t acct, int64_t deadline_ms, int64_t *spent, int *done,
    struct err *e)
{
	int64_t	 id;
	int	 t, calls;

	*done = 0;
	while (push_now_ms() < deadline_ms) {
		id = 0;
		if ((t = db_query_i64(db, "SELECT a.id FROM channel_accounts a "
		    "WHERE a.type = 'shopify' AND a.paused = 0 AND (? = 0 OR "
		    "a.id = ?) AND NOT EXISTS (SELECT 1 FROM recon_sweeps s "
		    "WHERE s.run_id = ? AND s.account_id = a.id) ORDER BY a.id "
		    "LIMIT 1", (struct db_val[]){ DBI(acct), DBI(acct),
		    DBI(run_id) }, 3, &id, e)) == -1)
			return -1;
		if (t == 0) {
			*done = 1;
			return db_exec(db, "UPDATE recon_runs SET sweep_done = 1 "
			    "WHERE id = ?", (struct db_val[]){ DBI(run_id) }, 1,
			    NULL, NULL, e);
		}
		if (sweep_account(db, cfg, run_id, id, deadline_ms, &calls,
		    e) == -1)
			return -1;
		*spent += calls;
	}
	return 0;
}

/* Take the run for this process: 1 taken, 0 finished or held by another,
 * -1 error. */
static int
lease_take(struct db *db, int64_t run_id, int64_t deadline_ms,
    struct err *e)
{
	int64_t		 s = (deadline_ms - push_now_ms()) / 1000 + 60;
	uint64_t	 n = 0;

	if (s < 60)
		s = 60;
	if (db_exec(db, "UPDATE recon_runs SET lease_until = "
	    "CURRENT_TIMESTAMP(6) + INTERVAL ? SECOND, steps = steps + 1 WHERE "
	    "id = ? AND state = 'running' AND (lease_until IS NULL OR "
	    "lease_until < CURRENT_TIMESTAMP(6))", (struct db_val[]){ DBI(s),
	    DBI(run_id) }, 2, &n, NULL, e) == -1)
		return -1;
	return n == 1;
}

int
recon_step(struct db *db, const struct config *cfg, int64_t run_id,
    const struct recon_opts *o, int64_t deadline_ms, int *done,
    struct err *e)
{
	struct db_res		*res = NULL;
	struct channel_account	 a;
	struct group		*g = NULL;
	int64_t			 ids[RECON_LISTING_BATCH], cursor = 0, acct = 0;
	int64_t			 threshold = RECON_THRESHOLD_DEFAULT, spent = 0;
	size_t			 n, i, max;
	int			 rc = -1, t, processed = 0, stop = 0, calls;
	int			 batch, swept;

	*done = 0;
	memset(&a, 0, sizeof(a));
	if ((t = lease_take(db, run_id, deadline_ms, e)) != 1) {
		if (t == 0 && db_query_i64(db, "SELECT state = 'done' FROM "
		    "recon_runs WHERE id = ?", (struct db_val[]){ DBI(run_id) },
		    1, &cursor, e) == 1)
			*done = cursor == 1;
		return t == -1 ? -1 : 0;
	}
	if ((res = db_query(db, "SELECT cursor_id, COALESCE(account_id, 0), "
	    "threshold, sweep_done FROM recon_runs WHERE id = ?",
	    (struct db_val[]){
	    DBI(run_id) }, 1, e)) == NULL)
		goto out;
	if ((t = db_next(res, e)) != 1) {
		if (t == 0)
			err_set(e, ERR_NOTFOUND, "reconciliation run %" PRId64
			    " not found", run_id);
		goto out;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		err_set(e, ERR_SYS, "recon: out of memory");
		goto out;
	}
	cursor = db_col_i64(res, 0);
	acct = db_col_i64(res, 1);
	threshold = db_col_i64(res, 2);
	swept = db_col_i64(res, 3) == 1;
	db_res_free(res);
	res = NULL;
	/* first the orders Shopify's webhooks may have dropped, so that the
	 * listings are compared with every sale applied */
	if (!swept) {
		if (sweep_run(db, cfg, run_id, acct, deadline_ms, &spent,
		    &swept, e) == -1)
			goto out;
		if (!swept) {
			rc = 0;
			goto out;
		}
	}
	while (!stop) {
		n = 0;
		if ((res = db_query(db, "SELECT l.id FROM channel_listings l "
		    "JOIN channel_accounts a ON a.id = l.account_id WHERE l.id "
		    "> ? AND a.paused = 0 AND (? = 0 OR l.account_id = ?) ORDER "
		    "BY l.id LIMIT ?", (struct db_val[]){ DBI(cursor), DBI(acct),
		    DBI(acct), DBI(RECON_LISTING_BATCH) }, 4, e)) == NULL)
			goto out;
		while (n < RECON_LISTING_BATCH && (t = db_next(res, e)) == 1)
			ids[n++] = db_col_i64(res, 0);
		db_res_free(res);
		res = NULL;
		if (t == -1)
			goto out;
		if (n == 0) {
			if (db_exec(db, "UPDATE recon_runs SET state = 'done', "
			    "finished_at = CURRENT_TIMESTAMP(6), lease_until = "
			    "NULL WHERE id = ?", (struct db_val[]){ DBI(run_id) },
			    1, NULL, NULL, e) == -1)
				goto out;
			*done = 1;
			rc = 0;
			goto out;
		}
		for (i = 0; i < n && !stop; ) {
			if (push_now_ms() >= deadline_ms || (o != NULL &&
			    o->chunk > 0 && processed >= o->chunk) ||
			    (o != NULL && o->max_calls > 0 && spent >=
			    o->max_calls)) {
				stop = 1;
				break;
			}
			/* a group: the next listings of one account, as many
			 * as one batch read takes and the chunk allows */
			max = o != NULL && o->chunk > 0 ? (size_t)(o->chunk -
			    processed) : RECON_LISTING_BATCH;
			g->n = 0;
			batch = -1;
			for (; i < n && g->n < max; i++) {
				struct channel_listing	*l = &g->l[g->n];
				const struct channel_ops *ops;

				if (channel_listing_load(db, ids[i], l, e) ==
				    -1)
					goto out;
				if (g->n > 0 && l->account_id != a.id)
					break;
				if (a.id != l->account_id) {
					channel_account_free(&a);
					memset(&a, 0, sizeof(a));
					if (channel_account_load(db, cfg,
					    l->account_id, &a, e) == -1)
						goto out;
				}
				if (batch == -1) {
					ops = channel_ops_for(a.type);
					batch = ops != NULL &&
					    ops->read_batch != NULL;
				}
				if (check_prepare(db, run_id, &a, l,
				    &g->c[g->n], e) == -1)
					goto out;
				g->n++;
				/* one listing at a time without a batch read */
				if (!batch) {
					i++;
					break;
				}
			}
			if (check_group(db, cfg, &a, threshold, deadline_ms, g,
			    &calls, e) == -1)
				goto out;
			cursor = g->l[g->n - 1].id;
			processed += (int)g->n;
			spent += calls;
		}
	}
	rc = 0;
out:
	db_res_free(res);
	channel_account_free(&a);
	free(g);
	/* let the next call (of any process) continue */
	{
		struct err	 le;

		err_clear(&le);
		if (db_exec(db, "UPDATE recon_runs SET lease_until = NULL "
		    "WHERE id = ?", (struct db_val[]){ DBI(run_id) }, 1, NULL,
		    NULL, &le) == -1)
			log_error("recon: run %" PRId64 ": %s", run_id, le.msg);
	}
	return rc;
}

struct due {
	int64_t	 run_id;
};

static int
due_fn(struct db *db, void *arg, struct err *e)
{
	struct due	*d = arg;
	uint64_t	 id;
	int64_t		 v = 0;
	int		 rc;

	d->run_id = 0;
	if ((rc = db_query_i64(db, "SELECT id FROM recon_schedule WHERE id = "
	    "1 AND enabled = 1 FOR UPDATE", NULL, 0, &v, e)) != 1)
		return rc;
	if ((rc = db_query_i64(db, "SELECT id FROM recon_runs WHERE state = "
	    "'running' AND account_id IS NULL ORDER BY id LIMIT 1", NULL, 0,
	    &d->run_id, e)) != 0)
		return rc == 1 ? 0 : -1;
	if ((rc = db_query_i64(db, "SELECT COALESCE((SELECT MAX(finished_at) "
	    "FROM recon_runs WHERE account_id IS NULL AND state = 'done'), "
	    "s.created_at) < CURRENT_TIMESTAMP(6) - INTERVAL s.every_s SECOND "
	    "FROM recon_schedule s WHERE s.id = 1", NULL, 0, &v, e)) != 1)
		return rc;
	if (v != 1)
		return 0;
	if (db_exec(db, "INSERT INTO recon_runs (account_id, origin, "
	    "threshold) VALUES (NULL, 'schedule', ?)", (struct db_val[]){
	    DBI(RECON_THRESHOLD_DEFAULT) }, 1, NULL, &id, e) == -1)
		return -1;
	d->run_id = (int64_t)id;
	return 0;
}

int
recon_tick(struct db *db, const struct config *cfg, int64_t deadline_ms,
    int64_t *run_id, int *done, struct err *e)
{
	struct due		 d;
	struct recon_opts	 o;

	*run_id = 0;
	*done = 0;
	if (push_now_ms() >= deadline_ms)
		return 0;
	if (db_tx(db, due_fn, &d, e) == -1)
		return -1;
	if (d.run_id == 0)
		return 0;
	*run_id = d.run_id;
	memset(&o, 0, sizeof(o));
	o.max_calls = RECON_TICK_MAX_CALLS;
	return recon_step(db, cfg, d.run_id, &o, deadline_ms, done, e);
}

int
recon_report_load(struct db *db, int64_t run_id, struct recon_report *r,
    struct err *e)
{
	struct db_res	*res;
	int		 rc, i;

	memset(r, 0, sizeof(*r));
	if ((res = db_query(db, "SELECT COALESCE(account_id, 0), state = "
	    "'done', steps, checked, unreadable, discrepancies, sale_unseen, "
	    "manual_edit, lost_push, mapping, sold_out, repairs, api_calls, "
	    "DATE_FORMAT(started_at, '%Y-%m-%d %H:%i:%s'), "
	    "COALESCE(DATE_FORMAT(finished_at, '%Y-%m-%d %H:%i:%s'), ''), "
	    "missed_repaired FROM "
	    "recon_runs WHERE id = ?", (struct db_val[]){ DBI(run_id) }, 1,
	    e)) == NULL)
		return -1;
	if ((rc = db_next(res, e)) == 1) {
		r->run_id = run_id;
		r->account_id = db_col_i64(res, 0);
		r->done = db_col_i64(res, 1) == 1;
		r->steps = db_col_i64(res, 2);
		r->checked = db_col_i64(res, 3);
		r->unreadable = db_col_i64(res, 4);
		r->discrepancies = db_col_i64(res, 5);
		for (i = RECON_SALE_UNSEEN; i < RECON__MAX; i++)
			r->by_cause[i] = db_col_i64(res, 6 + (unsigned)i - 1);
		r->repairs = db_col_i64(res, 11);
		r->api_calls = db_col_i64(res, 12);
		(void)str_copy(r->started, sizeof(r->started),
		    db_col_str(res, 13));
		(void)str_copy(r->finished, sizeof(r->finished),
		    db_col_str(res, 14));
		r->missed_repaired = db_col_i64(res, 15);
	} else if (rc == 0) {
		err_set(e, ERR_NOTFOUND, "reconciliation run %" PRId64 " not "
		    "found", run_id);
		rc = -1;
	}
	db_res_free(res);
	return rc == 1 ? 0 : -1;
}

void
recon_report_print(const struct recon_report *r, FILE *f)
{
	int	 i;

	fprintf(f, "reconciliation run %" PRId64 ": %s\n", r->run_id,
	    r->done ? "done" : "running");
	fprintf(f, "started: %s\n", r->started);
	if (r->finished[0] != '\0')
		fprintf(f, "finished: %s\n", r->finished);
	fprintf(f, "listings checked: %" PRId64 " (unreadable: %" PRId64
	    ")\n", r->checked, r->unreadable);
	fprintf(f, "discrepancies: %" PRId64 "\n", r->discrepancies);
	for (i = RECON_SALE_UNSEEN; i < RECON__MAX; i++)
		if (r->by_cause[i] > 0)
			fprintf(f, "  %s: %" PRId64 "\n",
			    recon_cause_label((enum recon_cause)i),
			    r->by_cause[i]);
	fprintf(f, "repairs queued: %" PRId64 "\n", r->repairs);
	fprintf(f, "missed webhooks repaired: %" PRId64 "\n",
	    r->missed_repaired);
	fprintf(f, "API calls: %" PRId64 "\n", r->api_calls);
	if (r->discrepancies == 0 && r->unreadable == 0)
		fprintf(f, "clean\n");
}

/* ---- exports ----------------------------------------------------------- */

static json_t *
report_json(const struct recon_report *r)
{
	json_t	*causes = json_object();
	int	 i;

	for (i = RECON_SALE_UNSEEN; i < RECON__MAX; i++)
		json_object_set_new(causes, recon_cause_name(
		    (enum recon_cause)i), json_integer(r->by_cause[i]));
	return json_pack("{sI so ss ss ss? sI sI sI sI so sI sI sI sb}",
	    "run_id", (json_int_t)r->run_id, "account_id", r->account_id > 0 ?
	    json_integer(r->account_id) : json_null(), "state", r->done ?
	    "done" : "running", "started", r->started, "finished",
	    r->finished[0] != '\0' ? r->finished : NULL,
	    "steps", (json_int_t)r->steps, "checked", (json_int_t)r->checked,
	    "unreadable", (json_int_t)r->unreadable, "discrepancies",
	    (json_int_t)r->discrepancies, "by_cause", causes, "repairs",
	    (json_int_t)r->repairs, "api_calls", (json_int_t)r->api_calls,
	    "missed_webhooks_repaired", (json_int_t)r->missed_repaired, "clean", r->discrepancies == 0 && r->unreadable == 0);
}

int
recon_report_json(struct db *db, int64_t run_id, json_t **out,
    struct err *e)
{
	struct recon_report	 r;
	struct db_res		*res = NULL;
	json_t			*root = NULL, *list, *d;
	int			 t, rc = -1;

	*out = NULL;
	if (recon_report_load(db, run_id, &r, e) == -1)
		return -1;
	if ((root = json_object()) == NULL || (list = json_array()) == NULL)
		goto oom;
	json_object_set_new(root, "run", report_json(&r));
	json_object_set_new(root, "discrepancies", list);
	if ((res = db_query(db, "SELECT d.listing_id, d.account_id, "
	    "COALESCE(a.name, ''), COALESCE(i.sku, ''), COALESCE("
	    "l.ext_listing, ''), COALESCE(l.ext_variant, ''), d.hub_desired, "
	    "d.last_pushed, d.channel_shows, d.difference, d.cause, d.action, "
	    "d.detail, DATE_FORMAT(d.at, '%Y-%m-%d %H:%i:%s') FROM "
	    "recon_discrepancies d LEFT JOIN channel_accounts a ON a.id = "
	    "d.account_id LEFT JOIN stock_items i ON i.id = d.item_id LEFT JOIN "
	    "channel_listings l ON l.id = d.listing_id WHERE d.run_id = ? "
	    "ORDER BY d.id", (struct db_val[]){ DBI(run_id) }, 1, e)) == NULL)
		goto out;
	while ((t = db_next(res, e)) == 1) {
		d = json_pack("{sI sI ss ss ss ss sI so so sI ss ss ss ss}",
		    "listing_id", (json_int_t)db_col_i64(res, 0), "account_id",
		    (json_int_t)db_col_i64(res, 1), "account", db_col_str(res,
		    2), "sku", db_col_str(res, 3), "ext_listing",
		    db_col_str(res, 4), "ext_variant", db_col_str(res, 5),
		    "hub_desired", (json_int_t)db_col_i64(res, 6),
		    "last_pushed", db_col_null(res, 7) ? json_null() :
		    json_integer(db_col_i64(res, 7)), "channel_shows",
		    db_col_null(res, 8) ? json_null() :
		    json_integer(db_col_i64(res, 8)), "difference",
		    (json_int_t)db_col_i64(res, 9), "cause", db_col_str(res,
		    10), "action", db_col_str(res, 11), "detail",
		    db_col_str(res, 12), "at", db_col_str(res, 13));
		if (d == NULL || json_array_append_new(list, d) == -1)
			goto oom;
	}
	if (t == -1)
		goto out;
	*out = root;
	root = NULL;
	rc = 0;
	goto out;
oom:
	err_set(e, ERR_SYS, "recon report: out of memory");
out:
	db_res_free(res);
	json_decref(root);
	return rc;
}

static int
csv_i64(struct buf *b, const json_t *v)
{
	return json_is_integer(v) ? buf_printf(b, "%" JSON_INTEGER_FORMAT,
	    json_integer_value(v)) : 0;
}

int
recon_report_csv(const json_t *report, struct buf *out, struct err *e)
{
	const json_t	*run = json_object_get(report, "run"), *d;
	size_t		 i;
	int		 rc = 0;

	rc |= buf_puts(out, "run_id,listing_id,account,sku,ext_listing,"
	    "ext_variant,hub_desired,last_pushed,channel_shows,difference,"
	    "cause,action,detail,at\r\n");
	json_array_foreach(json_object_get(report, "discrepancies"), i, d) {
		rc |= csv_i64(out, json_object_get(run, "run_id"));
		rc |= buf_puts(out, ",");
		rc |= csv_i64(out, json_object_get(d, "listing_id"));
		rc |= buf_puts(out, ",");
		rc |= csvw_field(out, json_string_value(
		    json_object_get(d, "account")), CSVW_GUARD);
		rc |= buf_puts(out, ",");
		rc |= csvw_field(out, json_string_value(
		    json_object_get(d, "sku")), CSVW_GUARD);
		rc |= buf_puts(out, ",");
		rc |= csvw_field(out, json_string_value(
		    json_object_get(d, "ext_listing")), CSVW_GUARD);
		rc |= buf_puts(out, ",");
		rc |= csvw_field(out, json_string_value(
		    json_object_get(d, "ext_variant")), CSVW_GUARD);
		rc |= buf_puts(out, ",");
		rc |= csv_i64(out, json_object_get(d, "hub_desired"));
		rc |= buf_puts(out, ",");
		rc |= csv_i64(out, json_object_get(d, "last_pushed"));
		rc |= buf_puts(out, ",");
		rc |= csv_i64(out, json_object_get(d, "channel_shows"));
		rc |= buf_puts(out, ",");
		rc |= csv_i64(out, json_object_get(d, "difference"));
		rc |= buf_puts(out, ",");
		rc |= csvw_field(out, json_string_value(
		    json_object_get(d, "cause")), CSVW_GUARD);
		rc |= buf_puts(out, ",");
		rc |= csvw_field(out, json_string_value(
		    json_object_get(d, "action")), CSVW_GUARD);
		rc |= buf_puts(out, ",");
		rc |= csvw_field(out, json_string_value(
		    json_object_get(d, "detail")), CSVW_GUARD);
		rc |= buf_puts(out, ",");
		rc |= csvw_field(out, json_string_value(
		    json_object_get(d, "at")), CSVW_GUARD);
		rc |= buf_puts(out, "\r\n");
	}
	if (rc != 0)
		return err_set(e, ERR_TOOBIG, "recon report: CSV too large");
	return 0;
}

int
recon_account_set(struct db *db, int64_t account_id, const char *setting,
    struct err *e)
{
	const char	*eq = setting != NULL ? strchr(setting, '=') : NULL;
	char		 key[32];
	int64_t		 v;
	uint64_t	 n = 0;
	size_t		 kl;

	if (eq == NULL || (kl = (size_t)(eq - setting)) == 0 ||
	    kl >= sizeof(key))
		return err_set(e, ERR_INVALID, "setting must be KEY=VALUE");
	memcpy(key, setting, kl);
	key[kl] = '\0';
	eq++;
	if (strcmp(key, "recon_policy") == 0) {
		if (strcmp(eq, "report") != 0 && strcmp(eq, "repair") != 0)
			return err_set(e, ERR_INVALID, "recon_policy must be "
			    "report or repair");
		if (db_exec(db, "UPDATE channel_accounts SET recon_policy = ? "
		    "WHERE id = ?", (struct db_val[]){ DBS(eq),
		    DBI(account_id) }, 2, &n, NULL, e) == -1)
			return -1;
	} else if (strcmp(key, "recon_threshold") == 0) {
		if (strcmp(eq, "default") == 0) {
			if (db_exec(db, "UPDATE channel_accounts SET "
			    "recon_threshold = NULL WHERE id = ?",
			    (struct db_val[]){ DBI(account_id) }, 1, &n, NULL,
			    e) == -1)
				return -1;
		} else {
			if (str_to_i64(eq, 1, 1000000, &v) == -1)
				return err_set(e, ERR_INVALID, "recon_threshold "
				    "must be a whole number of units from 1 to "
				    "1000000, or default");
			if (db_exec(db, "UPDATE channel_accounts SET "
			    "recon_threshold = ? WHERE id = ?",
			    (struct db_val[]){ DBI(v), DBI(account_id) }, 2,
			    &n, NULL, e) == -1)
				return -1;
		}
	} else
		return err_set(e, ERR_INVALID, "unknown setting '%.31s' (known: "
		    "recon_policy, recon_threshold)", key);
	if (n == 0 && db_query_i64(db, "SELECT id FROM channel_accounts WHERE "
	    "id = ?", (struct db_val[]){ DBI(account_id) }, 1, &v, e) != 1)
		return err_set(e, ERR_NOTFOUND, "account %" PRId64 " not found",
		    account_id);
	return 0;
}
