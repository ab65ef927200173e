/*
 * skumap: the SKU map's CSV layouts and import proposals (see skumap.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>
#include <openssl/evp.h>

#include "buf.h"
#include "csvw.h"
#include "err.h"
#include "skumap.h"
#include "stock.h"
#include "str.h"

#define FIELDS_MAX	256
#define TITLE_MAX	255	/* characters, as stock_items.title */
#define LISTING_MAX	64
#define VARIANT_MAX	255
#define LOCATION_MAX	64
#define CHSKU_MAX	255
#define ACCOUNT_MAX	100

static const char *const hub_cols[] = { "sku", "title", "account",
    "ext_listing", "ext_variant", "ext_location", "channel_sku" };
#define HUB_NCOLS	(sizeof(hub_cols) / sizeof(hub_cols[0]))

/* ---- reading records with libcsv ---- */

struct rec {
	char	**f;
	size_t	  n;
};

struct reader {
	struct rec	*recs;
	size_t		 nrecs, cap;
	struct rec	 cur;
	int		 failed;	/* ERR_* of the first failure, 0 none */
	char		 why[160];
};

static void
rec_free(struct rec *r)
{
	size_t	 i;

	for (i = 0; r->f != NULL && i < r->n; i++)
		free(r->f[i]);
	free(r->f);
	r->f = NULL;
	r->n = 0;
}

static void
reader_fail(struct reader *rd, int kind, const char *why)
{
	if (rd->failed)
		return;
	rd->failed = kind;
	(void)str_copy(rd->why, sizeof(rd->why), why);
}

/* libcsv: one field. */
static void
on_field(void *s, size_t len, void *arg)
{
	struct reader	*rd = arg;
	char		*copy, **nf;

	if (rd->failed)
		return;
	if (len > SKUMAP_FIELD_MAX) {
		reader_fail(rd, ERR_TOOBIG, "a field is longer than 64 KiB");
		return;
	}
	if (rd->cur.n == FIELDS_MAX) {
		reader_fail(rd, ERR_TOOBIG, "a row has more than 256 columns");
		return;
	}
	if (len > 0 && memchr(s, '\0', len) != NULL) {
		reader_fail(rd, ERR_INVALID, "the file holds a NUL byte");
		return;
	}
	if (!str_utf8_valid(len > 0 ? s : "", len)) {
		reader_fail(rd, ERR_INVALID, "the file is not UTF-8 text");
		return;
	}
	if ((copy = malloc(len + 1)) == NULL ||
	    (nf = realloc(rd->cur.f, (rd->cur.n + 1) * sizeof(*nf))) == NULL) {
		free(copy);
		reader_fail(rd, ERR_SYS, "out of memory");
		return;
	}
	if (len > 0)
		memcpy(copy, s, len);
	copy[len] = '\0';
	rd->cur.f = nf;
	rd->cur.f[rd->cur.n++] = copy;
}

/* libcsv: the end of a record. */
static void
on_row(int c, void *arg)
{
	struct reader	*rd = arg;
	struct rec	*nr;
	size_t		 ncap;

	(void)c;
	if (rd->failed) {
		rec_free(&rd->cur);
		return;
	}
	if (rd->nrecs == SKUMAP_ROWS_MAX + 1) {
		rec_free(&rd->cur);
		reader_fail(rd, ERR_TOOBIG, "more than 20000 rows");
		return;
	}
	if (rd->nrecs == rd->cap) {
		ncap = rd->cap == 0 ? 64 : rd->cap * 2;
		if ((nr = realloc(rd->recs, ncap * sizeof(*nr))) == NULL) {
			rec_free(&rd->cur);
			reader_fail(rd, ERR_SYS, "out of memory");
			return;
		}
		rd->recs = nr;
		rd->cap = ncap;
	}
	rd->recs[rd->nrecs++] = rd->cur;
	rd->cur.f = NULL;
	rd->cur.n = 0;
}

static void
reader_free(struct reader *rd)
{
	size_t	 i;

	for (i = 0; i < rd->nrecs; i++)
		rec_free(&rd->recs[i]);
	free(rd->recs);
	rec_free(&rd->cur);
	memset(rd, 0, sizeof(*rd));
}

