/*
 * returns: return conditions, holds for inspection and their decisions
 * (see returns.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bom.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "push.h"
#include "returns.h"
#include "stock.h"
#include "str.h"

static const char *const cond_names[RETURNS__MAX] = {
	"restock", "damaged", "inspect"
};

const char *
returns_cond_name(enum returns_cond c)
{
	return (unsigned)c < RETURNS__MAX ? cond_names[c] : "?";
}

int
returns_cond_parse(const char *name, enum returns_cond *out)
{
	int	 i;

	if (name == NULL)
		return -1;
	for (i = 0; i < RETURNS__MAX; i++)
		if (strcmp(name, cond_names[i]) == 0) {
			*out = (enum returns_cond)i;
			return 0;
		}
	return -1;
}

int
returns_hold_tx(struct db *db, const char *key, int64_t item_id,
    int64_t line_id, int64_t qty, const struct bom_part *parts, size_t np,
    const char *source, const char *reason, int64_t *hold_id, int *duplicate,
    struct err *e)
{
	struct err	 ie;
	uint64_t	 id = 0;
	size_t		 i;

	*hold_id = 0;
	*duplicate = 0;
	if (key == NULL || key[0] == '\0' || strlen(key) > LEDGER_KEY_MAX)
		return err_set(e, ERR_INVALID, "a hold needs a key of 1 to %d "
		    "bytes", LEDGER_KEY_MAX);
	if (qty <= 0 || qty > STOCK_QTY_MAX)
		return err_set(e, ERR_INVALID, "units held must be 1 to %lld",
		    (long long)STOCK_QTY_MAX);
	err_clear(&ie);
	if (db_exec(db, "INSERT INTO return_holds (event_key, item_id, "
	    "line_id, qty, source, reason) VALUES (?, ?, ?, ?, ?, ?)",
	    (struct db_val[]){ DBS(key), DBI(item_id),
	    line_id > 0 ? DBI(line_id) : DBN, DBI(qty), DBS(source),
	    DBS(reason) }, 6, NULL, &id, &ie) == -1) {
		if (ie.kind == ERR_CONFLICT) {
			*duplicate = 1;
			return 0;
		}
		if (e != NULL)
			*e = ie;
		return -1;
	}
	for (i = 0; i < np; i++)
		if (db_exec(db, "INSERT INTO return_hold_parts (hold_id, "
		    "item_id, qty) VALUES (?, ?, ?)", (struct db_val[]){
		    DBI(id), DBI(parts[i].item_id), DBI(parts[i].qty) }, 3,
		    NULL, NULL, e) == -1)
			return -1;
	*hold_id = (int64_t)id;
	return 0;
}

/*
 * The ledger lines of n units coming back as cond (restock or damaged)
 * into ll (room for 2 * max(np, 1)): each stocked part, or the item.
 */
static int
return_lines(struct ledger_line *ll, size_t *nl, const char *sku,
    const struct bom_part *parts, size_t np, enum returns_cond cond,
    int64_t n, struct err *e)
{
	size_t	 i, pass;

	*nl = 0;
	for (pass = 0; pass < (cond == RETURNS_DAMAGED ? 2u : 1u); pass++) {
		enum stock_kind k = pass == 0 ? STOCK_RETURN_RESTOCK :
		    STOCK_WRITE_OFF;

		if (np == 0) {
			ll[(*nl)++] = (struct ledger_line){ sku, k, n };
			continue;
		}
		for (i = 0; i < np; i++) {
			if (n > STOCK_QTY_MAX / parts[i].qty)
				return err_set(e, ERR_TOOBIG, "%lld unit(s) "
				    "of '%s' are too many", (long long)n, sku);
			ll[(*nl)++] = (struct ledger_line){ parts[i].sku, k,
			    n * parts[i].qty };
		}
	}
	return 0;
}

