/*
 * audit: the mapping audit (see audit.h).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "audit.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "log.h"
#include "push.h"
#include "str.h"

/* ---- pure ------------------------------------------------------------------ */

static const char *const kind_names[AUDIT__MAX] = {
	"unmapped", "renamed", "missing", "sku_differs", "sku_shared",
	"listing_qty"
};

static const char *const kind_labels[AUDIT__MAX] = {
	"a variation on the channel is not in the SKU map",
	"a mapped variation was renamed on the channel",
	"a mapped listing or variation is gone from the channel",
	"the SKU on the channel differs from the hub's",
	"several places on the channel share one SKU",
	"quantity is set for the whole listing, not per variation"
};

const char *
audit_kind_name(enum audit_kind k)
{
	return (unsigned)k < AUDIT__MAX ? kind_names[k] : "unknown";
}

const char *
audit_kind_label(enum audit_kind k)
{
	return (unsigned)k < AUDIT__MAX ? kind_labels[k] : "unknown";
}

/* qsort/bsearch contexts (no globals: indexes carry their arrays) */
struct pref {
	const struct channel_place	*p;
	size_t				 i;
};

struct mref {
	const struct audit_mapped	*m;
	size_t				 i;
};

static int
mref_cmp(const void *x, const void *y)
{
	const struct mref	*a = x, *b = y;
	int			 c = strcmp(a->m->ext_listing, b->m->ext_listing);

	if (c == 0)
		c = strcmp(a->m->ext_variant, b->m->ext_variant);
	return c != 0 ? c : (a->i < b->i ? -1 : a->i > b->i);
}

static int
pref_sku_cmp(const void *x, const void *y)
{
	const struct pref	*a = x, *b = y;
	int			 c = strcmp(a->p->sku, b->p->sku);

	return c != 0 ? c : (a->i < b->i ? -1 : a->i > b->i);
}