/* No white space is trimmed: a SKU is matched exactly. */
static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static int
read_records(struct reader *rd, const char *data, size_t len, struct err *e)
{
	struct csv_parser	 p;
	int			 rc = -1;

	memset(rd, 0, sizeof(*rd));
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return err_set(e, ERR_SYS, "out of memory");
	csv_set_space_func(&p, no_space);
	/* a byte order mark, as spreadsheets write it */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (csv_parse(&p, data, len, on_field, on_row, rd) != len ||
	    csv_fini(&p, on_field, on_row, rd) != 0) {
		if (!rd->failed)
			err_set(e, ERR_INVALID, "this is not a CSV file "
			    "(%s near record %zu)", csv_strerror(csv_error(&p)),
			    rd->nrecs + 1);
		else
			err_set(e, (enum err_kind)rd->failed, "%s", rd->why);
		goto out;
	}
	if (rd->failed) {
		err_set(e, (enum err_kind)rd->failed, "%s", rd->why);
		goto out;
	}
	if (rd->nrecs == 0) {
		err_set(e, ERR_INVALID, "the file is empty");
		goto out;
	}
	rc = 0;
out:
	csv_free(&p);
	if (rc == -1)
		reader_free(rd);
	return rc;
}

/* ---- the map ---- */

int
skumap_source_parse(const char *name, enum skumap_source *out)
{
	if (name == NULL)
		return -1;
	if (strcmp(name, "hub") == 0)
		*out = SKUMAP_HUB;
	else if (strcmp(name, "etsy") == 0)
		*out = SKUMAP_ETSY;
	else if (strcmp(name, "shopify") == 0)
		*out = SKUMAP_SHOPIFY;
	else
		return -1;
	return 0;
}

const char *
skumap_source_name(enum skumap_source s)
{
	switch (s) {
	case SKUMAP_ETSY:
		return "etsy";
	case SKUMAP_SHOPIFY:
		return "shopify";
	default:
		return "hub";
	}
}

static void
row_free(struct skumap_row *r)
{
	free(r->sku);
	free(r->title);
	free(r->account);
	free(r->ext_listing);
	free(r->ext_variant);
	free(r->ext_location);
	free(r->channel_sku);
}

void
skumap_free(struct skumap *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		row_free(&m->rows[i]);
	free(m->rows);
	free(m->probs);
	memset(m, 0, sizeof(*m));
}

