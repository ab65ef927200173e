/*
 * shopify_hook: Shopify webhooks in (see shopify_hook.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "alert.h"
#include "app.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "http.h"
#include "inbox.h"
#include "ledger.h"
#include "log.h"
#include "orders.h"
#include "push.h"
#include "shopify.h"
#include "shopify_hook.h"
#include "sig.h"
#include "str.h"

#define PUSH_AFTER_MS	8000	/* pushes after a webhook, then the tick */
#define ECHO_WINDOW_S	3600	/* how long a write of ours can echo back */

struct apply {
	const struct config	*cfg;
	int64_t			 inbox_id;
	int			 settle_now;
	int			 deferred;
	char			 detail[256];
	enum inbox_state	 state;
};

static void
idstr(char *out, size_t sz, int64_t v)
{
	(void)str_fmt(out, sz, "%lld", (long long)v);
}

/* An order line the map does not know: an alert with what fixes it. */
static int
unmapped_sale(struct db *db, const struct channel_account *acct,
    const struct shopify_order *o, const struct shopify_line_item *li,
    struct err *e)
{
	char	 key[128], msg[256], details[1024];

	(void)str_fmt(key, sizeof(key), "unmapped_sale:%lld:%lld",
	    (long long)acct->id, (long long)li->id);
	(void)str_fmt(msg, sizeof(msg), "%s sold %lld x SKU '%s' (variant "
	    "%lld) that the SKU map does not know; stock was not counted",
	    acct->name, (long long)li->quantity, li->sku,
	    (long long)li->variant_id);
	(void)str_fmt(details, sizeof(details), "order %lld, line %lld, "
	    "product %lld, variant %lld, sku '%s', title '%s', variant "
	    "title '%s', quantity %lld. Map the variant to a SKU, then "
	    "count the stock.", (long long)o->id, (long long)li->id,
	    (long long)li->product_id, (long long)li->variant_id, li->sku,
	    li->title, li->variant_title, (long long)li->quantity);
	return alert_raise(db, "unmapped_sale", key, acct->id, 0, msg,
	    details, e);
}

int
shopify_hook_order_lines(struct db *db, const struct channel_account *acct,
    const struct shopify_order *o, const char *topic, int cancel,
    int *counted, struct err *e)
{
	struct channel_listing	 l;
	struct ledger_result	 res;
	struct orders_ctx	 c;
	char			 oid[32], lid[32], vid[32], key[192];
	char			 reason[96], source[64];
	int64_t			 done;
	size_t			 i;
	int			 found, known;

	*counted = 0;
	idstr(oid, sizeof(oid), o->id);
	(void)str_fmt(source, sizeof(source), "shopify:%lld",
	    (long long)acct->id);
	(void)str_fmt(reason, sizeof(reason), "%s %s", topic, oid);
	c.db = db;
	c.account_id = acct->id;
	c.source = source;
	c.reason = reason;
	for (i = 0; i < o->nitems; i++) {
		const struct shopify_line_item *li = &o->items[i];

		idstr(lid, sizeof(lid), li->id);
		found = 0;
		if (li->variant_id > 0) {
			idstr(vid, sizeof(vid), li->variant_id);
			if ((found = channel_listing_find(db, acct->id, vid, "",
			    &l, e)) == -1)
				return -1;
		}
		if (!found) {
			if (unmapped_sale(db, acct, o, li, e) == -1)
				return -1;
			continue;
		}
		/* a cancellation seen before its order, or an order that
		 * arrives already cancelled: commit, then release, so a
		 * late copy of either finds the line settled */
		if (!cancel || o->cancelled_at[0] != '\0') {
			if (orders_commit(&c, oid, lid, l.sku, li->quantity,
			    l.id, &res, e) == -1)
				return -1;
			*counted += !res.duplicate;
		}
		if (cancel || o->cancelled_at[0] != '\0') {
			(void)str_fmt(key, sizeof(key), "%lld:cancel:%s:line:%s",
			    (long long)acct->id, oid, lid);
			if (orders_release(&c, lid, -1, key, &done, &known,
			    e) == -1)
				return -1;
			*counted += done > 0;
		}
	}
	return 0;
}

static int
apply_order(struct db *db, const struct channel_account *acct,
    const struct inbox_msg *m, int cancel, struct apply *ap, struct err *e)
{
	struct shopify_order	 o;
	int			 rc = -1, counted = 0;

	if (shopify_parse_order(m->body, m->len, &o, e) == -1)
		return -1;
	if (shopify_hook_order_lines(db, acct, &o, m->topic, cancel, &counted,
	    e) == -1)
		goto out;
	ap->state = INBOX_APPLIED;
	(void)str_fmt(ap->detail, sizeof(ap->detail), "%zu line(s), %d "
	    "counted", o.nitems, counted);
	rc = 0;
out:
	shopify_order_free(&o);
	return rc;
}

