/*
 * ledger: exactly-once stock movements in the database (see ledger.h).
 *
 * Posting an event: insert its key (the unique index makes a repeat fail,
 * and a concurrent repeat wait for the first to commit), lock the touched
 * items in SKU order (so two events never deadlock on each other's rows),
 * apply stock_apply() to each line, append the movements, store the new
 * balances, then let the caller queue work in the same transaction.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "buf.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "log.h"
#include "stock.h"
#include "str.h"

struct locked {
	struct ledger_item	 it;
	struct stock_balance	 bal;
	int64_t			 moves;
	char			 kind[16];	/* stocked, bundle, ... */
};

static int
check_text(const char *what, const char *s, size_t max, struct err *e)
{
	size_t	 n;

	if (s == NULL || s[0] == '\0')
		return err_set(e, ERR_INVALID, "%s is empty", what);
	n = strlen(s);
	if (n > max)
		return err_set(e, ERR_INVALID, "%s is longer than %zu bytes",
		    what, max);
	if (!str_utf8_valid(s, n))
		return err_set(e, ERR_INVALID, "%s is not valid UTF-8", what);
	return 0;
}

static int
check_event(const struct ledger_event *ev, struct err *e)
{
	size_t	 i;

	if (check_text("event key", ev->key, LEDGER_KEY_MAX, e) == -1 ||
	    check_text("source", ev->source, LEDGER_SOURCE_MAX, e) == -1 ||
	    check_text("reason", ev->reason, LEDGER_REASON_MAX, e) == -1)
		return -1;
	if (ev->nlines == 0 || ev->lines == NULL)
		return err_set(e, ERR_INVALID, "event has no lines");
	if (ev->nlines > LEDGER_LINES_MAX)
		return err_set(e, ERR_INVALID, "event has more than %d lines",
		    LEDGER_LINES_MAX);
	for (i = 0; i < ev->nlines; i++)
		if (stock_sku_check(ev->lines[i].sku, e) == -1)
			return -1;
	return 0;
}

