/*
 * evq: a binary heap of events by (time, sequence): virtual time jumps
 * to the next event; equal times keep their insertion order, so a run is
 * deterministic.
 */
#include <stdlib.h>

#include "sim.h"

static int
before(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

int
evq_push(struct evq *q, int64_t t, int kind, int a, int b, int64_t x)
{
	struct ev	*nv, tmp;
	size_t		 i, p;

	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 1024;
		if ((nv = realloc(q->v, q->cap * sizeof(*nv))) == NULL)
			return -1;
		q->v = nv;
	}
	i = q->n++;
	q->v[i] = (struct ev){ t, q->seq++, kind, a, b, x };
	while (i > 0 && before(&q->v[i], &q->v[p = (i - 1) / 2])) {
		tmp = q->v[i];
		q->v[i] = q->v[p];
		q->v[p] = tmp;
		i = p;
	}
	return 0;
}

int
evq_pop(struct evq *q, struct ev *out)
{
	struct ev	 tmp;
	size_t		 i = 0, l, r, m;

	if (q->n == 0)
		return 0;
	*out = q->v[0];
	q->v[0] = q->v[--q->n];
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < q->n && before(&q->v[l], &q->v[m]))
			m = l;
		if (r < q->n && before(&q->v[r], &q->v[m]))
			m = r;
		if (m == i)
			break;
		tmp = q->v[i];
		q->v[i] = q->v[m];
		q->v[m] = tmp;
		i = m;
	}
	return 1;
}

void
evq_free(struct evq *q)
{
	free(q->v);
	q->v = NULL;
	q->n = q->cap = 0;
}
