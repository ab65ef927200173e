/*
 * push: the outbox and its runner (see push.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "alert.h"
#include "bom.h"
#include "channel.h"
#include "clock.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "log.h"
#include "push.h"
#include "str.h"

int64_t
push_now_ms(void)
{
	return clock_now_ms();
}

int
push_touch(struct db *db, const struct ledger_item *it, void *arg,
    struct err *e)
{
	(void)arg;
	/* a new movement revives a dead row: the seller may have fixed
	 * what made it fail, and the alert says so if not */
	if (db_exec(db, "INSERT INTO push_queue (listing_id, want_version) "
	    "SELECT l.id, ? FROM channel_listings l WHERE l.item_id = ? "
	    "ON DUPLICATE KEY UPDATE want_version = GREATEST(want_version, "
	    "VALUES(want_version)), " PUSH_UNPARK_SQL ", dead = 0",
	    (struct db_val[]){ DBI(it->version), DBI(it->id),
	    DBI(PUSH_PACE_MS * 1000) }, 3, NULL, NULL, e) == -1)
		return -1;
	/* and every bundle or made-to-order item that uses it, however
	 * deeply nested: what they can offer changed too */
	return bom_touch(db, it->id, 0, e);
}

int
push_queue_listing(struct db *db, int64_t listing_id, struct err *e)
{
	/* make the row due without inventing a version: want stays a real
	 * item version and done drops below it (assignments apply left to
	 * right, so done sees the new want) */
	return db_exec(db, "INSERT INTO push_queue (listing_id, want_version, "
	    "done_version) SELECT l.id, CAST(i.version AS SIGNED) + "
	    "i.derived_version, CAST(i.version AS SIGNED) + "
	    "i.derived_version - 1 FROM "
	    "channel_listings l JOIN stock_items i ON i.id = l.item_id "
	    "WHERE l.id = ? ON DUPLICATE KEY UPDATE want_version = "
	    "GREATEST(want_version, VALUES(want_version)), done_version = "
	    "LEAST(done_version, want_version - 1), dead = 0, next_at = "
	    CLOCK_NOW_SQL, (struct db_val[]){ DBI(listing_id) }, 1,
	    NULL, NULL, e);
}

struct claim {
	const char	*worker;
	int64_t		 window_ms;	/* also claim rows due this soon */
	int64_t		 wait_ms;	/* until the claimed row is due */
	int64_t		 listing_id;	/* 0: nothing due */
	int64_t		 want;		/* want_version when claimed */
	int64_t		 attempts;
	char		 idem_key[65];
	int		 has_idem_qty;
	int64_t		 idem_qty;
};

static int
claim_fn(struct db *db, void *arg, struct err *e)
{
	struct claim	*c = arg;
	struct db_res	*r;
	int		 rc;

	c->listing_id = 0;
	r = db_query(db, "SELECT listing_id, attempts, idem_key, idem_qty, "
	    "want_version, GREATEST(TIMESTAMPDIFF(MICROSECOND, "
	    CLOCK_NOW_SQL ", next_at), 0) DIV 1000 FROM push_queue "
	    "WHERE dead = 0 AND want_version > done_version AND next_at <= "
	    CLOCK_NOW_SQL " + INTERVAL ? MICROSECOND AND (lease_until "
	    "IS NULL OR lease_until < " CLOCK_NOW_SQL ") ORDER BY next_at "
	    "LIMIT 1 FOR UPDATE SKIP LOCKED", (struct db_val[]){
	    DBI(c->window_ms * 1000) }, 1, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 1) {
		c->listing_id = db_col_i64(r, 0);
		c->attempts = db_col_i64(r, 1);
		(void)str_copy(c->idem_key, sizeof(c->idem_key),
		    db_col_null(r, 2) ? "" : db_col_str(r, 2));
		c->has_idem_qty = !db_col_null(r, 3);
		c->idem_qty = db_col_i64(r, 3);
		c->want = db_col_i64(r, 4);
		c->wait_ms = db_col_i64(r, 5);
	}
	db_res_free(r);
	if (rc != 1)
		return rc;
	return db_exec(db, "UPDATE push_queue SET lease_until = "
	    CLOCK_NOW_SQL " + INTERVAL ? SECOND, claimed_by = ? "
	    "WHERE listing_id = ?", (struct db_val[]){ DBI(PUSH_LEASE_S),
	    DBS(c->worker), DBI(c->listing_id) }, 3, NULL, NULL, e);
}

