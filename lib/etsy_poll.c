/*
 * etsy_poll: Etsy receipts polling and the cancellation sweep (see
 * etsy_poll.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "alert.h"
#include "budget.h"
#include "buf.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "etsy.h"
#include "etsy_poll.h"
#include "httpc.h"
#include "ledger.h"
#include "log.h"
#include "orders.h"
#include "push.h"
#include "str.h"

#define URL_MAX		1024
#define LEASE_S		120

/* ------------------------------------------------------------------ */
/* parse (pure)                                                        */
/* ------------------------------------------------------------------ */

static int
bad(struct err *e, const char *path, const char *key, const char *why)
{
	return err_set(e, ERR_INVALID, "etsy receipts: %s%s%s: %s", path,
	    *path != '\0' && *key != '\0' ? "." : "", key, why);
}

/* An integer member: 1 set, 0 absent or null (when allowed), -1 refused. */
static int
get_int(const json_t *o, const char *key, int64_t min, int required,
    int64_t *out, const char *path, struct err *e)
{
	const json_t	*v = json_object_get(o, key);

	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		return bad(e, path, key, v == NULL ? "missing" :
		    "must not be null");
	}
	if (!json_is_integer(v))
		return bad(e, path, key, "not an integer");
	if (json_integer_value(v) < min)
		return bad(e, path, key, "out of range");
	*out = (int64_t)json_integer_value(v);
	return 1;
}

/* A string member copied (shortened to fit when trunc, else refused):
 * 1 set, 0 absent or null (out ""), -1 refused. */
static int
get_str(const json_t *o, const char *key, char *out, size_t sz, int trunc,
    const char *path, struct err *e)
{
	const json_t	*v = json_object_get(o, key);
	const char	*s;

	out[0] = '\0';
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad(e, path, key, "not a string");
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return bad(e, path, key, "has a NUL");
	if (str_copy(out, sz, s) == -1 && !trunc)
		return bad(e, path, key, "too long");
	return 1;
}

static int
cmp_var(const void *a, const void *b)
{
	return strcmp(((const struct etsy_poll_var *)a)->name,
	    ((const struct etsy_poll_var *)b)->name);
}

int
etsy_poll_variation_key(const struct etsy_poll_var *v, size_t n, char *out,
    size_t outsz)
{
	struct etsy_poll_var	 s[ETSY_POLL_VARS_MAX];
	struct buf		 k;
	size_t			 i;
	int			 rc = -1;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	if (n > ETSY_POLL_VARS_MAX)
		return -1;
	if (n > 0)
		memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_var);
	buf_init(&k, outsz - 1);
	if (buf_puts(&k, "") == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (buf_printf(&k, "%s%s=%s", i > 0 ? ";" : "", s[i].name,
		    s[i].value) == -1)
			goto out;
	if (str_copy(out, outsz, k.data) == -1)
		goto out;
	rc = 0;
out:
	buf_free(&k);
	if (rc == -1)
		out[0] = '\0';
	return rc;
}

/* variations[]: {property_id, formatted_name, formatted_value,
 * question_id}; personalizations (question_id set) are not variations. */
static int
parse_variations(const json_t *a, struct etsy_poll_txn *t, const char *path,
    struct err *e)
{
	struct etsy_poll_var	 v[ETSY_POLL_VARS_MAX];
	char			 p[160], q[192];
	const json_t		*x;
	size_t			 i, n = 0;
	int64_t			 pid = 0, qid = 0;

	(void)str_fmt(p, sizeof(p), "%s.variations", path);
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return bad(e, p, "", "not an array");
	json_array_foreach(a, i, x) {
		(void)str_fmt(q, sizeof(q), "%s[%zu]", p, i);
		if (!json_is_object(x))
			return bad(e, q, "", "not an object");
		if (get_int(x, "question_id", 0, 0, &qid, q, e) == -1)
			return -1;
		if (json_object_get(x, "question_id") != NULL &&
		    !json_is_null(json_object_get(x, "question_id")))
			continue;
		if (n == ETSY_POLL_VARS_MAX)
			return bad(e, p, "", "too many variations");
		pid = 0;
		if (get_int(x, "property_id", 0, 0, &pid, q, e) == -1 ||
		    get_str(x, "formatted_name", v[n].name,
		    sizeof(v[n].name), 0, q, e) == -1 ||
		    get_str(x, "formatted_value", v[n].value,
		    sizeof(v[n].value), 0, q, e) == -1)
			return -1;
		if (v[n].name[0] == '\0')
			(void)str_fmt(v[n].name, sizeof(v[n].name), "%" PRId64,
			    pid);
		n++;
	}
	if (etsy_poll_variation_key(v, n, t->variant, sizeof(t->variant)) ==
	    -1)
		return bad(e, p, "", "variation key too long");
	return 0;
}

/* product_data[]: ListingPropertyValue, the inventory's own shape. */
static int
parse_product_data(const json_t *a, struct etsy_poll_txn *t,
    const char *path, struct err *e)
{
	struct etsy_poll_var	 v[ETSY_POLL_VARS_MAX];
	char			 p[160], q[192];
	const json_t		*x, *vals, *s;
	size_t			 i, j, n = 0;
	int64_t			 pid;
	struct buf		 b;
	int			 rc;

	(void)str_fmt(p, sizeof(p), "%s.product_data", path);
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return bad(e, p, "", "not an array");
	json_array_foreach(a, i, x) {
		(void)str_fmt(q, sizeof(q), "%s[%zu]", p, i);
		if (!json_is_object(x))
			return bad(e, q, "", "not an object");
		if (n == ETSY_POLL_VARS_MAX)
			return bad(e, p, "", "too many properties");
		pid = 0;
		if (get_int(x, "property_id", 0, 0, &pid, q, e) == -1 ||
		    get_str(x, "property_name", v[n].name, sizeof(v[n].name),
		    0, q, e) == -1)
			return -1;
		if (v[n].name[0] == '\0')
			(void)str_fmt(v[n].name, sizeof(v[n].name), "%" PRId64,
			    pid);
		vals = json_object_get(x, "values");
		if (vals != NULL && !json_is_array(vals))
			return bad(e, q, "values", "not an array");
		buf_init(&b, sizeof(v[n].value) - 1);
		rc = buf_puts(&b, "");
		json_array_foreach(vals, j, s) {
			if (!json_is_string(s)) {
				buf_free(&b);
				return bad(e, q, "values", "not strings");
			}
			if (rc == 0)
				rc = buf_printf(&b, "%s%s", j > 0 ? "," : "",
				    json_string_value(s));
		}
		if (rc == -1) {
			buf_free(&b);
			return bad(e, q, "values", "too long");
		}
		(void)str_copy(v[n].value, sizeof(v[n].value), b.data);
		buf_free(&b);
		n++;
	}
	if (etsy_poll_variation_key(v, n, t->variant_pd,
	    sizeof(t->variant_pd)) == -1)
		return bad(e, p, "", "variation key too long");
	return 0;
}