static int
apply_refund(struct db *db, const struct channel_account *acct,
    const struct inbox_msg *m, struct apply *ap, struct err *e)
{
	struct shopify_refund	 rf;
	struct orders_ctx	 c;
	char			 lid[32], key[192], reason[96], source[64];
	int64_t			 done, units = 0;
	size_t			 i;
	int			 known, rc = -1;

	if (shopify_parse_refund(m->body, m->len, &rf, e) == -1)
		return -1;
	(void)str_fmt(source, sizeof(source), "shopify:%lld",
	    (long long)acct->id);
	(void)str_fmt(reason, sizeof(reason), "refunds/create %lld",
	    (long long)rf.id);
	c.db = db;
	c.account_id = acct->id;
	c.source = source;
	c.reason = reason;
	for (i = 0; i < rf.nlines; i++) {
		const struct shopify_refund_line *rl = &rf.lines[i];

		if (rl->restock == SHOPIFY_RESTOCK_NO)
			continue;
		idstr(lid, sizeof(lid), rl->line_item_id);
		(void)str_fmt(key, sizeof(key), "%lld:refund_line:%lld",
		    (long long)acct->id, (long long)rl->id);
		if (rl->restock == SHOPIFY_RESTOCK_CANCEL)
			rc = orders_release(&c, lid, rl->quantity, key, &done,
			    &known, e);
		else
			rc = orders_return(&c, lid, rl->quantity, key, &done,
			    &known, e);
		if (rc == -1)
			goto out;
		units += done;
	}
	ap->state = INBOX_APPLIED;
	(void)str_fmt(ap->detail, sizeof(ap->detail), "%lld unit(s) back",
	    (long long)units);
	rc = 0;
out:
	shopify_refund_free(&rf);
	return rc;
}

static int
apply_fulfillment(struct db *db, const struct channel_account *acct,
    const struct inbox_msg *m, struct apply *ap, struct err *e)
{
	struct shopify_fulfillment f;
	struct orders_ctx	 c;
	char			 lid[32], key[192], reason[96], source[64];
	int64_t			 done, units = 0;
	size_t			 i;
	int			 known, rc = -1;

	if (shopify_parse_fulfillment(m->body, m->len, &f, e) == -1)
		return -1;
	ap->state = INBOX_IGNORED;
	if (strcmp(f.status, "success") != 0) {
		(void)str_fmt(ap->detail, sizeof(ap->detail), "status %s",
		    f.status);
		rc = 0;
		goto out;
	}
	(void)str_fmt(source, sizeof(source), "shopify:%lld",
	    (long long)acct->id);
	(void)str_fmt(reason, sizeof(reason), "fulfillments/create %lld",
	    (long long)f.id);
	c.db = db;
	c.account_id = acct->id;
	c.source = source;
	c.reason = reason;
	for (i = 0; i < f.nitems; i++) {
		idstr(lid, sizeof(lid), f.items[i].id);
		(void)str_fmt(key, sizeof(key), "%lld:fulfillment:%lld:line:%s",
		    (long long)acct->id, (long long)f.id, lid);
		if (orders_ship(&c, lid, f.items[i].quantity, key, &done,
		    &known, e) == -1)
			goto out;
		units += done;
	}
	ap->state = INBOX_APPLIED;
	(void)str_fmt(ap->detail, sizeof(ap->detail), "%lld unit(s) shipped",
	    (long long)units);
	rc = 0;
out:
	shopify_fulfillment_free(&f);
	return rc;
}

