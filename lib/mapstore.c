/*
 * mapstore: the SKU map in the database (see mapstore.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "mapstore.h"
#include "push.h"
#include "skumap.h"
#include "stock.h"
#include "str.h"

#define MAP_SELECT \
	"SELECT i.sku, i.title, COALESCE(a.name, ''), " \
	"COALESCE(l.ext_listing, ''), COALESCE(l.ext_variant, ''), " \
	"COALESCE(l.ext_location, ''), COALESCE(l.channel_sku, '') " \
	"FROM stock_items i LEFT JOIN channel_listings l ON l.item_id = i.id " \
	"LEFT JOIN channel_accounts a ON a.id = l.account_id "
#define MAP_ORDER \
	" ORDER BY i.sku, a.name, l.ext_listing, l.ext_variant, l.id"

static int
load(struct db *db, const char *sku, int lock, struct skumap *m,
    struct err *e)
{
	struct db_res	*r;
	struct db_val	 arg = DBS(sku);
	int		 got;

	memset(m, 0, sizeof(*m));
	if (sku == NULL)
		r = db_query(db, lock ? MAP_SELECT MAP_ORDER " FOR UPDATE" :
		    MAP_SELECT MAP_ORDER, NULL, 0, e);
	else
		r = db_query(db, lock ? MAP_SELECT "WHERE i.sku = ?" MAP_ORDER
		    " FOR UPDATE" : MAP_SELECT "WHERE i.sku = ?" MAP_ORDER,
		    &arg, 1, e);
	if (r == NULL)
		return -1;
	while ((got = db_next(r, e)) == 1)
		if (skumap_add(m, db_col_str(r, 0), db_col_str(r, 1),
		    db_col_str(r, 2), db_col_str(r, 3), db_col_str(r, 4),
		    db_col_str(r, 5), db_col_str(r, 6), e) == -1) {
			got = -1;
			break;
		}
	db_res_free(r);
	if (got == -1) {
		skumap_free(m);
		return -1;
	}
	if (sku != NULL && m->n == 0)
		return err_set(e, ERR_NOTFOUND, "there is no item with the "
		    "SKU \"%s\"", sku);
	return 0;
}

int
mapstore_load(struct db *db, const char *sku, struct skumap *m,
    struct err *e)
{
	return load(db, sku, 0, m, e);
}

void
mapstore_names_free(char **names, size_t n)
{
	size_t	 i;

	for (i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
}

int
mapstore_accounts(struct db *db, char ***names, size_t *n, struct err *e)
{
	struct db_res	*r;
	char		**v = NULL, **nv;
	size_t		  k = 0;
	int		  got;

	*names = NULL;
	*n = 0;
	if ((r = db_query(db, "SELECT name FROM channel_accounts ORDER BY "
	    "name", NULL, 0, e)) == NULL)
		return -1;
	while ((got = db_next(r, e)) == 1) {
		if ((nv = realloc(v, (k + 1) * sizeof(*v))) == NULL ||
		    (nv[k] = strdup(db_col_str(r, 0))) == NULL) {
			if (nv != NULL)
				v = nv;
			got = err_set(e, ERR_SYS, "out of memory");
			break;
		}
		v = nv;
		k++;
	}
	db_res_free(r);
	if (got == -1) {
		mapstore_names_free(v, k);
		return -1;
	}
	*names = v;
	*n = k;
	return 0;
}

/* The fingerprint of the map (or one item's) under row locks, against
 * what the form was made from. */
static int
check_unchanged(struct db *db, const char *sku, const char *want_fp,
    const char *what, struct err *e)
{
	struct skumap	 m;
	char		 fp[65];
	int		 rc;

	if (load(db, sku, 1, &m, e) == -1)
		return -1;
	rc = skumap_fingerprint(&m, fp, e);
	skumap_free(&m);
	if (rc == -1)
		return -1;
	if (want_fp == NULL || strcmp(fp, want_fp) != 0)
		return err_set(e, ERR_CONFLICT, "%s changed after you opened "
		    "this page (someone else saved a change meanwhile), so "
		    "yours was not applied over it. Look at it again and "
		    "redo your change if it is still needed.", what);
	return 0;
}

