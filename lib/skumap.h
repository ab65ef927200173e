/*
 * skumap: the SKU map as CSV, and what importing one would change. Pure:
 * no I/O; the CSV is parsed with libcsv (never by hand), the hub's own
 * CSV is written here too, and mapstore.c does the database side.
 *
 * The hub's CSV has one row per place a SKU is sold, and one row with
 * the channel columns empty for an item sold nowhere yet:
 *
 *   sku,title,account,ext_listing,ext_variant,ext_location,channel_sku
 *
 * skumap_write() of what skumap_parse() read gives the same bytes back
 * for any CSV skumap_write() made (quotes, commas, newlines, UTF-8).
 *
 * Two other layouts are read, to bootstrap the map from what sellers
 * already have: Etsy's listings download (Shop Manager > Settings >
 * Options > Download Data: TITLE, ..., SKU; one row per listing, the SKU
 * cell may list the SKUs of its variations separated by commas) and
 * Shopify's products export (Handle, Title, ..., Variant SKU; newer
 * exports say "URL handle" and "SKU"; a product's title only on its
 * first row). Neither carries listing or variant ids, so these give
 * SKUs and titles only.
 *
 * Row numbers are the record's number in the file, the header being row
 * 1, as a spreadsheet shows it.
 *
 * Ownership: struct skumap owns its rows and problems (skumap_free());
 * a struct skumap_prop borrows the rows of the two maps it compares.
 */
#ifndef STOCKHUB_SKUMAP_H
#define STOCKHUB_SKUMAP_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define SKUMAP_ROWS_MAX		20000
#define SKUMAP_FIELD_MAX	65536
#define SKUMAP_PROBLEMS_MAX	100

enum skumap_source {
	SKUMAP_HUB = 0,
	SKUMAP_ETSY,
	SKUMAP_SHOPIFY
};

struct skumap_row {
	size_t	 row;		/* in the file; 0 for rows made in code */
	char	*sku;
	char	*title;
	char	*account;	/* "" when the row names no channel */
	char	*ext_listing;
	char	*ext_variant;
	char	*ext_location;
	char	*channel_sku;
};

/* A row the import refuses, in words that name it. */
struct skumap_problem {
	size_t	 row;
	char	 msg[320];
};

struct skumap {
	struct skumap_row	*rows;
	size_t			 n, cap;
	struct skumap_problem	*probs;
	size_t			 nprobs;
	size_t			 skipped;	/* channel rows without a SKU */
};

/* "hub", "etsy", "shopify" <-> enum. */
int	skumap_source_parse(const char *name, enum skumap_source *out);
const char *skumap_source_name(enum skumap_source s);

/*
 * Parse data[0..len) of layout src into m (zeroed before). -1 with e
 * when the file cannot be used at all (not CSV, a required column
 * missing, too big). Otherwise 0, and every row it refuses is listed in
 * m->probs (bad SKU, a SKU or a place given twice: both rows named);
 * an import goes ahead only when there are none.
 */
int	skumap_parse(struct skumap *m, enum skumap_source src,
	    const char *data, size_t len, struct err *e);

/*
 * Append a row (the strings are copied). For building the hub's map
 * from the database. 0 or -1 (ERR_SYS).
 */
int	skumap_add(struct skumap *m, const char *sku, const char *title,
	    const char *account, const char *ext_listing,
	    const char *ext_variant, const char *ext_location,
	    const char *channel_sku, struct err *e);

/*
 * Write m in the hub's layout (header first, rows in m's order, CRLF
 * line ends as RFC 4180 says; a field is quoted when it holds a comma,
 * a quote, CR, LF, or begins or ends with a space or tab).
 */
int	skumap_write(struct buf *b, const struct skumap *m, struct err *e);

/* Lower-case hex SHA-256 of skumap_write(m): what a form was made
 * against (out: 65 bytes). -1 when it could not be written. */
int	skumap_fingerprint(const struct skumap *m, char out[65],
	    struct err *e);

void	skumap_free(struct skumap *m);

/* ---- what an import would do ---- */

enum skumap_action {
	SKUMAP_NEW_ITEM = 0,	/* the SKU is not in the hub: create it */
	SKUMAP_NEW_LISTING,	/* the place is not mapped: map it */
	SKUMAP_MATCH,		/* a channel row whose SKU is exactly a hub
				 * SKU, with the same title */
	SKUMAP_TITLE_CONFLICT,	/* the CSV says one title, the hub another */
	SKUMAP_PLACE_CONFLICT	/* the hub maps the place otherwise (another
				 * SKU, location or channel SKU) */
};

struct skumap_prop {
	enum skumap_action	 act;
	const struct skumap_row	*csv;	/* the row it comes from */
	const struct skumap_row	*hub;	/* conflicts: the hub's row */
};

struct skumap_plan {
	struct skumap_prop	*props;
	size_t			 n;
	size_t			 same;	/* rows that change nothing */
};

/*
 * Compare the parsed CSV with the hub's map (as skumap_add() built it)
 * and the names of the hub's accounts. SKUs match exactly, byte for
 * byte: never by title, never by case or white space. A hub CSV row
 * naming an unknown account becomes a problem in csv->probs. Every
 * proposal needs the seller's yes (skumap_prop order is stable for the
 * same inputs, so a confirmation can name proposals by index).
 */
int	skumap_propose(struct skumap *csv, enum skumap_source src,
	    const struct skumap *hub, const char *const *accounts,
	    size_t naccounts, struct skumap_plan *plan, struct err *e);

void	skumap_plan_free(struct skumap_plan *plan);

/* A short phrase for an action ("new item"). */
const char *skumap_action_name(enum skumap_action a);

#endif