static int
post(struct db *db, const struct returns_req *q,
    const struct ledger_line *ll, size_t nl, int *duplicate, struct err *e)
{
	struct ledger_event	 ev;
	struct ledger_result	 res;

	memset(&ev, 0, sizeof(ev));
	ev.key = q->key;
	ev.source = q->source;
	ev.reason = q->reason;
	ev.lines = ll;
	ev.nlines = nl;
	if (ledger_post_tx(db, &ev, push_touch, NULL, &res, e) == -1)
		return -1;
	*duplicate = res.duplicate;
	return 0;
}

struct sku_ctx {
	const struct returns_req	*q;
	struct returns_result		*res;
};

static int
sku_fn(struct db *db, void *arg, struct err *e)
{
	struct sku_ctx		*x = arg;
	const struct returns_req *q = x->q;
	struct ledger_item	 it;
	struct ledger_line	*ll = NULL;
	struct bom_part		*parts = NULL;
	int64_t			 composite = 0;
	size_t			 np = 0, nl = 0;
	int			 rc = -1, dup = 0;

	memset(x->res, 0, sizeof(*x->res));
	if (ledger_item_get(db, q->sku, &it, e) == -1 ||
	    bom_parts(db, it.id, &parts, &np, e) == -1)
		goto out;
	if (np == 0 && db_query_i64(db, "SELECT kind <> 'stocked' FROM "
	    "stock_items WHERE id = ?", (struct db_val[]){ DBI(it.id) }, 1,
	    &composite, e) == -1)
		goto out;
	if (np == 0 && composite != 0) {
		err_set(e, ERR_INVALID, "'%s' is a bundle or made-to-order "
		    "item without components: nothing to put back", q->sku);
		goto out;
	}
	if (q->cond == RETURNS_INSPECT) {
		if (returns_hold_tx(db, q->key, it.id, 0, q->qty, parts, np,
		    q->source, q->reason, &x->res->hold_id, &dup, e) == -1)
			goto out;
	} else {
		if ((ll = calloc(2 * (np > 0 ? np : 1), sizeof(*ll))) == NULL) {
			err_set(e, ERR_SYS, "out of memory");
			goto out;
		}
		if (return_lines(ll, &nl, q->sku, parts, np, q->cond, q->qty,
		    e) == -1 || post(db, q, ll, nl, &dup, e) == -1)
			goto out;
	}
	x->res->duplicate = dup;
	x->res->done = dup ? 0 : q->qty;
	rc = 0;
out:
	free(ll);
	free(parts);
	return rc;
}

static int
check_req(const struct returns_req *q, struct err *e)
{
	if ((unsigned)q->cond >= RETURNS__MAX)
		return err_set(e, ERR_INVALID, "unknown return condition");
	if (q->key == NULL || q->source == NULL || q->reason == NULL ||
	    q->reason[0] == '\0')
		return err_set(e, ERR_INVALID, "a return needs a reason");
	return 0;
}

static int
check_sku_req(const struct returns_req *q, struct err *e)
{
	if (check_req(q, e) == -1)
		return -1;
	if (q->sku == NULL)
		return err_set(e, ERR_INVALID, "no SKU");
	if (stock_sku_check(q->sku, e) == -1)
		return -1;
	if (q->qty <= 0 || q->qty > STOCK_QTY_MAX)
		return err_set(e, ERR_INVALID, "units returned must be 1 to "
		    "%lld", (long long)STOCK_QTY_MAX);
	return 0;
}

int
returns_sku(struct db *db, const struct returns_req *q,
    struct returns_result *res, struct err *e)
{
	struct sku_ctx	 x = { q, res };

	memset(res, 0, sizeof(*res));
	if (check_sku_req(q, e) == -1)
		return -1;
	return db_tx(db, sku_fn, &x, e);
}

int
returns_sku_tx(struct db *db, const struct returns_req *q,
    struct returns_result *res, struct err *e)
{
	struct sku_ctx	 x = { q, res };

	memset(res, 0, sizeof(*res));
	if (check_sku_req(q, e) == -1)
		return -1;
	return sku_fn(db, &x, e);
}

struct decide_ctx {
	int64_t				 hold_id, qty;
	const struct returns_req	*q;
	struct returns_result		*res;
};