static int
account_id(struct db *db, const char *name, int64_t *id, struct err *e)
{
	int	 got;

	got = db_query_i64(db, "SELECT id FROM channel_accounts WHERE name = "
	    "?", (struct db_val[]){ DBS(name) }, 1, id, e);
	if (got == 0)
		return err_set(e, ERR_NOTFOUND, "account: there is no channel "
		    "account named \"%s\"", name);
	return got == -1 ? -1 : 0;
}

struct apply_arg {
	const struct skumap_plan	*plan;
	const unsigned char		*accept;
	const char			*want_fp;
	struct mapstore_result		*res;
};

static int
apply_one(struct db *db, const struct skumap_prop *p,
    struct mapstore_result *res, struct err *e)
{
	const struct skumap_row	*r = p->csv;
	int64_t			 acct, lid = 0, item;
	uint64_t		 n = 0;
	int			 got;

	switch (p->act) {
	case SKUMAP_NEW_ITEM:
		if (ledger_item_create(db, r->sku, r->title, NULL, e) == -1)
			return -1;
		res->items_created++;
		return 0;
	case SKUMAP_TITLE_CONFLICT:
		if (db_exec(db, "UPDATE stock_items SET title = ? WHERE "
		    "sku = ?", (struct db_val[]){ DBS(r->title), DBS(r->sku) },
		    2, &n, NULL, e) == -1)
			return -1;
		res->titles_changed += n > 0;
		return 0;
	case SKUMAP_NEW_LISTING:
		if (account_id(db, r->account, &acct, e) == -1)
			return -1;
		if ((got = db_query_i64(db, "SELECT id FROM stock_items WHERE "
		    "sku = ?", (struct db_val[]){ DBS(r->sku) }, 1, &item,
		    e)) == -1)
			return -1;
		if (got == 0) {		/* its new item was not accepted */
			res->skipped++;
			return 0;
		}
		if (channel_listing_map(db, acct, r->sku, r->ext_listing,
		    r->ext_variant, r->ext_location, r->channel_sku, &lid,
		    e) == -1 || push_queue_listing(db, lid, e) == -1)
			return -1;
		res->listings_added++;
		return 0;
	case SKUMAP_PLACE_CONFLICT:
		if (account_id(db, r->account, &acct, e) == -1)
			return -1;
		if ((got = db_query_i64(db, "SELECT id FROM stock_items WHERE "
		    "sku = ?", (struct db_val[]){ DBS(r->sku) }, 1, &item,
		    e)) == -1)
			return -1;
		if (got == 0) {
			res->skipped++;
			return 0;
		}
		if (db_query_i64(db, "SELECT id FROM channel_listings WHERE "
		    "account_id = ? AND ext_listing = ? AND ext_variant = ?",
		    (struct db_val[]){ DBI(acct), DBS(r->ext_listing),
		    DBS(r->ext_variant) }, 3, &lid, e) != 1)
			return err_set(e, ERR_CONFLICT, "listing %s on %s is "
			    "gone", r->ext_listing, r->account);
		if (db_exec(db, "UPDATE channel_listings SET item_id = ?, "
		    "ext_location = ?, channel_sku = ? WHERE id = ?",
		    (struct db_val[]){ DBI(item), DBS(r->ext_location),
		    DBS(r->channel_sku), DBI(lid) }, 4, NULL, NULL, e) == -1 ||
		    push_queue_listing(db, lid, e) == -1)
			return -1;
		res->listings_moved++;
		return 0;
	default:
		return 0;	/* a match changes nothing */
	}
}

static int
apply_tx(struct db *db, void *varg, struct err *e)
{
	struct apply_arg	*a = varg;
	size_t			 i;

	memset(a->res, 0, sizeof(*a->res));
	if (a->want_fp != NULL && check_unchanged(db, NULL, a->want_fp,
	    "The SKU map", e) == -1)
		return -1;
	/* items first, so that their listings find them */
	for (i = 0; i < a->plan->n; i++)
		if (a->accept[i] && (a->plan->props[i].act == SKUMAP_NEW_ITEM ||
		    a->plan->props[i].act == SKUMAP_TITLE_CONFLICT) &&
		    apply_one(db, &a->plan->props[i], a->res, e) == -1)
			return -1;
	for (i = 0; i < a->plan->n; i++)
		if (a->accept[i] && a->plan->props[i].act != SKUMAP_NEW_ITEM &&
		    a->plan->props[i].act != SKUMAP_TITLE_CONFLICT &&
		    apply_one(db, &a->plan->props[i], a->res, e) == -1)
			return -1;
	return 0;
}

