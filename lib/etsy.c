/*
 * etsy: the Etsy adapter's inventory push (see etsy.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "etsy.h"
#include "httpc.h"
#include "log.h"
#include "str.h"

#define BODY_MAX	(4 * 1024 * 1024)
#define TOKEN_MAX	1024
#define URL_MAX		1024

/* ------------------------------------------------------------------ */
/* parse                                                               */
/* ------------------------------------------------------------------ */

static int
bad(struct err *e, const char *path, const char *why)
{
	return err_set(e, ERR_INVALID, "etsy inventory: %s: %s", path, why);
}

/* path + "." + key (or "[i]") into out; truncation only shortens the
 * message. */
static void
path_key(char *out, size_t sz, const char *path, const char *key)
{
	if (*path == '\0')
		(void)str_fmt(out, sz, "%s", key);
	else
		(void)str_fmt(out, sz, "%s.%s", path, key);
}

static void
path_idx(char *out, size_t sz, const char *path, size_t i)
{
	(void)str_fmt(out, sz, "%s[%zu]", path, i);
}

/*
 * An integer member: 1 set, 0 absent or null (when nullable), -1 refused.
 */
static int
get_int(const json_t *o, const char *key, int64_t min, int64_t max,
    int required, int nullable, int64_t *out, const char *path,
    struct err *e)
{
	char		 p[160];
	const json_t	*v = json_object_get(o, key);
	json_int_t	 x;

	path_key(p, sizeof(p), path, key);
	if (v == NULL || json_is_null(v)) {
		if (v == NULL && !required)
			return 0;
		if (v != NULL && nullable)
			return 0;
		return bad(e, p, v == NULL ? "missing" : "must not be null");
	}
	if (!json_is_integer(v))
		return bad(e, p, "not an integer");
	x = json_integer_value(v);
	if (x < min || x > max)
		return bad(e, p, "out of range");
	*out = (int64_t)x;
	return 1;
}

/* A string member copied: 1 set, 0 absent or null, -1 refused. */
static int
get_str(const json_t *o, const char *key, char **out, const char *path,
    struct err *e)
{
	char		 p[160];
	const json_t	*v = json_object_get(o, key);