static int
parse_txn(const json_t *o, struct etsy_poll_txn *t, const char *path,
    struct err *e)
{
	if (!json_is_object(o))
		return bad(e, path, "", "not an object");
	if (get_int(o, "transaction_id", 1, 1, &t->transaction_id, path,
	    e) == -1 ||
	    get_int(o, "listing_id", 0, 0, &t->listing_id, path, e) == -1 ||
	    get_int(o, "quantity", 0, 1, &t->quantity, path, e) == -1 ||
	    get_str(o, "sku", t->sku, sizeof(t->sku), 0, path, e) == -1 ||
	    get_str(o, "title", t->title, sizeof(t->title), 1, path, e) ==
	    -1 ||
	    parse_variations(json_object_get(o, "variations"), t, path,
	    e) == -1 ||
	    parse_product_data(json_object_get(o, "product_data"), t, path,
	    e) == -1)
		return -1;
	if (t->quantity > 1000000)
		return bad(e, path, "quantity", "out of range");
	return 0;
}

static int
parse_refunds(const json_t *a, struct etsy_poll_receipt *r, const char *path,
    struct err *e)
{
	char		 p[160], q[192];
	const json_t	*x, *m;
	size_t		 i;
	int64_t		 amt, div;

	(void)str_fmt(p, sizeof(p), "%s.refunds", path);
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return bad(e, p, "", "not an array");
	json_array_foreach(a, i, x) {
		(void)str_fmt(q, sizeof(q), "%s[%zu]", p, i);
		if (!json_is_object(x))
			return bad(e, q, "", "not an object");
		m = json_object_get(x, "amount");
		if (m != NULL && !json_is_null(m)) {
			if (!json_is_object(m))
				return bad(e, q, "amount", "not an object");
			(void)str_fmt(q, sizeof(q), "%s[%zu].amount", p, i);
			amt = 0;
			div = 1;
			if (get_int(m, "amount", 0, 1, &amt, q, e) == -1 ||
			    get_int(m, "divisor", 1, 1, &div, q, e) == -1 ||
			    get_str(m, "currency_code", r->currency,
			    sizeof(r->currency), 1, q, e) == -1)
				return -1;
			if (r->refund_divisor == 0)
				r->refund_divisor = div;
			/* one currency and divisor per shop */
			if (div == r->refund_divisor &&
			    amt < INT64_MAX / 2 - r->refunded)
				r->refunded += amt;
		}
		r->nrefunds++;
	}
	return 0;
}

static void
receipt_free(struct etsy_poll_receipt *r)
{
	free(r->txns);
	memset(r, 0, sizeof(*r));
}

static int
parse_receipt(const json_t *o, struct etsy_poll_receipt *r,
    const char *path, struct err *e)
{
	char		 p[192];
	const json_t	*txns, *x;
	size_t		 i;
	int		 rc;

	if (!json_is_object(o))
		return bad(e, path, "", "not an object");
	if (get_int(o, "receipt_id", 1, 1, &r->receipt_id, path, e) == -1 ||
	    get_str(o, "status", r->status, sizeof(r->status), 0, path,
	    e) == -1)
		return -1;
	if ((rc = get_int(o, "updated_timestamp", 0, 0, &r->updated, path,
	    e)) == -1)
		return -1;
	if (rc == 0 && get_int(o, "update_timestamp", 0, 1, &r->updated,
	    path, e) == -1)
		return -1;
	if ((rc = get_int(o, "created_timestamp", 0, 0, &r->created, path,
	    e)) == -1)
		return -1;
	if (rc == 0 && get_int(o, "create_timestamp", 0, 0, &r->created,
	    path, e) == -1)
		return -1;
	r->canceled = strcmp(r->status, "canceled") == 0;
	if (parse_refunds(json_object_get(o, "refunds"), r, path, e) == -1)
		return -1;
	txns = json_object_get(o, "transactions");
	if (txns == NULL || json_is_null(txns))
		return 0;
	if (!json_is_array(txns))
		return bad(e, path, "transactions", "not an array");
	if (json_array_size(txns) > ETSY_POLL_TXNS_MAX)
		return bad(e, path, "transactions", "too many");
	if (json_array_size(txns) == 0)
		return 0;
	if ((r->txns = calloc(json_array_size(txns), sizeof(*r->txns))) ==
	    NULL)
		return err_set(e, ERR_SYS, "out of memory");
	json_array_foreach(txns, i, x) {
		(void)str_fmt(p, sizeof(p), "%s.transactions[%zu]", path, i);
		if (parse_txn(x, &r->txns[i], p, e) == -1)
			return -1;
		r->ntxns++;
	}
	return 0;
}

int
etsy_poll_page_parse(const char *body, size_t len, int single,
    struct etsy_poll_page *pg, struct err *e)
{
	json_t		*root;
	const json_t	*res, *x;
	json_error_t	 je;
	char		 p[32];
	size_t		 i, n;
	int		 rc = -1;

