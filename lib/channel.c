/*
 * channel: the adapter registry, channel accounts and the SKU map
 * (see channel.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alert.h"
#include "alloc.h"
#include "bom.h"
#include "channel.h"
#include "config.h"
#include "crypt.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "log.h"
#include "etsy.h"
#include "shopify.h"
#include "str.h"

static const char *const type_names[CHANNEL__MAX] = {
	"etsy",		/* CHANNEL_ETSY */
	"shopify",	/* CHANNEL_SHOPIFY */
	"amazon",	/* CHANNEL_AMAZON */
	"ebay",		/* CHANNEL_EBAY */
};

/* The adapters built in; NULL where a marketplace has none yet. */
static const struct channel_ops *const adapters[CHANNEL__MAX] = {
	&etsy_ops,	/* CHANNEL_ETSY */
	&shopify_ops,	/* CHANNEL_SHOPIFY */
	NULL,		/* CHANNEL_AMAZON */
	NULL,		/* CHANNEL_EBAY */
};

/* Adapters set by channel_ops_override() (the simulator's channels). */
static const struct channel_ops *overrides[CHANNEL__MAX];

const struct channel_ops *
channel_ops_for(enum channel_type t)
{
	if ((unsigned)t >= CHANNEL__MAX)
		return NULL;
	return overrides[t] != NULL ? overrides[t] : adapters[t];
}

void
channel_ops_override(enum channel_type t, const struct channel_ops *ops)
{
	if ((unsigned)t < CHANNEL__MAX)
		overrides[t] = ops;
}

const char *
channel_type_name(enum channel_type t)
{
	return (unsigned)t < CHANNEL__MAX ? type_names[t] : "unknown";
}

int
channel_type_parse(const char *name, enum channel_type *out)
{
	size_t	 i;

	for (i = 0; name != NULL && i < CHANNEL__MAX; i++)
		if (strcmp(name, type_names[i]) == 0) {
			*out = (enum channel_type)i;
			return 0;
		}
	return -1;
}

static int
master_key(const struct config *cfg, unsigned char key[CRYPT_KEY_LEN],
    struct err *e)
{
	if (cfg->master_key[0] == '\0')
		return err_set(e, ERR_INVALID, "missing required key "
		    "'master_key' in the secrets file (it seals channel "
		    "credentials)");
	return crypt_key_parse(cfg->master_key, key, e);
}

/* Seal creds into a hex string for binding (the column is binary; the
 * statement layer binds text, so the blob travels as hex and UNHEX()). */
static int
seal_hex(const struct config *cfg, const json_t *creds, char **hex,
    struct err *e)
{
	unsigned char	 key[CRYPT_KEY_LEN], *blob = NULL;
	char		*plain = NULL;
	size_t		 plen = 0, blen = 0;
	int		 rc = -1;