static int
apply_level(struct db *db, const struct channel_account *acct,
    const struct inbox_msg *m, struct apply *ap, struct err *e)
{
	struct shopify_level_update	 u;
	struct channel_listing		 l;
	struct ledger_line		 ll;
	struct ledger_event		 ev;
	struct ledger_result		 res;
	char				 iid[32], key[192], source[64];
	int64_t				 echo = 0, settled = 0, delta;
	int				 rc;

	if (shopify_parse_level_update(m->body, m->len, &u, e) == -1)
		return -1;
	ap->state = INBOX_IGNORED;
	if (!u.has_available) {
		(void)str_copy(ap->detail, sizeof(ap->detail), "untracked");
		return 0;
	}
	idstr(iid, sizeof(iid), u.inventory_item_id);
	if ((rc = channel_listing_find_variant(db, acct->id, iid, &l, e)) != 1) {
		(void)str_copy(ap->detail, sizeof(ap->detail), "not mapped");
		return rc;
	}
	/* our own write coming back: not a change. A write within the echo
	 * window, or our latest write however old (a delivery Shopify
	 * retried for hours): the shop shows what we put there. Units a
	 * push held back make our write lower than last_pushed_qty, so
	 * that test alone would read a late echo as a manual edit */
	if (db_query_i64(db, "SELECT COUNT(*) FROM channel_writes WHERE "
	    "listing_id = ? AND qty = ? AND (written_at > CURRENT_TIMESTAMP(6) "
	    "- INTERVAL ? SECOND OR id = (SELECT MAX(id) FROM channel_writes "
	    "WHERE listing_id = ?))", (struct db_val[]){ DBI(l.id),
	    DBI(u.available), DBI(ECHO_WINDOW_S), DBI(l.id) }, 4, &echo,
	    e) == -1)
		return -1;
	if (echo > 0 || (l.has_last_pushed && u.available == l.last_pushed)) {
		(void)str_copy(ap->detail, sizeof(ap->detail),
		    "echo of the hub's own write");
		return 0;
	}
	if (!l.has_last_pushed || (!acct->manual_accept &&
	    u.available > l.last_pushed)) {
		/* restore a raise (never a sale): the push engine reads the
		 * channel and writes the hub's figure back */
		ap->state = INBOX_APPLIED;
		(void)str_fmt(ap->detail, sizeof(ap->detail), "manual edit to "
		    "%lld: restoring the hub's figure", (long long)u.available);
		return push_queue_listing(db, l.id, e);
	}
	/* less than the hub wrote: sales whose webhooks are on their way,
	 * or a manual edit; wait until the orders of that moment are in */
	if (!ap->settle_now) {
		if (db_query_i64(db, "SELECT received_at < CURRENT_TIMESTAMP(6) "
		    "- INTERVAL ? SECOND FROM webhook_inbox WHERE id = ?",
		    (struct db_val[]){ DBI(SHOPIFY_HOOK_SETTLE_S),
		    DBI(m->id) }, 2, &settled, e) == -1)
			return -1;
		if (!settled) {
			ap->deferred = 1;
			return 0;
		}
	}
	/* what Shopify should show without a manual edit: what we wrote,
	 * which orders_commit() lowers for every sale the hub has applied
	 * since (the settle delay lets those arrive first) */
	delta = u.available - l.last_pushed;
	if (delta == 0) {
		(void)str_copy(ap->detail, sizeof(ap->detail),
		    "explained by sales");
		return 0;
	}
	if (!acct->manual_accept) {
		/* restore a manual edit: forget the write it replaced, or
		 * the push would hold the difference back as sales the hub
		 * has not seen, and the listing would undersell for good */
		if (db_exec(db, "UPDATE channel_listings SET last_pushed_qty = "
		    "NULL, held_since = NULL WHERE id = ?", (struct db_val[]){
		    DBI(l.id) }, 1, NULL, NULL, e) == -1)
			return -1;
		ap->state = INBOX_APPLIED;
		(void)str_fmt(ap->detail, sizeof(ap->detail), "manual edit to "
		    "%lld: restoring the hub's figure", (long long)u.available);
		return push_queue_listing(db, l.id, e);
	}
	(void)str_fmt(key, sizeof(key), "%lld:level:%s", (long long)acct->id,
	    m->event_id);
	(void)str_fmt(source, sizeof(source), "shopify:%lld",
	    (long long)acct->id);
	ll.sku = l.sku;
	ll.kind = STOCK_ADJUST;
	ll.qty = delta;
	memset(&ev, 0, sizeof(ev));
	ev.key = key;
	ev.source = source;
	ev.reason = "manual edit in Shopify admin (accepted)";
	ev.lines = &ll;
	ev.nlines = 1;
	if (ledger_post_tx(db, &ev, push_touch, NULL, &res, e) == -1)
		return -1;
	ap->state = INBOX_APPLIED;
	(void)str_fmt(ap->detail, sizeof(ap->detail), "manual edit accepted: "
	    "adjusted by %lld", (long long)delta);
	return 0;
}