	*out = NULL;
	path_key(p, sizeof(p), path, key);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad(e, p, "not a string");
	if (json_string_length(v) > ETSY_STRING_MAX ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return bad(e, p, "too long or has a NUL");
	if ((*out = strdup(json_string_value(v))) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	return 1;
}

/* An array of integers >= 1 (property ids, value ids). */
static int
get_ids(const json_t *a, int64_t **ids, size_t *n, const char *p,
    struct err *e)
{
	char	 q[160];
	size_t	 i;

	*ids = NULL;
	*n = 0;
	if (!json_is_array(a))
		return bad(e, p, "not an array");
	if (json_array_size(a) > ETSY_IDS_MAX)
		return bad(e, p, "too many entries");
	if (json_array_size(a) == 0)
		return 0;
	if ((*ids = calloc(json_array_size(a), sizeof(**ids))) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *v = json_array_get(a, i);

		path_idx(q, sizeof(q), p, i);
		if (!json_is_integer(v))
			return bad(e, q, "not an integer");
		if (json_integer_value(v) < 1)
			return bad(e, q, "out of range");
		(*ids)[i] = (int64_t)json_integer_value(v);
		(*n)++;
	}
	return 0;
}

static int
parse_on_property(const json_t *root, const char *key, struct etsy_ids *ids,
    struct err *e)
{
	const json_t	*v = json_object_get(root, key);

	memset(ids, 0, sizeof(*ids));
	if (v == NULL)
		return 0;
	ids->present = 1;
	if (json_is_null(v)) {
		ids->is_null = 1;
		return 0;
	}
	return get_ids(v, &ids->ids, &ids->n, key, e);
}

static int
parse_money(const json_t *o, struct etsy_money *m, const char *path,
    struct err *e)
{
	char		 p[160];
	int64_t		 d;
	const json_t	*cc;

	if (!json_is_object(o))
		return bad(e, path, "not a Money object");
	if (get_int(o, "amount", 0, INT64_C(1000000000000000), 1, 0,
	    &m->amount, path, e) == -1 ||
	    get_int(o, "divisor", 1, INT64_C(1000000000), 1, 0, &m->divisor,
	    path, e) == -1)
		return -1;
	for (d = m->divisor; d % 10 == 0; d /= 10)
		;
	if (d != 1) {
		path_key(p, sizeof(p), path, "divisor");
		return bad(e, p, "not a power of 10");
	}
	cc = json_object_get(o, "currency_code");
	if (cc != NULL && !json_is_null(cc)) {
		path_key(p, sizeof(p), path, "currency_code");
		if (!json_is_string(cc) || str_copy(m->currency_code,
		    sizeof(m->currency_code), json_string_value(cc)) == -1)
			return bad(e, p, "not a currency code");
	}
	return 0;
}

static int
parse_offering(const json_t *o, struct etsy_offering *of, const char *path,
    struct err *e)
{
	char		 p[160];
	const json_t	*v;
	int		 rc;

	if (!json_is_object(o))
		return bad(e, path, "not an object");
	if (get_int(o, "quantity", 0, ETSY_QTY_MAX, 1, 0, &of->quantity, path,
	    e) == -1)
		return -1;
	v = json_object_get(o, "is_enabled");
	path_key(p, sizeof(p), path, "is_enabled");
	if (!json_is_boolean(v))
		return bad(e, p, v == NULL ? "missing" : "not a boolean");
	of->is_enabled = json_is_true(v);
	path_key(p, sizeof(p), path, "price");
	if (parse_money(json_object_get(o, "price"), &of->price, p, e) == -1)
		return -1;
	rc = get_int(o, "readiness_state_id", 1, INT64_MAX, 0, 1,
	    &of->readiness_state_id, path, e);
	if (rc == -1)
		return -1;
	of->has_readiness = rc;
	return 0;
}

static void
propval_free(struct etsy_propval *pv)
{
	size_t	 i;

	free(pv->property_name);
	free(pv->value_ids);
	for (i = 0; i < pv->nvalues; i++)
		free(pv->values[i]);
	free(pv->values);
	memset(pv, 0, sizeof(*pv));
}

static int
parse_propval(const json_t *o, struct etsy_propval *pv, const char *path,
    struct err *e)
{
	char		 p[160], q[192];
	const json_t	*vals;
	size_t		 i;
	int		 rc;

	if (!json_is_object(o))
		return bad(e, path, "not an object");
	if (get_int(o, "property_id", 1, INT64_MAX, 1, 0, &pv->property_id,
	    path, e) == -1)
		return -1;
	if (get_str(o, "property_name", &pv->property_name, path, e) == -1)
		return -1;
	rc = get_int(o, "scale_id", 1, INT64_MAX, 0, 1, &pv->scale_id, path,
	    e);
	if (rc == -1)
		return -1;
	pv->has_scale = rc;
	path_key(p, sizeof(p), path, "value_ids");
	if (json_object_get(o, "value_ids") == NULL)
		return bad(e, p, "missing");
	if (get_ids(json_object_get(o, "value_ids"), &pv->value_ids,
	    &pv->nvalue_ids, p, e) == -1)
		return -1;
	path_key(p, sizeof(p), path, "values");
	vals = json_object_get(o, "values");
	if (!json_is_array(vals))
		return bad(e, p, vals == NULL ? "missing" : "not an array");
	if (json_array_size(vals) > ETSY_VALUES_MAX)
		return bad(e, p, "too many entries");
	if (json_array_size(vals) > 0 && (pv->values =
	    calloc(json_array_size(vals), sizeof(*pv->values))) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	for (i = 0; i < json_array_size(vals); i++) {
		const json_t *v = json_array_get(vals, i);

		path_idx(q, sizeof(q), p, i);
		if (!json_is_string(v))
			return bad(e, q, "not a string");
		if (json_string_length(v) > ETSY_STRING_MAX ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return bad(e, q, "too long or has a NUL");
		if ((pv->values[i] = strdup(json_string_value(v))) == NULL)
			return err_set(e, ERR_SYS, "out of memory");
		pv->nvalues++;
	}
	return 0;
}

static void
product_free(struct etsy_product *pr)
{
	size_t	 i;

	free(pr->sku);
	for (i = 0; i < pr->npvs; i++)
		propval_free(&pr->pvs[i]);
	free(pr->pvs);
	free(pr->offerings);
	memset(pr, 0, sizeof(*pr));
}

/* 1 when the object says is_deleted: true. */
static int
is_deleted(const json_t *o)
{
	return json_is_true(json_object_get(o, "is_deleted"));
}

static int
parse_product(const json_t *o, struct etsy_product *pr, const char *path,
    struct err *e)
{
	char		 p[160], q[192];
	const json_t	*a;
	size_t		 i;

	if (!json_is_object(o))
		return bad(e, path, "not an object");
	if (get_str(o, "sku", &pr->sku, path, e) == -1)
		return -1;
	if (pr->sku == NULL && (pr->sku = strdup("")) == NULL)
		return err_set(e, ERR_SYS, "out of memory");

	path_key(p, sizeof(p), path, "property_values");
	a = json_object_get(o, "property_values");
	if (a != NULL && !json_is_null(a)) {
		if (!json_is_array(a))
			return bad(e, p, "not an array");
		if (json_array_size(a) > ETSY_PROPVALS_MAX)
			return bad(e, p, "too many entries");
		if (json_array_size(a) > 0 && (pr->pvs = calloc(
		    json_array_size(a), sizeof(*pr->pvs))) == NULL)
			return err_set(e, ERR_SYS, "out of memory");
		for (i = 0; i < json_array_size(a); i++) {
			path_idx(q, sizeof(q), p, i);
			pr->npvs++;
			if (parse_propval(json_array_get(a, i),
			    &pr->pvs[i], q, e) == -1)
				return -1;
		}
	}

	path_key(p, sizeof(p), path, "offerings");
	a = json_object_get(o, "offerings");
	if (!json_is_array(a))
		return bad(e, p, a == NULL ? "missing" : "not an array");
	if (json_array_size(a) > ETSY_OFFERINGS_MAX)
		return bad(e, p, "too many entries");
	if (json_array_size(a) > 0 && (pr->offerings = calloc(
	    json_array_size(a), sizeof(*pr->offerings))) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *of = json_array_get(a, i);

		path_idx(q, sizeof(q), p, i);
		if (json_is_object(of) && is_deleted(of))
			continue;
		if (parse_offering(of, &pr->offerings[pr->nofferings], q,
		    e) == -1)
			return -1;
		pr->nofferings++;
	}
	if (pr->nofferings == 0)
		return bad(e, p, "no offering");
	return 0;
}

enum etsy_state
etsy_state_parse(const char *s)
{
	static const struct {
		const char	*name;
		enum etsy_state	 st;
	} names[] = {
		{ "active", ETSY_STATE_ACTIVE },
		{ "inactive", ETSY_STATE_INACTIVE },
		{ "edit", ETSY_STATE_INACTIVE },
		{ "sold_out", ETSY_STATE_SOLD_OUT },
		{ "draft", ETSY_STATE_DRAFT },
		{ "expired", ETSY_STATE_EXPIRED },
	};
	size_t	 i;

	if (s == NULL)
		return ETSY_STATE_UNKNOWN;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].st;
	return ETSY_STATE_OTHER;
}

const char *
etsy_state_name(enum etsy_state s)
{
	switch (s) {
	case ETSY_STATE_ACTIVE:		return "active";
	case ETSY_STATE_INACTIVE:	return "inactive";
	case ETSY_STATE_SOLD_OUT:	return "sold_out";
	case ETSY_STATE_DRAFT:		return "draft";
	case ETSY_STATE_EXPIRED:	return "expired";
	case ETSY_STATE_OTHER:		return "other";
	case ETSY_STATE_UNKNOWN:	break;
	}
	return "unknown";
}

int
etsy_inventory_parse(const char *body, size_t len,
    struct etsy_inventory *inv, struct err *e)
{
	json_t		*root = NULL;
	json_error_t	 je;
	const json_t	*a, *lst;
	char		 p[64];
	size_t		 i;
	int		 rc = -1;

	memset(inv, 0, sizeof(*inv));
	if (body == NULL) {
		err_set(e, ERR_RETRY, "etsy inventory: no answer body");
		goto out;
	}
	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL) {
		/* a cut-off answer is worth another try; a duplicate key is
		 * not */
		if (json_error_code(&je) == json_error_duplicate_key)
			bad(e, "(top)", "duplicate key");
		else
			err_set(e, ERR_RETRY, "etsy inventory: not JSON "
			    "(line %d)", je.line);
		goto out;
	}
	if (!json_is_object(root)) {
		bad(e, "(top)", "not an object");
		goto out;
	}
	a = json_object_get(root, "products");
	if (!json_is_array(a)) {
		bad(e, "products", a == NULL ? "missing" : "not an array");
		goto out;
	}
	if (json_array_size(a) > ETSY_PRODUCTS_MAX) {
		bad(e, "products", "too many entries");
		goto out;
	}
	if (json_array_size(a) > 0 && (inv->products = calloc(
	    json_array_size(a), sizeof(*inv->products))) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *pr = json_array_get(a, i);

		path_idx(p, sizeof(p), "products", i);
		if (json_is_object(pr) && is_deleted(pr))
			continue;
		inv->nproducts++;
		if (parse_product(pr, &inv->products[inv->nproducts - 1], p,
		    e) == -1)
			goto out;
	}
	if (inv->nproducts == 0) {
		bad(e, "products", "empty");
		goto out;
	}
	if (parse_on_property(root, "price_on_property",
	    &inv->price_on_property, e) == -1 ||
	    parse_on_property(root, "quantity_on_property",
	    &inv->quantity_on_property, e) == -1 ||
	    parse_on_property(root, "sku_on_property",
	    &inv->sku_on_property, e) == -1 ||
	    parse_on_property(root, "readiness_state_on_property",
	    &inv->readiness_state_on_property, e) == -1)
		goto out;
	lst = json_object_get(root, "listing");
	if (lst != NULL && !json_is_null(lst)) {
		const json_t *st;

		if (!json_is_object(lst)) {
			bad(e, "listing", "not an object");
			goto out;
		}
		st = json_object_get(lst, "state");
		if (st != NULL && !json_is_string(st)) {
			bad(e, "listing.state", "not a string");
			goto out;
		}
		inv->state = etsy_state_parse(json_string_value(st));
		if (get_int(lst, "listing_id", 1, INT64_MAX, 0, 1,
		    &inv->listing_id, "listing", e) == -1)
			goto out;
	}
	rc = 0;
out:
	json_decref(root);
	if (rc == -1)
		etsy_inventory_free(inv);
	return rc;
}

static void
ids_free(struct etsy_ids *ids)
{
	free(ids->ids);
	memset(ids, 0, sizeof(*ids));
}

void
etsy_inventory_free(struct etsy_inventory *inv)
{
	size_t	 i;

	if (inv == NULL)
		return;
	for (i = 0; i < inv->nproducts; i++)
		product_free(&inv->products[i]);
	free(inv->products);
	ids_free(&inv->price_on_property);
	ids_free(&inv->quantity_on_property);
	ids_free(&inv->sku_on_property);
	ids_free(&inv->readiness_state_on_property);
	memset(inv, 0, sizeof(*inv));
}

/* ------------------------------------------------------------------ */
/* find                                                                */
/* ------------------------------------------------------------------ */

static void
pv_name(const struct etsy_propval *pv, char *out, size_t sz)
{
	if (pv->property_name != NULL && *pv->property_name != '\0')
		(void)str_copy(out, sz, pv->property_name);
	else
		(void)str_fmt(out, sz, "%" PRId64, pv->property_id);
}

int
etsy_variant_key(const struct etsy_product *p, char *out, size_t outsz)
{
	size_t	 order[ETSY_PROPVALS_MAX];
	char	 a[ETSY_STRING_MAX + 1], b[ETSY_STRING_MAX + 1];
	struct buf k;
	size_t	 i, j, v;
	int	 rc = -1;

	if (outsz == 0 || p->npvs > ETSY_PROPVALS_MAX)
		return -1;
	for (i = 0; i < p->npvs; i++)
		order[i] = i;
	/* insertion sort by property name: at most a few entries */
	for (i = 1; i < p->npvs; i++)
		for (j = i; j > 0; j--) {
			pv_name(&p->pvs[order[j - 1]], a, sizeof(a));
			pv_name(&p->pvs[order[j]], b, sizeof(b));
			if (strcmp(a, b) <= 0)
				break;
			v = order[j];
			order[j] = order[j - 1];
			order[j - 1] = v;
		}
	buf_init(&k, outsz - 1);
	if (buf_puts(&k, "") == -1)
		goto out;
	for (i = 0; i < p->npvs; i++) {
		const struct etsy_propval *pv = &p->pvs[order[i]];

		pv_name(pv, a, sizeof(a));
		if (buf_printf(&k, "%s%s=", i > 0 ? ";" : "", a) == -1)
			goto out;
		for (v = 0; v < pv->nvalues; v++)
			if (buf_printf(&k, "%s%s", v > 0 ? "," : "",
			    pv->values[v]) == -1)
				goto out;
	}
	if (str_copy(out, outsz, k.data) == -1)
		goto out;
	rc = 0;
out:
	buf_free(&k);
	if (rc == -1)
		out[0] = '\0';
	return rc;
}

int
etsy_find_product(const struct etsy_inventory *inv, const char *variant,
    const char *sku, size_t *idx, int *by_sku, struct err *e)
{
	char	 key[1024];
	size_t	 i, n = 0;

	*by_sku = 0;
	if (variant != NULL) {
		for (i = 0; i < inv->nproducts; i++) {
			if (etsy_variant_key(&inv->products[i], key,
			    sizeof(key)) == -1 || strcmp(key, variant) != 0)
				continue;
			if (n++ > 0)
				return err_set(e, ERR_CONFLICT, "two products "
				    "with the variation %s", variant);
			*idx = i;
		}
		if (n == 1)
			return 1;
	}
	if (sku == NULL || *sku == '\0')
		return 0;
	for (i = 0; i < inv->nproducts; i++) {
		if (strcmp(inv->products[i].sku, sku) != 0)
			continue;
		if (n++ > 0)
			return err_set(e, ERR_CONFLICT, "two products with "
			    "the SKU %s", sku);
		*idx = i;
	}
	if (n == 1)
		*by_sku = 1;
	return n == 1;
}

/* ------------------------------------------------------------------ */
/* build                                                               */
/* ------------------------------------------------------------------ */

int
etsy_price_format(const struct etsy_money *m, char *out, size_t outsz)
{
	int64_t	 d;
	int	 digits = 0;

	if (m->amount < 0 || m->divisor < 1)
		return -1;
	for (d = m->divisor; d % 10 == 0; d /= 10)
		digits++;
	if (d != 1)
		return -1;
	if (digits == 0)
		return str_fmt(out, outsz, "%" PRId64 ".0", m->amount);
	return str_fmt(out, outsz, "%" PRId64 ".%0*" PRId64,
	    m->amount / m->divisor, digits, m->amount % m->divisor);
}

/* A JSON string literal: UTF-8 passes through (jansson checked it). */
static int
json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	char	 u[7] = { '\\', 'u', '0', '0', 0, 0, 0 };

	if (buf_puts(b, "\"") == -1)
		return -1;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		int rc;

		if (*p == '"')
			rc = buf_puts(b, "\\\"");
		else if (*p == '\\')
			rc = buf_puts(b, "\\\\");
		else if (*p < 0x20) {
			u[4] = hex[*p >> 4];
			u[5] = hex[*p & 15];
			rc = buf_append(b, u, 6);
		} else
			rc = buf_append(b, p, 1);
		if (rc == -1)
			return -1;
	}
	return buf_puts(b, "\"");
}

