/*
 * bom: bills of materials (see bom.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bom.h"
#include "buf.h"
#include "db.h"
#include "err.h"
#include "push.h"
#include "stock.h"
#include "str.h"

static const char *const kind_names[BOM__MAX] = {
	"stocked", "bundle", "made_to_order"
};

const char *
bom_kind_name(enum bom_kind k)
{
	return k >= 0 && k < BOM__MAX ? kind_names[k] : "?";
}

int
bom_kind_parse(const char *name, enum bom_kind *out)
{
	int	 i;

	for (i = 0; name != NULL && i < BOM__MAX; i++)
		if (strcmp(name, kind_names[i]) == 0) {
			*out = (enum bom_kind)i;
			return 0;
		}
	return -1;
}

long
bom_index(const struct bom_graph *g, int64_t item_id)
{
	size_t	 i;

	for (i = 0; i < g->nnodes; i++)
		if (g->nodes[i].item_id == item_id)
			return (long)i;
	return -1;
}

/* ---- pure ---- */

static int
check_graph(const struct bom_graph *g, size_t node, struct err *e)
{
	size_t	 i;

	if (g->nnodes > BOM_NODES_MAX)
		return err_set(e, ERR_TOOBIG, "more than %d items in one BOM",
		    BOM_NODES_MAX);
	if (node >= g->nnodes)
		return err_set(e, ERR_INVALID, "no node %zu", node);
	for (i = 0; i < g->nedges; i++)
		if (g->edges[i].parent >= g->nnodes ||
		    g->edges[i].child >= g->nnodes ||
		    g->edges[i].qty <= 0 || g->edges[i].qty > STOCK_QTY_MAX)
			return err_set(e, ERR_INVALID, "bad BOM edge %zu", i);
	return 0;
}

/* Append " → SKU" (or "SKU" first) to path; truncation is accepted. */
static void
path_add(char *path, size_t pathsz, const char *sku)
{
	size_t	 len = strlen(path);

	if (len + 1 < pathsz)
		(void)str_fmt(path + len, pathsz - len, "%s%s",
		    len > 0 ? " \xe2\x86\x92 " : "", sku);
}

struct dfs {
	const struct bom_graph	*g;
	unsigned char		*color;		/* 0 new, 1 on stack, 2 done */
	size_t			*stack;
	size_t			 depth;
	char			*path;
	size_t			 pathsz;
};

static int
dfs_cycle(struct dfs *d, size_t v)
{
	size_t	 i, k, c;

	d->color[v] = 1;
	d->stack[d->depth++] = v;
	for (i = 0; i < d->g->nedges; i++) {
		if (d->g->edges[i].parent != v)
			continue;
		c = d->g->edges[i].child;
		if (d->color[c] == 1) {
			for (k = 0; d->stack[k] != c; k++)
				;
			d->path[0] = '\0';
			for (; k < d->depth; k++)
				path_add(d->path, d->pathsz,
				    d->g->nodes[d->stack[k]].sku);
			path_add(d->path, d->pathsz, d->g->nodes[c].sku);
			return 1;
		}
		if (d->color[c] == 0 && dfs_cycle(d, c) == 1)
			return 1;
	}
	d->depth--;
	d->color[v] = 2;
	return 0;
}

int
bom_cycle(const struct bom_graph *g, char *path, size_t pathsz)
{
	struct dfs	 d;
	char		 dummy[1];
	size_t		 v;
	int		 found = 0;

	if (g->nnodes == 0)
		return 0;
	memset(&d, 0, sizeof(d));
	d.g = g;
	d.path = pathsz > 0 ? path : dummy;
	d.pathsz = pathsz > 0 ? pathsz : sizeof(dummy);
	d.color = calloc(g->nnodes, 1);
	d.stack = calloc(g->nnodes, sizeof(*d.stack));
	if (d.color == NULL || d.stack == NULL) {
		/* cannot tell: say so rather than pretend there is none */
		(void)str_copy(d.path, d.pathsz, "(out of memory)");
		found = 1;
		goto out;
	}
	for (v = 0; v < g->nnodes && !found; v++)
		if (d.color[v] == 0)
			found = dfs_cycle(&d, v);
out:
	free(d.color);
	free(d.stack);
	return found;
}

