/*
 * orders: order-line bookkeeping behind every channel (see orders.h).
 */
#include <string.h>

#include "db.h"
#include "err.h"
#include "ledger.h"
#include "orders.h"
#include "push.h"
#include "str.h"

struct line {
	int64_t	 id;
	char	 sku[257];
	int64_t	 qty, released, shipped, returned;
};

/* Lock a line: 1 found, 0 unknown, -1 error. */
static int
lock_line(const struct orders_ctx *c, const char *ext_line, struct line *l,
    struct err *e)
{
	struct db_res	*r;
	int		 rc;

	r = db_query(c->db, "SELECT ol.id, i.sku, ol.qty, ol.released, "
	    "ol.shipped, ol.returned FROM channel_order_lines ol JOIN "
	    "stock_items i ON i.id = ol.item_id WHERE ol.account_id = ? AND "
	    "ol.ext_line = ? FOR UPDATE", (struct db_val[]){
	    DBI(c->account_id), DBS(ext_line) }, 2, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 1) {
		l->id = db_col_i64(r, 0);
		(void)str_copy(l->sku, sizeof(l->sku), db_col_str(r, 1));
		l->qty = db_col_i64(r, 2);
		l->released = db_col_i64(r, 3);
		l->shipped = db_col_i64(r, 4);
		l->returned = db_col_i64(r, 5);
	}
	db_res_free(r);
	return rc;
}

static int
post(const struct orders_ctx *c, const char *key,
    const struct ledger_line *lines, size_t n, struct ledger_result *res,
    struct err *e)
{
	struct ledger_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.key = key;
	ev.source = c->source;
	ev.reason = c->reason;
	ev.lines = lines;
	ev.nlines = n;
	return ledger_post_tx(c->db, &ev, push_touch, NULL, res, e);
}

int
orders_commit(const struct orders_ctx *c, const char *ext_order,
    const char *ext_line, const char *sku, int64_t qty, int64_t listing_id,
    struct ledger_result *res, struct err *e)
{
	struct ledger_item	 it;
	struct ledger_line	 ll = { sku, STOCK_COMMIT, qty };
	struct err		 ie;
	char			 key[LEDGER_KEY_MAX + 1];

	memset(res, 0, sizeof(*res));
	if (ledger_item_get(c->db, sku, &it, e) == -1)
		return -1;
	err_clear(&ie);
	if (db_exec(c->db, "INSERT INTO channel_order_lines (account_id, "
	    "ext_order, ext_line, item_id, qty) VALUES (?, ?, ?, ?, ?)",
	    (struct db_val[]){ DBI(c->account_id), DBS(ext_order),
	    DBS(ext_line), DBI(it.id), DBI(qty) }, 5, NULL, NULL, &ie) == -1) {
		if (ie.kind != ERR_CONFLICT) {
			if (e != NULL)
				*e = ie;
			return -1;
		}
		res->duplicate = 1;
		return 0;
	}
	if (str_fmt(key, sizeof(key), "%lld:line:%s:commit",
	    (long long)c->account_id, ext_line) == -1)
		return err_set(e, ERR_INVALID, "line id too long");
	if (post(c, key, &ll, 1, res, e) == -1)
		return -1;
	if (listing_id <= 0 || res->duplicate)
		return 0;
	return db_exec(c->db, "UPDATE channel_listings SET last_pushed_qty = "
	    "GREATEST(last_pushed_qty - ?, 0) WHERE id = ? AND "
	    "last_pushed_qty IS NOT NULL", (struct db_val[]){ DBI(qty),
	    DBI(listing_id) }, 2, NULL, NULL, e);
}

/* The shared shape of release, ship and return. */
enum op { OP_RELEASE, OP_SHIP, OP_RETURN };

static int
line_op(const struct orders_ctx *c, enum op op, const char *ext_line,
    int64_t qty, const char *event_key, int64_t *done, int *known,
    struct err *e)
{
	struct ledger_result	 res;
	struct ledger_line	 ll[2];
	struct line		 l;
	int64_t			 open, n, ship = 0;
	size_t			 nl = 0;
	int			 rc;

	*done = 0;
	*known = 0;
	if ((rc = lock_line(c, ext_line, &l, e)) != 1)
		return rc;
	*known = 1;
	open = l.qty - l.released - l.shipped;
	switch (op) {
	case OP_RELEASE:
	case OP_SHIP:
		n = qty < 0 || qty > open ? open : qty;
		break;
	default:
		/* what can come back: everything not released, not yet
		 * returned */
		n = l.qty - l.released - l.returned;
		if (qty >= 0 && qty < n)
			n = qty;
		ship = n > l.shipped - l.returned ?
		    n - (l.shipped - l.returned) : 0;
		break;
	}
	if (n <= 0)
		return 0;
	if (op == OP_RELEASE)
		ll[nl++] = (struct ledger_line){ l.sku, STOCK_RELEASE, n };
	else if (op == OP_SHIP)
		ll[nl++] = (struct ledger_line){ l.sku, STOCK_SHIP, n };
	else {
		if (ship > 0)
			ll[nl++] = (struct ledger_line){ l.sku, STOCK_SHIP,
			    ship };
		ll[nl++] = (struct ledger_line){ l.sku, STOCK_RETURN_RESTOCK, n };
	}
	if (post(c, event_key, ll, nl, &res, e) == -1)
		return -1;
	if (res.duplicate)
		return 0;
	*done = n;
	return db_exec(c->db, "UPDATE channel_order_lines SET released = "
	    "released + ?, shipped = shipped + ?, returned = returned + ? "
	    "WHERE id = ?", (struct db_val[]){
	    DBI(op == OP_RELEASE ? n : 0),
	    DBI(op == OP_SHIP ? n : op == OP_RETURN ? ship : 0),
	    DBI(op == OP_RETURN ? n : 0), DBI(l.id) }, 4, NULL, NULL, e);
}

int
orders_release(const struct orders_ctx *c, const char *ext_line,
    int64_t qty, const char *event_key, int64_t *done, int *known,
    struct err *e)
{
	return line_op(c, OP_RELEASE, ext_line, qty, event_key, done, known,
	    e);
}

int
orders_ship(const struct orders_ctx *c, const char *ext_line, int64_t qty,
    const char *event_key, int64_t *done, int *known, struct err *e)
{
	return line_op(c, OP_SHIP, ext_line, qty, event_key, done, known, e);
}

int
orders_return(const struct orders_ctx *c, const char *ext_line,
    int64_t qty, const char *event_key, int64_t *done, int *known,
    struct err *e)
{
	return line_op(c, OP_RETURN, ext_line, qty, event_key, done, known, e);
}
