/*
 * stock: movement arithmetic and SKU validation (see stock.h).
 */
#include <string.h>

#include "err.h"
#include "stock.h"
#include "str.h"

static const char *const kind_names[STOCK__MAX] = {
	"receive",		/* STOCK_RECEIVE */
	"count",		/* STOCK_COUNT */
	"adjust",		/* STOCK_ADJUST */
	"commit",		/* STOCK_COMMIT */
	"release",		/* STOCK_RELEASE */
	"ship",			/* STOCK_SHIP */
	"return_restock",	/* STOCK_RETURN_RESTOCK */
	"write_off",		/* STOCK_WRITE_OFF */
};

const char *
stock_kind_name(enum stock_kind k)
{
	if ((unsigned)k >= STOCK__MAX)
		return "unknown";
	return kind_names[k];
}

int
stock_kind_parse(const char *name, enum stock_kind *out)
{
	size_t	 i;

	if (name == NULL)
		return -1;
	for (i = 0; i < STOCK__MAX; i++)
		if (strcmp(name, kind_names[i]) == 0) {
			*out = (enum stock_kind)i;
			return 0;
		}
	return -1;
}

/*
 * 1 when the string starts (end 0) or ends (end 1) with a Unicode space
 * other than ASCII: no-break space U+00A0, U+2000..U+200B, U+202F,
 * U+205F, U+3000 and the BOM U+FEFF. Pasted SKUs often carry them.
 */
static int
space_at(const char *s, size_t n, int end)
{
	static const char *const spaces[] = {
		"\xc2\xa0", "\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82",
		"\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85",
		"\xe2\x80\x86", "\xe2\x80\x87", "\xe2\x80\x88",
		"\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\x8b",
		"\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80", "\xef\xbb\xbf",
	};
	size_t	 i, k;

	for (i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++) {
		k = strlen(spaces[i]);
		if (n >= k && memcmp(end ? s + n - k : s, spaces[i], k) == 0)
			return 1;
	}
	return 0;
}

int
stock_sku_check(const char *sku, struct err *e)
{
	size_t		 n, i, chars;
	unsigned char	 c;

	if (sku == NULL || sku[0] == '\0')
		return err_set(e, ERR_INVALID, "SKU is empty");
	n = strlen(sku);
	if (!str_utf8_valid(sku, n))
		return err_set(e, ERR_INVALID, "SKU is not valid UTF-8");
	chars = str_utf8_len(sku, n);
	if (chars > STOCK_SKU_MAX)
		return err_set(e, ERR_INVALID,
		    "SKU is %zu characters long; at most %d are allowed",
		    chars, STOCK_SKU_MAX);
	for (i = 0; i < n; i++) {
		c = (unsigned char)sku[i];
		if (c < 0x20 || c == 0x7f)
			return err_set(e, ERR_INVALID,
			    "SKU holds a control character at byte %zu", i + 1);
		/* C1 controls U+0080..U+009F are 0xC2 0x80..0x9F in UTF-8 */
		if (c == 0xc2 && i + 1 < n &&
		    (unsigned char)sku[i + 1] >= 0x80 &&
		    (unsigned char)sku[i + 1] <= 0x9f)
			return err_set(e, ERR_INVALID,
			    "SKU holds a control character at byte %zu", i + 1);
	}
	if (sku[0] == ' ' || sku[n - 1] == ' ' || space_at(sku, n, 0) ||
	    space_at(sku, n, 1))
		return err_set(e, ERR_INVALID,
		    "SKU starts or ends with a space");
	return 0;
}

int
stock_apply(struct stock_balance *b, enum stock_kind k, int64_t qty,
    int64_t *oversold, struct err *e)
{
	struct stock_balance	 n = *b;
	int64_t			 short_before, short_after;

	if ((unsigned)k >= STOCK__MAX)
		return err_set(e, ERR_INVALID, "unknown movement kind");
	if (qty < -STOCK_QTY_MAX || qty > STOCK_QTY_MAX)
		return err_set(e, ERR_INVALID, "quantity %lld is out of range",
		    (long long)qty);
	if (k == STOCK_COUNT ? qty < 0 : k == STOCK_ADJUST ? qty == 0 : qty <= 0)
		return err_set(e, ERR_INVALID, "%s needs a quantity %s, not %lld",
		    kind_names[k], k == STOCK_COUNT ? "of 0 or more" :
		    k == STOCK_ADJUST ? "other than 0" : "above 0",
		    (long long)qty);

	switch (k) {
	case STOCK_RECEIVE:
	case STOCK_RETURN_RESTOCK:
	case STOCK_ADJUST:
		n.on_hand += qty;
		break;
	case STOCK_COUNT:
		n.on_hand = qty;
		break;
	case STOCK_COMMIT:
		n.committed += qty;
		break;
	case STOCK_RELEASE:
		n.committed -= qty;
		break;
	case STOCK_SHIP:
		n.committed -= qty;
		n.on_hand -= qty;
		break;
	case STOCK_WRITE_OFF:
		n.on_hand -= qty;
		break;
	default:
		return err_set(e, ERR_INVALID, "unknown movement kind");
	}

	if (n.committed < 0)
		return err_set(e, ERR_CONFLICT,
		    "%s of %lld is more than the %lld units committed",
		    kind_names[k], (long long)qty, (long long)b->committed);
	if (n.on_hand < 0)
		return err_set(e, ERR_CONFLICT,
		    "%s of %lld would leave on hand at %lld, below zero",
		    kind_names[k], (long long)qty, (long long)n.on_hand);
	if (n.on_hand > STOCK_QTY_MAX || n.committed > STOCK_QTY_MAX)
		return err_set(e, ERR_INVALID, "balance would exceed %lld",
		    (long long)STOCK_QTY_MAX);

	/* units short of covering what is committed, before and after */
	short_before = b->committed - b->on_hand;
	short_after = n.committed - n.on_hand;
	if (short_before < 0)
		short_before = 0;
	if (short_after < 0)
		short_after = 0;
	if (oversold != NULL)
		*oversold = short_after > short_before && k == STOCK_COMMIT ?
		    short_after - short_before : 0;
	*b = n;
	return 0;
}