static int
json_ids(struct buf *b, const int64_t *ids, size_t n)
{
	size_t	 i;

	if (buf_puts(b, "[") == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (buf_printf(b, "%s%" PRId64, i > 0 ? "," : "", ids[i]) ==
		    -1)
			return -1;
	return buf_puts(b, "]");
}

static int
body_propval(struct buf *b, const struct etsy_propval *pv)
{
	size_t	 i;

	if (buf_printf(b, "{\"property_id\":%" PRId64, pv->property_id) == -1)
		return -1;
	if (pv->property_name != NULL && (buf_puts(b,
	    ",\"property_name\":") == -1 || json_str(b, pv->property_name) ==
	    -1))
		return -1;
	if (pv->has_scale && buf_printf(b, ",\"scale_id\":%" PRId64,
	    pv->scale_id) == -1)
		return -1;
	if (buf_puts(b, ",\"value_ids\":") == -1 ||
	    json_ids(b, pv->value_ids, pv->nvalue_ids) == -1 ||
	    buf_puts(b, ",\"values\":[") == -1)
		return -1;
	for (i = 0; i < pv->nvalues; i++)
		if ((i > 0 && buf_puts(b, ",") == -1) ||
		    json_str(b, pv->values[i]) == -1)
			return -1;
	return buf_puts(b, "]}");
}

/* 0, -1 buffer full, -2 bad price. */
static int
body_offering(struct buf *b, const struct etsy_offering *of)
{
	char	 price[48];

	if (etsy_price_format(&of->price, price, sizeof(price)) == -1)
		return -2;
	if (buf_printf(b, "{\"price\":%s,\"quantity\":%" PRId64
	    ",\"is_enabled\":%s,\"readiness_state_id\":", price, of->quantity,
	    of->is_enabled ? "true" : "false") == -1)
		return -1;
	if (of->has_readiness)
		return buf_printf(b, "%" PRId64 "}", of->readiness_state_id);
	return buf_puts(b, "null}");
}

static int
body_on_property(struct buf *b, const char *key, const struct etsy_ids *ids)
{
	if (!ids->present)
		return 0;
	if (buf_printf(b, ",\"%s\":", key) == -1)
		return -1;
	if (ids->is_null)
		return buf_puts(b, "null");
	return json_ids(b, ids->ids, ids->n);
}

int
etsy_inventory_body(const struct etsy_inventory *inv, struct buf *out,
    struct err *e)
{
	size_t	 i, j;
	int	 rc;

	if (buf_puts(out, "{\"products\":[") == -1)
		goto full;
	for (i = 0; i < inv->nproducts; i++) {
		const struct etsy_product *pr = &inv->products[i];

		if (buf_puts(out, i > 0 ? ",{\"sku\":" : "{\"sku\":") == -1 ||
		    json_str(out, pr->sku) == -1 ||
		    buf_puts(out, ",\"property_values\":[") == -1)
			goto full;
		for (j = 0; j < pr->npvs; j++)
			if ((j > 0 && buf_puts(out, ",") == -1) ||
			    body_propval(out, &pr->pvs[j]) == -1)
				goto full;
		if (buf_puts(out, "],\"offerings\":[") == -1)
			goto full;
		for (j = 0; j < pr->nofferings; j++) {
			if (j > 0 && buf_puts(out, ",") == -1)
				goto full;
			rc = body_offering(out, &pr->offerings[j]);
			if (rc == -2)
				return err_set(e, ERR_INVALID, "etsy inventory: "
				    "products[%zu].offerings[%zu].price: "
				    "cannot be written as a float", i, j);
			if (rc == -1)
				goto full;
		}
		if (buf_puts(out, "]}") == -1)
			goto full;
	}
	if (buf_puts(out, "]") == -1 ||
	    body_on_property(out, "price_on_property",
	    &inv->price_on_property) == -1 ||
	    body_on_property(out, "quantity_on_property",
	    &inv->quantity_on_property) == -1 ||
	    body_on_property(out, "sku_on_property",
	    &inv->sku_on_property) == -1 ||
	    body_on_property(out, "readiness_state_on_property",
	    &inv->readiness_state_on_property) == -1 ||
	    buf_puts(out, "}") == -1)
		goto full;
	return 0;
full:
	return err_set(e, ERR_TOOBIG, "etsy inventory: the update body is "
	    "over its limit");
}

/* ------------------------------------------------------------------ */
/* decide                                                              */
/* ------------------------------------------------------------------ */

/* 1 when a product other than idx shows stock (enabled, quantity > 0). */
static int
others_have_stock(const struct etsy_inventory *inv, size_t idx)
{
	size_t	 i, j;

	for (i = 0; i < inv->nproducts; i++) {
		if (i == idx)
			continue;
		for (j = 0; j < inv->products[i].nofferings; j++)
			if (inv->products[i].offerings[j].is_enabled &&
			    inv->products[i].offerings[j].quantity > 0)
				return 1;
	}
	return 0;
}

int
etsy_decide(struct etsy_inventory *inv, size_t idx,
    const struct etsy_decide_in *in, struct etsy_plan *plan, struct err *e)
{
	struct etsy_offering	*of;
	enum etsy_state		 st;
	int			 hub_hidden, seller_off;
	int64_t			 count, cur, target;
	size_t			 i, j;

	memset(plan, 0, sizeof(*plan));
	if (inv == NULL || idx >= inv->nproducts ||
	    inv->products[idx].nofferings == 0 || in == NULL ||
	    in->desired < 0)
		return err_set(e, ERR_INVALID, "etsy: bad push arguments");
	of = &inv->products[idx].offerings[0];
	st = inv->state == ETSY_STATE_UNKNOWN ? ETSY_STATE_ACTIVE : inv->state;
	hub_hidden = st == ETSY_STATE_INACTIVE && in->hub_hid;
	/* inactive by the seller, a draft, expired: the quantity is kept
	 * right for when it shows again, the state is the seller's */
	seller_off = (st == ETSY_STATE_INACTIVE && !in->hub_hid) ||
	    st == ETSY_STATE_DRAFT || st == ETSY_STATE_EXPIRED ||
	    st == ETSY_STATE_OTHER;

	/* sales lower the offering's quantity whatever the listing shows;
	 * disabling or deactivating does not */
	count = of->quantity;
	if (st == ETSY_STATE_SOLD_OUT || hub_hidden || !of->is_enabled)
		cur = 0;
	else
		cur = of->quantity;
	plan->shown_before = cur;

	if (in->has_last_pushed && in->last_pushed > count)
		plan->unseen_sales = in->last_pushed - count;
	target = in->desired - plan->unseen_sales;
	if (target < 0)
		target = 0;
	if (target > ETSY_QTY_MAX)
		target = ETSY_QTY_MAX;
	plan->target = target;
	plan->outcome = plan->unseen_sales > 0 ? CHANNEL_HELD :
	    CHANNEL_WRITTEN;

	if (target == cur) {
		if (plan->unseen_sales == 0)
			plan->outcome = CHANNEL_UNCHANGED;
		plan->shown = cur;
		plan->hidden = target == 0 && !seller_off;
		(void)str_fmt(plan->detail, sizeof(plan->detail),
		    "shows %" PRId64 " already%s", cur,
		    seller_off ? " (listing not active on Etsy)" : "");
		goto held;
	}

	if (target > 0) {
		of->quantity = target;
		of->is_enabled = 1;
		plan->put = 1;
		plan->shown = target;
		if (st == ETSY_STATE_SOLD_OUT) {
			plan->renew = 1;
			(void)str_fmt(plan->detail, sizeof(plan->detail),
			    "%" PRId64 " -> %" PRId64 "; sold-out listing "
			    "renewed (Etsy charges a listing fee)", cur,
			    target);
		} else if (hub_hidden) {
			/* every product was at 0 when the hub hid the
			 * listing: the others' offerings are stale */
			plan->activate = 1;
			for (i = 0; i < inv->nproducts; i++)
				for (j = 0; i != idx &&
				    j < inv->products[i].nofferings; j++) {
					struct etsy_offering *o =
					    &inv->products[i].offerings[j];

					if (o->is_enabled && o->quantity > 0)
						o->is_enabled = 0;
				}
			(void)str_fmt(plan->detail, sizeof(plan->detail),
			    "%" PRId64 " -> %" PRId64 "; listing shown again",
			    cur, target);
		} else if (seller_off) {
			(void)str_fmt(plan->detail, sizeof(plan->detail),
			    "%" PRId64 " -> %" PRId64 "; listing is %s on "
			    "Etsy, left so", cur, target,
			    etsy_state_name(st));
		} else
			(void)str_fmt(plan->detail, sizeof(plan->detail),
			    "%" PRId64 " -> %" PRId64, cur, target);
		goto held;
	}

	/* target 0, and the product shows stock now (cur > 0) */
	plan->shown = 0;
	if (others_have_stock(inv, idx)) {
		of->is_enabled = 0;
		of->quantity = ETSY_DISABLED_QTY;
		plan->put = 1;
		plan->hidden = 1;
		(void)str_fmt(plan->detail, sizeof(plan->detail),
		    "%" PRId64 " -> 0; offering disabled", cur);
	} else if (seller_off) {
		/* buyers see nothing already, and a PUT of all zeros is
		 * refused: leave it */
		plan->outcome = plan->unseen_sales > 0 ? CHANNEL_HELD :
		    CHANNEL_UNCHANGED;
		(void)str_fmt(plan->detail, sizeof(plan->detail),
		    "listing is %s on Etsy (not hidden by the hub); "
		    "quantity left at %" PRId64, etsy_state_name(st), cur);
	} else {
		plan->deactivate = 1;
		plan->hidden = 1;
		(void)str_fmt(plan->detail, sizeof(plan->detail),
		    "%" PRId64 " -> 0; last product with stock: listing "
		    "made inactive", cur);
	}
held:
	if (plan->unseen_sales > 0) {
		char	 d[sizeof(plan->detail)];

		(void)str_copy(d, sizeof(d), plan->detail);
		(void)str_fmt(plan->detail, sizeof(plan->detail),
		    "held %" PRId64 " unseen Etsy sale(s); %s",
		    plan->unseen_sales, d);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* answers                                                             */
/* ------------------------------------------------------------------ */

static int64_t
header_i64(const struct httpc_resp *r, const char *name)
{
	const char	*v = httpc_header(r, name);
	int64_t		 x;

	if (v == NULL || str_to_i64(v, 0, INT64_MAX, &x) == -1)
		return -1;
	return x;
}

void
etsy_rate_read(const struct httpc_resp *r, struct etsy_rate *out)
{
	out->limit_per_second = header_i64(r, "x-limit-per-second");
	out->remaining_this_second = header_i64(r, "x-remaining-this-second");
	if (out->remaining_this_second == -1)
		out->remaining_this_second = header_i64(r,
		    "x-remaining-this-secon");
	out->limit_per_day = header_i64(r, "x-limit-per-day");
	out->remaining_today = header_i64(r, "x-remaining-today");
}

static void
clean_text(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

void
etsy_error_message(long status, const char *body, size_t len, char *out,
    size_t outsz)
{
	json_t		*root = NULL;
	const char	*msg, *desc;

	if (outsz == 0)
		return;
	if (body != NULL && len > 0)
		root = json_loadb(body, len, 0, NULL);
	msg = json_string_value(json_object_get(root, "error"));
	desc = json_string_value(json_object_get(root,
	    "error_description"));
	if (msg != NULL && *msg != '\0') {
		if (desc != NULL && *desc != '\0')
			(void)str_fmt(out, outsz, "%s: %s", msg, desc);
		else
			(void)str_copy(out, outsz, msg);
	} else
		(void)str_fmt(out, outsz, "HTTP %ld", status);
	clean_text(out);
	json_decref(root);
}

/* ------------------------------------------------------------------ */
/* push                                                                */
/* ------------------------------------------------------------------ */


static const char *
cred(const json_t *creds, const char *key)
{
	const char	*s = json_string_value(json_object_get(creds, key));

	return s != NULL && *s != '\0' ? s : NULL;
}

/* A header value must not be able to end the header. */
static int
header_safe(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return s != NULL;
}

static int
numeric_id(const char *s)
{
	size_t	 n = 0;

	for (; s != NULL && *s >= '0' && *s <= '9'; s++)
		n++;
	return s != NULL && *s == '\0' && n > 0 && n <= 20;
}

/* Replace every occurrence of a secret in s with "[redacted]". */
static void
redact(char *s, size_t sz, const char *secret)
{
	struct buf	 out;
	const char	*p, *q;
	size_t		 n;

	if (secret == NULL || (n = strlen(secret)) < 4 ||
	    strstr(s, secret) == NULL)
		return;
	buf_init(&out, sz - 1);
	for (p = s; (q = strstr(p, secret)) != NULL; p = q + n)
		if (buf_append(&out, p, (size_t)(q - p)) == -1 ||
		    buf_puts(&out, "[redacted]") == -1)
			break;
	/* on overflow the rest is dropped: it might hold the secret */
	if (q == NULL && buf_puts(&out, p) == -1)
		q = p;
	(void)str_copy(s, sz, out.data != NULL ? out.data : "[redacted]");
	if (out.data != NULL)
		explicit_bzero(out.data, out.len);
	buf_free(&out);
}

/* Fill r's detail, with no credential in it whatever Etsy echoed
 * (exported for lib/etsy_poll; see etsy.h). */
void
etsy_session_detail(struct etsy_session *s, const char *fmt, ...)
{
	const json_t	*c = s->ctx->acct->creds;
	va_list		 ap;

	va_start(ap, fmt);
	(void)vsnprintf(s->r->detail, sizeof(s->r->detail), fmt, ap);
	va_end(ap);
	clean_text(s->r->detail);
	redact(s->r->detail, sizeof(s->r->detail), cred(c, "access_token"));
	redact(s->r->detail, sizeof(s->r->detail), cred(c, "refresh_token"));
	redact(s->r->detail, sizeof(s->r->detail), cred(c, "shared_secret"));
}

static void
result(struct etsy_session *s, enum channel_outcome o)
{
	s->r->outcome = o;
}

/* A form value, percent-encoded. */
static int
form_put(struct buf *b, const char *key, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	if (buf_printf(b, "%s%s=", b->len > 0 ? "&" : "", key) == -1)
		return -1;
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		char	 t[3] = { '%', hex[*p >> 4], hex[*p & 15] };

		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~') {
			if (buf_append(b, p, 1) == -1)
				return -1;
		} else if (buf_append(b, t, 3) == -1)
			return -1;
	}
	return 0;
}

/* exported for lib/etsy_poll (etsy.h) */
void
etsy_resp_free(struct httpc_resp *resp)
{
	if (resp->body != NULL)
		explicit_bzero(resp->body, resp->len);
	httpc_resp_free(resp);
}

/* ---- the call budget (budget.h) ------------------------------------- */

/* Sleep ms milliseconds, also when a signal ends a nanosleep early. */
static void
sleep_ms(int64_t ms)
{
	struct timespec	 ts, rem;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rem) == -1 && errno == EINTR)
		ts = rem;
}