static const char *
outcome_name(enum channel_outcome o)
{
	switch (o) {
	case CHANNEL_WRITTEN:	return "written";
	case CHANNEL_UNCHANGED:	return "unchanged";
	case CHANNEL_HELD:	return "held";
	case CHANNEL_RETRY:	return "retry";
	default:		return "failed";
	}
}

struct finish {
	int64_t				 listing_id;
	int64_t				 account_id;
	const char			*account_name;
	int64_t				 item_id;
	int64_t				 version;
	int64_t				 want;
	int64_t				 desired;
	int64_t				 attempts;
	const char			*idem_key;
	const struct channel_result	*r;
	/* last_pushed_qty as loaded before the push */
	int				 had_last;
	int64_t				 loaded_last;
	int64_t				 released;	/* units, or 0 */
	const char			*sku;
};

/* Tell the seller a hold was released (see PUSH_HOLD_MARGIN_S). */
static int
release_alert(struct db *db, const struct finish *f, struct err *e)
{
	char	 key[64], msg[256];

	(void)str_fmt(key, sizeof(key), "hold_released:%lld",
	    (long long)f->listing_id);
	(void)str_fmt(msg, sizeof(msg), "%s on %s showed %lld fewer than the "
	    "hub pushed, and no sale the channel reported since explains it; "
	    "the listing shows the hub's quantity again", f->sku,
	    f->account_name, (long long)f->released);
	return alert_raise(db, "hold_released", key, f->account_id,
	    f->item_id, msg, "If those were sales the hub never received, "
	    "record them (or run a reconciliation) so the stock is right.", e);
}