static int
apply_product(struct db *db, const struct channel_account *acct,
    const struct inbox_msg *m, struct apply *ap, struct err *e)
{
	struct shopify_product	 p;
	struct channel_listing	 l;
	struct ledger_item	 it;
	struct err		 ie;
	char			 vid[32], key[128], msg[256], det[512];
	size_t			 i;
	int			 rc = -1, found, alerts = 0;

	if (shopify_parse_product(m->body, m->len, &p, e) == -1)
		return -1;
	for (i = 0; i < p.nvariants; i++) {
		const struct shopify_product_variant *v = &p.variants[i];

		idstr(vid, sizeof(vid), v->id);
		if ((found = channel_listing_find(db, acct->id, vid, "", &l,
		    e)) == -1)
			goto out;
		if (found && strcmp(l.channel_sku, v->sku) == 0)
			continue;
		(void)str_fmt(key, sizeof(key), "%s:%lld:%lld", found ?
		    "sku_drift" : "unmapped_variant", (long long)acct->id,
		    (long long)v->id);
		if (found)
			(void)str_fmt(msg, sizeof(msg), "%s: variant %lld's SKU "
			    "changed from '%s' to '%s'", acct->name,
			    (long long)v->id, l.channel_sku, v->sku);
		else
			(void)str_fmt(msg, sizeof(msg), "%s: variant %lld "
			    "('%s', SKU '%s') is not in the SKU map",
			    acct->name, (long long)v->id, v->title, v->sku);
		/* an exact SKU match is the only suggestion ever made */
		err_clear(&ie);
		(void)str_fmt(det, sizeof(det), "product %lld '%s'. %s",
		    (long long)p.id, p.title, v->sku[0] != '\0' &&
		    ledger_item_get(db, v->sku, &it, &ie) == 0 ?
		    "Suggestion: the hub has this exact SKU; map it." :
		    "No hub SKU matches exactly.");
		if (alert_raise(db, found ? "sku_drift" : "unmapped_variant",
		    key, acct->id, found ? l.item_id : 0, msg, det, e) == -1)
			goto out;
		alerts++;
	}
	ap->state = INBOX_APPLIED;
	(void)str_fmt(ap->detail, sizeof(ap->detail), "%d mapping alert(s)",
	    alerts);
	rc = 0;
out:
	shopify_product_free(&p);
	return rc;
}

static int
apply_fn(struct db *db, void *arg, struct err *e)
{
	struct apply		*ap = arg;
	struct channel_account	 acct;
	struct inbox_msg	 m;
	enum shopify_topic	 t;
	int			 rc;

	ap->deferred = 0;
	ap->detail[0] = '\0';
	memset(&acct, 0, sizeof(acct));
	if ((rc = inbox_lock(db, ap->inbox_id, &m, e)) != 1)
		return rc;
	rc = -1;
	if (channel_account_load(db, ap->cfg, m.account_id, &acct, e) == -1)
		goto out;
	if (shopify_topic_parse(m.topic, &t) == -1) {
		rc = inbox_mark(db, m.id, INBOX_IGNORED, "topic not used", e);
		goto out;
	}
	switch (t) {
	case SHOPIFY_TOPIC_ORDERS_CREATE:
		rc = apply_order(db, &acct, &m, 0, ap, e);
		break;
	case SHOPIFY_TOPIC_ORDERS_CANCELLED:
		rc = apply_order(db, &acct, &m, 1, ap, e);
		break;
	case SHOPIFY_TOPIC_REFUNDS_CREATE:
		rc = apply_refund(db, &acct, &m, ap, e);
		break;
	case SHOPIFY_TOPIC_INVENTORY_LEVELS_UPDATE:
		rc = apply_level(db, &acct, &m, ap, e);
		break;
	case SHOPIFY_TOPIC_FULFILLMENTS_CREATE:
		rc = apply_fulfillment(db, &acct, &m, ap, e);
		break;
	default:
		rc = apply_product(db, &acct, &m, ap, e);
		break;
	}
	if (rc == 0 && !ap->deferred)
		rc = inbox_mark(db, m.id, ap->state, ap->detail, e);
out:
	channel_account_free(&acct);
	inbox_msg_free(&m);
	return rc;
}

/* A payload that cannot be applied at all is marked failed, with an
 * alert, in a transaction of its own (the apply one was rolled back). */
