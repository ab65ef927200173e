/*
 * orders: order-line bookkeeping behind every channel (see orders.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bom.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "orders.h"
#include "push.h"
#include "returns.h"
#include "str.h"

struct line {
	int64_t	 id;
	int64_t	 item_id;
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
	    "ol.shipped, ol.returned, ol.item_id FROM channel_order_lines ol JOIN "
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
		l->item_id = db_col_i64(r, 6);
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

/*
 * The ledger lines of kind k for n units of a line: one line of the
 * line's own SKU, or (a bundle or made-to-order item) one per stocked
 * part, n times its quantity per unit. Appended at ll[*nl].
 */
static int
add_lines(struct ledger_line *ll, size_t *nl, const char *sku,
    const struct bom_part *parts, size_t np, enum stock_kind k, int64_t n,
    struct err *e)
{
	size_t	 i;

	if (np == 0) {
		ll[(*nl)++] = (struct ledger_line){ sku, k, n };
		return 0;
	}
	for (i = 0; i < np; i++) {
		if (n > STOCK_QTY_MAX / parts[i].qty)
			return err_set(e, ERR_TOOBIG, "%lld unit(s) of '%s' "
			    "need more than %lld of '%s'", (long long)n, sku,
			    (long long)STOCK_QTY_MAX, parts[i].sku);
		ll[(*nl)++] = (struct ledger_line){ parts[i].sku, k,
		    n * parts[i].qty };
	}
	return 0;
}

/* What one unit of a line consumed when it sold (none: a stocked item). */
static int
load_parts(const struct orders_ctx *c, int64_t line_id,
    struct bom_part **parts, size_t *np, struct err *e)
{
	struct db_res	*r;
	struct bom_part	*p;
	size_t		 cap = 0;
	int		 rc;

	*parts = NULL;
	*np = 0;
	r = db_query(c->db, "SELECT p.item_id, i.sku, p.qty FROM "
	    "order_line_parts p JOIN stock_items i ON i.id = p.item_id WHERE "
	    "p.line_id = ? ORDER BY p.item_id", (struct db_val[]){
	    DBI(line_id) }, 1, e);
	if (r == NULL)
		return -1;
	while ((rc = db_next(r, e)) == 1) {
		if (*np == cap) {
			if (cap >= LEDGER_LINES_MAX) {
				rc = err_set(e, ERR_TOOBIG, "order line %lld "
				    "has too many parts", (long long)line_id);
				break;
			}
			cap = cap == 0 ? 8 : cap * 2;
			if ((p = realloc(*parts, cap * sizeof(*p))) == NULL) {
				rc = err_set(e, ERR_SYS, "out of memory");
				break;
			}
			*parts = p;
		}
		p = &(*parts)[(*np)++];
		p->item_id = db_col_i64(r, 0);
		(void)str_copy(p->sku, sizeof(p->sku), db_col_str(r, 1));
		p->qty = db_col_i64(r, 2);
	}
	db_res_free(r);
	if (rc == -1) {
		free(*parts);
		*parts = NULL;
		*np = 0;
		return -1;
	}
	return 0;
}

int
orders_commit(const struct orders_ctx *c, const char *ext_order,
    const char *ext_line, const char *sku, int64_t qty, int64_t listing_id,
    struct ledger_result *res, struct err *e)
{
	struct ledger_item	 it;
	struct ledger_line	*ll = NULL;
	struct bom_part		*parts = NULL;
	struct err		 ie;
	char			 key[LEDGER_KEY_MAX + 1];
	uint64_t		 line_id = 0;
	size_t			 np = 0, nl = 0, i;
	int			 rc = -1;