int
mapstore_apply(struct db *db, const struct skumap_plan *plan,
    const unsigned char *accept, const char *want_fp,
    struct mapstore_result *res, struct err *e)
{
	struct apply_arg	 a = { plan, accept, want_fp, res };

	return db_tx(db, apply_tx, &a, e);
}

struct item_arg {
	const char	*sku, *want_fp, *account, *listing, *variant,
			*location;
	int64_t		 listing_id;
};

static int
item_add_tx(struct db *db, void *varg, struct err *e)
{
	struct item_arg	*a = varg;
	int64_t		 acct;

	if (check_unchanged(db, a->sku, a->want_fp, "This item's map",
	    e) == -1 || account_id(db, a->account, &acct, e) == -1)
		return -1;
	if (channel_listing_map(db, acct, a->sku, a->listing, a->variant,
	    a->location, a->sku, &a->listing_id, e) == -1) {
		if (e != NULL && e->kind == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "ext_listing: listing %s%s%s "
			    "on %s is mapped already (to this or another "
			    "SKU); remove that mapping first", a->listing,
			    a->variant[0] != '\0' ? " " : "", a->variant,
			    a->account);
		return -1;
	}
	return push_queue_listing(db, a->listing_id, e);
}

static int
ascii_id(const char *s, size_t max)
{
	size_t	 n = strlen(s);

	if (n > max)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

int
mapstore_item_add(struct db *db, const char *sku, const char *want_fp,
    const char *account, const char *ext_listing, const char *ext_variant,
    const char *ext_location, int64_t *listing_id, struct err *e)
{
	struct item_arg	 a;

	if (account == NULL || account[0] == '\0')
		return err_set(e, ERR_INVALID, "account: choose the channel "
		    "account the listing is on");
	if (ext_listing == NULL || ext_listing[0] == '\0' ||
	    !ascii_id(ext_listing, 64))
		return err_set(e, ERR_INVALID, "ext_listing: the listing id "
		    "is 1 to 64 letters, digits or signs, without spaces");
	if (ext_variant == NULL || strlen(ext_variant) > 255 ||
	    !str_utf8_valid(ext_variant, strlen(ext_variant)))
		return err_set(e, ERR_INVALID, "ext_variant: at most 255 "
		    "characters");
	if (ext_location == NULL || !ascii_id(ext_location, 64))
		return err_set(e, ERR_INVALID, "ext_location: at most 64 "
		    "letters, digits or signs, without spaces");
	memset(&a, 0, sizeof(a));
	a.sku = sku;
	a.want_fp = want_fp;
	a.account = account;
	a.listing = ext_listing;
	a.variant = ext_variant;
	a.location = ext_location;
	if (db_tx(db, item_add_tx, &a, e) == -1)
		return -1;
	if (listing_id != NULL)
		*listing_id = a.listing_id;
	return 0;
}

static int
item_remove_tx(struct db *db, void *varg, struct err *e)
{
	struct item_arg	*a = varg;
	struct db_val	 id = DBI(a->listing_id);
	uint64_t	 n = 0;

	if (check_unchanged(db, a->sku, a->want_fp, "This item's map",
	    e) == -1)
		return -1;
	if (db_exec(db, "DELETE FROM push_queue WHERE listing_id = ?", &id, 1,
	    NULL, NULL, e) == -1 ||
	    db_exec(db, "DELETE FROM channel_writes WHERE listing_id = ?", &id,
	    1, NULL, NULL, e) == -1 ||
	    db_exec(db, "DELETE l FROM channel_listings l JOIN stock_items i "
	    "ON i.id = l.item_id WHERE l.id = ? AND i.sku = ?",
	    (struct db_val[]){ id, DBS(a->sku) }, 2, &n, NULL, e) == -1)
		return -1;
	if (n == 0)
		return err_set(e, ERR_NOTFOUND, "that listing is not mapped "
		    "to %s", a->sku);
	return 0;
}

int
mapstore_item_remove(struct db *db, const char *sku, const char *want_fp,
    int64_t listing_id, struct err *e)
{
	struct item_arg	 a;

	memset(&a, 0, sizeof(a));
	a.sku = sku;
	a.want_fp = want_fp;
	a.listing_id = listing_id;
	return db_tx(db, item_remove_tx, &a, e);
}