/* SHA-256 (hex) of the lines in order: the identity of the payload. */
static int
payload_hash(const struct ledger_event *ev, char out[65], struct err *e)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	struct buf	 b;
	size_t		 i;
	int		 rc = -1;

	buf_init(&b, 1024 * 1024);
	for (i = 0; i < ev->nlines; i++)
		if (buf_printf(&b, "%s\x1f%s\x1f%lld\x1e", ev->lines[i].sku,
		    stock_kind_name(ev->lines[i].kind),
		    (long long)ev->lines[i].qty) == -1) {
			err_set(e, ERR_SYS, "out of memory");
			goto out;
		}
	if (EVP_Digest(b.data, b.len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32) {
		err_set(e, ERR_SYS, "sha256 failed");
		goto out;
	}
	str_hex(out, md, 32);
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

static int
sku_cmp(const void *a, const void *b)
{
	const struct ledger_line *const *la = a, *const *lb = b;

	return strcmp((*la)->sku, (*lb)->sku);
}

static int
lock_item(struct db *db, const char *sku, struct locked *l, struct err *e)
{
	struct db_res	*r;
	int		 rc;

	r = db_query(db, "SELECT id, sku, title, on_hand, committed, version, "
	    "kind FROM stock_items WHERE sku = ? FOR UPDATE",
	    (struct db_val[]){ DBS(sku) }, 1, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 0)
		err_set(e, ERR_NOTFOUND, "unknown SKU '%s'", sku);
	if (rc == 1) {
		memset(l, 0, sizeof(*l));
		l->it.id = db_col_i64(r, 0);
		(void)str_copy(l->it.sku, sizeof(l->it.sku), db_col_str(r, 1));
		(void)str_copy(l->it.title, sizeof(l->it.title),
		    db_col_str(r, 2));
		l->bal.on_hand = db_col_i64(r, 3);
		l->bal.committed = db_col_i64(r, 4);
		l->it.version = db_col_i64(r, 5);
		(void)str_copy(l->kind, sizeof(l->kind), db_col_str(r, 6));
	}
	db_res_free(r);
	return rc == 1 ? 0 : -1;
}

/* Handle a key that is already there: same lines is a duplicate. */
static int
existing_event(struct db *db, const struct ledger_event *ev,
    const char *hash, struct ledger_result *res, struct err *e)
{
	struct db_res	*r;
	int		 rc;

	r = db_query(db, "SELECT id, payload_hash FROM ledger_events "
	    "WHERE event_key = ?", (struct db_val[]){ DBS(ev->key) }, 1, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 1) {
		res->duplicate = 1;
		res->event_id = db_col_i64(r, 0);
		if (strcmp(db_col_str(r, 1), hash) != 0)
			rc = err_set(e, ERR_CONFLICT, "event key '%s' was "
			    "applied before with other lines; refused",
			    ev->key);
		else
			rc = 0;
	} else if (rc == 0)
		rc = err_set(e, ERR_RETRY, "event key '%s' vanished", ev->key);
	db_res_free(r);
	return rc;
}

int
ledger_post_tx(struct db *db, const struct ledger_event *ev,
    ledger_touch_fn touch, void *arg, struct ledger_result *res,
    struct err *e)
{
	const struct ledger_line **order = NULL;
	struct locked	*items = NULL;
	size_t		 nitems = 0, i, j;
	char		 hash[65];
	uint64_t	 event_id = 0;
	int64_t		 over, before_on, before_com;
	struct err	 ie;
	int		 rc = -1;

	memset(res, 0, sizeof(*res));
	if (check_event(ev, e) == -1 || payload_hash(ev, hash, e) == -1)
		return -1;

	err_clear(&ie);
	if (db_exec(db, "INSERT INTO ledger_events (event_key, source, reason, "
	    "payload_hash) VALUES (?, ?, ?, ?)", (struct db_val[]){
	    DBS(ev->key), DBS(ev->source), DBS(ev->reason), DBS(hash) }, 4,
	    NULL, &event_id, &ie) == -1) {
		if (ie.kind == ERR_CONFLICT)
			return existing_event(db, ev, hash, res, e);
		if (e != NULL)
			*e = ie;
		return -1;
	}
	res->event_id = (int64_t)event_id;

	order = calloc(ev->nlines, sizeof(*order));
	items = calloc(ev->nlines, sizeof(*items));
	if (order == NULL || items == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	for (i = 0; i < ev->nlines; i++)
		order[i] = &ev->lines[i];
	qsort(order, ev->nlines, sizeof(*order), sku_cmp);
	for (i = 0; i < ev->nlines; i++) {
		if (nitems > 0 && strcmp(items[nitems - 1].it.sku,
		    order[i]->sku) == 0)
			continue;
		if (lock_item(db, order[i]->sku, &items[nitems], e) == -1)
			goto out;
		nitems++;
	}

	for (i = 0; i < ev->nlines; i++) {
		for (j = 0; j < nitems; j++)
			if (strcmp(items[j].it.sku, ev->lines[i].sku) == 0)
				break;
		/* a bundle's or made-to-order item's own on_hand counts
		 * for nothing (what it offers is computed from its parts):
		 * stock put on it would vanish without a word */
		if (strcmp(items[j].kind, "stocked") != 0 &&
		    (ev->lines[i].kind == STOCK_RECEIVE ||
		    ev->lines[i].kind == STOCK_COUNT ||
		    ev->lines[i].kind == STOCK_ADJUST)) {
			err_set(e, ERR_INVALID, "SKU '%s' is %s item: it has "
			    "no stock of its own (what it offers is computed "
			    "from its components); %s the components instead",
			    ev->lines[i].sku, strcmp(items[j].kind, "bundle")
			    == 0 ? "a bundle" : "a made-to-order",
			    stock_kind_name(ev->lines[i].kind));
			goto out;
		}
		before_on = items[j].bal.on_hand;
		before_com = items[j].bal.committed;
		if (stock_apply(&items[j].bal, ev->lines[i].kind,
		    ev->lines[i].qty, &over, e) == -1) {
			if (e != NULL && e->kind == ERR_CONFLICT) {
				char msg[sizeof(e->msg)];

				(void)str_copy(msg, sizeof(msg), e->msg);
				err_set(e, ERR_CONFLICT, "SKU '%s': %s",
				    ev->lines[i].sku, msg);
			}
			goto out;
		}
		if (db_exec(db, "INSERT INTO stock_movements (event_id, "
		    "item_id, kind, qty, on_hand_delta, committed_delta, "
		    "on_hand_after, committed_after, oversold) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (struct db_val[]){
		    DBI(event_id), DBI(items[j].it.id),
		    DBS(stock_kind_name(ev->lines[i].kind)),
		    DBI(ev->lines[i].qty),
		    DBI(items[j].bal.on_hand - before_on),
		    DBI(items[j].bal.committed - before_com),
		    DBI(items[j].bal.on_hand), DBI(items[j].bal.committed),
		    DBI(over) }, 9, NULL, NULL, e) == -1)
			goto out;
		items[j].moves++;
		res->oversold += over;
	}

	for (j = 0; j < nitems; j++) {
		if (db_exec(db, "UPDATE stock_items SET on_hand = ?, "
		    "committed = ?, version = version + ?, "
		    "updated_at = CURRENT_TIMESTAMP(6) WHERE id = ?",
		    (struct db_val[]){ DBI(items[j].bal.on_hand),
		    DBI(items[j].bal.committed), DBI(items[j].moves),
		    DBI(items[j].it.id) }, 4, NULL, NULL, e) == -1)
			goto out;
		items[j].it.on_hand = items[j].bal.on_hand;
		items[j].it.committed = items[j].bal.committed;
		items[j].it.available = items[j].bal.on_hand -
		    items[j].bal.committed;
		items[j].it.version += items[j].moves;
		if (touch != NULL && touch(db, &items[j].it, arg, e) == -1)
			goto out;
	}
	if (res->oversold > 0)
		log_warn("ledger: event '%s' oversold %lld unit(s)", ev->key,
		    (long long)res->oversold);
	rc = 0;
out:
	free(order);
	free(items);
	return rc;
}

struct post_ctx {
	const struct ledger_event	*ev;
	ledger_touch_fn			 touch;
	void				*arg;
	struct ledger_result		*res;
};

static int
post_fn(struct db *db, void *arg, struct err *e)
{
	struct post_ctx	*p = arg;

	return ledger_post_tx(db, p->ev, p->touch, p->arg, p->res, e);
}

int
ledger_post(struct db *db, const struct ledger_event *ev,
    ledger_touch_fn touch, void *arg, struct ledger_result *res,
    struct err *e)
{
	struct post_ctx	 p = { ev, touch, arg, res };

	return db_tx(db, post_fn, &p, e);
}

int
ledger_item_create(struct db *db, const char *sku, const char *title,
    int64_t *id, struct err *e)
{
	uint64_t	 newid = 0;
	struct err	 ie;

	if (stock_sku_check(sku, e) == -1)
		return -1;
	if (title == NULL)
		title = "";
	if (strlen(title) > 255 || !str_utf8_valid(title, strlen(title)))
		return err_set(e, ERR_INVALID,
		    "title must be valid UTF-8 of at most 255 bytes");
	err_clear(&ie);
	if (db_exec(db, "INSERT INTO stock_items (sku, title) VALUES (?, ?)",
	    (struct db_val[]){ DBS(sku), DBS(title) }, 2, NULL, &newid,
	    &ie) == -1) {
		if (ie.kind == ERR_CONFLICT)
			return err_set(e, ERR_CONFLICT, "SKU '%s' exists",
			    sku);
		if (e != NULL)
			*e = ie;
		return -1;
	}
	if (id != NULL)
		*id = (int64_t)newid;
	return 0;
}

int
ledger_item_get(struct db *db, const char *sku, struct ledger_item *it,
    struct err *e)
{
	struct db_res	*r;
	int		 rc;

	if (stock_sku_check(sku, e) == -1)
		return -1;
	r = db_query(db, "SELECT id, sku, title, on_hand, committed, version "
	    "FROM stock_items WHERE sku = ?", (struct db_val[]){ DBS(sku) },
	    1, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 0)
		err_set(e, ERR_NOTFOUND, "unknown SKU '%s'", sku);
	if (rc == 1) {
		memset(it, 0, sizeof(*it));
		it->id = db_col_i64(r, 0);
		(void)str_copy(it->sku, sizeof(it->sku), db_col_str(r, 1));
		(void)str_copy(it->title, sizeof(it->title), db_col_str(r, 2));
		it->on_hand = db_col_i64(r, 3);
		it->committed = db_col_i64(r, 4);
		it->available = it->on_hand - it->committed;
		it->version = db_col_i64(r, 5);
	}
	db_res_free(r);
	return rc == 1 ? 0 : -1;
}

int
ledger_check(struct db *db, int64_t *bad, struct err *e)
{
	struct db_res	*r;
	int		 rc;

	*bad = 0;
	r = db_query(db, "SELECT i.sku, i.on_hand, i.committed, i.version, "
	    "COALESCE(SUM(m.on_hand_delta), 0), "
	    "COALESCE(SUM(m.committed_delta), 0), COUNT(m.id) "
	    "FROM stock_items i LEFT JOIN stock_movements m "
	    "ON m.item_id = i.id GROUP BY i.id, i.sku, i.on_hand, "
	    "i.committed, i.version", NULL, 0, e);
	if (r == NULL)
		return -1;
	while ((rc = db_next(r, e)) == 1) {
		if (db_col_i64(r, 1) == db_col_i64(r, 4) &&
		    db_col_i64(r, 2) == db_col_i64(r, 5) &&
		    db_col_i64(r, 3) == db_col_i64(r, 6))
			continue;
		(*bad)++;
		log_error("ledger check: SKU '%s' balance on_hand=%lld "
		    "committed=%lld version=%lld, movements say %lld/%lld/%lld",
		    db_col_str(r, 0), (long long)db_col_i64(r, 1),
		    (long long)db_col_i64(r, 2), (long long)db_col_i64(r, 3),
		    (long long)db_col_i64(r, 4), (long long)db_col_i64(r, 5),
		    (long long)db_col_i64(r, 6));
	}
	db_res_free(r);
	return rc == -1 ? -1 : 0;
}