static int64_t
wall_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The account's budget settings and Etsy's last figures, once a session. */
static int
budget_load(struct etsy_session *s, struct db *db, int64_t acct,
    struct err *e)
{
	struct db_res	*r;
	int		 rc;

	if (db_exec(db, "INSERT IGNORE INTO etsy_poll_state (account_id, "
	    "watermark) SELECT id, FLOOR(UNIX_TIMESTAMP(created_at)) FROM "
	    "channel_accounts WHERE id = ?", (struct db_val[]){ DBI(acct) },
	    1, NULL, NULL, e) == -1)
		return -1;
	r = db_query(db, "SELECT per_second, per_day, poll_pct, push_pct, "
	    "recon_pct, limit_per_day, remaining_today FROM etsy_poll_state "
	    "WHERE account_id = ?", (struct db_val[]){ DBI(acct) }, 1, e);
	if (r == NULL)
		return -1;
	budget_split_default(&s->split);
	s->per_second = BUDGET_PER_SECOND;
	s->per_day = BUDGET_PER_DAY;
	s->remaining_db = -1;
	if ((rc = db_next(r, e)) == 1) {
		s->per_second = db_col_i64(r, 0);
		s->per_day = db_col_i64(r, 1);
		s->split.pct[BUDGET_POLL] = (int)db_col_i64(r, 2);
		s->split.pct[BUDGET_PUSH] = (int)db_col_i64(r, 3);
		s->split.pct[BUDGET_RECON] = (int)db_col_i64(r, 4);
		/* Etsy's own figure wins over the setting when it is lower */
		if (!db_col_null(r, 5) && db_col_i64(r, 5) > 0 &&
		    db_col_i64(r, 5) < s->per_day)
			s->per_day = db_col_i64(r, 5);
		if (!db_col_null(r, 6))
			s->remaining_db = db_col_i64(r, 6);
	}
	db_res_free(r);
	if (rc == -1)
		return -1;
	if (budget_split_valid(&s->split) == -1)
		budget_split_default(&s->split);
	if (s->per_second < 1)
		s->per_second = 1;
	s->budget_loaded = 1;
	return 0;
}

/* A call holds its slot from its start until its answer (in flight:
 * INFLIGHT_MS ahead), then for the window after the answer: Etsy counts
 * a call when it arrives, which is somewhere in between, so however slow
 * one answer is, no more than limit arrive in any second. */
#define INFLIGHT_MS	60000

struct slot {
	int64_t	 acct, limit;
	int64_t	 wait_ms;	/* out: 0 taken, else wait and try again */
	uint64_t id;		/* out: the slot's row */
};

/* One transaction: under the account's poll-state row lock, count the
 * calls started in the window and take a slot when there is room. */
static int
slot_fn(struct db *db, void *arg, struct err *e)
{
	struct slot	*sl = arg;
	struct db_res	*r;
	int64_t		 now, used = 0, oldest = 0, lock = 0;
	int		 rc;

	sl->wait_ms = 0;
	if (db_query_i64(db, "SELECT account_id FROM etsy_poll_state WHERE "
	    "account_id = ? FOR UPDATE", (struct db_val[]){ DBI(sl->acct) },
	    1, &lock, e) == -1)
		return -1;
	/* the time once the lock is ours: a start recorded earlier than
	 * it happens would let the next call in too soon */
	now = wall_ms();
	/* every call answered in the window or still in flight counts;
	 * the oldest answered one says when there is room again */
	r = db_query(db, "SELECT COUNT(*), COALESCE(MIN(CASE WHEN at_ms <= ? "
	    "THEN at_ms END), 0) FROM etsy_api_starts WHERE account_id = ? "
	    "AND at_ms > ?", (struct db_val[]){ DBI(now), DBI(sl->acct),
	    DBI(now - BUDGET_WINDOW_MS) }, 3, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 1) {
		used = db_col_i64(r, 0);
		oldest = db_col_i64(r, 1);
	}
	db_res_free(r);
	if (rc == -1)
		return -1;
	if ((sl->wait_ms = budget_second_wait(now, oldest, used,
	    sl->limit)) > 0) {
		if (oldest == 0)	/* all in flight: look again soon */
			sl->wait_ms = 50;
		return 0;
	}
	if (db_exec(db, "INSERT INTO etsy_api_starts (account_id, at_ms) "
	    "VALUES (?, ?)", (struct db_val[]){ DBI(sl->acct),
	    DBI(now + INFLIGHT_MS) }, 2, NULL, &sl->id, e) == -1)
		return -1;
	if (now % 20 == 0 && db_exec(db, "DELETE FROM etsy_api_starts WHERE "
	    "account_id = ? AND at_ms < ?", (struct db_val[]){ DBI(sl->acct),
	    DBI(now - 60000) }, 2, NULL, NULL, e) == -1)
		return -1;
	return 0;
}

/*
 * Take one call of s->purpose from today's share and a slot in the
 * per-second window. 0 go, 1 deferred (r filled), -1 local error.
 */
