/*
 * rng: xoshiro256** seeded through splitmix64, one stream per purpose, so
 * a buyer stream is the same whatever the policy does (common random
 * numbers: the policies are compared on the same buyers).
 */
#include <math.h>

#include "sim.h"

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t	 z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void
rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t	 x = seed ^ (stream * UINT64_C(0x2545f4914f6cdd1d));
	int		 i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
next(struct rng *r)
{
	uint64_t	 res = rotl(r->s[1] * 5, 7) * 9, t = r->s[1] << 17;

	r->s[2] ^= r->s[0];
	r->s[3] ^= r->s[1];
	r->s[1] ^= r->s[2];
	r->s[0] ^= r->s[3];
	r->s[2] ^= t;
	r->s[3] = rotl(r->s[3], 45);
	return res;
}

double
rng_u01(struct rng *r)
{
	return ((double)(next(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double
rng_exp(struct rng *r, double mean)
{
	return -mean * log(rng_u01(r));
}

double
rng_unif(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_u01(r);
}