	memset(res, 0, sizeof(*res));
	if (ledger_item_get(c->db, sku, &it, e) == -1)
		return -1;
	err_clear(&ie);
	if (db_exec(c->db, "INSERT INTO channel_order_lines (account_id, "
	    "ext_order, ext_line, item_id, qty) VALUES (?, ?, ?, ?, ?)",
	    (struct db_val[]){ DBI(c->account_id), DBS(ext_order),
	    DBS(ext_line), DBI(it.id), DBI(qty) }, 5, NULL, &line_id,
	    &ie) == -1) {
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
	/* a bundle or made-to-order item: its stocked parts are committed,
	 * all in this one event, and the line remembers them so that a
	 * cancellation or return moves the same parts after a BOM edit */
	if (bom_parts(c->db, it.id, &parts, &np, e) == -1)
		goto out;
	if (np > LEDGER_LINES_MAX) {
		err_set(e, ERR_TOOBIG, "'%s' has more than %d parts", sku,
		    LEDGER_LINES_MAX);
		goto out;
	}
	for (i = 0; i < np; i++)
		if (db_exec(c->db, "INSERT INTO order_line_parts (line_id, "
		    "item_id, qty) VALUES (?, ?, ?)", (struct db_val[]){
		    DBI(line_id), DBI(parts[i].item_id), DBI(parts[i].qty) },
		    3, NULL, NULL, e) == -1)
			goto out;
	if ((ll = calloc(np > 0 ? np : 1, sizeof(*ll))) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	if (add_lines(ll, &nl, sku, parts, np, STOCK_COMMIT, qty, e) == -1 ||
	    post(c, key, ll, nl, res, e) == -1)
		goto out;
	rc = 0;
out:
	free(ll);
	free(parts);
	if (rc == -1)
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
line_op(const struct orders_ctx *c, enum op op, enum returns_cond cond,
    const char *ext_line, int64_t qty, const char *event_key, int64_t *done,
    int *known, struct err *e)
{
	struct ledger_result	 res;
	struct ledger_line	*ll = NULL;
	struct bom_part		*parts = NULL;
	struct line		 l;
	int64_t			 open, n, ship = 0, hold_id;
	size_t			 nl = 0, np = 0;
	int			 rc, dup;

	*done = 0;
	*known = 0;
	if ((rc = lock_line(c, ext_line, &l, e)) != 1)
		return rc;
	*known = 1;
	rc = -1;
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
	/* a bundle's line moves the parts it committed when it sold */
	if (load_parts(c, l.id, &parts, &np, e) == -1)
		goto out;
	if ((ll = calloc(3 * (np > 0 ? np : 1), sizeof(*ll))) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	if (op == OP_RELEASE)
		rc = add_lines(ll, &nl, l.sku, parts, np, STOCK_RELEASE, n, e);
	else if (op == OP_SHIP)
		rc = add_lines(ll, &nl, l.sku, parts, np, STOCK_SHIP, n, e);
	else {
		/* units the hub never saw shipped left the shelf first */
		rc = ship > 0 ? add_lines(ll, &nl, l.sku, parts, np,
		    STOCK_SHIP, ship, e) : 0;
		/* restocked: back on the shelf; damaged: back and written
		 * off in the same event, never available; inspect: held */
		if (rc == 0 && cond != RETURNS_INSPECT)
			rc = add_lines(ll, &nl, l.sku, parts, np,
			    STOCK_RETURN_RESTOCK, n, e);
		if (rc == 0 && cond == RETURNS_DAMAGED)
			rc = add_lines(ll, &nl, l.sku, parts, np,
			    STOCK_WRITE_OFF, n, e);
	}
	if (rc == -1)
		goto out;
	if (nl > 0) {
		if ((rc = post(c, event_key, ll, nl, &res, e)) == -1)
			goto out;
		if (res.duplicate)
			goto out;
	}
	if (op == OP_RETURN && cond == RETURNS_INSPECT) {
		if ((rc = returns_hold_tx(c->db, event_key, l.item_id, l.id, n,
		    parts, np, c->source, c->reason, &hold_id, &dup,
		    e)) == -1 || dup)
			goto out;
	}
	*done = n;
	rc = db_exec(c->db, "UPDATE channel_order_lines SET released = "
	    "released + ?, shipped = shipped + ?, returned = returned + ? "
	    "WHERE id = ?", (struct db_val[]){
	    DBI(op == OP_RELEASE ? n : 0),
	    DBI(op == OP_SHIP ? n : op == OP_RETURN ? ship : 0),
	    DBI(op == OP_RETURN ? n : 0), DBI(l.id) }, 4, NULL, NULL, e);
out:
	free(ll);
	free(parts);
	return rc;
}

int
orders_release(const struct orders_ctx *c, const char *ext_line,
    int64_t qty, const char *event_key, int64_t *done, int *known,
    struct err *e)
{
	return line_op(c, OP_RELEASE, RETURNS_RESTOCK, ext_line, qty,
	    event_key, done, known, e);
}

int
orders_ship(const struct orders_ctx *c, const char *ext_line, int64_t qty,
    const char *event_key, int64_t *done, int *known, struct err *e)
{
	return line_op(c, OP_SHIP, RETURNS_RESTOCK, ext_line, qty, event_key,
	    done, known, e);
}

int
orders_return(const struct orders_ctx *c, const char *ext_line,
    int64_t qty, const char *event_key, int64_t *done, int *known,
    struct err *e)
{
	return line_op(c, OP_RETURN, RETURNS_RESTOCK, ext_line, qty,
	    event_key, done, known, e);
}

int
orders_return_as(const struct orders_ctx *c, const char *ext_line,
    int64_t qty, enum returns_cond cond, const char *event_key,
    int64_t *done, int *known, struct err *e)
{
	if ((unsigned)cond >= RETURNS__MAX)
		return err_set(e, ERR_INVALID, "unknown return condition");
	return line_op(c, OP_RETURN, cond, ext_line, qty, event_key, done,
	    known, e);
}