	*hex = NULL;
	if (creds == NULL)
		return 0;
	if (master_key(cfg, key, e) == -1)
		return -1;
	if ((plain = json_dumps(creds, JSON_COMPACT)) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	plen = strlen(plain);
	if (crypt_seal(key, plain, plen, &blob, &blen, e) == -1)
		goto out;
	if ((*hex = malloc(blen * 2 + 1)) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	str_hex(*hex, blob, blen);
	rc = 0;
out:
	explicit_bzero(key, sizeof(key));
	crypt_free_secret(plain, plen);
	free(blob);
	return rc;
}

static int
open_creds(const struct config *cfg, const char *hex, json_t **creds,
    struct err *e)
{
	unsigned char	 key[CRYPT_KEY_LEN], *blob = NULL;
	char		*plain = NULL;
	size_t		 n, i, plen = 0;
	int		 rc = -1;
	unsigned int	 byte;

	*creds = NULL;
	if (hex == NULL)
		return 0;
	n = strlen(hex) / 2;
	if (master_key(cfg, key, e) == -1)
		return -1;
	if ((blob = malloc(n + 1)) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		char pair[3] = { hex[2 * i], hex[2 * i + 1], '\0' };

		if (sscanf(pair, "%2x", &byte) != 1) {
			err_set(e, ERR_DB, "credentials column is damaged");
			goto out;
		}
		blob[i] = (unsigned char)byte;
	}
	if (crypt_open(key, blob, n, &plain, &plen, e) == -1)
		goto out;
	if ((*creds = json_loadb(plain, plen, 0, NULL)) == NULL) {
		err_set(e, ERR_DB, "credentials are not JSON");
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(key, sizeof(key));
	crypt_free_secret(plain, plen);
	free(blob);
	return rc;
}

int
channel_account_create(struct db *db, const struct config *cfg,
    enum channel_type t, const char *name, const char *base_url,
    const char *shop_ref, const json_t *creds,
    const struct alloc_policy *policy, int manual_accept, int64_t *id,
    struct err *e)
{
	struct alloc_policy	 none;
	char			*hex = NULL, pct[32];
	uint64_t		 newid = 0;
	int			 rc = -1;
	struct err		 ie;

	memset(&none, 0, sizeof(none));
	if (policy == NULL)
		policy = &none;
	if ((unsigned)t >= CHANNEL__MAX)
		return err_set(e, ERR_INVALID, "unknown channel type");
	if (name == NULL || name[0] == '\0' || strlen(name) > 100)
		return err_set(e, ERR_INVALID, "account name: 1 to 100 bytes");
	if (base_url == NULL || (strncmp(base_url, "https://", 8) != 0 &&
	    strncmp(base_url, "http://", 7) != 0) || strlen(base_url) > 255)
		return err_set(e, ERR_INVALID, "API base URL must be http(s)");
	if (policy->holdback_pct < 0 || policy->holdback_pct > 100)
		return err_set(e, ERR_INVALID, "holdback percent: 0 to 100");
	if (seal_hex(cfg, creds, &hex, e) == -1)
		return -1;
	(void)str_fmt(pct, sizeof(pct), "%.2f", policy->holdback_pct);
	err_clear(&ie);
	if (db_exec(db, "INSERT INTO channel_accounts (type, name, "
	    "api_base_url, shop_ref, credentials, holdback_pct, "
	    "holdback_units, max_shown, priority, manual_edit, paused) VALUES "
	    "(?, ?, ?, ?, UNHEX(?), ?, ?, ?, ?, ?, ?)", (struct db_val[]){
	    DBS(type_names[t]), DBS(name), DBS(base_url),
	    DBS(shop_ref != NULL ? shop_ref : ""), DBS(hex), DBS(pct),
	    DBI(policy->holdback_units),
	    policy->capped ? DBI(policy->max_shown) : DBN,
	    DBI(policy->priority), DBS(manual_accept ? "accept" : "restore"),
	    /* an Etsy shop without tokens waits for Connect (OAuth) */
	    DBI(t == CHANNEL_ETSY && !json_is_string(json_object_get(creds,
	    "access_token"))) }, 11, NULL, &newid, &ie) == -1) {
		if (ie.kind == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "an account named '%s' exists",
			    name);
		else if (e != NULL)
			*e = ie;
		goto out;
	}
	if (id != NULL)
		*id = (int64_t)newid;
	rc = 0;
out:
	if (hex != NULL) {
		explicit_bzero(hex, strlen(hex));
		free(hex);
	}
	return rc;
}

#define ACCOUNT_COLS "SELECT id, type, name, api_base_url, shop_ref, " \
	"HEX(credentials), holdback_pct, holdback_units, max_shown, " \
	"priority, manual_edit, paused FROM channel_accounts "

static int
account_row(struct db_res *r, const struct config *cfg,
    struct channel_account *a, struct err *e)
{
	const char	*pct;
	char		*end;
	size_t		 n;

	memset(a, 0, sizeof(*a));
	a->id = db_col_i64(r, 0);
	if (channel_type_parse(db_col_str(r, 1), &a->type) == -1)
		return err_set(e, ERR_DB, "account %lld: unknown type",
		    (long long)a->id);
	(void)str_copy(a->name, sizeof(a->name), db_col_str(r, 2));
	(void)str_copy(a->base_url, sizeof(a->base_url), db_col_str(r, 3));
	n = strlen(a->base_url);
	while (n > 0 && a->base_url[n - 1] == '/')
		a->base_url[--n] = '\0';
	(void)str_copy(a->shop_ref, sizeof(a->shop_ref), db_col_str(r, 4));
	pct = db_col_str(r, 6);
	a->policy.holdback_pct = pct != NULL ? strtod(pct, &end) : 0;
	a->policy.holdback_units = db_col_i64(r, 7);
	a->policy.capped = !db_col_null(r, 8);
	a->policy.max_shown = db_col_i64(r, 8);
	a->policy.priority = (int)db_col_i64(r, 9);
	a->manual_accept = db_col_str(r, 10) != NULL &&
	    strcmp(db_col_str(r, 10), "accept") == 0;
	a->paused = (int)db_col_i64(r, 11);
	return open_creds(cfg, db_col_str(r, 5), &a->creds, e);
}

static int
account_query(struct db *db, const struct config *cfg, const char *sql,
    const struct db_val *args, size_t nargs, struct channel_account *a,
    const char *what, struct err *e)
{
	struct db_res	*r;
	int		 rc;

	if ((r = db_query(db, sql, args, nargs, e)) == NULL)
		return -1;
	rc = db_next(r, e);
	if (rc == 0)
		err_set(e, ERR_NOTFOUND, "no channel account %s", what);
	if (rc == 1)
		rc = account_row(r, cfg, a, e) == 0 ? 1 : -1;
	db_res_free(r);
	return rc == 1 ? 0 : -1;
}

int
channel_account_load(struct db *db, const struct config *cfg, int64_t id,
    struct channel_account *a, struct err *e)
{
	return account_query(db, cfg, ACCOUNT_COLS "WHERE id = ?",
	    (struct db_val[]){ DBI(id) }, 1, a, "with that id", e);
}

int
channel_account_find(struct db *db, const struct config *cfg,
    enum channel_type t, const char *shop_ref, struct channel_account *a,
    struct err *e)
{
	return account_query(db, cfg, ACCOUNT_COLS "WHERE type = ? AND "
	    "shop_ref = ? ORDER BY id LIMIT 1", (struct db_val[]){
	    DBS(channel_type_name(t)), DBS(shop_ref) }, 2, a,
	    "for that shop", e);
}

int
channel_account_lock(struct db *db, const struct config *cfg,
    struct channel_account *a, struct err *e)
{
	struct channel_account	 fresh;
	int64_t			 id = a->id;

	if (account_query(db, cfg, ACCOUNT_COLS "WHERE id = ? FOR UPDATE",
	    (struct db_val[]){ DBI(id) }, 1, &fresh, "with that id", e) == -1)
		return -1;
	channel_account_free(a);
	*a = fresh;
	return 0;
}

int
channel_account_store_creds(struct db *db, const struct config *cfg,
    struct channel_account *a, const json_t *creds, struct err *e)
{
	char	*hex = NULL;
	json_t	*copy;
	int	 rc;

	if ((copy = json_deep_copy(creds)) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	if (seal_hex(cfg, creds, &hex, e) == -1) {
		json_decref(copy);
		return -1;
	}
	rc = db_exec(db, "UPDATE channel_accounts SET credentials = UNHEX(?) "
	    "WHERE id = ?", (struct db_val[]){ DBS(hex), DBI(a->id) }, 2,
	    NULL, NULL, e);
	explicit_bzero(hex, strlen(hex));
	free(hex);
	if (rc == -1) {
		json_decref(copy);
		return -1;
	}
	json_decref(a->creds);
	a->creds = copy;
	return 0;
}

void
channel_account_free(struct channel_account *a)
{
	if (a == NULL)
		return;
	/* jansson frees string memory without wiping; the plaintext copy
	 * was wiped in open_creds */
	json_decref(a->creds);
	a->creds = NULL;
}

int
channel_account_revoked(struct db *db, int64_t account_id, const char *name,
    struct err *e)
{
	char	 key[64], msg[256];

	if (db_exec(db, "UPDATE channel_accounts SET paused = 1 WHERE id = ?",
	    (struct db_val[]){ DBI(account_id) }, 1, NULL, NULL, e) == -1)
		return -1;
	(void)str_fmt(key, sizeof(key), "token_revoked:%lld",
	    (long long)account_id);
	(void)str_fmt(msg, sizeof(msg), "%s: the marketplace revoked the "
	    "hub's access (invalid_grant); the account is paused and nothing "
	    "is lost: reconnect it from the admin to resume",
	    name != NULL ? name : "account");
	log_warn("account %lld: token revoked; paused until reconnected",
	    (long long)account_id);
	return alert_raise(db, "token_revoked", key, account_id, 0, msg, NULL,
	    e);
}

int
channel_caught_up(struct db *db, int64_t account_id, int64_t at_s,
    struct err *e)
{
	return db_exec(db, "UPDATE channel_accounts SET caught_up_at = "
	    "GREATEST(COALESCE(caught_up_at, FROM_UNIXTIME(?)), "
	    "FROM_UNIXTIME(?)) WHERE id = ?", (struct db_val[]){ DBI(at_s),
	    DBI(at_s), DBI(account_id) }, 3, NULL, NULL, e);
}

int
channel_account_set_paused(struct db *db, int64_t account_id, int paused,
    struct err *e)
{
	if (db_exec(db, "UPDATE channel_accounts SET paused = ? WHERE id = ?",
	    (struct db_val[]){ DBI(paused ? 1 : 0), DBI(account_id) }, 2,
	    NULL, NULL, e) == -1)
		return -1;
	if (paused)
		return 0;
	/* what waited while paused is due now */
	return db_exec(db, "UPDATE push_queue q JOIN channel_listings l ON "
	    "l.id = q.listing_id SET q.next_at = CURRENT_TIMESTAMP(6) WHERE "
	    "l.account_id = ? AND q.dead = 0 AND q.want_version > "
	    "q.done_version", (struct db_val[]){ DBI(account_id) }, 1, NULL,
	    NULL, e);
}

int
channel_listing_map(struct db *db, int64_t account_id, const char *sku,
    const char *ext_listing, const char *ext_variant,
    const char *ext_location, const char *channel_sku, int64_t *id,
    struct err *e)
{
	struct ledger_item	 it;
	uint64_t		 newid = 0;
	struct err		 ie;

	if (ext_listing == NULL || ext_listing[0] == '\0' ||
	    strlen(ext_listing) > 64)
		return err_set(e, ERR_INVALID, "listing id: 1 to 64 bytes");
	if (ledger_item_get(db, sku, &it, e) == -1)
		return -1;
	err_clear(&ie);
	if (db_exec(db, "INSERT INTO channel_listings (account_id, item_id, "
	    "ext_listing, ext_variant, ext_location, channel_sku) VALUES "
	    "(?, ?, ?, ?, ?, ?)", (struct db_val[]){ DBI(account_id),
	    DBI(it.id), DBS(ext_listing),
	    DBS(ext_variant != NULL ? ext_variant : ""),
	    DBS(ext_location != NULL ? ext_location : ""),
	    DBS(channel_sku != NULL ? channel_sku : sku) }, 6, NULL, &newid,
	    &ie) == -1) {
		if (ie.kind == ERR_CONFLICT)
			return err_set(e, ERR_CONFLICT, "listing %s %s is "
			    "mapped already", ext_listing,
			    ext_variant != NULL ? ext_variant : "");
		if (e != NULL)
			*e = ie;
		return -1;
	}
	if (id != NULL)
		*id = (int64_t)newid;
	return 0;
}

#define LISTING_COLS "SELECT l.id, l.account_id, l.item_id, i.sku, " \
	"l.ext_listing, l.ext_variant, l.ext_location, l.channel_sku, " \
	"l.last_pushed_qty, l.hidden FROM channel_listings l " \
	"JOIN stock_items i ON i.id = l.item_id "

static void
listing_row(struct db_res *r, struct channel_listing *l)
{
	memset(l, 0, sizeof(*l));
	l->id = db_col_i64(r, 0);
	l->account_id = db_col_i64(r, 1);
	l->item_id = db_col_i64(r, 2);
	(void)str_copy(l->sku, sizeof(l->sku), db_col_str(r, 3));
	(void)str_copy(l->ext_listing, sizeof(l->ext_listing), db_col_str(r, 4));
	(void)str_copy(l->ext_variant, sizeof(l->ext_variant), db_col_str(r, 5));
	(void)str_copy(l->ext_location, sizeof(l->ext_location),
	    db_col_str(r, 6));
	(void)str_copy(l->channel_sku, sizeof(l->channel_sku),
	    db_col_str(r, 7));
	l->has_last_pushed = !db_col_null(r, 8);
	l->last_pushed = db_col_i64(r, 8);
	l->hidden = (int)db_col_i64(r, 9);
}

int
channel_listing_load(struct db *db, int64_t id, struct channel_listing *l,
    struct err *e)
{
	struct db_res	*r;
	int		 rc;

	r = db_query(db, LISTING_COLS "WHERE l.id = ?",
	    (struct db_val[]){ DBI(id) }, 1, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 0)
		err_set(e, ERR_NOTFOUND, "no channel listing %lld",
		    (long long)id);
	if (rc == 1)
		listing_row(r, l);
	db_res_free(r);
	return rc == 1 ? 0 : -1;
}

int
channel_listing_find(struct db *db, int64_t account_id,
    const char *ext_listing, const char *ext_variant,
    struct channel_listing *l, struct err *e)
{
	struct db_res	*r;
	int		 rc;

	r = db_query(db, LISTING_COLS "WHERE l.account_id = ? AND "
	    "l.ext_listing = ? AND (? = '' OR l.ext_variant = ?) "
	    "ORDER BY l.id LIMIT 1", (struct db_val[]){ DBI(account_id),
	    DBS(ext_listing), DBS(ext_variant), DBS(ext_variant) }, 4, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 1)
		listing_row(r, l);
	db_res_free(r);
	return rc;
}

int
channel_listing_find_variant(struct db *db, int64_t account_id,
    const char *ext_variant, struct channel_listing *l, struct err *e)
{
	struct db_res	*r;
	int		 rc;

	r = db_query(db, LISTING_COLS "WHERE l.account_id = ? AND "
	    "l.ext_variant = ? ORDER BY l.id LIMIT 1", (struct db_val[]){
	    DBI(account_id), DBS(ext_variant) }, 2, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 1)
		listing_row(r, l);
	db_res_free(r);
	return rc;
}

#define DESIRED_MAX	64

int
channel_desired(struct db *db, int64_t listing_id, int64_t *desired,
    int64_t *item_version, struct err *e)
{
	struct alloc_policy	 pol[DESIRED_MAX];
	int64_t			 shown[DESIRED_MAX], ids[DESIRED_MAX];
	int64_t			 available = 0, version = 0, item_id = 0;
	struct db_res		*r;
	const char		*pct;
	char			*end;
	size_t			 n = 0, i;
	int			 rc, derived = 0;

	/* every account listing the same item, in account order, so the
	 * low-stock rule's tie-break is stable; a bundle's or made-to-order
	 * item's version also counts its components' moves */
	r = db_query(db, "SELECT l.id, i.on_hand - i.committed, "
	    "CAST(i.version AS SIGNED) + i.derived_version, "
	    "CASE WHEN l.holdback_units IS NULL THEN a.holdback_pct ELSE 0 "
	    "END, COALESCE(l.holdback_units, a.holdback_units), "
	    "a.max_shown, a.priority, "
	    "i.id, i.kind <> 'stocked' "
	    "FROM channel_listings l "
	    "JOIN channel_listings me ON me.item_id = l.item_id "
	    "JOIN stock_items i ON i.id = l.item_id "
	    "JOIN channel_accounts a ON a.id = l.account_id "
	    "WHERE me.id = ? ORDER BY a.id, l.id", (struct db_val[]){
	    DBI(listing_id) }, 1, e);
	if (r == NULL)
		return -1;
	while ((rc = db_next(r, e)) == 1 && n < DESIRED_MAX) {
		ids[n] = db_col_i64(r, 0);
		available = db_col_i64(r, 1);
		version = db_col_i64(r, 2);
		memset(&pol[n], 0, sizeof(pol[n]));
		pct = db_col_str(r, 3);
		pol[n].holdback_pct = pct != NULL ? strtod(pct, &end) : 0;
		pol[n].holdback_units = db_col_i64(r, 4);
		pol[n].capped = !db_col_null(r, 5);
		pol[n].max_shown = db_col_i64(r, 5);
		pol[n].priority = (int)db_col_i64(r, 6);
		item_id = db_col_i64(r, 7);
		derived = db_col_i64(r, 8) != 0;
		n++;
	}
	db_res_free(r);
	if (rc == -1)
		return -1;
	if (n == 0)
		return err_set(e, ERR_NOTFOUND, "no channel listing %lld",
		    (long long)listing_id);
	/* bundle, made-to-order: computed from the components, never
	 * stored */
	if (derived && bom_item_available(db, item_id, &available, e) == -1)
		return -1;
	if (alloc_compute(available, pol, n, shown, e) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (ids[i] == listing_id) {
			*desired = shown[i];
			*item_version = version;
			return 0;
		}
	return err_set(e, ERR_NOTFOUND, "listing %lld vanished",
	    (long long)listing_id);
}