static int
refuse_cycle(const struct bom_graph *g, struct err *e)
{
	char	 path[BOM_PATH_MAX];

	path[0] = '\0';
	if (bom_cycle(g, path, sizeof(path)) == 1)
		return err_set(e, ERR_CONFLICT, "BOM cycle: %s", path);
	return 0;
}

/* Post-order of the nodes below v (children before parents). */
static void
post_order(const struct bom_graph *g, size_t v, unsigned char *seen,
    size_t *order, size_t *n)
{
	size_t	 i;

	seen[v] = 1;
	if (g->nodes[v].kind != BOM_STOCKED)
		for (i = 0; i < g->nedges; i++)
			if (g->edges[i].parent == v &&
			    !seen[g->edges[i].child])
				post_order(g, g->edges[i].child, seen, order,
				    n);
	order[(*n)++] = v;
}

/*
 * mult[i] (zeroed here): the units of node i that qty units of node
 * consume, through every path (a component shared by two branches, or a
 * kit holding one of its own components, adds up). Parents are done
 * before children, so every unit reaching a node is known before it is
 * passed on. order/n: the nodes reached, children first.
 */
static int
multipliers(const struct bom_graph *g, size_t node, int64_t qty,
    int64_t *mult, size_t *order, size_t *n, struct err *e)
{
	unsigned char	*seen;
	size_t		 k, i, v, c;
	int64_t		 q;
	int		 rc = -1;

	memset(mult, 0, g->nnodes * sizeof(*mult));
	*n = 0;
	if ((seen = calloc(g->nnodes, 1)) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	post_order(g, node, seen, order, n);
	mult[node] = qty;
	for (k = *n; k-- > 0;) {
		v = order[k];
		if (g->nodes[v].kind == BOM_STOCKED)
			continue;
		for (i = 0; i < g->nedges; i++) {
			if (g->edges[i].parent != v)
				continue;
			c = g->edges[i].child;
			q = g->edges[i].qty;
			if (mult[v] > STOCK_QTY_MAX / q ||
			    mult[c] > STOCK_QTY_MAX - mult[v] * q) {
				err_set(e, ERR_TOOBIG, "'%s' needs more than "
				    "%lld units of '%s'", g->nodes[node].sku,
				    (long long)STOCK_QTY_MAX,
				    g->nodes[c].sku);
				goto out;
			}
			mult[c] += mult[v] * q;
		}
	}
	rc = 0;
out:
	free(seen);
	return rc;
}

static int
has_children(const struct bom_graph *g, size_t v)
{
	size_t	 i;

	for (i = 0; i < g->nedges; i++)
		if (g->edges[i].parent == v)
			return 1;
	return 0;
}

int
bom_available(const struct bom_graph *g, size_t node, int64_t *out,
    struct err *e)
{
	const struct bom_node	*nd;
	size_t			*order = NULL, n = 0, k, v;
	int64_t			*mult = NULL, best = -1, lim;
	int			 rc = -1;

	*out = 0;
	if (check_graph(g, node, e) == -1 || refuse_cycle(g, e) == -1)
		return -1;
	order = calloc(g->nnodes, sizeof(*order));
	mult = calloc(g->nnodes, sizeof(*mult));
	if (order == NULL || mult == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	/* per unit of node: the units of everything below it */
	if (multipliers(g, node, 1, mult, order, &n, e) == -1)
		goto out;
	/* every stocked part, every cap and every empty bundle on the way
	 * limits what node can offer; for a tree this is min over the
	 * components of floor(available / qty) applied level by level */
	for (k = 0; k < n; k++) {
		v = order[k];
		nd = &g->nodes[v];
		if (mult[v] <= 0)
			continue;
		lim = -1;
		if (nd->kind == BOM_STOCKED)
			lim = (nd->available > 0 ? nd->available : 0) /
			    mult[v];
		else {
			if (nd->kind == BOM_MADE_TO_ORDER && nd->has_cap)
				lim = (nd->cap > 0 ? nd->cap : 0) / mult[v];
			else if (!has_children(g, v))
				lim = 0;	/* nothing to make it from */
		}
		if (lim >= 0 && (best < 0 || lim < best))
			best = lim;
	}
	*out = best < 0 ? 0 : best;
	rc = 0;
out:
	free(order);
	free(mult);
	return rc;
}

int
bom_explode(const struct bom_graph *g, size_t node, int64_t qty,
    int64_t *need, struct err *e)
{
	size_t		*order = NULL, n = 0, i;
	int64_t		*mult = NULL;
	int		 rc = -1;

	if (check_graph(g, node, e) == -1 || refuse_cycle(g, e) == -1)
		return -1;
	if (qty < 0 || qty > STOCK_QTY_MAX)
		return err_set(e, ERR_INVALID, "quantity out of range");
	memset(need, 0, g->nnodes * sizeof(*need));
	order = calloc(g->nnodes, sizeof(*order));
	mult = calloc(g->nnodes, sizeof(*mult));
	if (order == NULL || mult == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	if (multipliers(g, node, qty, mult, order, &n, e) == -1)
		goto out;
	for (i = 0; i < g->nnodes; i++)
		if (g->nodes[i].kind == BOM_STOCKED)
			need[i] = mult[i];
	rc = 0;
out:
	free(order);
	free(mult);
	return rc;
}

/* ---- database ---- */

/* The item (bound first) and everything below it; UNION stops at a
 * repeat, so even a stored cycle cannot make it run forever. */
#define BOM_DOWN "WITH RECURSIVE down(id) AS (SELECT CAST(? AS UNSIGNED) " \
	"UNION SELECT b.component_id FROM bom_lines b JOIN down d ON " \
	"b.parent_id = d.id) "

void
bom_graph_free(struct bom_graph *g)
{
	if (g == NULL)
		return;
	free(g->nodes);
	free(g->edges);
	memset(g, 0, sizeof(*g));
}

int
bom_load(struct db *db, int64_t item_id, struct bom_graph *g,
    struct err *e)
{
	struct db_res	*r = NULL;
	struct bom_node	*nd;
	struct bom_edge	*ne;
	size_t		 cap = 0;
	long		 p, c;
	int		 rc;

	memset(g, 0, sizeof(*g));
	g->nodes = calloc(BOM_NODES_MAX, sizeof(*g->nodes));
	if (g->nodes == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	r = db_query(db, BOM_DOWN "SELECT i.id, i.sku, i.kind, i.mto_cap, "
	    "i.on_hand - i.committed FROM down d JOIN stock_items i ON i.id = "
	    "d.id ORDER BY i.id", (struct db_val[]){ DBI(item_id) }, 1, e);
	if (r == NULL)
		goto fail;
	while ((rc = db_next(r, e)) == 1) {
		if (g->nnodes == BOM_NODES_MAX) {
			err_set(e, ERR_TOOBIG, "more than %d items in one BOM",
			    BOM_NODES_MAX);
			goto fail;
		}
		nd = &g->nodes[g->nnodes++];
		nd->item_id = db_col_i64(r, 0);
		(void)str_copy(nd->sku, sizeof(nd->sku), db_col_str(r, 1));
		if (bom_kind_parse(db_col_str(r, 2), &nd->kind) == -1)
			nd->kind = BOM_STOCKED;
		nd->has_cap = !db_col_null(r, 3);
		nd->cap = db_col_i64(r, 3);
		nd->available = db_col_i64(r, 4);
	}
	db_res_free(r);
	r = NULL;
	if (rc == -1)
		goto fail;
	if (g->nnodes == 0) {
		err_set(e, ERR_NOTFOUND, "no item %lld", (long long)item_id);
		goto fail;
	}
	r = db_query(db, BOM_DOWN "SELECT b.parent_id, b.component_id, b.qty "
	    "FROM bom_lines b JOIN down d ON b.parent_id = d.id",
	    (struct db_val[]){ DBI(item_id) }, 1, e);
	if (r == NULL)
		goto fail;
	while ((rc = db_next(r, e)) == 1) {
		p = bom_index(g, db_col_i64(r, 0));
		c = bom_index(g, db_col_i64(r, 1));
		if (p < 0 || c < 0)
			continue;	/* changed between the two reads */
		if (g->nedges == cap) {
			if (cap >= (size_t)BOM_NODES_MAX * BOM_COMPONENTS_MAX) {
				err_set(e, ERR_TOOBIG, "BOM too large");
				goto fail;
			}
			cap = cap == 0 ? 16 : cap * 2;
			ne = realloc(g->edges, cap * sizeof(*ne));
			if (ne == NULL) {
				err_set(e, ERR_SYS, "out of memory");
				goto fail;
			}
			g->edges = ne;
		}
		g->edges[g->nedges].parent = (size_t)p;
		g->edges[g->nedges].child = (size_t)c;
		g->edges[g->nedges].qty = db_col_i64(r, 2);
		g->nedges++;
	}
	db_res_free(r);
	r = NULL;
	if (rc == -1)
		goto fail;
	return 0;
fail:
	db_res_free(r);
	bom_graph_free(g);
	return -1;
}

int
bom_item_available(struct db *db, int64_t item_id, int64_t *avail,
    struct err *e)
{
	struct bom_graph	 g;
	long			 i;
	int			 rc = -1;

	*avail = 0;
	if (bom_load(db, item_id, &g, e) == -1)
		return -1;
	if ((i = bom_index(&g, item_id)) < 0)
		err_set(e, ERR_NOTFOUND, "no item %lld", (long long)item_id);
	else
		rc = bom_available(&g, (size_t)i, avail, e);
	bom_graph_free(&g);
	return rc;
}

int
bom_parts(struct db *db, int64_t item_id, struct bom_part **parts,
    size_t *n, struct err *e)
{
	struct bom_graph	 g;
	int64_t			*need = NULL;
	size_t			 i, k = 0;
	long			 root;
	int			 rc = -1;

	*parts = NULL;
	*n = 0;
	if (bom_load(db, item_id, &g, e) == -1)
		return -1;
	if ((root = bom_index(&g, item_id)) < 0) {
		err_set(e, ERR_NOTFOUND, "no item %lld", (long long)item_id);
		goto out;
	}
	if (g.nodes[root].kind == BOM_STOCKED) {
		rc = 0;
		goto out;
	}
	if ((need = calloc(g.nnodes, sizeof(*need))) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	if (bom_explode(&g, (size_t)root, 1, need, e) == -1)
		goto out;
	for (i = 0; i < g.nnodes; i++)
		if (need[i] > 0 && (size_t)root != i)
			k++;
	if (k > 0 && (*parts = calloc(k, sizeof(**parts))) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	for (i = 0; i < g.nnodes; i++)
		if (need[i] > 0 && (size_t)root != i) {
			(*parts)[*n].item_id = g.nodes[i].item_id;
			(void)str_copy((*parts)[*n].sku,
			    sizeof((*parts)[*n].sku), g.nodes[i].sku);
			(*parts)[*n].qty = need[i];
			(*n)++;
		}
	rc = 0;
out:
	free(need);
	bom_graph_free(&g);
	return rc;
}

#define BOM_TOUCH_MAX	BOM_NODES_MAX

int
bom_touch(struct db *db, int64_t item_id, int self, struct err *e)
{
	struct db_res	*r;
	int64_t		*ids = NULL;
	size_t		 n = 0, i;
	int		 rc = -1;

	r = db_query(db, "WITH RECURSIVE up(id) AS (SELECT CAST(? AS "
	    "UNSIGNED) UNION SELECT b.parent_id FROM bom_lines b JOIN up u ON "
	    "b.component_id = u.id) SELECT id FROM up WHERE id <> ? OR ? = 1 "
	    "ORDER BY id", (struct db_val[]){ DBI(item_id), DBI(item_id),
	    DBI(self ? 1 : 0) }, 3, e);
	if (r == NULL)
		return -1;
	while ((rc = db_next(r, e)) == 1) {
		if (ids == NULL &&
		    (ids = calloc(BOM_TOUCH_MAX, sizeof(*ids))) == NULL) {
			rc = err_set(e, ERR_SYS, "out of memory");
			break;
		}
		if (n == BOM_TOUCH_MAX) {
			rc = err_set(e, ERR_TOOBIG, "more than %d items use "
			    "item %lld", BOM_TOUCH_MAX, (long long)item_id);
			break;
		}
		ids[n++] = db_col_i64(r, 0);
	}
	db_res_free(r);
	if (rc == -1)
		goto out;
	rc = -1;
	/* in id order, so two touches lock the same rows in the same order */
	for (i = 0; i < n; i++) {
		if (db_exec(db, "UPDATE stock_items SET derived_version = "
		    "derived_version + 1 WHERE id = ?", (struct db_val[]){
		    DBI(ids[i]) }, 1, NULL, NULL, e) == -1 ||
		    db_exec(db, "INSERT INTO push_queue (listing_id, "
		    "want_version) SELECT l.id, CAST(i.version AS SIGNED) + "
		    "i.derived_version "
		    "FROM channel_listings l JOIN stock_items i ON i.id = "
		    "l.item_id WHERE l.item_id = ? ON DUPLICATE KEY UPDATE "
		    "want_version = GREATEST(want_version, "
		    "VALUES(want_version)), " PUSH_UNPARK_SQL ", dead = 0",
		    (struct db_val[]){ DBI(ids[i]), DBI(PUSH_PACE_MS * 1000) },
		    2, NULL, NULL, e) == -1)
			goto out;
	}
	rc = 0;
out:
	free(ids);
	return rc;
}

static int
check_spec(const char *parent, const struct bom_spec *s, struct err *e)
{
	size_t	 i, j;

	if (s->kind != BOM_BUNDLE && s->kind != BOM_MADE_TO_ORDER)
		return err_set(e, ERR_INVALID, "a BOM is for a bundle or a "
		    "made-to-order item");
	if (s->has_cap && (s->kind != BOM_MADE_TO_ORDER || s->cap < 0 ||
	    s->cap > STOCK_QTY_MAX))
		return err_set(e, ERR_INVALID, "a cap is for a made-to-order "
		    "item, 0 to %lld", (long long)STOCK_QTY_MAX);
	if (s->ncomponents == 0 || s->ncomponents > BOM_COMPONENTS_MAX ||
	    s->components == NULL)
		return err_set(e, ERR_INVALID, "a BOM has 1 to %d components",
		    BOM_COMPONENTS_MAX);
	if (s->actor == NULL || s->actor[0] == '\0' ||
	    strlen(s->actor) > 128 || !str_utf8_valid(s->actor,
	    strlen(s->actor)))
		return err_set(e, ERR_INVALID, "who changed the BOM is "
		    "required (at most 128 bytes)");
	if (s->reason == NULL || s->reason[0] == '\0' ||
	    strlen(s->reason) > 255 || !str_utf8_valid(s->reason,
	    strlen(s->reason)))
		return err_set(e, ERR_INVALID, "a reason is required (at most "
		    "255 bytes)");
	if (stock_sku_check(parent, e) == -1)
		return -1;
	for (i = 0; i < s->ncomponents; i++) {
		if (stock_sku_check(s->components[i].sku, e) == -1)
			return -1;
		if (s->components[i].qty <= 0 ||
		    s->components[i].qty > STOCK_QTY_MAX)
			return err_set(e, ERR_INVALID, "quantity of '%s' must "
			    "be 1 to %lld", s->components[i].sku,
			    (long long)STOCK_QTY_MAX);
		if (strcmp(s->components[i].sku, parent) == 0)
			return err_set(e, ERR_CONFLICT, "BOM cycle: %s "
			    "\xe2\x86\x92 %s", parent, parent);
		for (j = 0; j < i; j++)
			if (strcmp(s->components[i].sku,
			    s->components[j].sku) == 0)
				return err_set(e, ERR_INVALID, "component '%s' "
				    "is listed twice", s->components[i].sku);
	}
	return 0;
}

struct set_ctx {
	const char		*parent;
	const struct bom_spec	*s;
};

static int
item_id_of(struct db *db, const char *sku, int lock, int64_t *id,
    struct err *e)
{
	int	 rc;

	rc = db_query_i64(db, lock ? "SELECT id FROM stock_items WHERE sku = "
	    "? FOR UPDATE" : "SELECT id FROM stock_items WHERE sku = ?",
	    (struct db_val[]){ DBS(sku) }, 1, id, e);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "unknown SKU '%s'", sku);
	return rc == 1 ? 0 : -1;
}

static int
set_fn(struct db *db, void *arg, struct err *e)
{
	struct set_ctx		*x = arg;
	const struct bom_spec	*s = x->s;
	struct bom_graph	 g;
	struct buf		 list;
	int64_t			 pid, cid;
	size_t			 i;
	int			 rc = -1;

	memset(&g, 0, sizeof(g));
	buf_init(&list, 64 * 1024);
	/* one BOM edit at a time: two edits cannot close a cycle between
	 * them */
	if (db_exec(db, "UPDATE bom_meta SET rev = rev + 1 WHERE id = 1",
	    NULL, 0, NULL, NULL, e) == -1 ||
	    item_id_of(db, x->parent, 1, &pid, e) == -1 ||
	    db_exec(db, "DELETE FROM bom_lines WHERE parent_id = ?",
	    (struct db_val[]){ DBI(pid) }, 1, NULL, NULL, e) == -1)
		goto out;
	for (i = 0; i < s->ncomponents; i++) {
		if (item_id_of(db, s->components[i].sku, 0, &cid, e) == -1 ||
		    db_exec(db, "INSERT INTO bom_lines (parent_id, "
		    "component_id, qty) VALUES (?, ?, ?)", (struct db_val[]){
		    DBI(pid), DBI(cid), DBI(s->components[i].qty) }, 3, NULL,
		    NULL, e) == -1)
			goto out;
		if (buf_printf(&list, "%s%s:%lld", i > 0 ? " " : "",
		    s->components[i].sku,
		    (long long)s->components[i].qty) == -1) {
			err_set(e, ERR_SYS, "out of memory");
			goto out;
		}
	}
	if (db_exec(db, "UPDATE stock_items SET kind = ?, mto_cap = ? WHERE "
	    "id = ?", (struct db_val[]){ DBS(bom_kind_name(s->kind)),
	    s->has_cap ? DBI(s->cap) : DBN, DBI(pid) }, 3, NULL, NULL,
	    e) == -1)
		goto out;
	/* the new graph below the parent, as this transaction sees it */
	if (bom_load(db, pid, &g, e) == -1 || refuse_cycle(&g, e) == -1)
		goto out;
	if (db_exec(db, "INSERT INTO bom_audit (parent_id, actor, reason, "
	    "kind, mto_cap, components) VALUES (?, ?, ?, ?, ?, ?)",
	    (struct db_val[]){ DBI(pid), DBS(s->actor), DBS(s->reason),
	    DBS(bom_kind_name(s->kind)), s->has_cap ? DBI(s->cap) : DBN,
	    DBS(list.data != NULL ? list.data : "") }, 6, NULL, NULL,
	    e) == -1)
		goto out;
	if (bom_touch(db, pid, 1, e) == -1)
		goto out;
	rc = 0;
out:
	bom_graph_free(&g);
	buf_free(&list);
	return rc;
}

int
bom_set(struct db *db, const char *parent, const struct bom_spec *s,
    struct err *e)
{
	struct set_ctx	 x = { parent, s };

	if (check_spec(parent, s, e) == -1)
		return -1;
	return db_tx(db, set_fn, &x, e);
}
