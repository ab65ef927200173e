/*
 * connect: onboarding a shop (see connect.h).
 */
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
