/*
 * alloc: how much of a SKU's available stock each channel account shows
 * (article Step 4, "safety buffers"). A pure function: no I/O, no global
 * state, no allocation. Bundles and made-to-order quantities are computed
 * elsewhere and fed in as `available`.
 *
 * Ownership: the caller owns the policy array and the output array (n
 * elements each); alloc_compute() only reads the one and writes the other.
 *
 * Semantics of alloc_compute(available, pol, n, shown, e), per channel i:
 *
 *  1. available <= 0: every channel shows 0 (nothing else applies).
 *
 *  2. Buffer. pct_units = ceil(available * holdback_pct / 100), computed in
 *     exact integer arithmetic after rounding the percent to hundredths of
 *     a percent (basis points: 5.0 % -> 500, 7.125 % -> 713), so no
 *     floating-point surprise such as 29 * 7 % landing on 2.0300000001.
 *     holdback = max(holdback_units, pct_units).
 *     shown    = clamp(available - holdback, 0, available).
 *     Rounding is UP (ceil) on purpose: a buffer exists to prevent
 *     overselling, so any non-zero percent holds back at least one unit
 *     while stock is positive. The article's example holds exactly:
 *     20 units, Shopify 5 %, Etsy/Amazon/eBay 10 % -> 19/18/18/18.
 *
 *  3. Maximum. When capped != 0, shown = min(shown, max_shown). Channel
 *     limits (Etsy refuses offerings above 999) are expressed this way.
 *     capped with max_shown == 0 switches the channel off: it always shows
 *     0 and is never chosen by the low-stock rule.
 *
 *  4. Low-stock rule: the last units are never hidden from every channel
 *     at once. It applies only when available > 0 and steps 2-3 leave
 *     EVERY channel at 0. Eligible channels are those with priority >= 0
 *     and not switched off (step 3). Among them:
 *       - if the highest priority is > 0, every eligible channel with that
 *         highest priority is a keeper (the operator chose them; ties all
 *         keep showing);
 *       - otherwise (no priority set, all 0) exactly one keeper: the
 *         channel with the smallest holdback from step 2; ties go to the
 *         lowest index, so callers should pass policies in a stable order
 *         (e.g. by channel account id).
 *     A keeper shows min(available, max_shown if capped). Priority < 0
 *     means "never keep the last units here"; when no channel is eligible
 *     every channel shows 0.
 *
 * A zero-initialised struct alloc_policy means: no buffer, no maximum, no
 * priority — the channel shows everything.
 */
#ifndef STOCKHUB_ALLOC_H
#define STOCKHUB_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Largest unit count accepted anywhere (keeps the integer math exact). */
#define ALLOC_MAX_UNITS	INT64_C(1000000000000)

/* Etsy's per-offering quantity limit, for use as max_shown. */
#define ALLOC_ETSY_MAX	999

struct alloc_policy {
	double	holdback_pct;	/* 0..100, may be fractional (0.01 % steps) */
	int64_t	holdback_units;	/* 0..ALLOC_MAX_UNITS */
	int	capped;		/* non-zero: max_shown applies */
	int64_t	max_shown;	/* 0..ALLOC_MAX_UNITS when capped */
	int	priority;	/* low-stock rule: higher wins, 0 none, <0 never */
};

/*
 * Fill shown[0..n) as described above. Returns 0, or -1 with ERR_INVALID
 * in e (and shown[] untouched) when: n > 0 and pol or shown is NULL;
 * a percent is NaN or outside [0, 100]; holdback_units or a cap's
 * max_shown is negative or above ALLOC_MAX_UNITS; available is above
 * ALLOC_MAX_UNITS. The message names the channel index, never values of
 * anything secret. n == 0 is valid and does nothing.
 */
int	alloc_compute(int64_t available, const struct alloc_policy *pol,
	    size_t n, int64_t *shown, struct err *e);

/*
 * The holdback of step 2 alone for one valid policy (for screens that
 * explain a figure): max(units, ceil(available * pct / 100)), or 0 when
 * available <= 0. The caller validates first (alloc_compute does).
 */
int64_t	alloc_holdback(const struct alloc_policy *p, int64_t available);

#endif