static char *
dup_or_empty(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static int
add_row(struct skumap *m, size_t row, const char *sku, const char *title,
    const char *account, const char *listing, const char *variant,
    const char *location, const char *chsku, struct err *e)
{
	struct skumap_row	*nr, *r;
	size_t			 ncap;

	if (m->n == m->cap) {
		ncap = m->cap == 0 ? 64 : m->cap * 2;
		if ((nr = realloc(m->rows, ncap * sizeof(*nr))) == NULL)
			return err_set(e, ERR_SYS, "out of memory");
		m->rows = nr;
		m->cap = ncap;
	}
	r = &m->rows[m->n];
	r->row = row;
	r->sku = dup_or_empty(sku);
	r->title = dup_or_empty(title);
	r->account = dup_or_empty(account);
	r->ext_listing = dup_or_empty(listing);
	r->ext_variant = dup_or_empty(variant);
	r->ext_location = dup_or_empty(location);
	r->channel_sku = dup_or_empty(chsku);
	if (r->sku == NULL || r->title == NULL || r->account == NULL ||
	    r->ext_listing == NULL || r->ext_variant == NULL ||
	    r->ext_location == NULL || r->channel_sku == NULL) {
		row_free(r);
		return err_set(e, ERR_SYS, "out of memory");
	}
	m->n++;
	return 0;
}

int
skumap_add(struct skumap *m, const char *sku, const char *title,
    const char *account, const char *ext_listing, const char *ext_variant,
    const char *ext_location, const char *channel_sku, struct err *e)
{
	return add_row(m, 0, sku, title, account, ext_listing, ext_variant,
	    ext_location, channel_sku, e);
}

static void
problem(struct skumap *m, size_t row, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct skumap *m, size_t row, const char *fmt, ...)
{
	struct skumap_problem	*p;
	va_list			 ap;

	if (m->probs == NULL && (m->probs = calloc(SKUMAP_PROBLEMS_MAX + 1,
	    sizeof(*m->probs))) == NULL)
		return;
	if (m->nprobs > SKUMAP_PROBLEMS_MAX)
		return;
	p = &m->probs[m->nprobs++];
	p->row = row;
	if (m->nprobs == SKUMAP_PROBLEMS_MAX + 1) {
		(void)str_copy(p->msg, sizeof(p->msg), "and more rows like "
		    "these; fix the ones above first");
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
}

/* Column index of name (exact, or case-insensitive), or -1. */
static int
col_of(const struct rec *hdr, const char *name, int icase)
{
	size_t	 i;

	for (i = 0; i < hdr->n; i++)
		if (icase ? strcasecmp(hdr->f[i], name) == 0 :
		    strcmp(hdr->f[i], name) == 0)
			return (int)i;
	return -1;
}

static const char *
cell(const struct rec *r, int col)
{
	return col >= 0 && (size_t)col < r->n ? r->f[col] : "";
}

static size_t
chars(const char *s)
{
	return str_utf8_len(s, strlen(s));
}

static int
ascii_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* A SKU the ledger would take; else a problem naming the row. */
static int
sku_ok(struct skumap *m, size_t row, const char *sku)
{
	struct err	 e;

	if (stock_sku_check(sku, &e) == 0)
		return 1;
	problem(m, row, "row %zu: the SKU \"%s\" cannot be used: %s", row,
	    sku, e.msg);
	return 0;
}

static int
parse_hub(struct skumap *m, const struct reader *rd, struct err *e)
{
	int		 col[HUB_NCOLS];
	const char	*v[HUB_NCOLS];
	size_t		 i, j, row;

	for (j = 0; j < HUB_NCOLS; j++)
		if ((col[j] = col_of(&rd->recs[0], hub_cols[j], 0)) == -1)
			return err_set(e, ERR_INVALID, "the header has no "
			    "column \"%s\" (it must be: sku,title,account,"
			    "ext_listing,ext_variant,ext_location,channel_sku)",
			    hub_cols[j]);
	for (i = 1; i < rd->nrecs; i++) {
		row = i + 1;
		for (j = 0; j < HUB_NCOLS; j++)
			v[j] = cell(&rd->recs[i], col[j]);
		if (rd->recs[i].n != rd->recs[0].n) {
			problem(m, row, "row %zu has %zu columns, the header "
			    "%zu", row, rd->recs[i].n, rd->recs[0].n);
			continue;
		}
		if (!sku_ok(m, row, v[0]))
			continue;
		if (chars(v[1]) > TITLE_MAX)
			problem(m, row, "row %zu: the title is longer than "
			    "255 characters", row);
		if (v[2][0] == '\0' && (v[3][0] != '\0' || v[4][0] != '\0' ||
		    v[5][0] != '\0' || v[6][0] != '\0'))
			problem(m, row, "row %zu: a listing needs its account "
			    "(the account column is empty)", row);
		if (v[2][0] != '\0' && v[3][0] == '\0')
			problem(m, row, "row %zu: ext_listing is empty (the "
			    "listing's id on %s)", row, v[2]);
		if (chars(v[2]) > ACCOUNT_MAX)
			problem(m, row, "row %zu: the account name is longer "
			    "than 100 characters", row);
		if (strlen(v[3]) > LISTING_MAX || !ascii_printable(v[3]))
			problem(m, row, "row %zu: ext_listing must be at most "
			    "64 visible ASCII characters", row);
		if (chars(v[4]) > VARIANT_MAX || chars(v[6]) > CHSKU_MAX)
			problem(m, row, "row %zu: ext_variant and channel_sku "
			    "take at most 255 characters", row);
		if (strlen(v[5]) > LOCATION_MAX || !ascii_printable(v[5]))
			problem(m, row, "row %zu: ext_location must be at most "
			    "64 visible ASCII characters", row);
		if (add_row(m, row, v[0], v[1], v[2], v[3], v[4], v[5], v[6],
		    e) == -1)
			return -1;
	}
	return 0;
}

/* Etsy: one row per listing; the SKU cell may list several SKUs. */
static int
parse_etsy(struct skumap *m, const struct reader *rd, struct err *e)
{
	const char	*s, *title, *p;
	char		 one[STOCK_SKU_MAX * 4 + 1];
	int		 csku, ctitle;
	size_t		 i, row, n;

	if ((csku = col_of(&rd->recs[0], "SKU", 1)) == -1)
		return err_set(e, ERR_INVALID, "the header has no SKU column: "
		    "is this Etsy's listings download?");
	ctitle = col_of(&rd->recs[0], "TITLE", 1);
	for (i = 1; i < rd->nrecs; i++) {
		row = i + 1;
		s = cell(&rd->recs[i], csku);
		title = cell(&rd->recs[i], ctitle);
		if (s[0] == '\0') {
			m->skipped++;
			continue;
		}
		if (strchr(s, ',') == NULL) {
			if (sku_ok(m, row, s) && add_row(m, row, s, title, "",
			    "", "", "", s, e) == -1)
				return -1;
			continue;
		}
		/* "A,B,C" or "A, B, C": the separator is Etsy's, so the
		 * space after a comma is not part of a SKU */
		for (p = s; ; p += n + 1) {
			if (p != s && *p == ' ')
				p++;
			n = strcspn(p, ",");
			if (n >= sizeof(one)) {
				problem(m, row, "row %zu: a SKU is longer than "
				    "64 characters", row);
			} else {
				memcpy(one, p, n);
				one[n] = '\0';
				if (sku_ok(m, row, one) && add_row(m, row, one,
				    title, "", "", "", "", one, e) == -1)
					return -1;
			}
			if (p[n] == '\0')
				break;
		}
	}
	return 0;
}

/* Shopify: one row per variant; the title only on a product's first. */
static int
parse_shopify(struct skumap *m, const struct reader *rd, struct err *e)
{
	const char	*s, *title, *handle, *last_title = "", *last_handle = "";
	int		 csku, ctitle, chandle;
	size_t		 i, row;

	if ((csku = col_of(&rd->recs[0], "Variant SKU", 1)) == -1 &&
	    (csku = col_of(&rd->recs[0], "SKU", 1)) == -1)
		return err_set(e, ERR_INVALID, "the header has no \"Variant "
		    "SKU\" column: is this Shopify's products export?");
	ctitle = col_of(&rd->recs[0], "Title", 1);
	if ((chandle = col_of(&rd->recs[0], "Handle", 1)) == -1)
		chandle = col_of(&rd->recs[0], "URL handle", 1);
	for (i = 1; i < rd->nrecs; i++) {
		row = i + 1;
		s = cell(&rd->recs[i], csku);
		title = cell(&rd->recs[i], ctitle);
		handle = cell(&rd->recs[i], chandle);
		if (title[0] != '\0') {
			last_title = title;
			last_handle = handle;
		} else if (strcmp(handle, last_handle) == 0)
			title = last_title;
		if (s[0] == '\0') {	/* an image row, or no SKU */
			m->skipped++;
			continue;
		}
		if (sku_ok(m, row, s) && add_row(m, row, s, title, "", "", "",
		    "", s, e) == -1)
			return -1;
	}
	return 0;
}

/* ---- sorted indexes (exact byte order) ---- */

static int
cmp_sku(const void *a, const void *b)
{
	const struct skumap_row	*x = *(const struct skumap_row *const *)a;
	const struct skumap_row	*y = *(const struct skumap_row *const *)b;
	int			 c = strcmp(x->sku, y->sku);

	if (c != 0)
		return c;
	return x->row < y->row ? -1 : x->row > y->row;
}

static int
cmp_place(const void *a, const void *b)
{
	const struct skumap_row	*x = *(const struct skumap_row *const *)a;
	const struct skumap_row	*y = *(const struct skumap_row *const *)b;
	int			 c;

	if ((c = strcmp(x->account, y->account)) != 0 ||
	    (c = strcmp(x->ext_listing, y->ext_listing)) != 0 ||
	    (c = strcmp(x->ext_variant, y->ext_variant)) != 0)
		return c;
	return x->row < y->row ? -1 : x->row > y->row;
}

static const struct skumap_row **
index_rows(const struct skumap *m, int (*cmp)(const void *, const void *),
    struct err *e)
{
	const struct skumap_row	**ix;
	size_t			  i;

	if ((ix = calloc(m->n + 1, sizeof(*ix))) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		return NULL;
	}
	for (i = 0; i < m->n; i++)
		ix[i] = &m->rows[i];
	if (m->n > 1)
		qsort(ix, m->n, sizeof(*ix), cmp);
	return ix;
}

/* First row in ix (sorted with cmp) equal to key on all but the row. */
static const struct skumap_row *
find(const struct skumap_row **ix, size_t n, const struct skumap_row *key,
    int (*cmp)(const void *, const void *))
{
	struct skumap_row	 k = *key;
	const struct skumap_row	*kp = &k;
	size_t			 lo = 0, hi = n, mid;

	k.row = 0;	/* below every file row: find the first */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmp(&ix[mid], &kp) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n)
		return NULL;
	k.row = ix[lo]->row;
	return cmp(&ix[lo], &kp) == 0 ? ix[lo] : NULL;
}

/* Duplicates within the file, both rows named. */
static int
check_duplicates(struct skumap *m, enum skumap_source src, struct err *e)
{
	const struct skumap_row	**ix;
	size_t			  i;

	if ((ix = index_rows(m, cmp_sku, e)) == NULL)
		return -1;
	for (i = 1; i < m->n; i++) {
		if (strcmp(ix[i]->sku, ix[i - 1]->sku) != 0)
			continue;
		if (src != SKUMAP_HUB)
			problem(m, ix[i]->row, "the SKU \"%s\" is in row %zu "
			    "and again in row %zu: each SKU may be given once",
			    ix[i]->sku, ix[i - 1]->row, ix[i]->row);
		else if (strcmp(ix[i]->title, ix[i - 1]->title) != 0)
			problem(m, ix[i]->row, "the SKU \"%s\" has one title "
			    "in row %zu and another in row %zu: give it one",
			    ix[i]->sku, ix[i - 1]->row, ix[i]->row);
		else if (ix[i]->account[0] == '\0' &&
		    ix[i - 1]->account[0] == '\0')
			problem(m, ix[i]->row, "the SKU \"%s\" is in row %zu "
			    "and again in row %zu", ix[i]->sku, ix[i - 1]->row,
			    ix[i]->row);
	}
	free(ix);
	if (src != SKUMAP_HUB)
		return 0;
	if ((ix = index_rows(m, cmp_place, e)) == NULL)
		return -1;
	for (i = 1; i < m->n; i++)
		if (ix[i]->account[0] != '\0' &&
		    strcmp(ix[i]->account, ix[i - 1]->account) == 0 &&
		    strcmp(ix[i]->ext_listing, ix[i - 1]->ext_listing) == 0 &&
		    strcmp(ix[i]->ext_variant, ix[i - 1]->ext_variant) == 0)
			problem(m, ix[i]->row, "rows %zu and %zu both map "
			    "listing %s%s%s on %s: a place takes one SKU",
			    ix[i - 1]->row, ix[i]->row, ix[i]->ext_listing,
			    ix[i]->ext_variant[0] != '\0' ? " " : "",
			    ix[i]->ext_variant, ix[i]->account);
	free(ix);
	return 0;
}

int
skumap_parse(struct skumap *m, enum skumap_source src, const char *data,
    size_t len, struct err *e)
{
	struct reader	 rd;
	int		 rc;

	memset(m, 0, sizeof(*m));
	if (read_records(&rd, data, len, e) == -1)
		return -1;
	switch (src) {
	case SKUMAP_ETSY:
		rc = parse_etsy(m, &rd, e);
		break;
	case SKUMAP_SHOPIFY:
		rc = parse_shopify(m, &rd, e);
		break;
	default:
		rc = parse_hub(m, &rd, e);
		break;
	}
	reader_free(&rd);
	if (rc == 0)
		rc = check_duplicates(m, src, e);
	if (rc == -1)
		skumap_free(m);
	return rc;
}

/* ---- writing ---- */

static int
put_field(struct buf *b, const char *s, int last)
{
	/* no formula guard: the map must read back byte for byte */
	return csvw_field(b, s, 0) == -1 ? -1 : csvw_sep(b, last);
}

int
skumap_write(struct buf *b, const struct skumap *m, struct err *e)
{
	const struct skumap_row	*r;
	size_t			 i, j;
	int			 rc = 0;

	for (j = 0; j < HUB_NCOLS && rc == 0; j++)
		rc = put_field(b, hub_cols[j], j + 1 == HUB_NCOLS);
	for (i = 0; i < m->n && rc == 0; i++) {
		r = &m->rows[i];
		if (put_field(b, r->sku, 0) == -1 ||
		    put_field(b, r->title, 0) == -1 ||
		    put_field(b, r->account, 0) == -1 ||
		    put_field(b, r->ext_listing, 0) == -1 ||
		    put_field(b, r->ext_variant, 0) == -1 ||
		    put_field(b, r->ext_location, 0) == -1 ||
		    put_field(b, r->channel_sku, 1) == -1)
			rc = -1;
	}
	if (rc == -1)
		return err_set(e, ERR_TOOBIG, "the map does not fit in the "
		    "buffer");
	return 0;
}

int
skumap_fingerprint(const struct skumap *m, char out[65], struct err *e)
{
	struct buf	 b;
	unsigned char	 md[32];
	unsigned int	 mdlen = 0;
	int		 rc = -1;

	buf_init(&b, 256 * 1024 * 1024);
	out[0] = '\0';
	if (skumap_write(&b, m, e) == -1)
		goto out;
	if (EVP_Digest(b.data != NULL ? b.data : "", b.len, md, &mdlen,
	    EVP_sha256(), NULL) != 1 || mdlen != sizeof(md)) {
		err_set(e, ERR_SYS, "SHA-256 failed");
		goto out;
	}
	str_hex(out, md, sizeof(md));
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

/* ---- proposals ---- */

const char *
skumap_action_name(enum skumap_action a)
{
	switch (a) {
	case SKUMAP_NEW_ITEM:
		return "new item";
	case SKUMAP_NEW_LISTING:
		return "new listing";
	case SKUMAP_MATCH:
		return "match";
	case SKUMAP_TITLE_CONFLICT:
		return "title conflict";
	default:
		return "listing conflict";
	}
}

void
skumap_plan_free(struct skumap_plan *plan)
{
	if (plan == NULL)
		return;
	free(plan->props);
	memset(plan, 0, sizeof(*plan));
}

/* At most two proposals per row: the caller sized props for that. */
static void
propose(struct skumap_plan *plan, enum skumap_action act,
    const struct skumap_row *csv, const struct skumap_row *hub)
{
	struct skumap_prop	*np;

	np = &plan->props[plan->n++];
	np->act = act;
	np->csv = csv;
	np->hub = hub;
}

static int
account_known(const char *name, const char *const *accounts, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(accounts[i], name) == 0)
			return 1;
	return 0;
}

int
skumap_propose(struct skumap *csv, enum skumap_source src,
    const struct skumap *hub, const char *const *accounts, size_t naccounts,
    struct skumap_plan *plan, struct err *e)
{
	const struct skumap_row	**hsku = NULL, **hplace = NULL, **csku = NULL;
	const struct skumap_row	 *h, *r, *first;
	size_t			  i, before;
	int			  rc = -1;

	memset(plan, 0, sizeof(*plan));
	if ((plan->props = calloc(2 * csv->n + 1, sizeof(*plan->props))) ==
	    NULL)
		return err_set(e, ERR_SYS, "out of memory");
	if ((hsku = index_rows(hub, cmp_sku, e)) == NULL ||
	    (hplace = index_rows(hub, cmp_place, e)) == NULL ||
	    (csku = index_rows(csv, cmp_sku, e)) == NULL)
		goto out;
	for (i = 0; i < csv->n; i++) {
		r = &csv->rows[i];
		before = plan->n;
		/* the item, once per SKU: at the SKU's first row */
		first = find(csku, csv->n, r, cmp_sku);
		if (first == r) {
			h = find(hsku, hub->n, r, cmp_sku);
			if (h == NULL)
				propose(plan, SKUMAP_NEW_ITEM, r, NULL);
			else if (strcmp(h->title, r->title) == 0 ||
			    (src != SKUMAP_HUB && r->title[0] == '\0')) {
				if (src != SKUMAP_HUB)
					propose(plan, SKUMAP_MATCH, r, h);
			} else
				propose(plan, SKUMAP_TITLE_CONFLICT, r, h);
		}
		if (src == SKUMAP_HUB && r->account[0] != '\0') {
			if (!account_known(r->account, accounts, naccounts)) {
				problem(csv, r->row, "row %zu: there is no "
				    "channel account named \"%s\"", r->row,
				    r->account);
				continue;
			}
			h = find(hplace, hub->n, r, cmp_place);
			if (h == NULL)
				propose(plan, SKUMAP_NEW_LISTING, r, NULL);
			else if (strcmp(h->sku, r->sku) != 0 ||
			    strcmp(h->ext_location, r->ext_location) != 0 ||
			    strcmp(h->channel_sku, r->channel_sku) != 0)
				propose(plan, SKUMAP_PLACE_CONFLICT, r, h);
		}
		if (plan->n == before)
			plan->same++;
	}
	rc = 0;
out:
	free(hsku);
	free(hplace);
	free(csku);
	if (rc == -1)
		skumap_plan_free(plan);
	return rc;
}