static int
finish_fn(struct db *db, void *arg, struct err *e)
{
	struct finish			*f = arg;
	const struct channel_result	*r = f->r;
	int64_t				 wait;
	char				 key[96], msg[256];

	if (db_exec(db, "INSERT INTO push_log (listing_id, item_version, "
	    "desired_qty, outcome, detail) VALUES (?, ?, ?, ?, LEFT(?, 255))",
	    (struct db_val[]){ DBI(f->listing_id), DBI(f->version),
	    DBI(f->desired), DBS(outcome_name(r->outcome)), DBS(r->detail) },
	    5, NULL, NULL, e) == -1)
		return -1;

	switch (r->outcome) {
	case CHANNEL_WRITTEN:
	case CHANNEL_HELD:
		if (db_exec(db, "INSERT INTO channel_writes (listing_id, qty, "
		    "idem_key) VALUES (?, ?, ?)", (struct db_val[]){
		    DBI(f->listing_id), DBI(r->shown), DBS(f->idem_key) }, 3,
		    NULL, NULL, e) == -1)
			return -1;
		/* FALLTHROUGH */
	case CHANNEL_UNCHANGED:
		/* hidden: the adapter hid the offering or listing for 0
		 * (Etsy), so it knows to show it again when stock returns */
		/* last_pushed_qty is what the channel would show had it
		 * sold nothing the hub has not seen: units held back stay
		 * counted until the hub applies those sales (orders_commit
		 * lowers it then), or the next push writes them back */
		/* sales the hub applied while this push ran have lowered
		 * last_pushed_qty since it was loaded (orders_commit); keep
		 * that, or they would be counted as unseen once more */
		/* held_since: from the first push that held, until one that
		 * holds nothing (or the release) */
		if (db_exec(db, "UPDATE channel_listings SET last_pushed_qty = "
		    "? + CASE WHEN ? = 1 AND last_pushed_qty IS NOT NULL THEN "
		    "last_pushed_qty - ? ELSE 0 END, last_pushed_at = "
		    CLOCK_NOW_SQL ", last_seen_qty = ?, last_seen_at = "
		    CLOCK_NOW_SQL ", hidden = ?, held_since = IF(? = 1, "
		    "COALESCE(held_since, " CLOCK_NOW_SQL "), NULL) WHERE id = ?",
		    (struct db_val[]){ DBI(r->shown +
		    (r->outcome == CHANNEL_HELD ? r->unseen_sales : 0)),
		    DBI(f->had_last), DBI(f->loaded_last), DBI(r->shown),
		    DBI(r->hidden ? 1 : 0), DBI(r->outcome == CHANNEL_HELD &&
		    r->unseen_sales > 0 ? 1 : 0), DBI(f->listing_id) }, 7, NULL,
		    NULL, e) == -1)
			return -1;
		if (f->released > 0 && release_alert(db, f, e) == -1)
			return -1;
		/* done up to what was wanted when claimed (a forced push
		 * wants one past the item's version) and what was read; a
		 * movement since then keeps the row due, from PUSH_PACE_MS
		 * on, so a burst of sales becomes one write */
		/* paced_until: a movement that unparks the row later makes
		 * it due from then on (PUSH_UNPARK_SQL) */
		return db_exec(db, "UPDATE push_queue SET done_version = "
		    "GREATEST(done_version, ?, ?), attempts = 0, idem_key = "
		    "NULL, idem_qty = NULL, lease_until = NULL, last_error = "
		    "NULL, paced_until = " CLOCK_NOW_SQL " + INTERVAL ? "
		    "MICROSECOND, next_at = IF(done_version >= want_version, "
		    PUSH_PARKED_SQL ", paced_until) WHERE listing_id = ?",
		    (struct db_val[]){ DBI(f->version), DBI(f->want),
		    DBI(PUSH_PACE_MS * 1000), DBI(f->listing_id) }, 4, NULL,
		    NULL, e);
	case CHANNEL_RETRY:
		/* exponential, capped low enough that an outage's end is
		 * noticed within a minute; the channel's Retry-After wins */
		wait = (int64_t)1 << (f->attempts < 6 ? f->attempts : 6);
		if (wait > PUSH_BACKOFF_MAX_S)
			wait = PUSH_BACKOFF_MAX_S;
		if (r->retry_after_s > wait)
			wait = r->retry_after_s;
		if (f->attempts + 1 == PUSH_ALERT_ATTEMPTS) {
			(void)str_fmt(key, sizeof(key), "push_retrying:%lld",
			    (long long)f->listing_id);
			(void)str_fmt(msg, sizeof(msg), "pushes to listing %lld "
			    "keep failing (%d attempts): %s",
			    (long long)f->listing_id, PUSH_ALERT_ATTEMPTS,
			    r->detail);
			if (alert_raise(db, "push_retrying", key, f->account_id,
			    f->item_id, msg, NULL, e) == -1)
				return -1;
		}
		return db_exec(db, "UPDATE push_queue SET attempts = attempts "
		    "+ 1, next_at = " CLOCK_NOW_SQL " + INTERVAL ? SECOND, "
		    "lease_until = NULL, idem_key = ?, idem_qty = ?, "
		    "last_error = LEFT(?, 255) WHERE listing_id = ?",
		    (struct db_val[]){ DBI(wait), DBS(f->idem_key),
		    DBI(f->desired), DBS(r->detail), DBI(f->listing_id) }, 5,
		    NULL, NULL, e);
	default:
		if (strcmp(r->detail, "revoked") == 0) {
			/* the token was revoked: pause the account until it
			 * is reconnected; the row stays due, not dead */
			if (channel_account_revoked(db, f->account_id,
			    f->account_name, e) == -1)
				return -1;
			return db_exec(db, "UPDATE push_queue SET lease_until "
			    "= NULL, last_error = 'revoked', next_at = "
			    CLOCK_NOW_SQL " + INTERVAL ? SECOND WHERE "
			    "listing_id = ?", (struct db_val[]){
			    DBI(PUSH_BACKOFF_MAX_S), DBI(f->listing_id) }, 2,
			    NULL, NULL, e);
		}
		(void)str_fmt(key, sizeof(key), "push_failed:%lld",
		    (long long)f->listing_id);
		(void)str_fmt(msg, sizeof(msg), "push to listing %lld failed: "
		    "%s", (long long)f->listing_id, r->detail);
		if (alert_raise(db, "push_failed", key, f->account_id,
		    f->item_id, msg, NULL, e) == -1)
			return -1;
		return db_exec(db, "UPDATE push_queue SET dead = 1, attempts = "
		    "attempts + 1, lease_until = NULL, last_error = LEFT(?, 255) "
		    "WHERE listing_id = ?", (struct db_val[]){ DBS(r->detail),
		    DBI(f->listing_id) }, 2, NULL, NULL, e);
	}
}

/* A hold (listing l) older than its account's (a) catch-up by one
 * parameter's seconds (PUSH_HOLD_MARGIN_S). */
#define HOLD_EXPIRED_SQL "l.held_since IS NOT NULL AND l.held_since < " \
	"a.caught_up_at - INTERVAL ? SECOND"