/* A hold's parts (np 0: the item itself, *sku). */
static int
hold_parts(struct db *db, int64_t hold_id, struct bom_part **parts,
    size_t *np, struct err *e)
{
	struct db_res	*r;
	struct bom_part	*p;
	int		 rc;

	*parts = NULL;
	*np = 0;
	if ((r = db_query(db, "SELECT p.item_id, i.sku, p.qty FROM "
	    "return_hold_parts p JOIN stock_items i ON i.id = p.item_id "
	    "WHERE p.hold_id = ? ORDER BY p.item_id", (struct db_val[]){
	    DBI(hold_id) }, 1, e)) == NULL)
		return -1;
	while ((rc = db_next(r, e)) == 1) {
		if (*np >= LEDGER_LINES_MAX / 2) {
			rc = err_set(e, ERR_TOOBIG, "hold %lld has too many "
			    "parts", (long long)hold_id);
			break;
		}
		if ((p = realloc(*parts, (*np + 1) * sizeof(*p))) == NULL) {
			rc = err_set(e, ERR_SYS, "out of memory");
			break;
		}
		*parts = p;
		p = &p[(*np)++];
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

static int
decide_fn(struct db *db, void *arg, struct err *e)
{
	struct decide_ctx	*x = arg;
	struct ledger_line	*ll = NULL;
	struct bom_part		*parts = NULL;
	struct db_res		*r;
	char			 sku[BOM_SKU_SIZE] = "";
	int64_t			 held = 0, n;
	size_t			 np = 0, nl = 0;
	int			 rc, dup = 0;

	memset(x->res, 0, sizeof(*x->res));
	if ((r = db_query(db, "SELECT i.sku, h.qty - h.restocked - "
	    "h.written_off FROM return_holds h JOIN stock_items i ON i.id = "
	    "h.item_id WHERE h.id = ? FOR UPDATE", (struct db_val[]){
	    DBI(x->hold_id) }, 1, e)) == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 1) {
		(void)str_copy(sku, sizeof(sku), db_col_str(r, 0));
		held = db_col_i64(r, 1);
	}
	db_res_free(r);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "no held return %lld",
		    (long long)x->hold_id);
	if (rc == -1)
		return -1;
	n = x->qty < 0 ? held : x->qty;
	rc = -1;
	if (hold_parts(db, x->hold_id, &parts, &np, e) == -1)
		goto out;
	if ((ll = calloc(2 * (np > 0 ? np : 1), sizeof(*ll))) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	/* a decision sent twice is found by its key before the count is
	 * checked: the second one is a duplicate, not "nothing held" */
	if (n > 0 && n <= held) {
		if (return_lines(ll, &nl, sku, parts, np, x->q->cond, n,
		    e) == -1 || post(db, x->q, ll, nl, &dup, e) == -1)
			goto out;
	} else {
		int64_t	 seen = 0;

		if (db_query_i64(db, "SELECT COUNT(*) FROM ledger_events "
		    "WHERE event_key = ?", (struct db_val[]){ DBS(x->q->key) },
		    1, &seen, e) == -1)
			goto out;
		if (seen > 0)
			dup = 1;
		else {
			if (held == 0)
				err_set(e, ERR_CONFLICT, "return %lld of '%s' "
				    "was decided already",
				    (long long)x->hold_id, sku);
			else
				err_set(e, ERR_CONFLICT, "return %lld holds "
				    "only %lld unit(s) of '%s'",
				    (long long)x->hold_id, (long long)held,
				    sku);
			goto out;
		}
	}
	x->res->duplicate = dup;
	x->res->hold_id = x->hold_id;
	if (dup) {
		rc = 0;
		goto out;
	}
	x->res->done = n;
	rc = db_exec(db, "UPDATE return_holds SET restocked = restocked + ?, "
	    "written_off = written_off + ?, decided_at = IF(qty = restocked + "
	    "written_off, CURRENT_TIMESTAMP(6), NULL) WHERE id = ?",
	    (struct db_val[]){ DBI(x->q->cond == RETURNS_RESTOCK ? n : 0),
	    DBI(x->q->cond == RETURNS_DAMAGED ? n : 0), DBI(x->hold_id) }, 3,
	    NULL, NULL, e);
out:
	free(ll);
	free(parts);
	return rc;
}

static int
check_decide(int64_t qty, const struct returns_req *q, struct err *e)
{
	if (check_req(q, e) == -1)
		return -1;
	if (q->cond == RETURNS_INSPECT)
		return err_set(e, ERR_INVALID, "decide restock or damaged");
	if (qty == 0 || qty > STOCK_QTY_MAX)
		return err_set(e, ERR_INVALID, "units decided must be 1 to "
		    "%lld", (long long)STOCK_QTY_MAX);
	return 0;
}

int
returns_decide(struct db *db, int64_t hold_id, int64_t qty,
    const struct returns_req *q, struct returns_result *res, struct err *e)
{
	struct decide_ctx	 x = { hold_id, qty, q, res };

	memset(res, 0, sizeof(*res));
	if (check_decide(qty, q, e) == -1)
		return -1;
	return db_tx(db, decide_fn, &x, e);
}

int
returns_decide_tx(struct db *db, int64_t hold_id, int64_t qty,
    const struct returns_req *q, struct returns_result *res, struct err *e)
{
	struct decide_ctx	 x = { hold_id, qty, q, res };

	memset(res, 0, sizeof(*res));
	if (check_decide(qty, q, e) == -1)
		return -1;
	return decide_fn(db, &x, e);
}

int
returns_list_held(struct db *db, size_t max, struct returns_held **out,
    size_t *n, struct err *e)
{
	struct db_res		*r;
	struct returns_held	*h;
	int			 rc;

	*out = NULL;
	*n = 0;
	if (max == 0)
		return 0;
	if ((*out = calloc(max, sizeof(**out))) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	if ((r = db_query(db, "SELECT h.id, i.sku, h.qty, h.qty - "
	    "h.restocked - h.written_off, COALESCE(CONCAT(a.name, ': order ', "
	    "ol.ext_order, ', line ', ol.ext_line), ''), h.source, h.reason, "
	    "DATE_FORMAT(h.created_at, '%Y-%m-%d %H:%i') FROM return_holds h "
	    "JOIN stock_items i ON i.id = h.item_id LEFT JOIN "
	    "channel_order_lines ol ON ol.id = h.line_id LEFT JOIN "
	    "channel_accounts a ON a.id = ol.account_id WHERE h.decided_at "
	    "IS NULL ORDER BY h.id LIMIT ?", (struct db_val[]){
	    DBI((int64_t)max) }, 1, e)) == NULL)
		goto fail;
	while ((rc = db_next(r, e)) == 1 && *n < max) {
		h = &(*out)[(*n)++];
		h->id = db_col_i64(r, 0);
		(void)str_copy(h->sku, sizeof(h->sku), db_col_str(r, 1));
		h->qty = db_col_i64(r, 2);
		h->held = db_col_i64(r, 3);
		(void)str_copy(h->order, sizeof(h->order), db_col_str(r, 4));
		(void)str_copy(h->source, sizeof(h->source), db_col_str(r, 5));
		(void)str_copy(h->reason, sizeof(h->reason), db_col_str(r, 6));
		(void)str_copy(h->at, sizeof(h->at), db_col_str(r, 7));
	}
	db_res_free(r);
	if (rc == -1)
		goto fail;
	return 0;
fail:
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}

int
returns_held_units(struct db *db, int64_t item_id, int64_t *units,
    struct err *e)
{
	*units = 0;
	return db_query_i64(db, "SELECT COALESCE(SUM(CASE WHEN p.item_id IS "
	    "NULL THEN h.qty - h.restocked - h.written_off ELSE (h.qty - "
	    "h.restocked - h.written_off) * p.qty END), 0) FROM return_holds "
	    "h LEFT JOIN return_hold_parts p ON p.hold_id = h.id WHERE "
	    "h.decided_at IS NULL AND ((p.item_id IS NULL AND h.item_id = ?) "
	    "OR p.item_id = ?)", (struct db_val[]){ DBI(item_id),
	    DBI(item_id) }, 2, units, e) == -1 ? -1 : 0;
}