static int
budget_take(struct etsy_session *s, const char *what, struct err *e)
{
	struct db		*db = s->ctx->db;
	int64_t			 acct = s->ctx->acct->id, share, remaining;
	int64_t			 limit;
	struct slot		 sl;
	const char		*pname = budget_purpose_name(s->purpose);
	enum budget_verdict	 v;
	uint64_t		 n = 0;
	int			 tries;

	if (s->purpose <= BUDGET_NONE || s->purpose >= BUDGET__MAX)
		return err_set(e, ERR_INVALID, "etsy %s: the call has no "
		    "budget purpose (set etsy_session.purpose)", what);
	if (db == NULL)
		return 0;
	if (!s->budget_loaded && budget_load(s, db, acct, e) == -1)
		return -1;
	remaining = s->rate.remaining_today >= 0 ? s->rate.remaining_today :
	    s->remaining_db;
	share = budget_share(s->per_day, &s->split, s->purpose);
	v = budget_check(s->per_day, &s->split, s->purpose, 0, remaining);
	if (v == BUDGET_OK) {
		if (db_exec(db, "INSERT IGNORE INTO etsy_api_calls (account_id, "
		    "day, purpose, n) VALUES (?, UTC_DATE(), ?, 0)",
		    (struct db_val[]){ DBI(acct), DBS(pname) }, 2, NULL, NULL,
		    e) == -1 ||
		    db_exec(db, "UPDATE etsy_api_calls SET n = n + 1 WHERE "
		    "account_id = ? AND day = UTC_DATE() AND purpose = ? AND "
		    "n < ?", (struct db_val[]){ DBI(acct), DBS(pname),
		    DBI(share) }, 3, &n, NULL, e) == -1)
			return -1;
		if (n == 0)
			v = BUDGET_SHARE_SPENT;
	}
	if (v != BUDGET_OK) {
		s->deferred = 1;
		result(s, CHANNEL_RETRY);
		s->r->retry_after_s = budget_day_left((int64_t)time(NULL));
		if (v == BUDGET_DAY_SPENT)
			etsy_session_detail(s, "%s: Etsy daily quota used up "
			    "(deferred)", what);
		else
			etsy_session_detail(s, "%s: Etsy %s budget for today "
			    "used up (%" PRId64 " calls; deferred)", what,
			    pname, share);
		log_warn("etsy: account %" PRId64 ": %s", acct, s->r->detail);
		return 1;
	}
	/* the per-second window, shared by every process of the hub */
	limit = s->per_second;
	if (s->rate.limit_per_second > 0 && s->rate.limit_per_second < limit)
		limit = s->rate.limit_per_second;
	for (tries = 0; tries < 100; tries++) {
		sl.acct = acct;
		sl.limit = limit;
		if (db_tx(db, slot_fn, &sl, e) == -1)
			return -1;
		if (sl.wait_ms == 0) {
			s->slot_id = (int64_t)sl.id;
			break;
		}
		sleep_ms(sl.wait_ms);
	}
	if (sl.wait_ms != 0) {
		/* the day's unit goes back: no call was made */
		if (db_exec(db, "UPDATE etsy_api_calls SET n = n - 1 WHERE "
		    "account_id = ? AND day = UTC_DATE() AND purpose = ? AND "
		    "n > 0", (struct db_val[]){ DBI(acct), DBS(pname) }, 2,
		    NULL, NULL, e) == -1)
			return -1;
		s->deferred = 1;
		result(s, CHANNEL_RETRY);
		s->r->retry_after_s = 1;
		etsy_session_detail(s, "%s: no free slot in the per-second "
		    "limit (deferred)", what);
		return 1;
	}
	return 0;
}

/* The call is answered (or gave up): its slot counts from now on. */
static void
budget_done(struct etsy_session *s)
{
	struct err	 e;

	if (s->slot_id == 0 || s->ctx->db == NULL)
		return;
	if (db_exec(s->ctx->db, "UPDATE etsy_api_starts SET at_ms = ? WHERE "
	    "id = ?", (struct db_val[]){ DBI(wall_ms()), DBI(s->slot_id) }, 2,
	    NULL, NULL, &e) == -1)
		log_warn("etsy: per-second slot kept until it expires: %s",
		    e.msg);
	s->slot_id = 0;
}

/*
 * One call with the account's key and token. ctype/body may be NULL.
 * Returns 0 when an answer came, -1 when none did (e says why).
 */
static int
api_once(struct etsy_session *s, const char *method, const char *url,
    const char *ctype, const char *body, size_t len, struct httpc_resp *resp,
    struct err *e)
{
	const json_t	*c = s->ctx->acct->creds;
	const char	*key = cred(c, "keystring"), *sec = cred(c,
			    "shared_secret"), *tok = cred(c, "access_token");
	char		 apikey[2 * TOKEN_MAX + 16], auth[TOKEN_MAX + 32],
			 ct[80];
	const char	*hdrs[6];
	struct httpc_req q;
	size_t		 n = 0;
	int		 rc = -1;

	memset(resp, 0, sizeof(*resp));
	if (!header_safe(key) || !header_safe(sec) || !header_safe(tok) ||
	    str_fmt(apikey, sizeof(apikey), "x-api-key: %s:%s", key, sec) ==
	    -1 || str_fmt(auth, sizeof(auth), "Authorization: Bearer %s",
	    tok) == -1) {
		err_set(e, ERR_AUTH, "etsy: credentials incomplete or "
		    "malformed");
		goto out;
	}
	/* Etsy said no calls are left this second: wait for the next */
	if (s->rate.remaining_this_second == 0) {
		struct timespec ts = { 1, 0 };

		nanosleep(&ts, NULL);
		s->rate.remaining_this_second = -1;
	}
	hdrs[n++] = apikey;
	hdrs[n++] = auth;
	hdrs[n++] = "Accept: application/json";
	if (ctype != NULL) {
		(void)str_fmt(ct, sizeof(ct), "Content-Type: %s", ctype);
		hdrs[n++] = ct;
	}
	hdrs[n] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = method;
	q.url = url;
	q.headers = hdrs;
	q.body = body;
	q.body_len = len;
	rc = httpc_do(&q, resp, e);
	if (resp->status != 0)
		etsy_rate_read(resp, &s->rate);
out:
	explicit_bzero(apikey, sizeof(apikey));
	explicit_bzero(auth, sizeof(auth));
	return rc;
}

/* ---- token refresh -------------------------------------------------- */

struct refresh {
	struct channel_ctx	*ctx;
	char			 failed[TOKEN_MAX];	/* "" unless a 401 */
	json_t			*got;	/* the token answer, once obtained */
	int			 outcome;	/* 0 ok, else CHANNEL_* */
	int64_t			 retry_after_s;
	char			 msg[200];
};

static int64_t
creds_expiry(const json_t *c)
{
	const json_t	*v = json_object_get(c, "access_expires_at");
	int64_t		 x;

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_string(v) && str_to_i64(json_string_value(v), 0,
	    INT64_MAX, &x) == 0)
		return x;
	return 0;
}

static int
needs_refresh(const json_t *c, const char *failed)
{
	const char	*tok = cred(c, "access_token");

	if (tok == NULL)
		return 1;
	if (failed != NULL && *failed != '\0')
		return strcmp(tok, failed) == 0;
	return creds_expiry(c) - (int64_t)time(NULL) < ETSY_REFRESH_MARGIN_S;
}

/* POST the refresh grant; fills t->got or t->outcome. */
static void
token_request(struct refresh *t)
{
	struct channel_account	*a = t->ctx->acct;
	const char		*key = cred(a->creds, "keystring");
	const char		*sec = cred(a->creds, "shared_secret");
	const char		*rt = cred(a->creds, "refresh_token");
	char			 url[URL_MAX], apikey[2 * TOKEN_MAX + 16];
	const char		*hdrs[4];
	struct httpc_req	 q;
	struct httpc_resp	 resp;
	struct buf		 form;
	struct err		 e;
	json_t			*root = NULL;

	memset(&resp, 0, sizeof(resp));
	buf_init(&form, 8192);
	apikey[0] = '\0';
	t->outcome = CHANNEL_FAILED;
	if (key == NULL || rt == NULL || !header_safe(key) ||
	    (sec != NULL && !header_safe(sec))) {
		(void)str_copy(t->msg, sizeof(t->msg), "credentials "
		    "incomplete: reconnect the Etsy account");
		goto out;
	}
	if (str_fmt(url, sizeof(url), "%s/v3/public/oauth/token",
	    a->base_url) == -1 ||
	    form_put(&form, "grant_type", "refresh_token") == -1 ||
	    form_put(&form, "client_id", key) == -1 ||
	    form_put(&form, "refresh_token", rt) == -1 ||
	    str_fmt(apikey, sizeof(apikey), "x-api-key: %s%s%s", key,
	    sec != NULL ? ":" : "", sec != NULL ? sec : "") == -1) {
		(void)str_copy(t->msg, sizeof(t->msg), "token request too "
		    "long");
		goto out;
	}
	hdrs[0] = "Content-Type: application/x-www-form-urlencoded";
	hdrs[1] = "Accept: application/json";
	hdrs[2] = apikey;
	hdrs[3] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = url;
	q.headers = hdrs;
	q.body = form.data;
	q.body_len = form.len;
	q.timeout_ms = 10000;
	if (httpc_do(&q, &resp, &e) == -1) {
		t->outcome = CHANNEL_RETRY;
		(void)str_copy(t->msg, sizeof(t->msg), "token refresh: no "
		    "answer");
		goto out;
	}
	if (resp.status == 200) {
		const char *at, *nrt;

		root = json_loadb(resp.body, resp.len, 0, NULL);
		at = json_string_value(json_object_get(root, "access_token"));
		nrt = json_string_value(json_object_get(root,
		    "refresh_token"));
		if (at == NULL || *at == '\0' || strlen(at) >= TOKEN_MAX ||
		    !header_safe(at) || (nrt != NULL && (*nrt == '\0' ||
		    strlen(nrt) >= TOKEN_MAX))) {
			/* maybe truncated; the grant may be spent, though */
			t->outcome = CHANNEL_RETRY;
			(void)str_copy(t->msg, sizeof(t->msg), "token refresh: "
			    "unreadable answer");
			goto out;
		}
		t->got = root;
		root = NULL;
		t->outcome = 0;
		goto out;
	}
	etsy_error_message(resp.status, resp.body, resp.len, t->msg,
	    sizeof(t->msg));
	if (strncmp(t->msg, "invalid_grant", 13) == 0) {
		(void)str_copy(t->msg, sizeof(t->msg), "revoked");
		t->outcome = CHANNEL_FAILED;
	} else if (httpc_class(&resp) == HTTPC_RETRY) {
		t->outcome = CHANNEL_RETRY;
		if (resp.status == 429)
			t->retry_after_s = httpc_retry_after(&resp, 3600);
	} else
		t->outcome = CHANNEL_FAILED;
	redact(t->msg, sizeof(t->msg), rt);
	redact(t->msg, sizeof(t->msg), sec);
out:
	json_decref(root);
	if (form.data != NULL)
		explicit_bzero(form.data, form.len);
	buf_free(&form);
	explicit_bzero(apikey, sizeof(apikey));
	etsy_resp_free(&resp);
}

