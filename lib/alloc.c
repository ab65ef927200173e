/*
 * alloc: per-channel allocation of a SKU's available stock. See alloc.h
 * for the rules; this file follows them step by step.
 */
#include "alloc.h"

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Percent as hundredths of a percent, rounded half up (valid input only). */
static int64_t
pct_bp(double pct)
{
	return (int64_t)(pct * 100.0 + 0.5);
}

int64_t
alloc_holdback(const struct alloc_policy *p, int64_t available)
{
	int64_t	bp, by_pct;

	if (p == NULL || available <= 0)
		return 0;
	bp = pct_bp(p->holdback_pct);
	/* ceil(available * bp / 10000), exact: both factors are bounded. */
	by_pct = (available * bp + 9999) / 10000;
	return p->holdback_units > by_pct ? p->holdback_units : by_pct;
}

static int
check_policy(const struct alloc_policy *p, size_t i, struct err *e)
{
	double	pct = p->holdback_pct;

	/* NaN fails both comparisons, so test the good range positively. */
	if (!(pct >= 0.0 && pct <= 100.0))
		return err_set(e, ERR_INVALID,
		    "channel %zu: holdback percent must be 0..100", i);
	if (p->holdback_units < 0 || p->holdback_units > ALLOC_MAX_UNITS)
		return err_set(e, ERR_INVALID,
		    "channel %zu: holdback units must be 0..%lld", i,
		    (long long)ALLOC_MAX_UNITS);
	if (p->capped &&
	    (p->max_shown < 0 || p->max_shown > ALLOC_MAX_UNITS))
		return err_set(e, ERR_INVALID,
		    "channel %zu: maximum shown must be 0..%lld", i,
		    (long long)ALLOC_MAX_UNITS);
	return 0;
}

static int64_t
apply_cap(const struct alloc_policy *p, int64_t v)
{
	if (p->capped && v > p->max_shown)
		return p->max_shown;
	return v;
}

static int
eligible(const struct alloc_policy *p)
{
	return p->priority >= 0 && !(p->capped && p->max_shown == 0);
}

int
alloc_compute(int64_t available, const struct alloc_policy *pol, size_t n,
    int64_t *shown, struct err *e)
{
	size_t	i, best = 0;
	int	any_shown = 0, have_best = 0, top = 0;
	int64_t	hold, best_hold = 0, v;

	if (n == 0)
		return 0;
	if (pol == NULL || shown == NULL)
		return err_set(e, ERR_INVALID, "allocation: no channels given");
	if (available > ALLOC_MAX_UNITS)
		return err_set(e, ERR_INVALID,
		    "allocation: available must be at most %lld",
		    (long long)ALLOC_MAX_UNITS);
	for (i = 0; i < n; i++)
		if (check_policy(&pol[i], i, e) == -1)
			return -1;

	/* Step 1. */
	if (available <= 0) {
		for (i = 0; i < n; i++)
			shown[i] = 0;
		return 0;
	}

	/* Steps 2 and 3. */
	for (i = 0; i < n; i++) {
		hold = alloc_holdback(&pol[i], available);
		v = available - hold;
		if (v < 0)
			v = 0;
		shown[i] = apply_cap(&pol[i], v);
		if (shown[i] > 0)
			any_shown = 1;
	}
	if (any_shown)
		return 0;

	/* Step 4: everyone shows 0 while there is stock. */
	for (i = 0; i < n; i++) {
		if (!eligible(&pol[i]))
			continue;
		if (!have_best || pol[i].priority > top) {
			top = pol[i].priority;
			have_best = 1;
		}
	}
	if (!have_best)
		return 0;
	if (top > 0) {
		for (i = 0; i < n; i++)
			if (eligible(&pol[i]) && pol[i].priority == top)
				shown[i] = apply_cap(&pol[i], available);
		return 0;
	}
	have_best = 0;
	for (i = 0; i < n; i++) {
		if (!eligible(&pol[i]))
			continue;
		hold = alloc_holdback(&pol[i], available);
		if (!have_best || hold < best_hold) {
			best = i;
			best_hold = hold;
			have_best = 1;
		}
	}
	shown[best] = apply_cap(&pol[best], available);
	return 0;
}