	memset(pg, 0, sizeof(*pg));
	pg->count = -1;
	if (body == NULL || (root = json_loadb(body, len, 0, &je)) == NULL)
		return err_set(e, ERR_RETRY, "etsy receipts: not JSON (a "
		    "truncated answer?)");
	if (!json_is_object(root)) {
		bad(e, "", "(root)", "not an object");
		goto out;
	}
	if (single) {
		if ((pg->receipts = calloc(1, sizeof(*pg->receipts))) == NULL) {
			err_set(e, ERR_SYS, "out of memory");
			goto out;
		}
		if (parse_receipt(root, &pg->receipts[0], "", e) == -1) {
			receipt_free(&pg->receipts[0]);
			goto out;
		}
		pg->n = 1;
		pg->count = 1;
		rc = 0;
		goto out;
	}
	if (get_int(root, "count", 0, 0, &pg->count, "", e) == -1)
		goto out;
	res = json_object_get(root, "results");
	if (!json_is_array(res)) {
		bad(e, "", "results", res == NULL ? "missing" :
		    "not an array");
		goto out;
	}
	if ((n = json_array_size(res)) > ETSY_POLL_LIMIT) {
		bad(e, "", "results", "more than 100 receipts");
		goto out;
	}
	if (n > 0 && (pg->receipts = calloc(n, sizeof(*pg->receipts))) ==
	    NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	json_array_foreach(res, i, x) {
		(void)str_fmt(p, sizeof(p), "results[%zu]", i);
		if (parse_receipt(x, &pg->receipts[i], p, e) == -1) {
			receipt_free(&pg->receipts[i]);
			goto out;
		}
		pg->n++;
	}
	rc = 0;
out:
	json_decref(root);
	if (rc == -1)
		etsy_poll_page_free(pg);
	return rc;
}

void
etsy_poll_page_free(struct etsy_poll_page *pg)
{
	size_t	 i;

	if (pg == NULL)
		return;
	for (i = 0; i < pg->n; i++)
		receipt_free(&pg->receipts[i]);
	free(pg->receipts);
	memset(pg, 0, sizeof(*pg));
}

/* ------------------------------------------------------------------ */
/* arithmetic (pure)                                                   */
/* ------------------------------------------------------------------ */

int64_t
etsy_poll_window_start(int64_t watermark, int64_t overlap_s)
{
	int64_t	 w;

	if (overlap_s < 0)
		overlap_s = 0;
	w = watermark - overlap_s;
	return w < ETSY_POLL_EPOCH_MIN ? ETSY_POLL_EPOCH_MIN : w;
}

int64_t
etsy_poll_next_watermark(int64_t confirmed, int64_t max_seen)
{
	return max_seen > confirmed ? max_seen : confirmed;
}

int64_t
etsy_poll_interval(int64_t interval_s, int64_t reserve_pct,
    int64_t remaining_today, int64_t limit_per_day)
{
	int64_t	 iv = interval_s > 0 ? interval_s : 60;

	if (remaining_today == 0)
		return iv > 600 ? iv : 600;
	if (remaining_today > 0 && limit_per_day > 0 && reserve_pct > 0 &&
	    remaining_today < limit_per_day / 100 * reserve_pct +
	    limit_per_day % 100 * reserve_pct / 100)
		return iv * ETSY_POLL_SLOW_FACTOR;
	return iv;
}

int
etsy_poll_due(int64_t now, int64_t last_attempt, int64_t not_before,
    int64_t interval_s)
{
	int64_t	 slack = interval_s / 6 < 10 ? interval_s / 6 : 10;

	if (now < not_before)
		return 0;
	return last_attempt <= 0 || now - last_attempt >= interval_s - slack;
}

/* ------------------------------------------------------------------ */
/* the database side                                                   */
/* ------------------------------------------------------------------ */

struct pstate {
	int64_t	 watermark, last_attempt, not_before, last_sweep;
	int64_t	 remaining_today, limit_per_day;
	int64_t	 interval_s, overlap_s, sweep_every_s, sweep_days;
	int64_t	 refund_days, reserve_pct;
	int	 restock;
	/* cadence and budget (sql/008) */
	struct budget_cadence	 cad;
	int64_t	 per_day, poll_used;
	struct budget_split	 split;
};

static int
state_load(struct db *db, int64_t acct, struct pstate *s, struct err *e)
{
	struct db_res	*r;
	int		 rc;

	/* the first poll starts where the account was connected: sales
	 * before it were in the stock count the hub started from */
	if (db_exec(db, "INSERT IGNORE INTO etsy_poll_state (account_id, "
	    "watermark) SELECT id, FLOOR(UNIX_TIMESTAMP(created_at)) FROM "
	    "channel_accounts WHERE id = ?", (struct db_val[]){ DBI(acct) },
	    1, NULL, NULL, e) == -1)
		return -1;
	r = db_query(db, "SELECT watermark, last_attempt_at, not_before, "
	    "last_sweep_at, remaining_today, limit_per_day, interval_s, "
	    "overlap_s, sweep_every_s, sweep_days, refund_days, reserve_pct, "
	    "cancel_policy = 'restock' FROM etsy_poll_state WHERE "
	    "account_id = ?", (struct db_val[]){ DBI(acct) }, 1, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 1) {
		s->watermark = db_col_i64(r, 0);
		s->last_attempt = db_col_i64(r, 1);
		s->not_before = db_col_i64(r, 2);
		s->last_sweep = db_col_i64(r, 3);
		s->remaining_today = db_col_null(r, 4) ? -1 : db_col_i64(r, 4);
		s->limit_per_day = db_col_null(r, 5) ? -1 : db_col_i64(r, 5);
		s->interval_s = db_col_i64(r, 6);
		s->overlap_s = db_col_i64(r, 7);
		s->sweep_every_s = db_col_i64(r, 8);
		s->sweep_days = db_col_i64(r, 9);
		s->refund_days = db_col_i64(r, 10);
		s->reserve_pct = db_col_i64(r, 11);
		s->restock = db_col_i64(r, 12) != 0;
	} else if (rc == 0)
		rc = err_set(e, ERR_NOTFOUND, "no such account");
	db_res_free(r);
	if (rc != 1)
		return -1;
	budget_cadence_default(&s->cad);
	budget_split_default(&s->split);
	s->per_day = BUDGET_PER_DAY;
	r = db_query(db, "SELECT high_traffic, min_interval_s, "
	    "busy_interval_s, quiet_interval_s, last_sale_at, per_day, "
	    "poll_pct, push_pct, recon_pct, (SELECT COALESCE(SUM(n), 0) FROM "
	    "etsy_api_calls c WHERE c.account_id = p.account_id AND c.day = "
	    "UTC_DATE() AND c.purpose = 'poll') FROM etsy_poll_state p WHERE "
	    "account_id = ?", (struct db_val[]){ DBI(acct) }, 1, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 1) {
		s->cad.high_traffic = db_col_i64(r, 0) != 0;
		s->cad.min_s = db_col_i64(r, 1);
		s->cad.busy_s = db_col_i64(r, 2);
		s->cad.quiet_s = db_col_i64(r, 3);
		s->cad.last_sale = db_col_i64(r, 4);
		s->per_day = db_col_i64(r, 5);
		s->split.pct[BUDGET_POLL] = (int)db_col_i64(r, 6);
		s->split.pct[BUDGET_PUSH] = (int)db_col_i64(r, 7);
		s->split.pct[BUDGET_RECON] = (int)db_col_i64(r, 8);
		s->poll_used = db_col_i64(r, 9);
	}
	db_res_free(r);
	if (rc == -1)
		return -1;
	if (budget_split_valid(&s->split) == -1)
		budget_split_default(&s->split);
	if (s->limit_per_day > 0 && s->limit_per_day < s->per_day)
		s->per_day = s->limit_per_day;
	s->cad.normal_s = s->interval_s;
	return 0;
}

int64_t
etsy_poll_cadence(const struct etsy_poll_cadence_in *in)
{
	struct budget_cadence	 c = in->cad;
	int64_t			 share, day, sweeps, iv;

	share = budget_share(in->per_day, &in->split, BUDGET_POLL);
	c.poll_left = share - in->poll_used;
	if (c.poll_left < 0)
		c.poll_left = 0;
	/* the sweep's two calls every sweep_every_s until the day ends */
	day = budget_day_left(c.now);
	sweeps = in->sweep_every_s > 0 ? day / in->sweep_every_s + 1 : 0;
	c.reserve = sweeps * 2;
	iv = budget_interval(&c);
	return etsy_poll_interval(iv, in->reserve_pct, in->remaining_today,
	    in->limit_per_day);
}

static int64_t
pstate_interval(const struct pstate *ps, int64_t now)
{
	struct etsy_poll_cadence_in	 in;

	memset(&in, 0, sizeof(in));
	in.cad = ps->cad;
	in.cad.now = now;
	in.per_day = ps->per_day;
	in.split = ps->split;
	in.poll_used = ps->poll_used;
	in.sweep_every_s = ps->sweep_every_s;
	in.reserve_pct = ps->reserve_pct;
	in.remaining_today = ps->remaining_today;
	in.limit_per_day = ps->limit_per_day;
	return etsy_poll_cadence(&in);
}

/* Take the account for this poll: 1 taken, 0 another poller has it. */
static int
state_claim(struct db *db, int64_t acct, int64_t now, struct err *e)
{
	uint64_t	 n = 0;

	if (db_exec(db, "UPDATE etsy_poll_state SET lease_until = ?, "
	    "last_attempt_at = ?, dirty = 1 WHERE account_id = ? AND "
	    "lease_until < ?", (struct db_val[]){ DBI(now + LEASE_S),
	    DBI(now), DBI(acct), DBI(now) }, 4, &n, NULL, e) == -1)
		return -1;
	return n == 1;
}

static struct db_val
opt_i64(int64_t v)
{
	return v >= 0 ? DBI(v) : DBN;
}

static int
state_done(struct db *db, int64_t acct, int ok, int64_t watermark,
    int64_t now, int64_t not_before, const char *error,
    const struct etsy_rate *rate, struct err *e)
{
	if (ok)
		return db_exec(db, "UPDATE etsy_poll_state SET watermark = "
		    "GREATEST(watermark, ?), dirty = 0, failures = 0, "
		    "last_success_at = ?, last_error = '', lease_until = 0, "
		    "remaining_today = COALESCE(?, remaining_today), "
		    "limit_per_day = COALESCE(?, limit_per_day) WHERE "
		    "account_id = ?", (struct db_val[]){ DBI(watermark),
		    DBI(now), opt_i64(rate->remaining_today),
		    opt_i64(rate->limit_per_day), DBI(acct) }, 5, NULL, NULL,
		    e);
	return db_exec(db, "UPDATE etsy_poll_state SET dirty = 1, failures = "
	    "failures + 1, last_error = LEFT(?, 255), not_before = "
	    "GREATEST(not_before, ?), lease_until = 0, remaining_today = "
	    "COALESCE(?, remaining_today), limit_per_day = COALESCE(?, "
	    "limit_per_day) WHERE account_id = ?", (struct db_val[]){
	    DBS(error), DBI(not_before), opt_i64(rate->remaining_today),
	    opt_i64(rate->limit_per_day), DBI(acct) }, 5, NULL, NULL, e);
}

/*
 * Note something told to a person: 1 when it is new (or n grew), 0 when
 * it was noted already.
 */
static int
mark_new(struct db *db, int64_t acct, const char *mark, int64_t n,
    struct err *e)
{
	int64_t	 had = 0;
	int	 rc;