static int
refresh_tx(struct db *db, void *arg, struct err *e)
{
	struct refresh		*t = arg;
	struct channel_account	*a = t->ctx->acct;
	json_t			*creds = NULL;
	json_int_t		 expires_in = 3600;
	const json_t		*v;
	int			 rc = -1;

	if (channel_account_lock(db, t->ctx->cfg, a, e) == -1)
		return -1;
	if (t->got == NULL) {
		/* someone else refreshed while we waited for the lock */
		if (!needs_refresh(a->creds, t->failed))
			return 0;
		token_request(t);
		if (t->got == NULL)
			return 0;	/* nothing to store; see outcome */
	}
	if ((creds = json_deep_copy(a->creds)) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	v = json_object_get(t->got, "expires_in");
	if (json_is_integer(v) && json_integer_value(v) > 0 &&
	    json_integer_value(v) < 86400 * 365)
		expires_in = json_integer_value(v);
	if (json_object_set(creds, "access_token", json_object_get(t->got,
	    "access_token")) == -1 ||
	    (json_is_string(json_object_get(t->got, "refresh_token")) &&
	    json_object_set(creds, "refresh_token", json_object_get(t->got,
	    "refresh_token")) == -1) ||
	    json_object_set_new(creds, "access_expires_at", json_integer(
	    (json_int_t)time(NULL) + expires_in)) == -1) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	if (channel_account_store_creds(db, t->ctx->cfg, a, creds, e) == -1)
		goto out;
	rc = 0;
out:
	json_decref(creds);
	return rc;
}

/*
 * Make sure the access token is usable (failed: the token a 401 refused,
 * or NULL). Returns 0 ready, 1 r filled (the push ends), -1 local error.
 */
static int
ensure_token(struct etsy_session *s, const char *failed, struct err *e)
{
	struct refresh	 t;
	int		 rc;

	if (!needs_refresh(s->ctx->acct->creds, failed))
		return 0;
	if (s->ctx->db == NULL)
		return err_set(e, ERR_INVALID, "etsy: token refresh needs "
		    "the database");
	memset(&t, 0, sizeof(t));
	t.ctx = s->ctx;
	if (failed != NULL && str_copy(t.failed, sizeof(t.failed), failed) ==
	    -1)
		t.failed[0] = '\0';
	rc = db_tx(s->ctx->db, refresh_tx, &t, e);
	if (rc == -1 && t.got != NULL)
		log_error("etsy: account %" PRId64 ": a new refresh token was "
		    "issued but could not be stored; the account may need "
		    "reconnecting", s->ctx->acct->id);
	json_decref(t.got);
	explicit_bzero(t.failed, sizeof(t.failed));
	if (rc == -1)
		return -1;
	if (t.outcome != 0) {
		result(s, (enum channel_outcome)t.outcome);
		s->r->retry_after_s = t.retry_after_s > 0 ? t.retry_after_s : 0;
		etsy_session_detail(s, "%s", t.msg);
		if (strcmp(t.msg, "revoked") == 0)
			log_warn("etsy: account %" PRId64 ": refresh token "
			    "revoked; reconnect the account", s->ctx->acct->id);
		return 1;
	}
	log_info("etsy: account %" PRId64 ": access token refreshed",
	    s->ctx->acct->id);
	return 0;
}

/*
 * An API call; a 401 refreshes the token once and tries again. Returns 0
 * with an answer in resp (any status), 1 when r is filled (no answer,
 * refresh failed), -1 local error.
 */
static int
api(struct etsy_session *s, const char *what, const char *method,
    const char *url, const char *ctype, const char *body, size_t len,
    struct httpc_resp *resp, struct err *e)
{
	char		 failed[TOKEN_MAX];
	struct err	 ce;
	int		 rc;

	for (;;) {
		memset(resp, 0, sizeof(*resp));
		if ((rc = budget_take(s, what, e)) != 0)
			return rc;
		err_clear(&ce);
		rc = api_once(s, method, url, ctype, body, len, resp, &ce);
		budget_done(s);
		if (rc == -1) {
			if (ce.kind == ERR_AUTH) {
				result(s, CHANNEL_FAILED);
				etsy_session_detail(s, "%s: %s", what, ce.msg);
			} else {
				result(s, CHANNEL_RETRY);
				etsy_session_detail(s, "%s: %s", what,
				    resp->timed_out ? "timeout" : "no answer");
			}
			etsy_resp_free(resp);
			return 1;
		}
		if (resp->status != 401 || s->refreshed)
			return 0;
		s->refreshed = 1;
		etsy_resp_free(resp);
		if (str_copy(failed, sizeof(failed), cred(s->ctx->acct->creds,
		    "access_token") != NULL ? cred(s->ctx->acct->creds,
		    "access_token") : "") == -1)
			failed[0] = '\0';
		rc = ensure_token(s, failed[0] != '\0' ? failed : NULL, e);
		explicit_bzero(failed, sizeof(failed));
		if (rc != 0)
			return rc;
	}
}

/* Map a non-2xx answer to the result. */
static void
fail_answer(struct etsy_session *s, const char *what,
    const struct httpc_resp *resp)
{
	char	 msg[160];

	etsy_error_message(resp->status, resp->body, resp->len, msg,
	    sizeof(msg));
	if (resp->status == 429) {
		result(s, CHANNEL_RETRY);
		s->r->retry_after_s = httpc_retry_after(resp, 3600);
		if (s->r->retry_after_s < 0)
			s->r->retry_after_s = 0;
		etsy_session_detail(s, "%s: rate limited (429), retry after %" PRId64
		    " s", what, s->r->retry_after_s);
	} else if (httpc_class(resp) == HTTPC_RETRY) {
		result(s, CHANNEL_RETRY);
		etsy_session_detail(s, "%s: HTTP %ld: %s", what, resp->status, msg);
	} else if (resp->status == 404) {
		result(s, CHANNEL_FAILED);
		etsy_session_detail(s, "listing not found");
	} else {
		result(s, CHANNEL_FAILED);
		etsy_session_detail(s, "%s: HTTP %ld: %s", what, resp->status, msg);
	}
}

int
etsy_shop_id(const struct channel_account *a, char *out, size_t outsz)
{
	const json_t	*sid = json_object_get(a->creds, "shop_id");

	if (json_is_integer(sid))
		(void)str_fmt(out, outsz, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(sid));
	else if (json_is_string(sid))
		(void)str_copy(out, outsz, json_string_value(sid));
	else
		(void)str_copy(out, outsz, a->shop_ref);
	return numeric_id(out) ? 0 : -1;
}

void
etsy_session_init(struct etsy_session *s, struct channel_ctx *ctx,
    struct channel_result *r)
{
	memset(s, 0, sizeof(*s));
	memset(r, 0, sizeof(*r));
	r->outcome = CHANNEL_FAILED;
	r->shown_before = -1;
	r->shown = -1;
	s->ctx = ctx;
	s->r = r;
	s->rate.limit_per_second = -1;
	s->rate.remaining_this_second = -1;
	s->rate.limit_per_day = -1;
	s->rate.remaining_today = -1;
}

int
etsy_session_token(struct etsy_session *s, struct err *e)
{
	return ensure_token(s, NULL, e);
}

int
etsy_session_call(struct etsy_session *s, const char *what,
    const char *method, const char *url, const char *ctype, const char *body,
    size_t len, struct httpc_resp *resp, struct err *e)
{
	return api(s, what, method, url, ctype, body, len, resp, e);
}

static int
set_state(struct etsy_session *s, const char *listing_id, const char *state,
    struct err *e)
{
	char			 shop[32], url[URL_MAX], body[32];
	struct httpc_resp	 resp;
	int			 rc;

	if (etsy_shop_id(s->ctx->acct, shop, sizeof(shop)) == -1) {
		result(s, CHANNEL_FAILED);
		etsy_session_detail(s, "no numeric shop_id in the account");
		return 1;
	}
	(void)str_fmt(url, sizeof(url), "%s/v3/application/shops/%s/listings/"
	    "%s", s->ctx->acct->base_url, shop, listing_id);
	(void)str_fmt(body, sizeof(body), "state=%s", state);
	rc = api(s, "updateListing", "PATCH", url,
	    "application/x-www-form-urlencoded", body, strlen(body), &resp, e);
	if (rc != 0)
		return rc;
	if (resp.status < 200 || resp.status > 299) {
		fail_answer(s, "updateListing", &resp);
		rc = 1;
	}
	etsy_resp_free(&resp);
	return rc;
}

/* The listing's state from getListing, when the inventory had none. */
static int
read_state(struct etsy_session *s, const char *listing_id,
    struct etsy_inventory *inv, struct err *e)
{
	char			 url[URL_MAX];
	struct httpc_resp	 resp;
	json_t			*root;
	int			 rc;

	(void)str_fmt(url, sizeof(url), "%s/v3/application/listings/%s",
	    s->ctx->acct->base_url, listing_id);
	if ((rc = api(s, "getListing", "GET", url, NULL, NULL, 0, &resp,
	    e)) != 0)
		return rc;
	if (resp.status != 200) {
		fail_answer(s, "getListing", &resp);
		etsy_resp_free(&resp);
		return 1;
	}
	root = json_loadb(resp.body, resp.len, 0, NULL);
	inv->state = etsy_state_parse(json_string_value(json_object_get(root,
	    "state")));
	json_decref(root);
	etsy_resp_free(&resp);
	if (inv->state == ETSY_STATE_UNKNOWN) {
		result(s, CHANNEL_RETRY);
		etsy_session_detail(s, "getListing: no state in the answer");
		return 1;
	}
	return 0;
}

static int
etsy_push(struct channel_ctx *ctx, const struct channel_listing *l,
    const struct channel_push *p, struct channel_result *r, struct err *e)
{
	struct etsy_session	 s;
	struct etsy_inventory	 inv;
	struct etsy_decide_in	 in;
	struct etsy_plan	 plan;
	struct httpc_resp	 resp;
	struct buf		 body;
	struct err		 pe;
	char			 url[URL_MAX];
	size_t			 idx;
	int			 by_sku, rc, ret = -1;

	memset(&inv, 0, sizeof(inv));
	memset(&resp, 0, sizeof(resp));
	buf_init(&body, BODY_MAX);
	memset(r, 0, sizeof(*r));
	r->outcome = CHANNEL_FAILED;
	r->shown_before = -1;
	r->shown = -1;
	etsy_session_init(&s, ctx, r);
	s.purpose = BUDGET_PUSH;
	if (ctx == NULL || ctx->acct == NULL || l == NULL || p == NULL ||
	    p->desired < 0) {
		err_set(e, ERR_INVALID, "etsy: bad push arguments");
		goto out;
	}
	if (!numeric_id(l->ext_listing)) {
		etsy_session_detail(&s, "listing id %.64s is not numeric",
		    l->ext_listing);
		ret = 0;
		goto out;
	}
	if (cred(ctx->acct->creds, "keystring") == NULL ||
	    cred(ctx->acct->creds, "shared_secret") == NULL) {
		etsy_session_detail(&s, "credentials incomplete: reconnect the Etsy "
		    "account");
		ret = 0;
		goto out;
	}
	if ((rc = ensure_token(&s, NULL, e)) != 0) {
		ret = rc == 1 ? 0 : -1;
		goto out;
	}

	/* read */
	(void)str_fmt(url, sizeof(url), "%s/v3/application/listings/%s/"
	    "inventory?includes=Listing", ctx->acct->base_url, l->ext_listing);
	if ((rc = api(&s, "getListingInventory", "GET", url, NULL, NULL, 0,
	    &resp, e)) != 0) {
		ret = rc == 1 ? 0 : -1;
		goto out;
	}
	if (resp.status != 200) {
		fail_answer(&s, "getListingInventory", &resp);
		ret = 0;
		goto out;
	}
	if (etsy_inventory_parse(resp.body, resp.len, &inv, &pe) == -1) {
		result(&s, pe.kind == ERR_RETRY ? CHANNEL_RETRY :
		    CHANNEL_FAILED);
		etsy_session_detail(&s, "%s", pe.msg);
		ret = 0;
		goto out;
	}
	etsy_resp_free(&resp);
	if (inv.state == ETSY_STATE_UNKNOWN &&
	    (rc = read_state(&s, l->ext_listing, &inv, e)) != 0) {
		ret = rc == 1 ? 0 : -1;
		goto out;
	}
	rc = etsy_find_product(&inv, l->ext_variant, l->channel_sku, &idx,
	    &by_sku, &pe);
	if (rc != 1) {
		if (rc == 0)
			etsy_session_detail(&s, "variation %.100s (SKU %.60s) not found "
			    "in listing %s", *l->ext_variant ? l->ext_variant :
			    "(none)", l->channel_sku, l->ext_listing);
		else
			etsy_session_detail(&s, "%s", pe.msg);
		ret = 0;
		goto out;
	}

	/* decide */
	memset(&in, 0, sizeof(in));
	in.desired = p->desired;
	in.has_last_pushed = l->has_last_pushed;
	in.last_pushed = l->last_pushed;
	in.hub_hid = l->hidden;
	if (etsy_decide(&inv, idx, &in, &plan, e) == -1)
		goto out;
	r->shown_before = plan.shown_before;
	r->unseen_sales = plan.unseen_sales;
	if (!plan.renew && !plan.put && !plan.activate && !plan.deactivate) {
		r->outcome = plan.outcome;
		r->shown = plan.shown;
		r->hidden = plan.hidden;
		etsy_session_detail(&s, "%s", plan.detail);
		ret = 0;
		goto out;
	}
	if (s.rate.remaining_today == 0) {
		result(&s, CHANNEL_RETRY);
		r->retry_after_s = 600;
		etsy_session_detail(&s, "Etsy daily quota used up");
		ret = 0;
		goto out;
	}

	/* write */
	if (plan.renew && (rc = set_state(&s, l->ext_listing, "active",
	    e)) != 0) {
		ret = rc == 1 ? 0 : -1;
		goto out;
	}
	if (plan.put) {
		if (etsy_inventory_body(&inv, &body, &pe) == -1) {
			etsy_session_detail(&s, "%s", pe.msg);
			ret = 0;
			goto out;
		}
		(void)str_fmt(url, sizeof(url), "%s/v3/application/listings/"
		    "%s/inventory", ctx->acct->base_url, l->ext_listing);
		if ((rc = api(&s, "updateListingInventory", "PUT", url,
		    "application/json", body.data, body.len, &resp, e)) != 0) {
			ret = rc == 1 ? 0 : -1;
			goto out;
		}
		if (resp.status < 200 || resp.status > 299) {
			fail_answer(&s, "updateListingInventory", &resp);
			ret = 0;
			goto out;
		}
		etsy_resp_free(&resp);
	}
	if ((plan.activate || plan.deactivate) && (rc = set_state(&s,
	    l->ext_listing, plan.activate ? "active" : "inactive", e)) != 0) {
		ret = rc == 1 ? 0 : -1;
		goto out;
	}
	r->outcome = plan.outcome;
	r->shown = plan.shown;
	r->hidden = plan.hidden;
	etsy_session_detail(&s, "%s%s", plan.detail, by_sku ? " (matched by SKU; the "
	    "variation was renamed)" : "");
	log_info("etsy: account %" PRId64 " listing %s %s: %s",
	    ctx->acct->id, l->ext_listing, *l->ext_variant ? l->ext_variant :
	    "-", r->detail);
	ret = 0;
out:
	etsy_resp_free(&resp);
	buf_free(&body);
	etsy_inventory_free(&inv);
	return ret;
}

/* What a buyer sees of l's product in inv: 0 (or 1 when Etsy marks the
 * listing sold out) with *shown, -1 with e (ERR_NOTFOUND: no such
 * variation). */
static int
shown_of(const struct etsy_inventory *inv, const struct channel_listing *l,
    int64_t *shown, struct err *e)
{
	const struct etsy_offering	*of;
	struct err			 pe;
	size_t				 idx;
	int				 by_sku, rc;

	err_clear(&pe);
	rc = etsy_find_product(inv, l->ext_variant, l->channel_sku, &idx,
	    &by_sku, &pe);
	if (rc != 1)
		return err_set(e, rc == 0 ? ERR_NOTFOUND : pe.kind, "etsy: "
		    "listing %s: %s", l->ext_listing, rc == 0 ? "variation not "
		    "found" : pe.msg);
	of = &inv->products[idx].offerings[0];
	*shown = of->is_enabled && (inv->state == ETSY_STATE_ACTIVE ||
	    inv->state == ETSY_STATE_UNKNOWN) ? of->quantity : 0;
	return inv->state == ETSY_STATE_SOLD_OUT ? 1 : 0;
}

/*
 * channel_ops.read: what a buyer sees of the listing's product (found as
 * the push finds it): getListingInventory (and getListing when the state
 * is missing), nothing written.
 */
static int
etsy_read(struct channel_ctx *ctx, const struct channel_listing *l,
    int64_t *shown, struct err *e)
{
	struct etsy_session	 s;
	struct channel_result	 r;
	struct etsy_inventory	 inv;
	struct httpc_resp	 resp;
	char			 url[URL_MAX];
	int			 rc, ret = -1;

	memset(&inv, 0, sizeof(inv));
	memset(&resp, 0, sizeof(resp));
	if (ctx == NULL || ctx->acct == NULL || l == NULL || shown == NULL)
		return err_set(e, ERR_INVALID, "etsy read: missing argument");
	etsy_session_init(&s, ctx, &r);
	/* only reconciliation reads what a channel shows */
	s.purpose = BUDGET_RECON;
	if (!numeric_id(l->ext_listing))
		return err_set(e, ERR_NOTFOUND, "etsy: listing id %.64s is not "
		    "numeric", l->ext_listing);
	if ((rc = ensure_token(&s, NULL, e)) != 0)
		goto fail;
	(void)str_fmt(url, sizeof(url), "%s/v3/application/listings/%s/"
	    "inventory?includes=Listing", ctx->acct->base_url, l->ext_listing);
	if ((rc = api(&s, "getListingInventory", "GET", url, NULL, NULL, 0,
	    &resp, e)) != 0)
		goto fail;
	if (resp.status == 404) {
		err_set(e, ERR_NOTFOUND, "etsy: listing %s not found",
		    l->ext_listing);
		goto out;
	}
	if (resp.status != 200) {
		fail_answer(&s, "getListingInventory", &resp);
		rc = 1;
		goto fail;
	}
	if (etsy_inventory_parse(resp.body, resp.len, &inv, e) == -1)
		goto out;
	if (inv.state == ETSY_STATE_UNKNOWN &&
	    (rc = read_state(&s, l->ext_listing, &inv, e)) != 0)
		goto fail;
	ret = shown_of(&inv, l, shown, e);
	goto out;
fail:
	if (rc == 1)
		err_set(e, r.outcome == CHANNEL_RETRY ? ERR_RETRY : ERR_INVALID,
		    "etsy: %s", r.detail);
out:
	etsy_resp_free(&resp);
	etsy_inventory_free(&inv);
	return ret;
}

int
etsy_batch_find(const json_t *root, int64_t listing_id,
    struct etsy_inventory *inv, struct err *e)
{
	const json_t	*a, *r, *inv_j;
	char		*body;
	size_t		 i;
	int		 rc;

	memset(inv, 0, sizeof(*inv));
	a = json_object_get(root, "results");
	if (!json_is_array(a))
		return err_set(e, ERR_INVALID, "etsy batch inventory: no "
		    "results array");
	json_array_foreach(a, i, r) {
		if (!json_is_integer(json_object_get(r, "listing_id")) ||
		    json_integer_value(json_object_get(r, "listing_id")) !=
		    listing_id)
			continue;
		inv_j = json_object_get(r, "inventory");
		if (!json_is_object(inv_j))
			return err_set(e, ERR_NOTFOUND, "etsy: listing %" PRId64
			    ": no inventory record", listing_id);
		if ((body = json_dumps(inv_j, JSON_COMPACT)) == NULL)
			return err_set(e, ERR_SYS, "etsy batch inventory: out "
			    "of memory");
		rc = etsy_inventory_parse(body, strlen(body), inv, e);
		free(body);
		if (rc == -1)
			return -1;
		if (inv->state == ETSY_STATE_UNKNOWN)
			inv->state = etsy_state_parse(json_string_value(
			    json_object_get(r, "state")));
		inv->listing_id = listing_id;
		return 1;
	}
	return 0;
}

/* The numeric listing ids of ls[from..], each once, at most
 * ETSY_BATCH_IDS, into ids; *next is the first index not covered. */
static size_t
batch_ids(const struct channel_listing *ls, size_t n, size_t from,
    int64_t *ids, size_t *next)
{
	size_t	 k = 0, i, j;
	int64_t	 id;

	for (i = from; i < n; i++) {
		if (!numeric_id(ls[i].ext_listing))
			continue;
		id = strtoll(ls[i].ext_listing, NULL, 10);
		for (j = 0; j < k && ids[j] != id; j++)
			;
		if (j < k)
			continue;
		if (k == ETSY_BATCH_IDS)
			break;
		ids[k++] = id;
	}
	*next = i;
	return k;
}

/* Every listing of ls[from..to) whose listing id is in ids gets an error. */
static void
batch_fail(const struct channel_listing *ls, size_t from, size_t to,
    struct channel_read *out, enum err_kind kind, const char *msg)
{
	size_t	 i;

	for (i = from; i < to; i++)
		if (numeric_id(ls[i].ext_listing)) {
			out[i].rc = -1;
			err_set(&out[i].err, kind, "etsy: %s", msg);
		}
}

/*
 * channel_ops.read_batch: getListingsInventoryByListingIds for up to
 * ETSY_BATCH_IDS listing ids a call. The whole call is refused (404) when
 * one id is gone; then each of its listings is read alone, so the missing
 * one is told apart (a mapping problem) from the rest.
 */
static int
etsy_read_batch(struct channel_ctx *ctx, const struct channel_listing *ls,
    size_t n, struct channel_read *out, int *calls, struct err *e)
{
	struct etsy_session	 s;
	struct channel_result	 r;
	struct etsy_inventory	 inv;
	struct httpc_resp	 resp;
	struct buf		 url;
	json_t			*root = NULL;
	int64_t			 ids[ETSY_BATCH_IDS], id;
	size_t			 from = 0, next, k, i, j;
	int			 rc, ret = -1;

	*calls = 0;
	memset(&resp, 0, sizeof(resp));
	buf_init(&url, URL_MAX + ETSY_BATCH_IDS * 21);
	if (ctx == NULL || ctx->acct == NULL || (ls == NULL && n > 0) ||
	    (out == NULL && n > 0))
		return err_set(e, ERR_INVALID, "etsy read: missing argument");
	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (!numeric_id(ls[i].ext_listing)) {
			out[i].rc = -1;
			err_set(&out[i].err, ERR_NOTFOUND, "etsy: listing id "
			    "%.64s is not numeric", ls[i].ext_listing);
		}
	}
	etsy_session_init(&s, ctx, &r);
	s.purpose = BUDGET_RECON;	/* reconciliation's share of the day */
	if (n > 0 && (rc = ensure_token(&s, NULL, e)) != 0) {
		if (rc == -1)
			goto out;
		batch_fail(ls, 0, n, out, r.outcome == CHANNEL_RETRY ?
		    ERR_RETRY : ERR_INVALID, r.detail);
		ret = 0;
		goto out;
	}
	while (from < n) {
		if ((k = batch_ids(ls, n, from, ids, &next)) == 0)
			break;
		buf_reset(&url);
		if (buf_printf(&url, "%s/v3/application/listings/batch/"
		    "inventory?listing_ids=", ctx->acct->base_url) == -1)
			goto toobig;
		for (j = 0; j < k; j++)
			if (buf_printf(&url, "%s%" PRId64, j > 0 ? "," : "",
			    ids[j]) == -1)
				goto toobig;
		(*calls)++;
		rc = api(&s, "getListingsInventoryByListingIds", "GET",
		    url.data, NULL, NULL, 0, &resp, e);
		if (rc == -1)
			goto out;
		if (rc == 1) {
			batch_fail(ls, from, next, out, r.outcome ==
			    CHANNEL_RETRY ? ERR_RETRY : ERR_INVALID, r.detail);
		} else if (resp.status == 404) {
			/* one of them is gone: read each alone */
			for (i = from; i < next; i++) {
				if (!numeric_id(ls[i].ext_listing))
					continue;
				(*calls)++;
				err_clear(&out[i].err);
				out[i].rc = etsy_read(ctx, &ls[i],
				    &out[i].shown, &out[i].err);
			}
		} else if (resp.status != 200) {
			fail_answer(&s, "getListingsInventoryByListingIds",
			    &resp);
			batch_fail(ls, from, next, out, r.outcome ==
			    CHANNEL_RETRY ? ERR_RETRY : ERR_INVALID, r.detail);
		} else if ((root = json_loadb(resp.body, resp.len,
		    JSON_REJECT_DUPLICATES, NULL)) == NULL) {
			batch_fail(ls, from, next, out, ERR_RETRY,
			    "getListingsInventoryByListingIds: answer is not "
			    "JSON");
		} else {
			for (i = from; i < next; i++) {
				if (!numeric_id(ls[i].ext_listing))
					continue;
				id = strtoll(ls[i].ext_listing, NULL, 10);
				err_clear(&out[i].err);
				rc = etsy_batch_find(root, id, &inv,
				    &out[i].err);
				if (rc == 1)
					out[i].rc = shown_of(&inv, &ls[i],
					    &out[i].shown, &out[i].err);
				else if (rc == 0) {
					/* not in the answer: ask for it alone */
					(*calls)++;
					out[i].rc = etsy_read(ctx, &ls[i],
					    &out[i].shown, &out[i].err);
				} else
					out[i].rc = -1;
				etsy_inventory_free(&inv);
			}
			json_decref(root);
			root = NULL;
		}
		etsy_resp_free(&resp);
		from = next;
	}
	ret = 0;
	goto out;
toobig:
	err_set(e, ERR_TOOBIG, "etsy batch inventory: URL too long");
out:
	json_decref(root);
	etsy_resp_free(&resp);
	buf_free(&url);
	return ret;
}