/* The map entry at (l, v), or -1: binary search over the sorted index. */
static long
map_find(const struct mref *ix, size_t n, const char *l, const char *v)
{
	size_t	 lo = 0, hi = n, mid;
	int	 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(ix[mid].m->ext_listing, l);
		if (c == 0)
			c = strcmp(ix[mid].m->ext_variant, v);
		if (c == 0)
			return (long)ix[mid].i;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* a and b equal but for ASCII case and whitespace */
static int
loose_equal(const char *a, const char *b)
{
	for (;;) {
		while (*a != '\0' && isspace((unsigned char)*a))
			a++;
		while (*b != '\0' && isspace((unsigned char)*b))
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		a++;
		b++;
	}
}

struct fl {
	struct audit_finding	*f;
	size_t			 n, cap;
};

static struct audit_finding *
fl_add(struct fl *l, enum audit_kind k, long place, long mapped)
{
	struct audit_finding	*nf;

	if (l->n == l->cap) {
		if ((nf = reallocarray(l->f, l->cap ? l->cap * 2 : 16,
		    sizeof(*nf))) == NULL)
			return NULL;
		l->f = nf;
		l->cap = l->cap ? l->cap * 2 : 16;
	}
	nf = &l->f[l->n++];
	memset(nf, 0, sizeof(*nf));
	nf->kind = k;
	nf->place = place;
	nf->mapped = mapped;
	return nf;
}

int
audit_compare(const struct channel_place *pl, size_t np,
    const struct audit_mapped *m, size_t nm,
    int (*hub_has)(void *arg, const char *sku), void *arg,
    struct audit_finding **out, size_t *nout, struct err *e)
{
	struct mref		*mix = NULL;
	struct pref		*six = NULL;
	long			*match = NULL;
	unsigned char		*seen = NULL, *claimed = NULL;
	struct fl		 fl = { NULL, 0, 0 };
	struct audit_finding	*f;
	size_t			 i, j, k;
	long			 p;
	int			 rc = -1;

	*out = NULL;
	*nout = 0;
	if ((nm > 0 && (mix = calloc(nm, sizeof(*mix))) == NULL) ||
	    (np > 0 && (six = calloc(np, sizeof(*six))) == NULL) ||
	    (np > 0 && (match = calloc(np, sizeof(*match))) == NULL) ||
	    (np > 0 && (claimed = calloc(np, 1)) == NULL) ||
	    (nm > 0 && (seen = calloc(nm, 1)) == NULL))
		goto oom;
	for (i = 0; i < nm; i++)
		mix[i] = (struct mref){ &m[i], i };
	if (nm > 0)
		qsort(mix, nm, sizeof(*mix), mref_cmp);
	for (i = 0; i < np; i++) {
		six[i] = (struct pref){ &pl[i], i };
		match[i] = map_find(mix, nm, pl[i].ext_listing,
		    pl[i].ext_variant);
		if (match[i] >= 0)
			seen[match[i]] = 1;
	}
	if (np > 0)
		qsort(six, np, sizeof(*six), pref_sku_cmp);

	/* unmapped places (after renamed ones claimed theirs) */
	for (j = 0; j < nm; j++) {
		if (seen[j])
			continue;
		/* gone: renamed when an unmapped place of the same listing
		 * carries the mapped SKU exactly */
		p = -1;
		for (k = 0; k < np; k++) {
			i = six[k].i;
			if (match[i] < 0 && !claimed[i] &&
			    strcmp(pl[i].sku, m[j].hub_sku) == 0 &&
			    strcmp(pl[i].ext_listing, m[j].ext_listing) == 0) {
				p = (long)i;
				break;
			}
		}
		if (p >= 0) {
			claimed[p] = 1;
			if ((f = fl_add(&fl, AUDIT_RENAMED, p, (long)j)) ==
			    NULL)
				goto oom;
			f->suggest = 1;
			(void)str_copy(f->suggest_sku, sizeof(f->suggest_sku),
			    m[j].hub_sku);
		}
	}
	for (i = 0; i < np; i++) {
		if (match[i] >= 0 || claimed[i])
			continue;
		if ((f = fl_add(&fl, AUDIT_UNMAPPED, (long)i, -1)) == NULL)
			goto oom;
		if (pl[i].sku[0] != '\0' && hub_has != NULL &&
		    hub_has(arg, pl[i].sku) == 1 &&
		    str_copy(f->suggest_sku, sizeof(f->suggest_sku),
		    pl[i].sku) == 0)
			f->suggest = 1;
	}
	/* the order of audit.h: renamed before missing */
	for (j = 0; j < nm; j++) {
		int	 renamed = 0;

		if (seen[j])
			continue;
		for (k = 0; k < fl.n; k++)
			if (fl.f[k].kind == AUDIT_RENAMED &&
			    fl.f[k].mapped == (long)j)
				renamed = 1;
		if (!renamed && fl_add(&fl, AUDIT_MISSING, -1, (long)j) ==
		    NULL)
			goto oom;
	}
	for (i = 0; i < np; i++) {
		if (match[i] < 0 || strcmp(pl[i].sku, m[match[i]].hub_sku) ==
		    0)
			continue;
		if ((f = fl_add(&fl, AUDIT_SKU_DIFFERS, (long)i, match[i])) ==
		    NULL)
			goto oom;
		f->case_ws_only = loose_equal(pl[i].sku, m[match[i]].hub_sku);
	}
	/* one finding per SKU that more than one place carries */
	for (k = 0; k + 1 < np; k++) {
		if (six[k].p->sku[0] == '\0' ||
		    strcmp(six[k].p->sku, six[k + 1].p->sku) != 0 ||
		    (k > 0 && strcmp(six[k - 1].p->sku, six[k].p->sku) == 0))
			continue;
		if (fl_add(&fl, AUDIT_SKU_SHARED, (long)six[k + 1].i,
		    -1) == NULL)
			goto oom;
	}
	/* one finding per listing with listing-level quantity that the
	 * map tracks by variation */
	for (i = 0; i < np; i++) {
		int	 first = 1, mapped = 0;

		if (!pl[i].listing_level_qty)
			continue;
		for (k = 0; k < np; k++)
			if (strcmp(pl[k].ext_listing, pl[i].ext_listing) == 0) {
				if (k < i)
					first = 0;
				if (match[k] >= 0)
					mapped = 1;
			}
		if (first && mapped && fl_add(&fl, AUDIT_LISTING_QTY,
		    (long)i, -1) == NULL)
			goto oom;
	}
	*out = fl.f;
	*nout = fl.n;
	fl.f = NULL;
	rc = 0;
	goto out;
oom:
	err_set(e, ERR_SYS, "audit: out of memory");
out:
	free(fl.f);
	free(mix);
	free(six);
	free(match);
	free(seen);
	free(claimed);
	return rc;
}

/* ---- runs ------------------------------------------------------------------ */

static int
hub_has_sku(void *arg, const char *sku)
{
	struct db	*db = arg;
	struct err	 e;
	int64_t		 id = 0;

	err_clear(&e);
	return db_query_i64(db, "SELECT id FROM stock_items WHERE sku = ?",
	    (struct db_val[]){ DBS(sku) }, 1, &id, &e) == 1;
}

struct maprows {
	struct audit_mapped	*m;
	char			*strs;	/* one block for every string */
	size_t			 n;
};

static void
maprows_free(struct maprows *r)
{
	free(r->m);
	free(r->strs);
	memset(r, 0, sizeof(*r));
}

#define MAPROW_STR	(65 + 256 + 65)

static int
maprows_load(struct db *db, int64_t account_id, struct maprows *r,
    struct err *e)
{
	struct db_res	*q;
	int64_t		 n = 0;
	size_t		 i = 0;
	char		*s;
	int		 t;

	memset(r, 0, sizeof(*r));
	if (db_query_i64(db, "SELECT COUNT(*) FROM channel_listings WHERE "
	    "account_id = ?", (struct db_val[]){ DBI(account_id) }, 1, &n,
	    e) == -1)
		return -1;
	if (n > 0 && ((r->m = calloc((size_t)n, sizeof(*r->m))) == NULL ||
	    (r->strs = calloc((size_t)n, MAPROW_STR)) == NULL)) {
		maprows_free(r);
		return err_set(e, ERR_SYS, "audit: out of memory");
	}
	if ((q = db_query(db, "SELECT l.id, l.ext_listing, l.ext_variant, "
	    "i.sku FROM channel_listings l JOIN stock_items i ON i.id = "
	    "l.item_id WHERE l.account_id = ? ORDER BY l.id LIMIT ?",
	    (struct db_val[]){ DBI(account_id), DBI(n) }, 2, e)) == NULL) {
		maprows_free(r);
		return -1;
	}
	while ((t = db_next(q, e)) == 1 && i < (size_t)n) {
		s = r->strs + i * MAPROW_STR;
		(void)str_copy(s, 65, db_col_str(q, 1));
		(void)str_copy(s + 65, 256, db_col_str(q, 2));
		(void)str_copy(s + 65 + 256, 65, db_col_str(q, 3));
		r->m[i].listing_id = db_col_i64(q, 0);
		r->m[i].ext_listing = s;
		r->m[i].ext_variant = s + 65;
		r->m[i].hub_sku = s + 65 + 256;
		i++;
	}
	db_res_free(q);
	if (t == -1) {
		maprows_free(r);
		return -1;
	}
	r->n = i;
	return 0;
}

/* Raise the finding's alert and store its suggestion. */
static int
record_finding(struct db *db, const struct channel_account *a,
    const struct channel_place *pl, const struct audit_mapped *m,
    const struct audit_finding *f, struct err *e)
{
	const struct channel_place	*p = f->place >= 0 ? &pl[f->place] :
					    NULL;
	const struct audit_mapped	*mm = f->mapped >= 0 ? &m[f->mapped] :
					    NULL;
	char				 key[191], msg[256], det[512];
	int64_t				 item = 0;

	(void)str_fmt(key, sizeof(key), "audit:%s:%" PRId64 ":%.60s:%.100s",
	    audit_kind_name(f->kind), a->id, p != NULL ? p->ext_listing :
	    mm->ext_listing, f->kind == AUDIT_SKU_SHARED ? p->sku : p != NULL ?
	    p->ext_variant : mm->ext_variant);
	switch (f->kind) {
	case AUDIT_UNMAPPED:
		(void)str_fmt(msg, sizeof(msg), "%.60s: listing %s %.60s "
		    "(SKU '%.40s') is not in the SKU map", a->name,
		    p->ext_listing, p->ext_variant, p->sku);
		break;
	case AUDIT_RENAMED:
		(void)str_fmt(msg, sizeof(msg), "%.60s: listing %s: mapped "
		    "'%.50s' is now '%.50s' (SKU %.40s)", a->name,
		    mm->ext_listing, mm->ext_variant, p->ext_variant, p->sku);
		break;
	case AUDIT_MISSING:
		(void)str_fmt(msg, sizeof(msg), "%.60s: mapped listing %s "
		    "%.60s (SKU %.40s) is not on sale on the channel", a->name,
		    mm->ext_listing, mm->ext_variant, mm->hub_sku);
		break;
	case AUDIT_SKU_DIFFERS:
		(void)str_fmt(msg, sizeof(msg), "%.60s: listing %s %.50s "
		    "shows SKU '%.40s', the hub's is '%.40s'%s", a->name,
		    p->ext_listing, p->ext_variant, p->sku, mm->hub_sku,
		    f->case_ws_only ? " (only case or spaces differ)" : "");
		break;
	case AUDIT_SKU_SHARED:
		(void)str_fmt(msg, sizeof(msg), "%.60s: SKU '%.60s' is on more "
		    "than one listing or variation", a->name, p->sku);
		break;
	case AUDIT_LISTING_QTY:
		(void)str_fmt(msg, sizeof(msg), "%.60s: Etsy listing %s sets "
		    "one quantity for all its variations; set quantity per "
		    "variation so each follows its own SKU", a->name,
		    p->ext_listing);
		break;
	default:
		return 0;
	}
	if (f->suggest)
		(void)str_fmt(det, sizeof(det), "%s. Suggestion: %s hub SKU %s "
		    "(exact match) - confirm on /admin/audit", audit_kind_label(
		    f->kind), f->kind == AUDIT_RENAMED ? "move the map entry "
		    "of" : "map it to", f->suggest_sku);
	else
		(void)str_fmt(det, sizeof(det), "%s.%s", audit_kind_label(
		    f->kind), f->kind == AUDIT_UNMAPPED ? " No hub SKU matches "
		    "exactly." : "");
	if (mm != NULL)
		(void)db_query_i64(db, "SELECT item_id FROM channel_listings "
		    "WHERE id = ?", (struct db_val[]){ DBI(mm->listing_id) }, 1,
		    &item, e);
	if (alert_raise(db, "mapping_audit", key, a->id, item, msg, det,
	    e) == -1)
		return -1;
	if (!f->suggest)
		return 0;
	/* one open suggestion per alert; a confirmed one may come back */
	return db_exec(db, "INSERT INTO audit_suggestions (dedupe_key, "
	    "account_id, action, listing_id, sku, ext_listing, ext_variant, "
	    "ext_location) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY "
	    "UPDATE state = 'open', done_at = NULL, action = VALUES(action), "
	    "listing_id = VALUES(listing_id), sku = VALUES(sku), ext_listing = "
	    "VALUES(ext_listing), ext_variant = VALUES(ext_variant), "
	    "ext_location = VALUES(ext_location)", (struct db_val[]){ DBS(key),
	    DBI(a->id), DBS(f->kind == AUDIT_RENAMED ? "remap" : "map"),
	    mm != NULL ? DBI(mm->listing_id) : DBN, DBS(f->suggest_sku),
	    DBS(p->ext_listing), DBS(p->ext_variant), DBS(p->ext_location) },
	    8, NULL, NULL, e);
}

int
audit_run(struct db *db, const struct config *cfg, int64_t account_id,
    const char *origin, struct audit_stats *st, struct err *e)
{
	struct channel_account	 a;
	struct channel_ctx	 ctx = { 0 };
	const struct channel_ops *ops;
	struct channel_place	*pl = NULL;
	struct audit_finding	*f = NULL;
	struct maprows		 mr;
	size_t			 np = 0, nf = 0, i;
	uint64_t		 id = 0;
	int			 calls = 0, rc = -1;

	memset(st, 0, sizeof(*st));
	memset(&a, 0, sizeof(a));
	memset(&mr, 0, sizeof(mr));
	if (channel_account_load(db, cfg, account_id, &a, e) == -1)
		goto out;
	ops = channel_ops_for(a.type);
	if (ops == NULL || ops->catalog == NULL) {
		err_set(e, ERR_INVALID, "%s: the mapping audit cannot list this "
		    "channel's catalog yet", a.name);
		goto out;
	}
	if (db_exec(db, "INSERT INTO audit_runs (account_id, origin) VALUES "
	    "(?, ?)", (struct db_val[]){ DBI(a.id), DBS(origin != NULL ?
	    origin : "manual") }, 2, NULL, &id, e) == -1)
		goto out;
	st->run_id = (int64_t)id;
	ctx.db = db;
	ctx.cfg = cfg;
	ctx.acct = &a;
	if (ops->catalog(&ctx, &pl, &np, &calls, e) == -1 ||
	    maprows_load(db, a.id, &mr, e) == -1 ||
	    audit_compare(pl, np, mr.m, mr.n, hub_has_sku, db, &f, &nf,
	    e) == -1)
		goto out;
	st->places = (int64_t)np;
	st->mapped = (int64_t)mr.n;
	st->api_calls = calls;
	for (i = 0; i < nf; i++) {
		if (record_finding(db, &a, pl, mr.m, &f[i], e) == -1)
			goto out;
		st->findings++;
		st->by_kind[f[i].kind]++;
		st->suggestions += f[i].suggest;
	}
	if (db_exec(db, "UPDATE audit_runs SET finished_at = "
	    "CURRENT_TIMESTAMP(6), places = ?, findings = ?, suggestions = ?, "
	    "api_calls = ? WHERE id = ?", (struct db_val[]){ DBI(st->places),
	    DBI(st->findings), DBI(st->suggestions), DBI(st->api_calls),
	    DBI(st->run_id) }, 5, NULL, NULL, e) == -1)
		goto out;
	log_info("audit: %s: %" PRId64 " places, %" PRId64 " mapped, %" PRId64
	    " findings, %" PRId64 " suggestions, %" PRId64 " API calls", a.name,
	    st->places, st->mapped, st->findings, st->suggestions,
	    st->api_calls);
	rc = 0;
out:
	free(pl);
	free(f);
	maprows_free(&mr);
	channel_account_free(&a);
	return rc;
}

int
audit_tick(struct db *db, const struct config *cfg, int64_t *account_id,
    struct err *e)
{
	struct audit_stats	 st;
	struct db_res		*q;
	int64_t			 ids[1] = { 0 };
	size_t			 n = 0;
	const struct channel_ops *ops;
	enum channel_type	 t;
	int			 r;

	*account_id = 0;
	/* unpaused accounts whose last audit (or, before the first, whose
	 * connection) is older than a week; a day for Etsy, which sends no
	 * product webhooks, so a drift there is still found within 24 hours
	 * (a 500-listing shop: 5 catalog calls a day) */
	if ((q = db_query(db, "SELECT a.id, a.type FROM channel_accounts a "
	    "WHERE a.paused = 0 AND COALESCE((SELECT MAX(r.started_at) FROM "
	    "audit_runs r WHERE r.account_id = a.id), a.created_at) < "
	    "CURRENT_TIMESTAMP(6) - INTERVAL IF(a.type = 'etsy', ?, ?) SECOND "
	    "ORDER BY a.id", (struct db_val[]){ DBI(AUDIT_ETSY_EVERY_S),
	    DBI(AUDIT_EVERY_S) }, 2, e)) == NULL)
		return -1;
	while ((r = db_next(q, e)) == 1 && n < sizeof(ids) / sizeof(ids[0]))
		if (channel_type_parse(db_col_str(q, 1), &t) == 0 &&
		    (ops = channel_ops_for(t)) != NULL && ops->catalog != NULL)
			ids[n++] = db_col_i64(q, 0);
	db_res_free(q);
	if (r == -1)
		return -1;
	if (n == 0)
		return 0;
	/* one account a tick; a failed audit is recorded as started, so it
	 * is tried again next week, not every minute */
	*account_id = ids[0];
	return audit_run(db, cfg, ids[0], "schedule", &st, e);
}

int
audit_confirm(struct db *db, int64_t suggestion_id, struct err *e)
{
	struct db_res	*q;
	char		 key[192], action[8], sku[65], l[65], v[256], loc[65];
	int64_t		 acct, listing = 0, newid = 0;
	uint64_t	 n = 0;
	int		 t, rc = -1;

	if ((q = db_query(db, "SELECT dedupe_key, account_id, action, "
	    "COALESCE(listing_id, 0), sku, ext_listing, ext_variant, "
	    "ext_location FROM "
	    "audit_suggestions WHERE id = ? AND state = 'open'",
	    (struct db_val[]){ DBI(suggestion_id) }, 1, e)) == NULL)
		return -1;
	if ((t = db_next(q, e)) != 1) {
		db_res_free(q);
		if (t == 0)
			err_set(e, ERR_NOTFOUND, "no open suggestion %" PRId64,
			    suggestion_id);
		return -1;
	}
	(void)str_copy(key, sizeof(key), db_col_str(q, 0));
	acct = db_col_i64(q, 1);
	(void)str_copy(action, sizeof(action), db_col_str(q, 2));
	listing = db_col_i64(q, 3);
	(void)str_copy(sku, sizeof(sku), db_col_str(q, 4));
	(void)str_copy(l, sizeof(l), db_col_str(q, 5));
	(void)str_copy(v, sizeof(v), db_col_str(q, 6));
	(void)str_copy(loc, sizeof(loc), db_col_str(q, 7));
	db_res_free(q);
	/* claim it: a second click (or a second tab) does nothing */
	if (db_exec(db, "UPDATE audit_suggestions SET state = 'done', done_at "
	    "= CURRENT_TIMESTAMP(6) WHERE id = ? AND state = 'open'",
	    (struct db_val[]){ DBI(suggestion_id) }, 1, &n, NULL, e) == -1)
		return -1;
	if (n == 0)
		return err_set(e, ERR_NOTFOUND, "no open suggestion %" PRId64,
		    suggestion_id);
	if (strcmp(action, "remap") == 0) {
		if (db_exec(db, "UPDATE channel_listings SET ext_listing = ?, "
		    "ext_variant = ?, channel_sku = ? WHERE id = ? AND "
		    "account_id = ?", (struct db_val[]){ DBS(l), DBS(v),
		    DBS(sku), DBI(listing), DBI(acct) }, 5, &n, NULL, e) == -1)
			goto undo;
		if (n == 0) {
			err_set(e, ERR_CONFLICT, "the map entry to move is gone");
			goto undo;
		}
		newid = listing;
	} else if (channel_listing_map(db, acct, sku, l, v, loc, sku, &newid,
	    e) == -1)
		goto undo;
	if (push_queue_listing(db, newid, e) == -1)
		return -1;
	if (db_exec(db, "UPDATE alerts SET resolved_at = CURRENT_TIMESTAMP(6) "
	    "WHERE dedupe_key = ? AND resolved_at IS NULL", (struct db_val[]){
	    DBS(key) }, 1, NULL, NULL, e) == -1)
		return -1;
	log_info("audit: suggestion %" PRId64 " confirmed: %s %s -> listing %s "
	    "%s", suggestion_id, action, sku, l, v);
	return 0;
undo:
	{
		struct err	 ue;

		err_clear(&ue);
		(void)db_exec(db, "UPDATE audit_suggestions SET state = 'open', "
		    "done_at = NULL WHERE id = ?", (struct db_val[]){
		    DBI(suggestion_id) }, 1, NULL, NULL, &ue);
	}
	return rc;
}