static int
mark_failed(struct db *db, int64_t id, const struct err *why)
{
	struct err	 e;
	char		 key[64];

	(void)str_fmt(key, sizeof(key), "webhook_failed:%lld", (long long)id);
	if (db_begin(db, &e) == -1)
		return -1;
	if (inbox_mark(db, id, INBOX_FAILED, why->msg, &e) == -1 ||
	    alert_raise(db, "webhook_failed", key, 0, 0, "a Shopify webhook "
	    "could not be applied", why->msg, &e) == -1 ||
	    db_commit(db, &e) == -1) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
shopify_hook_apply(struct db *db, const struct config *cfg, int64_t id,
    int settle_now, int *deferred, struct err *e)
{
	struct apply	 ap;

	memset(&ap, 0, sizeof(ap));
	ap.cfg = cfg;
	ap.inbox_id = id;
	ap.settle_now = settle_now;
	if (db_tx(db, apply_fn, &ap, e) == -1) {
		/* bad content never gets better: record it; anything else
		 * stays 'new' for the tick */
		if (e != NULL && e->kind == ERR_INVALID)
			(void)mark_failed(db, id, e);
		return -1;
	}
	if (deferred != NULL)
		*deferred = ap.deferred;
	return 0;
}

int
shopify_hook_pending(struct db *db, const struct config *cfg, int *applied,
    struct err *e)
{
	int64_t		 ids[100];
	size_t		 n = 0, i;
	int		 deferred;
	struct err	 ie;

	*applied = 0;
	/* a few seconds old: the receiver is done with them */
	if (inbox_pending_type(db, "shopify", 5, ids, 100, &n, e) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (shopify_hook_apply(db, cfg, ids[i], 0, &deferred,
		    &ie) == -1) {
			log_error("webhook %lld: %s", (long long)ids[i], ie.msg);
			continue;
		}
		*applied += !deferred;
	}
	return 0;
}

void
shopify_hook_receive(struct app *a, struct http_req *r)
{
	struct channel_account	 acct;
	struct push_stats	 st;
	struct err		 e;
	struct db		*db;
	const char		*hmac, *domain, *topic, *event, *at, *why = "";
	const char		*secret, *old;
	char			 worker[48];
	int64_t			 id = 0;
	int			 dup = 0, deferred = 0, applied;
	json_t			*j;

	memset(&acct, 0, sizeof(acct));
	err_clear(&e);
	hmac = http_header(r, "X-Shopify-Hmac-Sha256");
	domain = http_header(r, "X-Shopify-Shop-Domain");
	topic = http_header(r, "X-Shopify-Topic");
	event = http_header(r, "X-Shopify-Event-Id");
	if (event == NULL)
		event = http_header(r, "X-Shopify-Webhook-Id");
	at = http_header(r, "X-Shopify-Triggered-At");
	if (hmac == NULL || domain == NULL || topic == NULL) {
		http_error(r, 401, "unauthorized", "missing Shopify headers");
		return;
	}
	if ((db = app_db(a, r, 1, NULL)) == NULL)
		return;
	if (channel_account_find(db, &a->cfg, CHANNEL_SHOPIFY, domain, &acct,
	    &e) == -1) {
		if (e.kind == ERR_NOTFOUND)
			http_error(r, 401, "unauthorized", "unknown shop");
		else
			http_error_err(r, &e);
		return;
	}
	secret = json_string_value(json_object_get(acct.creds,
	    "webhook_secret"));
	old = json_string_value(json_object_get(acct.creds,
	    "webhook_secret_old"));
	/* over the raw bytes, before anything looks inside them */
	if (secret == NULL || !sig_shopify_verify2(secret, old, r->body,
	    r->body_len, hmac, &why)) {
		log_warn("shopify webhook for %s refused: %s", domain,
		    secret == NULL ? "no webhook secret configured" : why);
		http_error(r, 401, "unauthorized", "signature does not match");
		goto out;
	}
	if (event == NULL || event[0] == '\0') {
		http_error(r, 400, "invalid", "missing X-Shopify-Event-Id");
		goto out;
	}
	if (inbox_store(db, acct.id, event, topic, at, r->body, r->body_len,
	    &id, &dup, &e) == -1) {
		http_error_err(r, &e);
		goto out;
	}
	if (!dup && shopify_hook_apply(db, &a->cfg, id, 0, &deferred, &e) == -1)
		/* stored: the tick applies it; Shopify need not resend */
		log_error("webhook %s (%s) stored, not applied yet: %s", event,
		    topic, e.msg);
	j = json_pack("{s:s, s:s}", "status", dup ? "duplicate" : "accepted",
	    "request_id", r->reqid);
	if (j != NULL)
		http_json(r, 200, j);
	json_decref(j);
	log_info("shopify %s %s from %s: %s", topic, event, domain,
	    dup ? "duplicate" : deferred ? "deferred" : "accepted");
	if (dup)
		goto out;

	/* Shopify has its answer; now make the other channels follow */
	http_finish(r);
	(void)str_fmt(worker, sizeof(worker), "hooks:%ld", (long)getpid());
	if (push_run(db, &a->cfg, worker, push_now_ms() + PUSH_AFTER_MS, &st,
	    &e) == -1)
		log_error("pushes after webhook: %s", e.msg);
	(void)shopify_hook_pending(db, &a->cfg, &applied, &e);
out:
	channel_account_free(&acct);
}