	if ((rc = db_query_i64(db, "SELECT n FROM etsy_poll_marks WHERE "
	    "account_id = ? AND mark = ? FOR UPDATE", (struct db_val[]){
	    DBI(acct), DBS(mark) }, 2, &had, e)) == -1)
		return -1;
	if (rc == 1 && had >= n)
		return 0;
	if (db_exec(db, "INSERT INTO etsy_poll_marks (account_id, mark, n) "
	    "VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE n = VALUES(n), at = "
	    "CURRENT_TIMESTAMP(6)", (struct db_val[]){ DBI(acct), DBS(mark),
	    DBI(n) }, 3, NULL, NULL, e) == -1)
		return -1;
	return 1;
}

/* The listing id of a mapping, by exact variation key: 1, 0, -1. */
static int
find_by_key(struct db *db, int64_t acct, const char *lid, const char *key,
    int64_t *id, struct err *e)
{
	return db_query_i64(db, "SELECT id FROM channel_listings WHERE "
	    "account_id = ? AND ext_listing = ? AND ext_variant = ?",
	    (struct db_val[]){ DBI(acct), DBS(lid), DBS(key) }, 3, id, e);
}

/*
 * The mapping a transaction sold: by (listing_id, variation key from
 * variations[]), then from product_data[], then by the SKU when exactly
 * one mapping of that listing has it. 1 found, 0 unmapped, -1 error.
 */
static int
find_listing(struct db *db, int64_t acct, const struct etsy_poll_txn *t,
    struct channel_listing *l, struct err *e)
{
	char		 lid[32];
	int64_t		 id = 0, n = 0;
	int		 rc;