/* Append inv's products (listing listing_id) to the place list. */
static int
places_add(struct channel_place **pl, size_t *n, size_t *cap,
    int64_t listing_id, const char *title, const struct etsy_inventory *inv,
    struct err *e)
{
	struct channel_place	*p, *np;
	size_t			 i;
	int			 level = inv->nproducts > 1 &&
				    inv->products[0].npvs > 0 &&
				    inv->quantity_on_property.n == 0;

	for (i = 0; i < inv->nproducts; i++) {
		if (*n == *cap) {
			if (*cap >= ETSY_CATALOG_MAX)
				return err_set(e, ERR_TOOBIG, "etsy catalog: "
				    "more than %d products", ETSY_CATALOG_MAX);
			if ((np = reallocarray(*pl, *cap ? *cap * 2 : 256,
			    sizeof(**pl))) == NULL)
				return err_set(e, ERR_SYS, "etsy catalog: out "
				    "of memory");
			*pl = np;
			*cap = *cap ? *cap * 2 : 256;
		}
		p = &(*pl)[*n];
		memset(p, 0, sizeof(*p));
		(void)str_fmt(p->ext_listing, sizeof(p->ext_listing), "%" PRId64,
		    listing_id);
		if (etsy_variant_key(&inv->products[i], p->ext_variant,
		    sizeof(p->ext_variant)) == -1)
			continue;
		(void)str_copy(p->sku, sizeof(p->sku), inv->products[i].sku !=
		    NULL ? inv->products[i].sku : "");
		(void)str_copy(p->title, sizeof(p->title), title != NULL ?
		    title : "");
		p->listing_level_qty = level;
		(*n)++;
	}
	return 0;
}

