/*
 * etsy_hook: Etsy ORDER_PAID webhooks in (see etsy_hook.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "app.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "etsy.h"
#include "etsy_hook.h"
#include "etsy_poll.h"
#include "http.h"
#include "httpc.h"
#include "inbox.h"
#include "log.h"
#include "push.h"
#include "sig.h"
#include "str.h"

#define HOOK_PREFIX	"/hooks/etsy/"
#define SECRETS_MAX	8
#define EVENT_ID_MAX	128	/* webhook_inbox.event_id */
#define URL_MAX		1024
#define TOPIC		"order.paid"
#define PUSH_AFTER_MS	8000	/* pushes after a webhook, then the tick */

int
etsy_hook_parse(const char *body, size_t len, int64_t *receipt_id,
    int64_t *shop_id, struct err *e)
{
	json_t		*root;
	json_error_t	 je;
	const json_t	*u, *sid;
	const char	*url, *p;
	int		 rc = -1;

	*receipt_id = 0;
	*shop_id = 0;
	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL)
		return err_set(e, ERR_INVALID, "order.paid: not JSON (line %d "
		    "column %d)", je.line, je.column);
	if (!json_is_object(root)) {
		err_set(e, ERR_INVALID, "order.paid: not an object");
		goto out;
	}
	u = json_object_get(root, "resource_url");
	if (!json_is_string(u)) {
		err_set(e, ERR_INVALID, "order.paid: resource_url missing or "
		    "not a string");
		goto out;
	}
	url = json_string_value(u);
	if ((p = strstr(url, "/receipts/")) == NULL || str_to_i64(p + 10, 1,
	    INT64_MAX, receipt_id) == -1) {
		err_set(e, ERR_INVALID, "order.paid: resource_url does not end "
		    "in /receipts/<id>");
		goto out;
	}
	sid = json_object_get(root, "shop_id");
	if (json_is_integer(sid) && json_integer_value(sid) > 0)
		*shop_id = (int64_t)json_integer_value(sid);
	else if (json_is_string(sid) && str_to_i64(json_string_value(sid), 1,
	    INT64_MAX, shop_id) == -1) {
		err_set(e, ERR_INVALID, "order.paid: shop_id not a number");
		goto out;
	} else if (sid != NULL && !json_is_null(sid) && !json_is_string(sid) &&
	    !json_is_integer(sid)) {
		err_set(e, ERR_INVALID, "order.paid: shop_id not a number");
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* The account's webhook secrets (borrowed from creds); their count. */
static size_t
secrets(const struct channel_account *a, const char **out)
{
	const json_t	*arr = json_object_get(a->creds, "webhook_secrets");
	const json_t	*v;
	size_t		 i, n = 0;

	json_array_foreach(arr, i, v)
		if (n < SECRETS_MAX && json_is_string(v))
			out[n++] = json_string_value(v);
	v = json_object_get(a->creds, "webhook_secret");
	if (n < SECRETS_MAX && json_is_string(v))
		out[n++] = json_string_value(v);
	return n;
}

/* Read a stored delivery (its row is left as it is). 1 new, 0 not. */
struct peek {
	int64_t		 id;
	struct inbox_msg m;
	int		 isnew;
};

static int
peek_fn(struct db *db, void *arg, struct err *e)
{
	struct peek	*p = arg;
	int		 rc;

	inbox_msg_free(&p->m);
	memset(&p->m, 0, sizeof(p->m));
	if ((rc = inbox_lock(db, p->id, &p->m, e)) == -1)
		return -1;
	p->isnew = rc;
	return 0;
}

struct finish {
	const struct config	*cfg;
	int64_t			 id, account_id;
	enum inbox_state	 state;
	const char		*detail;
	const char		*body;	/* the receipt, for INBOX_APPLIED */
	size_t			 len;
	int			 committed;
};

static int
finish_fn(struct db *db, void *arg, struct err *e)
{
	struct finish	*f = arg;
	struct inbox_msg m;
	char		 det[64];
	int		 rc;

	memset(&m, 0, sizeof(m));
	f->committed = 0;
	if ((rc = inbox_lock(db, f->id, &m, e)) != 1)
		goto out;	/* applied meanwhile: nothing to do */
	rc = -1;
	if (f->state == INBOX_APPLIED) {
		if (etsy_poll_apply_receipt(db, f->cfg, f->account_id, f->body,
		    f->len, &f->committed, e) == -1)
			goto out;
		(void)str_fmt(det, sizeof(det), "%d line(s) committed",
		    f->committed);
		f->detail = det;
	}
	rc = inbox_mark(db, f->id, f->state, f->detail, e);
out:
	inbox_msg_free(&m);
	return rc;
}

static int
finish(struct db *db, struct finish *f, enum inbox_state st,
    const char *detail, struct err *e)
{
	f->state = st;
	f->detail = detail;
	return db_tx(db, finish_fn, f, e);
}

int
etsy_hook_apply(struct db *db, const struct config *cfg, int64_t id,
    struct err *e)
{
	struct peek		 p;
	struct finish		 f;
	struct channel_account	 acct;
	struct channel_ctx	 ctx = { 0 };
	struct channel_result	 r;
	struct etsy_session	 s;
	struct httpc_resp	 resp;
	struct err		 pe;
	char			 shop[32], url[URL_MAX], det[200];
	int64_t			 rid = 0, sid = 0, shop_id = 0;
	int			 rc, ret = -1;

	memset(&p, 0, sizeof(p));
	memset(&f, 0, sizeof(f));
	memset(&acct, 0, sizeof(acct));
	memset(&resp, 0, sizeof(resp));
	p.id = id;
	if (db_tx(db, peek_fn, &p, e) == -1)
		goto out;
	if (!p.isnew) {
		ret = 0;
		goto out;
	}
	f.cfg = cfg;
	f.id = id;
	f.account_id = p.m.account_id;
	if (channel_account_load(db, cfg, p.m.account_id, &acct, e) == -1)
		goto out;
	err_clear(&pe);
	if (etsy_hook_parse(p.m.body, p.m.len, &rid, &sid, &pe) == -1) {
		log_warn("etsy webhook %" PRId64 ": %s", id, pe.msg);
		ret = finish(db, &f, INBOX_FAILED, pe.msg, e);
		goto out;
	}
	if (etsy_shop_id(&acct, shop, sizeof(shop)) == -1 ||
	    str_to_i64(shop, 1, INT64_MAX, &shop_id) == -1) {
		ret = finish(db, &f, INBOX_FAILED, "the account has no numeric "
		    "shop id", e);
		goto out;
	}
	if (sid != 0 && sid != shop_id) {
		(void)str_fmt(det, sizeof(det), "order.paid for shop %" PRId64
		    ", the account is shop %" PRId64, sid, shop_id);
		log_warn("etsy webhook %" PRId64 ": %s", id, det);
		ret = finish(db, &f, INBOX_IGNORED, det, e);
		goto out;
	}
	if (acct.paused) {
		/* polling picks it up after the reconnect */
		ret = finish(db, &f, INBOX_IGNORED, "account paused; the poll "
		    "after the reconnect covers it", e);
		goto out;
	}

	/* getShopReceipt from the account's own host */
	ctx.db = db;
	ctx.cfg = cfg;
	ctx.acct = &acct;
	etsy_session_init(&s, &ctx, &r);
	s.purpose = BUDGET_POLL;
	(void)str_fmt(url, sizeof(url), "%s/v3/application/shops/%s/receipts/"
	    "%" PRId64, acct.base_url, shop, rid);
	if ((rc = etsy_session_token(&s, e)) == 0)
		rc = etsy_session_call(&s, "getShopReceipt", "GET", url, NULL,
		    NULL, 0, &resp, e);
	if (rc == -1)
		goto out;
	if (rc == 1) {
		if (r.outcome == CHANNEL_FAILED && strcmp(r.detail,
		    "revoked") == 0 && channel_account_revoked(db, acct.id,
		    acct.name, e) == -1)
			goto out;
		log_warn("etsy webhook %" PRId64 ": receipt %" PRId64 " not "
		    "fetched yet: %s", id, rid, r.detail);
		ret = 1;
		goto out;
	}
	if (resp.status == 404) {
		ret = finish(db, &f, INBOX_IGNORED, "receipt not found at "
		    "Etsy", e);
		goto out;
	}
	if (resp.status != 200) {
		etsy_error_message(resp.status, resp.body, resp.len, det,
		    sizeof(det));
		log_warn("etsy webhook %" PRId64 ": getShopReceipt %" PRId64
		    ": %s", id, rid, det);
		ret = 1;
		goto out;
	}
	f.body = resp.body;
	f.len = resp.len;
	if (finish(db, &f, INBOX_APPLIED, "", &pe) == -1) {
		if (pe.kind != ERR_INVALID) {
			if (e != NULL)
				*e = pe;
			goto out;
		}
		/* an answer that is not a receipt: the poll covers it */
		log_warn("etsy webhook %" PRId64 ": %s", id, pe.msg);
		ret = finish(db, &f, INBOX_FAILED, pe.msg, e);
		goto out;
	}
	if (f.committed > 0 && etsy_poll_note_sale(db, acct.id,
	    (int64_t)time(NULL), e) == -1)
		goto out;
	log_info("etsy webhook %" PRId64 ": receipt %" PRId64 " applied, %d "
	    "line(s) committed", id, rid, f.committed);
	ret = 0;
out:
	etsy_resp_free(&resp);
	inbox_msg_free(&p.m);
	channel_account_free(&acct);
	return ret;
}

int
etsy_hook_pending(struct db *db, const struct config *cfg, int *applied,
    struct err *e)
{
	int64_t		 ids[100];
	size_t		 n = 0, i;
	struct err	 ie;
	int		 rc;

	*applied = 0;
	if (inbox_pending_type(db, "etsy", 5, ids, 100, &n, e) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		err_clear(&ie);
		if ((rc = etsy_hook_apply(db, cfg, ids[i], &ie)) == -1)
			log_error("etsy webhook %" PRId64 ": %s", ids[i],
			    ie.msg);
		else if (rc == 0)
			(*applied)++;
	}
	return 0;
}

void
etsy_hook_receive(struct app *a, struct http_req *r)
{
	struct channel_account	 acct;
	struct push_stats	 st;
	struct err		 e;
	struct db		*db;
	const char		*hid, *hts, *hsig, *why = "no secret";
	const char		*sec[SECRETS_MAX];
	char			 worker[48];
	int64_t			 acct_id = 0, id = 0;
	size_t			 nsec, i;
	int			 dup = 0, valid = 0, rc;
	json_t			*j;

	memset(&acct, 0, sizeof(acct));
	err_clear(&e);
	if (strncmp(r->path, HOOK_PREFIX, strlen(HOOK_PREFIX)) != 0 ||
	    str_to_i64(r->path + strlen(HOOK_PREFIX), 1, INT64_MAX,
	    &acct_id) == -1) {
		http_error(r, 404, "not_found", "use /hooks/etsy/<account id>");
		return;
	}
	hid = http_header(r, "webhook-id");
	hts = http_header(r, "webhook-timestamp");
	hsig = http_header(r, "webhook-signature");
	if (hid == NULL || hts == NULL || hsig == NULL) {
		log_warn("etsy webhook for account %" PRId64 " refused: "
		    "missing Standard Webhooks headers", acct_id);
		http_error(r, 401, "unauthorized", "missing webhook-id, "
		    "webhook-timestamp or webhook-signature");
		return;
	}
	if ((db = app_db(a, r, 1, NULL)) == NULL)
		return;
	if (channel_account_load(db, &a->cfg, acct_id, &acct, &e) == -1 ||
	    acct.type != CHANNEL_ETSY) {
		if (e.kind == ERR_NOTFOUND || e.kind == ERR_OK) {
			log_warn("etsy webhook refused: no Etsy account %"
			    PRId64, acct_id);
			http_error(r, 401, "unauthorized", "unknown account");
		} else
			http_error_err(r, &e);
		goto out;
	}
	/* over the raw bytes, before anything looks inside them; every
	 * secret is tried, so the time does not tell which one matched */
	nsec = secrets(&acct, sec);
	for (i = 0; i < nsec; i++)
		if (sig_stdwh_verify(sec[i], hid, hts, hsig, r->body,
		    r->body_len, (int64_t)time(NULL), &why))
			valid = 1;
	if (!valid) {
		log_warn("etsy webhook for account %" PRId64 " refused: %s",
		    acct_id, nsec == 0 ? "no webhook secret configured" : why);
		http_error(r, 401, "unauthorized", "signature does not match");
		goto out;
	}
	if (strlen(hid) > EVENT_ID_MAX) {
		http_error(r, 400, "invalid", "webhook-id longer than 128");
		goto out;
	}
	if (inbox_store(db, acct.id, hid, TOPIC, hts, r->body, r->body_len,
	    &id, &dup, &e) == -1) {
		http_error_err(r, &e);
		goto out;
	}
	j = json_pack("{s:s, s:s}", "status", dup ? "duplicate" : "accepted",
	    "request_id", r->reqid);
	if (j != NULL)
		http_json(r, 200, j);
	json_decref(j);
	log_info("etsy order.paid %s for account %" PRId64 ": %s", hid,
	    acct_id, dup ? "duplicate" : "accepted");
	if (dup)
		goto out;

	/* Etsy has its answer; fetch the receipt, apply it, push */
	http_finish(r);
	if ((rc = etsy_hook_apply(db, &a->cfg, id, &e)) == -1)
		log_error("etsy webhook %s stored, not applied yet: %s", hid,
		    e.msg);
	(void)str_fmt(worker, sizeof(worker), "hooks:%ld", (long)getpid());
	if (rc == 0 && push_run(db, &a->cfg, worker, push_now_ms() +
	    PUSH_AFTER_MS, &st, &e) == -1)
		log_error("pushes after etsy webhook: %s", e.msg);
out:
	channel_account_free(&acct);
}
