/*
 * connect: onboarding a shop (see connect.h).
 */
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "connect.h"
#include "db.h"
#include "err.h"
#include "log.h"
#include "push.h"
#include "shopify.h"
#include "str.h"

int
connect_account_by_name(struct db *db, const struct config *cfg,
    const char *name, struct channel_account *a, struct err *e)
{
	int64_t	 id = 0;
	int	 rc;

	rc = db_query_i64(db, "SELECT id FROM channel_accounts WHERE name = ?",
	    (struct db_val[]){ DBS(name) }, 1, &id, e);
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "no channel account named '%s'",
		    name);
	if (rc == -1)
		return -1;
	return channel_account_load(db, cfg, id, a, e);
}

int
connect_shopify_map(struct db *db, const struct channel_account *a,
    const char *sku, const char *location_id, int64_t *listing_id,
    struct err *e)
{
	struct shopify_variant	 v[SHOPIFY_FIND_MAX];
	char			 vid[32], iid[32];
	int64_t			 id = 0;
	size_t			 n = 0;

	if (a->type != CHANNEL_SHOPIFY)
		return err_set(e, ERR_INVALID, "'%s' is not a Shopify account",
		    a->name);
	if (shopify_find_variants(a, sku, v, SHOPIFY_FIND_MAX, &n, e) == -1)
		return -1;
	/* exact SKU only: never a title, never a guess */
	if (n == 0)
		return err_set(e, ERR_NOTFOUND, "no variant on %s has the SKU "
		    "'%s' exactly", a->name, sku);
	if (n > 1)
		return err_set(e, ERR_CONFLICT, "%zu variants on %s share the "
		    "SKU '%s'; give each its own SKU first", n, a->name, sku);
	(void)str_fmt(vid, sizeof(vid), "%lld", (long long)v[0].variant_id);
	(void)str_fmt(iid, sizeof(iid), "%lld",
	    (long long)v[0].inventory_item_id);
	if (channel_listing_map(db, a->id, sku, vid, iid, location_id, sku,
	    &id, e) == -1 || push_queue_listing(db, id, e) == -1)
		return -1;
	if (listing_id != NULL)
		*listing_id = id;
	return 0;
}

static int
place_sku_cmp(const void *x, const void *y)
{
	const struct channel_place *a = x, *b = y;

	return strcmp(a->sku, b->sku);
}

/* The hub's SKUs not mapped on account id: a malloc'd array of malloc'd
 * strings. */
static int
unmapped_skus(struct db *db, int64_t id, char ***out, size_t *n,
    struct err *e)
{
	struct db_res	 *q;
	char		**v = NULL, **nv;
	size_t		  have = 0, cap = 0, i;
	int		  got;

	*out = NULL;
	*n = 0;
	if ((q = db_query(db, "SELECT i.sku FROM stock_items i WHERE NOT "
	    "EXISTS (SELECT 1 FROM channel_listings cl WHERE cl.item_id = "
	    "i.id AND cl.account_id = ?) ORDER BY i.sku",
	    (struct db_val[]){ DBI(id) }, 1, e)) == NULL)
		return -1;
	while ((got = db_next(q, e)) == 1) {
		if (have == cap) {
			if ((nv = reallocarray(v, cap + 256, sizeof(*v))) ==
			    NULL)
				break;
			v = nv;
			cap += 256;
		}
		if ((v[have] = strdup(db_col_str(q, 0))) == NULL)
			break;
		have++;
	}
	db_res_free(q);
	if (got == 1)
		err_set(e, ERR_SYS, "out of memory");
	if (got != 0) {
		for (i = 0; i < have; i++)
			free(v[i]);
		free(v);
		return -1;
	}
	*out = v;
	*n = have;
	return 0;
}

int
connect_map_all(struct db *db, const struct config *cfg,
    struct channel_account *a, int *mapped, int *left, struct err *e)
{
	const struct channel_ops *ops = channel_ops_for(a->type);
	struct channel_ctx	 ctx = { 0 };
	struct channel_place	*pl = NULL, key;
	char			**skus = NULL;
	size_t			 np = 0, ns = 0, i, lo, hi, mid;
	int64_t			 id;
	int			 calls = 0, rc = -1;
	struct err		 me;

	*mapped = *left = 0;
	if (ops == NULL || ops->catalog == NULL)
		return err_set(e, ERR_INVALID, "the hub cannot list the catalog "
		    "of %s (%s) yet", a->name, channel_type_name(a->type));
	ctx.db = db;
	ctx.cfg = cfg;
	ctx.acct = a;
	if (ops->catalog(&ctx, &pl, &np, &calls, e) == -1)
		goto out;
	qsort(pl, np, sizeof(*pl), place_sku_cmp);
	if (unmapped_skus(db, a->id, &skus, &ns, e) == -1)
		goto out;
	for (i = 0; i < ns; i++) {
		/* the first place with this exact SKU, then how many */
		if (str_copy(key.sku, sizeof(key.sku), skus[i]) == -1)
			continue;
		for (lo = 0, hi = np; lo < hi; ) {
			mid = lo + (hi - lo) / 2;
			if (place_sku_cmp(&pl[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == np || strcmp(pl[lo].sku, skus[i]) != 0)
			continue;	/* not sold there */
		/* ambiguous, or one quantity for every variation: never
		 * guess */
		if ((lo + 1 < np && strcmp(pl[lo + 1].sku, skus[i]) == 0) ||
		    pl[lo].listing_level_qty) {
			(*left)++;
			continue;
		}
		err_clear(&me);
		if (channel_listing_map(db, a->id, skus[i], pl[lo].ext_listing,
		    pl[lo].ext_variant, pl[lo].ext_location, skus[i], &id,
		    &me) == -1) {
			if (me.kind == ERR_CONFLICT)
				continue;	/* that variant has a SKU already */
			*e = me;
			goto out;
		}
		if (push_queue_listing(db, id, e) == -1)
			goto out;
		(*mapped)++;
	}
	log_info("connect: %s: %zu place(s) read in %d call(s), %d SKU(s) "
	    "mapped, %d left for a person", a->name, np, calls, *mapped,
	    *left);
	rc = 0;
out:
	for (i = 0; i < ns; i++)
		free(skus[i]);
	free(skus);
	free(pl);
	return rc;
}

int
connect_shopify_subscribe(const struct config *cfg,
    const struct channel_account *a, int *n, struct err *e)
{
	char		 uri[512];
	struct err	 ie;
	int		 t;

	if (n != NULL)
		*n = 0;
	if (str_fmt(uri, sizeof(uri), "%s/hooks/shopify",
	    cfg->public_base_url) == -1)
		return err_set(e, ERR_INVALID, "public_base_url is too long");
	for (t = 0; t < SHOPIFY_TOPIC__MAX; t++) {
		err_clear(&ie);
		if (shopify_webhook_subscribe(a, (enum shopify_topic)t, uri,
		    NULL, 0, &ie) == 0) {
			if (n != NULL)
				(*n)++;
			continue;
		}
		/* already subscribed is what we want */
		if (ie.kind == ERR_CONFLICT) {
			log_info("%s: %s", shopify_topic_header(
			    (enum shopify_topic)t), ie.msg);
			continue;
		}
		if (e != NULL)
			*e = ie;
		return -1;
	}
	return 0;
}