/*
 * channel_ops.catalog: getListingsByShop (state=active, includes=
 * Inventory), 100 a page, every page.
 */
static int
etsy_catalog(struct channel_ctx *ctx, struct channel_place **out, size_t *n,
    int *calls, struct err *e)
{
	struct etsy_session	 s;
	struct channel_result	 r;
	struct etsy_inventory	 inv;
	struct httpc_resp	 resp;
	struct channel_place	*pl = NULL;
	json_t			*root = NULL, *res;
	const json_t		*it;
	char			 shop[32], url[URL_MAX];
	size_t			 np = 0, cap = 0, i, got;
	int64_t			 offset = 0, id;
	int			 rc, ret = -1;

	*out = NULL;
	*n = 0;
	*calls = 0;
	memset(&resp, 0, sizeof(resp));
	etsy_session_init(&s, ctx, &r);
	/* the mapping audit is a check like reconciliation: same share */
	s.purpose = BUDGET_RECON;
	if (etsy_shop_id(ctx->acct, shop, sizeof(shop)) == -1)
		return err_set(e, ERR_INVALID, "etsy: no numeric shop_id in the "
		    "account");
	if ((rc = ensure_token(&s, NULL, e)) != 0)
		goto fail;
	for (;;) {
		(void)str_fmt(url, sizeof(url), "%s/v3/application/shops/%s/"
		    "listings?state=active&includes=Inventory&limit=%d&"
		    "offset=%" PRId64, ctx->acct->base_url, shop,
		    ETSY_BATCH_IDS, offset);
		(*calls)++;
		if ((rc = api(&s, "getListingsByShop", "GET", url, NULL, NULL,
		    0, &resp, e)) != 0)
			goto fail;
		if (resp.status != 200) {
			fail_answer(&s, "getListingsByShop", &resp);
			rc = 1;
			goto fail;
		}
		if ((root = json_loadb(resp.body, resp.len,
		    JSON_REJECT_DUPLICATES, NULL)) == NULL ||
		    !json_is_array(res = json_object_get(root, "results"))) {
			err_set(e, ERR_RETRY, "etsy: getListingsByShop: answer "
			    "is not a listing page");
			goto out;
		}
		got = json_array_size(res);
		json_array_foreach(res, i, it) {
			id = json_integer_value(json_object_get(it,
			    "listing_id"));
			rc = etsy_batch_find(root, id, &inv, e);
			if (rc == -1 && e->kind == ERR_NOTFOUND)
				continue;	/* no inventory record */
			if (rc != 1)
				goto out;
			rc = places_add(&pl, &np, &cap, id, json_string_value(
			    json_object_get(it, "title")), &inv, e);
			etsy_inventory_free(&inv);
			if (rc == -1)
				goto out;
		}
		json_decref(root);
		root = NULL;
		etsy_resp_free(&resp);
		if (got < ETSY_BATCH_IDS)
			break;
		offset += (int64_t)got;
	}
	*out = pl;
	*n = np;
	pl = NULL;
	ret = 0;
	goto out;
fail:
	if (rc == 1)
		err_set(e, r.outcome == CHANNEL_RETRY ? ERR_RETRY : ERR_INVALID,
		    "etsy: %s", r.detail);
out:
	json_decref(root);
	etsy_resp_free(&resp);
	free(pl);
	return ret;
}

const struct channel_ops etsy_ops = {
	.name = "etsy",
	.push = etsy_push,
	.read = etsy_read,
	.read_batch = etsy_read_batch,
	.catalog = etsy_catalog,
};