	if (t->listing_id <= 0)
		return 0;
	(void)str_fmt(lid, sizeof(lid), "%" PRId64, t->listing_id);
	if ((rc = find_by_key(db, acct, lid, t->variant, &id, e)) == 0 &&
	    strcmp(t->variant_pd, t->variant) != 0)
		rc = find_by_key(db, acct, lid, t->variant_pd, &id, e);
	if (rc == 0 && t->sku[0] != '\0') {
		if (db_query_i64(db, "SELECT COUNT(*) FROM channel_listings "
		    "WHERE account_id = ? AND ext_listing = ? AND channel_sku "
		    "= ?", (struct db_val[]){ DBI(acct), DBS(lid),
		    DBS(t->sku) }, 3, &n, e) == -1)
			return -1;
		if (n == 1)
			rc = db_query_i64(db, "SELECT id FROM channel_listings "
			    "WHERE account_id = ? AND ext_listing = ? AND "
			    "channel_sku = ?", (struct db_val[]){ DBI(acct),
			    DBS(lid), DBS(t->sku) }, 3, &id, e);
	}
	if (rc != 1)
		return rc;
	return channel_listing_load(db, id, l, e) == -1 ? -1 : 1;
}

/* ------------------------------------------------------------------ */
/* applying a page                                                     */
/* ------------------------------------------------------------------ */

enum mode { MODE_POLL, MODE_SWEEP };

struct apply {
	const struct channel_account	*acct;
	const struct etsy_poll_page	*pg;
	enum mode			 mode;
	int				 restock;
	/* counts of this transaction attempt (db_tx may rerun it) */
	int				 committed, released, unmapped;
	int				 refunds;
};

static int
unmapped_sale(struct db *db, struct apply *ap,
    const struct etsy_poll_receipt *r, const struct etsy_poll_txn *t,
    struct err *e)
{
	char	 mark[64], key[128], msg[256], det[1024];
	int	 rc;

	(void)str_fmt(mark, sizeof(mark), "unmapped:%" PRId64,
	    t->transaction_id);
	if ((rc = mark_new(db, ap->acct->id, mark, 1, e)) != 1)
		return rc;
	(void)str_fmt(key, sizeof(key), "unmapped_sale:%" PRId64 ":%" PRId64,
	    ap->acct->id, t->transaction_id);
	(void)str_fmt(msg, sizeof(msg), "%s sold %" PRId64 " x listing %"
	    PRId64 " '%s' (SKU '%s') that the SKU map does not know; stock "
	    "was not counted", ap->acct->name, t->quantity, t->listing_id,
	    t->variant[0] != '\0' ? t->variant : "no variation", t->sku);
	(void)str_fmt(det, sizeof(det), "Etsy receipt %" PRId64 " (%s), "
	    "transaction %" PRId64 ", listing %" PRId64 " '%s', variation "
	    "'%s' (product data '%s'), sku '%s', quantity %" PRId64 ". Map "
	    "listing %" PRId64 " with variation '%s' to a SKU, then count "
	    "the stock.", r->receipt_id, r->status, t->transaction_id,
	    t->listing_id, t->title, t->variant, t->variant_pd, t->sku,
	    t->quantity, t->listing_id, t->variant);
	if (alert_raise(db, "unmapped_sale", key, ap->acct->id, 0, msg, det,
	    e) == -1)
		return -1;
	ap->unmapped++;
	return 0;
}

static int
refund_alert(struct db *db, struct apply *ap,
    const struct etsy_poll_receipt *r, struct err *e)
{
	char		 mark[64], key[128], msg[256];
	struct buf	 det;
	size_t		 i;
	int		 rc;

	(void)str_fmt(mark, sizeof(mark), "refund:%" PRId64, r->receipt_id);
	if ((rc = mark_new(db, ap->acct->id, mark, (int64_t)r->nrefunds,
	    e)) != 1)
		return rc;
	(void)str_fmt(key, sizeof(key), "etsy_refund:%" PRId64 ":%" PRId64,
	    ap->acct->id, r->receipt_id);
	(void)str_fmt(msg, sizeof(msg), "%s: Etsy receipt %" PRId64 " was "
	    "refunded (%s); Etsy does not say whether the units came back",
	    ap->acct->name, r->receipt_id, r->status);
	buf_init(&det, 2000);
	/* a detail that does not fit is cut short, never refused */
	if (buf_printf(&det, "receipt %" PRId64 ", status '%s', %zu "
	    "refund(s), %" PRId64 "/%" PRId64 " %s refunded. Restock the "
	    "units that came back (a return), or resolve the alert if none "
	    "did. Lines:", r->receipt_id, r->status, r->nrefunds, r->refunded,
	    r->refund_divisor > 0 ? r->refund_divisor : 1, r->currency) == 0)
		for (i = 0; i < r->ntxns; i++)
			if (buf_printf(&det, " transaction %" PRId64 ": %"
			    PRId64 " x listing %" PRId64 " '%s' sku '%s';",
			    r->txns[i].transaction_id, r->txns[i].quantity,
			    r->txns[i].listing_id, r->txns[i].variant,
			    r->txns[i].sku) == -1)
				break;
	rc = alert_raise(db, "etsy_refund", key, ap->acct->id, 0, msg,
	    det.data, e);
	buf_free(&det);
	if (rc == -1)
		return -1;
	ap->refunds++;
	return 0;
}

static int
apply_txn(struct db *db, struct apply *ap, const struct orders_ctx *c,
    const struct etsy_poll_receipt *r, const struct etsy_poll_txn *t,
    struct err *e)
{
	struct channel_listing	 l;
	struct ledger_result	 res;
	char			 rid[32], tid[32], key[160];
	int64_t			 done = 0;
	int			 known, rc;

