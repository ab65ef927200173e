/*
 * bom: bills of materials. A SKU is stocked (its own on_hand), a bundle
 * (fixed components with quantities per unit) or made-to-order (no
 * finished stock; consumes its materials when sold; optionally capped).
 * Components may be bundles or made-to-order items themselves; a cycle
 * is refused and named ("A → B → A").
 *
 * Pure part (no I/O, unit-tested): a graph of nodes and edges; the
 * availability of a node (computed, never stored) and what selling units
 * of it consumes.
 *
 * Database part: load the graph below an item, set a BOM (audited), the
 * stocked parts one unit of an item consumes, and the touch that makes
 * every bundle above a moved component push again.
 *
 * Ownership: a struct bom_graph filled by bom_load() owns its arrays and
 * is freed with bom_graph_free() (NULL-safe, also after a failed load);
 * the parts array of bom_parts() is the caller's to free().
 */
#ifndef STOCKHUB_BOM_H
#define STOCKHUB_BOM_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "stock.h"

#define BOM_NODES_MAX		1024	/* items below one item */
#define BOM_COMPONENTS_MAX	64	/* direct components of one item */
#define BOM_PATH_MAX		512	/* bytes of a named cycle */
#define BOM_SKU_SIZE		(STOCK_SKU_MAX * 4 + 1)

enum bom_kind {
	BOM_STOCKED = 0,
	BOM_BUNDLE,
	BOM_MADE_TO_ORDER,
	BOM__MAX
};

struct bom_node {
	int64_t		 item_id;
	char		 sku[BOM_SKU_SIZE];	/* names cycles */
	enum bom_kind	 kind;
	int		 has_cap;		/* made-to-order only */
	int64_t		 cap;
	int64_t		 available;		/* stocked: on_hand - committed */
};

/* qty units of nodes[child] per unit of nodes[parent]; qty > 0. */
struct bom_edge {
	size_t		 parent;
	size_t		 child;
	int64_t		 qty;
};

struct bom_graph {
	struct bom_node	*nodes;
	size_t		 nnodes;
	struct bom_edge	*edges;
	size_t		 nedges;
};

/* "stocked", "bundle", "made_to_order" and back (-1: unknown). */
const char *bom_kind_name(enum bom_kind k);
int	bom_kind_parse(const char *name, enum bom_kind *out);

/*
 * Look for a cycle: 1 when there is one (path gets its SKUs, "A → B →
 * A", truncated to pathsz), 0 when none.
 */
int	bom_cycle(const struct bom_graph *g, char *path, size_t pathsz);

/*
 * What node can offer: stocked = its available, never below 0; bundle =
 * min over its components of floor(available(component) / qty per unit),
 * nested bundles recursively (0 with no components); made-to-order = the
 * same over its materials, then at most its cap when it has one (its cap,
 * or 0 without one, when it has no materials). ERR_CONFLICT naming the
 * cycle when there is one, ERR_INVALID for a bad graph.
 */
int	bom_available(const struct bom_graph *g, size_t node, int64_t *out,
	    struct err *e);

/*
 * What selling qty units of node consumes: need[i] (an array of nnodes,
 * zeroed here) gets the units of every stocked node i, quantities
 * multiplied through nesting and merged. A stocked node needs itself.
 * ERR_CONFLICT for a cycle, ERR_TOOBIG beyond STOCK_QTY_MAX.
 */
int	bom_explode(const struct bom_graph *g, size_t node, int64_t qty,
	    int64_t *need, struct err *e);

/* The node of an item, or -1. */
long	bom_index(const struct bom_graph *g, int64_t item_id);

/* ---- database ---- */

/* Load item_id and everything below it (read, not locked). */
int	bom_load(struct db *db, int64_t item_id, struct bom_graph *g,
	    struct err *e);
void	bom_graph_free(struct bom_graph *g);

/* What an item can offer now (bom_available over the loaded graph). */
int	bom_item_available(struct db *db, int64_t item_id, int64_t *avail,
	    struct err *e);

/* One stocked item one unit of a sold item consumes. */
struct bom_part {
	int64_t	 item_id;
	char	 sku[BOM_SKU_SIZE];
	int64_t	 qty;		/* units per unit sold */
};

/*
 * The stocked parts one unit of item_id consumes (nesting multiplied
 * through, merged per item), in item order: *parts (caller frees) and
 * *n; *n = 0 and *parts = NULL for a stocked item or one without
 * components.
 */
int	bom_parts(struct db *db, int64_t item_id, struct bom_part **parts,
	    size_t *n, struct err *e);

struct bom_component {
	const char	*sku;
	int64_t		 qty;	/* per unit of the parent, > 0 */
};

struct bom_spec {
	enum bom_kind			 kind;	/* bundle or made_to_order */
	int				 has_cap;
	int64_t				 cap;	/* >= 0, made-to-order only */
	const struct bom_component	*components;
	size_t				 ncomponents;
	const char			*actor;	/* "cli:alice": who */
	const char			*reason;	/* why */
};

/*
 * Set (replace) the BOM of parent in one transaction of its own: kind,
 * cap and components, an audit row with who and why, and a push of every
 * listing of the parent and of everything that uses it. ERR_NOTFOUND for
 * an unknown SKU, ERR_INVALID for a bad spec, ERR_CONFLICT naming the
 * cycle it would make (nothing changes then).
 */
int	bom_set(struct db *db, const char *parent, const struct bom_spec *s,
	    struct err *e);

/*
 * Inside the caller's transaction: raise derived_version of every item
 * that uses item_id (directly or through nesting; item_id itself too when
 * self is 1) and queue a push of each of their listings.
 */
int	bom_touch(struct db *db, int64_t item_id, int self, struct err *e);

#endif