/* What a push starts from, read together (see snap_fn). */
struct snap {
	int64_t			 listing_id;
	struct channel_listing	*l;
	int64_t			*desired;
	int64_t			*version;
	int64_t			 released;	/* out: units of an expired
						 * hold, or 0 */
};

/*
 * Read the listing (its last_pushed_qty) and what it should show in one
 * transaction that holds the listing's row lock. orders_commit() commits
 * a sale to the ledger and lowers last_pushed_qty in one transaction, and
 * takes this row lock to do so: with the lock held here, a push sees that
 * sale in both figures or in neither. Read apart (the isolation is READ
 * COMMITTED), a sale committed between the two reads was in the desired
 * figure already and, with last_pushed_qty still the old one, counted
 * once more as a sale the hub has not seen: the adapter held one unit
 * back, the push settled the new version, and the channel showed one less
 * than it should until the item moved again.
 */
static int
snap_fn(struct db *db, void *arg, struct err *e)
{
	struct snap	*s = arg;
	int64_t		 id;
	int		 rc;

	if ((rc = db_query_i64(db, "SELECT id FROM channel_listings WHERE "
	    "id = ? FOR UPDATE", (struct db_val[]){ DBI(s->listing_id) }, 1,
	    &id, e)) != 1)
		return rc == 0 ? err_set(e, ERR_NOTFOUND, "no channel listing "
		    "%lld", (long long)s->listing_id) : -1;
	if (channel_listing_load(db, s->listing_id, s->l, e) == -1)
		return -1;
	/* a hold the account's intake caught up past without a sale to
	 * explain it: push as if for the first time, from what the channel
	 * shows now (the units held are last_pushed_qty - last_seen_qty) */
	s->released = 0;
	if ((rc = db_query_i64(db, "SELECT GREATEST(COALESCE(l.last_pushed_qty "
	    "- l.last_seen_qty, 0), 1) FROM channel_listings l JOIN "
	    "channel_accounts a ON a.id = l.account_id WHERE l.id = ? AND "
	    HOLD_EXPIRED_SQL, (struct db_val[]){ DBI(s->listing_id),
	    DBI(PUSH_HOLD_MARGIN_S) }, 2, &s->released, e)) == -1)
		return -1;
	if (rc == 1)
		s->l->has_last_pushed = 0;
	return channel_desired(db, s->listing_id, s->desired, s->version, e);
}

int
push_queue_expired_holds(struct db *db, int *n, struct err *e)
{
	struct db_res	*q;
	int64_t		 ids[64];
	size_t		 k = 0, i;
	int		 got;

	*n = 0;
	if ((q = db_query(db, "SELECT l.id FROM channel_listings l JOIN "
	    "channel_accounts a ON a.id = l.account_id WHERE "
	    HOLD_EXPIRED_SQL " AND a.paused = 0 ORDER BY l.held_since LIMIT "
	    "64", (struct db_val[]){ DBI(PUSH_HOLD_MARGIN_S) }, 1, e)) == NULL)
		return -1;
	while ((got = db_next(q, e)) == 1)
		ids[k++] = db_col_i64(q, 0);
	db_res_free(q);
	if (got == -1)
		return -1;
	for (i = 0; i < k; i++)
		if (push_queue_listing(db, ids[i], e) == -1)
			return -1;
	*n = (int)k;
	return 0;
}

/* Push one claimed listing and record what happened. */
static int
push_one(struct db *db, const struct config *cfg, const struct claim *c,
    struct push_stats *st, struct err *e)
{
	struct channel_account	 acct;
	struct channel_listing	 l;
	struct channel_result	 r;
	struct channel_push	 p;
	struct channel_ctx	 ctx = { 0 };
	const struct channel_ops *ops;
	struct finish		 f;
	struct snap		 sn;
	unsigned char		 rnd[16];
	char			 key[65];
	int64_t			 desired = 0, version = 0;
	int			 rc = -1;

	memset(&acct, 0, sizeof(acct));
	memset(&r, 0, sizeof(r));
	sn.listing_id = c->listing_id;
	sn.l = &l;
	sn.desired = &desired;
	sn.version = &version;
	if (db_tx(db, snap_fn, &sn, e) == -1 ||
	    channel_account_load(db, cfg, l.account_id, &acct, e) == -1)
		goto out;