	(void)str_fmt(rid, sizeof(rid), "%" PRId64, r->receipt_id);
	(void)str_fmt(tid, sizeof(tid), "%" PRId64, t->transaction_id);
	if (ap->mode == MODE_POLL) {
		if (t->quantity <= 0)
			return 0;
		if ((rc = find_listing(db, ap->acct->id, t, &l, e)) == -1)
			return -1;
		if (rc == 0)
			return unmapped_sale(db, ap, r, t, e);
		if (orders_commit(c, rid, tid, l.sku, t->quantity, l.id, &res,
		    e) == -1)
			return -1;
		ap->committed += !res.duplicate;
	}
	if (!r->canceled)
		return 0;
	/* a cancelled receipt: what is still committed goes back (a line
	 * the hub never committed is unknown and stays so) */
	(void)str_fmt(key, sizeof(key), "%" PRId64 ":etsy_cancel:%s:%s",
	    ap->acct->id, rid, tid);
	if (orders_release(c, tid, -1, key, &done, &known, e) == -1)
		return -1;
	ap->released += done > 0;
	if (ap->restock && known) {
		(void)str_fmt(key, sizeof(key), "%" PRId64 ":etsy_cancel_"
		    "restock:%s:%s", ap->acct->id, rid, tid);
		if (orders_return(c, tid, -1, key, &done, &known, e) == -1)
			return -1;
	}
	return 0;
}

static int
apply_fn(struct db *db, void *arg, struct err *e)
{
	struct apply		*ap = arg;
	struct orders_ctx	 c;
	char			 source[48], reason[64];
	size_t			 i, j;

	ap->committed = ap->released = ap->unmapped = ap->refunds = 0;
	(void)str_fmt(source, sizeof(source), "etsy:%" PRId64, ap->acct->id);
	c.db = db;
	c.account_id = ap->acct->id;
	c.source = source;
	c.reason = reason;
	for (i = 0; i < ap->pg->n; i++) {
		const struct etsy_poll_receipt *r = &ap->pg->receipts[i];

		(void)str_fmt(reason, sizeof(reason), "etsy receipt %" PRId64
		    "%s", r->receipt_id, r->canceled ? " (cancelled)" : "");
		for (j = 0; j < r->ntxns; j++)
			if (apply_txn(db, ap, &c, r, &r->txns[j], e) == -1)
				return -1;
		if (r->nrefunds > 0 && refund_alert(db, ap, r, e) == -1)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* talking to Etsy                                                     */
/* ------------------------------------------------------------------ */

struct run {
	struct db			*db;
	const struct config		*cfg;
	struct channel_account		*acct;
	struct channel_ctx		 ctx;
	struct channel_result		 r;
	struct etsy_session		 s;
	const struct etsy_poll_opts	*o;
	struct etsy_poll_stats		*st;
	int64_t				 now;
	int64_t				 not_before;	/* after a 429 */
	char				 shop[32];
	char				 error[256];
	int				 sales;	/* lines newly committed */
};

static int64_t
now_ms(void)
{
	return push_now_ms();
}

/*
 * GET one page and parse it. 0 pg filled, 1 failed (run->error,
 * run->not_before), -1 local error.
 */
static int
fetch_page(struct run *u, const char *what, const char *url,
    struct etsy_poll_page *pg, struct err *e)
{
	struct httpc_resp	 resp;
	struct err		 pe;
	char			 msg[160];
	int64_t			 ra;
	int			 rc;

	memset(&resp, 0, sizeof(resp));
	if (u->o->deadline_ms > 0 && now_ms() > u->o->deadline_ms) {
		(void)str_copy(u->error, sizeof(u->error), "the tick's time "
		    "budget ran out in the middle of the window");
		return 1;
	}
	if (u->s.rate.remaining_today == 0) {
		u->not_before = u->now + 600;
		(void)str_copy(u->error, sizeof(u->error), "Etsy daily quota "
		    "used up");
		return 1;
	}
	u->st->calls++;
	if ((rc = etsy_session_call(&u->s, what, "GET", url, NULL, NULL, 0,
	    &resp, e)) != 0) {
		if (rc == 1)
			(void)str_copy(u->error, sizeof(u->error),
			    u->r.detail);
		return rc;
	}
	if (resp.status != 200) {
		etsy_error_message(resp.status, resp.body, resp.len, msg,
		    sizeof(msg));
		if (resp.status == 429) {
			ra = httpc_retry_after(&resp, 3600);
			if (ra <= 0)
				ra = 60;
			u->not_before = u->now + ra;
			etsy_session_detail(&u->s, "%s: rate limited (429), "
			    "retry after %" PRId64 " s", what, ra);
		} else
			etsy_session_detail(&u->s, "%s: HTTP %ld: %s", what,
			    resp.status, msg);
		(void)str_copy(u->error, sizeof(u->error), u->r.detail);
		etsy_resp_free(&resp);
		return 1;
	}
	rc = etsy_poll_page_parse(resp.body, resp.len, 0, pg, &pe);
	etsy_resp_free(&resp);
	if (rc == -1) {
		if (pe.kind == ERR_SYS) {
			if (e != NULL)
				*e = pe;
			return -1;
		}
		etsy_session_detail(&u->s, "%s: %s", what, pe.msg);
		(void)str_copy(u->error, sizeof(u->error), u->r.detail);
		return 1;
	}
	return 0;
}

/*
 * Read every page of a listing of receipts and apply each page in one
 * transaction. query is the part after "receipts?" without limit and
 * offset. *max_seen gets the newest updated_timestamp. 0 done, 1 failed
 * or partial, -1 local error.
 */
static int
read_all(struct run *u, enum mode mode, int restock, const char *query,
    int limit, int64_t *max_seen, struct err *e)
{
	struct etsy_poll_page	 pg;
	struct apply		 ap;
	char			 url[URL_MAX];
	int64_t			 offset = 0;
	int			 pages, step, rc;
	size_t			 i, n;

	*max_seen = 0;
	/* a receipt updated while we page moves to the end and shifts the
	 * rest left: pages overlap by a few rows so none is skipped */
	step = limit - limit / 20;
	for (pages = 0; pages < ETSY_POLL_PAGES_MAX; pages++) {
		if (str_fmt(url, sizeof(url), "%s/v3/application/shops/%s/"
		    "receipts?%s&limit=%d&offset=%" PRId64,
		    u->acct->base_url, u->shop, query, limit, offset) == -1)
			return err_set(e, ERR_INVALID, "receipts URL too long");
		if ((rc = fetch_page(u, "getShopReceipts", url, &pg, e)) != 0)
			return rc;
		memset(&ap, 0, sizeof(ap));
		ap.acct = u->acct;
		ap.pg = &pg;
		ap.mode = mode;
		ap.restock = restock;
		rc = db_tx(u->db, apply_fn, &ap, e);
		for (i = 0; i < pg.n; i++)
			if (pg.receipts[i].updated > *max_seen)
				*max_seen = pg.receipts[i].updated;
		n = pg.n;
		if (mode == MODE_POLL)
			u->st->receipts += (int)n;
		etsy_poll_page_free(&pg);
		if (rc == -1)
			return -1;
		u->st->committed += ap.committed;
		u->sales += ap.committed;
		u->st->released += ap.released;
		u->st->unmapped += ap.unmapped;
		u->st->refunds += ap.refunds;
		if (n < (size_t)limit)
			return 0;
		offset += step;
	}
	(void)str_copy(u->error, sizeof(u->error), "too many pages in one "
	    "window");
	return 1;
}

static int
do_poll(struct run *u, const struct pstate *ps, int limit, int64_t *mark,
    struct err *e)
{
	char	 q[256];

	(void)str_fmt(q, sizeof(q), "min_last_modified=%" PRId64 "&sort_on="
	    "updated&sort_order=asc", etsy_poll_window_start(ps->watermark,
	    ps->overlap_s));
	return read_all(u, MODE_POLL, ps->restock, q, limit, mark, e);
}

static int
do_sweep(struct run *u, const struct pstate *ps, int limit, struct err *e)
{
	char	 q[256];
	int64_t	 seen;
	int	 rc;

	(void)str_fmt(q, sizeof(q), "was_canceled=true&min_created=%" PRId64
	    "&sort_on=created&sort_order=asc", etsy_poll_window_start(u->now,
	    ps->sweep_days * 86400));
	if ((rc = read_all(u, MODE_SWEEP, ps->restock, q, limit, &seen,
	    e)) != 0 || ps->refund_days <= 0)
		return rc;
	/* refunds move nothing either: re-read the recent receipts */
	(void)str_fmt(q, sizeof(q), "min_created=%" PRId64 "&sort_on=created&"
	    "sort_order=asc", etsy_poll_window_start(u->now,
	    ps->refund_days * 86400));
	return read_all(u, MODE_SWEEP, ps->restock, q, limit, &seen, e);
}

int
etsy_poll_account(struct db *db, const struct config *cfg,
    int64_t account_id, const struct etsy_poll_opts *o,
    struct etsy_poll_stats *st, struct err *e)
{
	static const struct etsy_poll_opts defaults;
	struct channel_account	 acct;
	struct pstate		 ps;
	struct run		 u;
	int64_t			 seen = 0, iv;
	int			 limit, rc, ret = -1, sweep_due;

	memset(&acct, 0, sizeof(acct));
	memset(&u, 0, sizeof(u));
	memset(&ps, 0, sizeof(ps));
	if (o == NULL)
		o = &defaults;
	limit = o->page_limit > 0 && o->page_limit <= ETSY_POLL_LIMIT ?
	    o->page_limit : ETSY_POLL_LIMIT;
	if (channel_account_load(db, cfg, account_id, &acct, e) == -1)
		return -1;
	if (acct.type != CHANNEL_ETSY || acct.paused) {
		ret = 0;
		goto out;
	}
	st->accounts++;
	u.now = o->now > 0 ? o->now : (int64_t)time(NULL);
	if (state_load(db, acct.id, &ps, e) == -1)
		goto out;
	iv = pstate_interval(&ps, u.now);
	/* the interval as it stands now (the tick's repolling and the
	 * admin read it), also when no poll is due */
	if (db_exec(db, "UPDATE etsy_poll_state SET current_interval_s = ? "
	    "WHERE account_id = ? AND current_interval_s <> ?",
	    (struct db_val[]){ DBI(iv), DBI(acct.id), DBI(iv) }, 3, NULL, NULL,
	    e) == -1)
		goto out;
	if (u.now < ps.not_before || (!o->force && !etsy_poll_due(u.now,
	    ps.last_attempt, ps.not_before, iv))) {
		ret = 0;
		goto out;
	}
	if ((rc = state_claim(db, acct.id, u.now, e)) != 1) {
		ret = rc == 0 ? 0 : -1;
		goto out;
	}
	st->polled++;
	u.db = db;
	u.cfg = cfg;
	u.acct = &acct;
	u.o = o;
	u.st = st;
	u.ctx.db = db;
	u.ctx.cfg = cfg;
	u.ctx.acct = &acct;
	etsy_session_init(&u.s, &u.ctx, &u.r);
	u.s.purpose = BUDGET_POLL;
	if (etsy_shop_id(&acct, u.shop, sizeof(u.shop)) == -1) {
		(void)str_copy(u.error, sizeof(u.error), "no numeric shop_id "
		    "in the account");
		rc = 1;
	} else if ((rc = etsy_session_token(&u.s, e)) == 1)
		(void)str_copy(u.error, sizeof(u.error), u.r.detail);
	if (rc == 0)
		rc = do_poll(&u, &ps, limit, &seen, e);
	if (rc == -1) {
		/* a local failure: still dirty, the lease let go */
		(void)state_done(db, acct.id, 0, 0, u.now, 0, e != NULL ?
		    e->msg : "local failure", &u.s.rate, NULL);
		goto out;
	}
	if (u.sales > 0 && db_exec(db, "UPDATE etsy_poll_state SET "
	    "last_sale_at = GREATEST(last_sale_at, ?) WHERE account_id = ?",
	    (struct db_val[]){ DBI(u.now), DBI(acct.id) }, 2, NULL, NULL,
	    e) == -1)
		goto out;
	if (state_done(db, acct.id, rc == 0, etsy_poll_next_watermark(
	    ps.watermark, seen), u.now, u.not_before, u.error, &u.s.rate,
	    e) == -1)
		goto out;
	/* every receipt modified before this poll began is applied */
	if (rc == 0 && channel_caught_up(db, acct.id, u.now, e) == -1)
		goto out;
	if (rc == 1 && u.r.outcome == CHANNEL_FAILED &&
	    strcmp(u.r.detail, "revoked") == 0) {
		/* invalid_grant: paused until reconnected; the watermark
		 * stays, so the reconnect resumes from it */
		if (channel_account_revoked(db, acct.id, acct.name, e) == -1)
			goto out;
	}
	if (rc == 1) {
		st->failed++;
		(void)str_copy(st->error, sizeof(st->error), u.error);
		log_warn("etsy poll: account %" PRId64 ": %s (watermark stays "
		    "at %" PRId64 ")", acct.id, u.error, ps.watermark);
		ret = 0;
		goto out;
	}
	/* the sweep, on its slower cadence, after a good poll */
	sweep_due = o->force_sweep || u.now - ps.last_sweep >=
	    ps.sweep_every_s * (etsy_poll_interval(iv, ps.reserve_pct,
	    ps.remaining_today, ps.limit_per_day) > iv ?
	    ETSY_POLL_SLOW_FACTOR : 1);
	if (sweep_due) {
		if ((rc = do_sweep(&u, &ps, limit, e)) == -1)
			goto out;
		if (rc == 0) {
			st->swept++;
			if (db_exec(db, "UPDATE etsy_poll_state SET "
			    "last_sweep_at = ? WHERE account_id = ?",
			    (struct db_val[]){ DBI(u.now), DBI(acct.id) }, 2,
			    NULL, NULL, e) == -1)
				goto out;
		} else {
			(void)str_copy(st->error, sizeof(st->error), u.error);
			if (u.not_before > 0 && db_exec(db, "UPDATE "
			    "etsy_poll_state SET not_before = GREATEST("
			    "not_before, ?) WHERE account_id = ?",
			    (struct db_val[]){ DBI(u.not_before),
			    DBI(acct.id) }, 2, NULL, NULL, e) == -1)
				goto out;
			log_warn("etsy sweep: account %" PRId64 ": %s",
			    acct.id, u.error);
		}
	}
	ret = 0;
out:
	channel_account_free(&acct);
	return ret;
}

int
etsy_poll_run(struct db *db, const struct config *cfg, int64_t deadline_ms,
    struct etsy_poll_stats *st, struct err *e)
{
	struct etsy_poll_opts	 o;
	struct db_res		*r;
	struct err		 ie;
	int64_t			 ids[256];
	size_t			 n = 0, i;
	int			 rc = 0;

	memset(st, 0, sizeof(*st));
	r = db_query(db, "SELECT id FROM channel_accounts WHERE type = 'etsy' "
	    "AND paused = 0 ORDER BY id LIMIT 256", NULL, 0, e);
	if (r == NULL)
		return -1;
	while (n < 256 && (rc = db_next(r, e)) == 1)
		ids[n++] = db_col_i64(r, 0);
	db_res_free(r);
	if (rc == -1)
		return -1;
	memset(&o, 0, sizeof(o));
	o.deadline_ms = deadline_ms;
	for (i = 0; i < n; i++) {
		if (now_ms() > deadline_ms)
			break;
		o.now = (int64_t)time(NULL);
		err_clear(&ie);
		if (etsy_poll_account(db, cfg, ids[i], &o, st, &ie) == -1) {
			log_error("etsy poll: account %" PRId64 ": %s", ids[i],
			    ie.msg);
			if (e != NULL)
				*e = ie;
			rc = -1;
		}
	}
	return rc == -1 ? -1 : 0;
}

int
etsy_poll_next_due(struct db *db, int64_t *at, struct err *e)
{
	int64_t	 v = 0, n = 0;

	if (db_query_i64(db, "SELECT COUNT(*) FROM etsy_poll_state s JOIN "
	    "channel_accounts a ON a.id = s.account_id WHERE a.type = 'etsy' "
	    "AND a.paused = 0 AND s.current_interval_s < 60", NULL, 0, &n,
	    e) == -1)
		return -1;
	if (n == 0)
		return 0;
	/* less the slack etsy_poll_due() allows */
	if (db_query_i64(db, "SELECT MIN(GREATEST(s.last_attempt_at + "
	    "s.current_interval_s - LEAST(s.current_interval_s DIV 6, 10), "
	    "s.not_before, s.lease_until)) FROM etsy_poll_state s JOIN channel_accounts a ON "
	    "a.id = s.account_id WHERE a.type = 'etsy' AND a.paused = 0 AND "
	    "s.current_interval_s < 60", NULL, 0, &v, e) == -1)
		return -1;
	*at = v;
	return 1;
}

int
etsy_poll_note_sale(struct db *db, int64_t account_id, int64_t now,
    struct err *e)
{
	return db_exec(db, "UPDATE etsy_poll_state SET last_sale_at = "
	    "GREATEST(last_sale_at, ?) WHERE account_id = ?",
	    (struct db_val[]){ DBI(now), DBI(account_id) }, 2, NULL, NULL, e);
}

int
etsy_poll_apply_receipt(struct db *db, const struct config *cfg,
    int64_t account_id, const char *body, size_t len, int *committed,
    struct err *e)
{
	struct channel_account	 acct;
	struct etsy_poll_page	 pg;
	struct apply		 ap;
	int64_t			 restock = 0;
	int			 rc = -1;

	memset(&acct, 0, sizeof(acct));
	memset(&pg, 0, sizeof(pg));
	*committed = 0;
	if (channel_account_load(db, cfg, account_id, &acct, e) == -1)
		return -1;
	if (acct.type != CHANNEL_ETSY) {
		err_set(e, ERR_INVALID, "account %" PRId64 " is not an Etsy "
		    "account", account_id);
		goto out;
	}
	if (db_query_i64(db, "SELECT cancel_policy = 'restock' FROM "
	    "etsy_poll_state WHERE account_id = ?", (struct db_val[]){
	    DBI(account_id) }, 1, &restock, e) == -1)
		goto out;
	if (etsy_poll_page_parse(body, len, 1, &pg, e) == -1)
		goto out;
	memset(&ap, 0, sizeof(ap));
	ap.acct = &acct;
	ap.pg = &pg;
	ap.mode = MODE_POLL;
	ap.restock = restock != 0;
	if (apply_fn(db, &ap, e) == -1)
		goto out;
	*committed = ap.committed;
	rc = 0;
out:
	etsy_poll_page_free(&pg);
	channel_account_free(&acct);
	return rc;
}