	/* one key per intended write: a retry of the same quantity reuses
	 * it, so the channel can tell it from a new write */
	if (c->idem_key[0] != '\0' && c->has_idem_qty && c->idem_qty == desired)
		(void)str_copy(key, sizeof(key), c->idem_key);
	else {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			err_set(e, ERR_SYS, "no randomness");
			goto out;
		}
		str_hex(key, rnd, sizeof(rnd));
	}

	r.shown_before = -1;
	if (acct.paused) {
		/* skipped, not failed: no attempt counted, no audit row;
		 * resuming the account makes the row due again */
		if (db_exec(db, "UPDATE push_queue SET lease_until = NULL, "
		    "next_at = " CLOCK_NOW_SQL " + INTERVAL ? SECOND WHERE "
		    "listing_id = ?", (struct db_val[]){
		    DBI(PUSH_BACKOFF_MAX_S), DBI(l.id) }, 2, NULL, NULL,
		    e) == -1)
			goto out;
		log_info("push listing %lld (%s %s): account paused, skipped",
		    (long long)l.id, acct.name, l.sku);
		rc = 0;
		goto out;
	}
	if ((ops = channel_ops_for(acct.type)) == NULL) {
		r.outcome = CHANNEL_FAILED;
		(void)str_fmt(r.detail, sizeof(r.detail), "no adapter for %s "
		    "yet", channel_type_name(acct.type));
	} else {
		ctx.db = db;
		ctx.cfg = cfg;
		ctx.acct = &acct;
		p.desired = desired;
		p.idem_key = key;
		if (ops->push(&ctx, &l, &p, &r, e) == -1) {
			r.outcome = CHANNEL_RETRY;
			(void)str_copy(r.detail, sizeof(r.detail),
			    e != NULL ? e->msg : "local failure");
		}
	}
	log_info("push listing %lld (%s %s) qty %lld: %s%s%s",
	    (long long)l.id, acct.name, l.sku, (long long)desired,
	    outcome_name(r.outcome), r.detail[0] != '\0' ? ": " : "",
	    r.detail);

	f.listing_id = l.id;
	f.account_id = acct.id;
	f.account_name = acct.name;
	f.item_id = l.item_id;
	f.version = version;
	f.want = c->want;
	f.desired = desired;
	f.attempts = c->attempts;
	f.idem_key = key;
	f.r = &r;
	f.had_last = l.has_last_pushed;
	f.loaded_last = l.last_pushed;
	f.released = sn.released;
	f.sku = l.sku;
	if (db_tx(db, finish_fn, &f, e) == -1)
		goto out;
	if (st != NULL) {
		switch (r.outcome) {
		case CHANNEL_WRITTEN:	st->written++; break;
		case CHANNEL_UNCHANGED:	st->unchanged++; break;
		case CHANNEL_HELD:	st->held++; break;
		case CHANNEL_RETRY:	st->retried++; break;
		default:		st->failed++; break;
		}
		if (sn.released > 0 && r.outcome != CHANNEL_RETRY &&
		    r.outcome != CHANNEL_FAILED)
			st->released++;
	}
	rc = 0;
out:
	channel_account_free(&acct);
	return rc;
}

int
push_run(struct db *db, const struct config *cfg, const char *worker,
    int64_t deadline_ms, struct push_stats *st, struct err *e)
{
	struct claim	 c;
	int64_t		 left;

	if (st != NULL)
		memset(st, 0, sizeof(*st));
	while ((left = deadline_ms - push_now_ms()) > 0) {
		memset(&c, 0, sizeof(c));
		c.worker = worker;
		c.window_ms = left < PUSH_PACE_MS ? left : PUSH_PACE_MS;
		if (db_tx(db, claim_fn, &c, e) == -1)
			return -1;
		if (c.listing_id == 0)
			return 0;
		if (st != NULL)
			st->claimed++;
		/* claimed early (coalescing): wait until it is due, so the
		 * write carries every sale of the window */
		if (c.wait_ms > 0) {
			if (c.wait_ms > PUSH_PACE_MS)
				c.wait_ms = PUSH_PACE_MS;
			clock_sleep_ms(c.wait_ms);
		}
		if (push_one(db, cfg, &c, st, e) == -1) {
			/* the lease runs out and another run retries it */
			log_error("push listing %lld: %s",
			    (long long)c.listing_id, e != NULL ? e->msg : "");
			return -1;
		}
	}
	return 0;
}
