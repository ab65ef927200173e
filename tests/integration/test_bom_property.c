/*
 * Property test on the real MariaDB: 10,000 random sequences of sales,
 * cancellations, shipments, returns in every condition (and decisions on
 * held units), receipts and counts over random nested BOMs, each checked
 * against a small model written here from the README's rules — not from
 * lib/bom.c, lib/orders.c or lib/alloc.c: what each SKU has on hand and
 * committed, which operations the ledger must refuse, what each bundle
 * and made-to-order item can offer, the units held, and what each of two
 * channels should show.
 *
 * Seeded: PROP_SEED=N reruns one exactly; a failure prints the seed, the
 * round, the sequence and the operation. PROP_ROUNDS changes the number
 * of rounds (SEQS sequences each; 20 rounds, 4 in the ASan build): in
 * make test on the loaded 2-core machine 163 s plain, 59 s ASan.
 * Sequences run in batches, one transaction a batch, each operation
 * under a savepoint so a refused one leaves nothing behind, as in its
 * own transaction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "bom.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "orders.h"
#include "returns.h"
#include "str.h"
#include "support.h"

/* a fresh random BOM each; the sanitizer build (three times slower)
 * runs a fifth of the sequences, the plain build all 10,000 */
#if defined(__SANITIZE_ADDRESS__)
#define ROUNDS		4
#else
#define ROUNDS		20
#endif
#define SEQS		500	/* sequences per round: 10,000 in all */
#define BATCH		50	/* sequences per transaction */
#define FULL_EVERY	10	/* sequences between full checks */
#define NI_MAX		10	/* items per round */
#define NC_MAX		3	/* components per composite item */
#define LINES_MAX	(SEQS * 5)
#define HOLDS_MAX	(SEQS * 5)

enum mkind { M_STOCKED, M_BUNDLE, M_MTO };

struct mitem {
	char		 sku[32];
	enum mkind	 kind;
	int64_t		 cap;		/* MTO: < 0 none */
	int		 nc;
	int		 comp[NC_MAX];
	int64_t		 cq[NC_MAX];
	int64_t		 on_hand, committed;	/* stocked only */
	int64_t		 id;
	int64_t		 listing[2];	/* shopify, etsy */
};

struct mline {
	int		 item;
	int64_t		 qty, released, shipped, returned;
	char		 ext[32];
};

struct mhold {
	int64_t		 id;
	int		 item;
	int64_t		 held;
};

static struct tdb	 T;
static int64_t		 ACCT[2];
static uint64_t		 seed, rng;
static int		 round_no, seq_no;
static char		 op_desc[160];

static struct mitem	 it[NI_MAX];
static int		 ni;
static struct mline	*lines;
static int		 nlines;
static struct mhold	*holds;
static int		 nholds;
static int		 nkey;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		print_message("# property failed: seed=%llu round=%d "	\
		    "sequence=%d op=%s: ", (unsigned long long)seed,	\
		    round_no, seq_no, op_desc);				\
		print_message(__VA_ARGS__);				\
		print_message("\n");					\
		fail();							\
	}								\
} while (0)

static uint64_t
rnd(void)
{
	/* xorshift64*: small, seeded, the same on every machine */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static int64_t
pick(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* ---- the model ---- */

/* What selling n of item i takes from each stocked item. */
static void
m_parts(int i, int64_t n, int64_t need[NI_MAX])
{
	int	 c;

	if (it[i].kind == M_STOCKED) {
		need[i] += n;
		return;
	}
	for (c = 0; c < it[i].nc; c++)
		m_parts(it[i].comp[c], n * it[i].cq[c], need);
}

/* n units of item i use need[k] units of every item k below it (itself
 * included), summed over every path: a part shared by nested kits is
 * counted once per use. */
static void
m_uses(int i, int64_t n, int64_t need[NI_MAX])
{
	int	 c;

	need[i] += n;
	for (c = 0; c < it[i].nc; c++)
		m_uses(it[i].comp[c], n * it[i].cq[c], need);
}

/* What item i can offer (README): stocked, its available never below
 * 0; otherwise the fewest whole units that every stocked part below it
 * and every made-to-order cap on the way allow, per unit needed. */
static int64_t
m_avail(int i)
{
	int64_t	 need[NI_MAX] = { 0 }, best = -1, a, lim;
	int	 k;

	if (it[i].kind == M_STOCKED) {
		a = it[i].on_hand - it[i].committed;
		return a > 0 ? a : 0;
	}
	m_uses(i, 1, need);
	for (k = 0; k < ni; k++) {
		if (need[k] == 0)
			continue;
		if (it[k].kind == M_STOCKED) {
			a = it[k].on_hand - it[k].committed;
			lim = (a > 0 ? a : 0) / need[k];
		} else if (it[k].kind == M_MTO && it[k].cap >= 0)
			lim = it[k].cap / need[k];
		else
			continue;
		if (best < 0 || lim < best)
			best = lim;
	}
	return best < 0 ? 0 : best;
}

/* What each channel shows for item i: Shopify holds back 10 % (rounded
 * up), Etsy one unit; when both would show 0, Shopify (priority 2)
 * shows everything. */
static void
m_shown(int i, int64_t shown[2])
{
	int64_t	 a;

	if (it[i].kind == M_STOCKED)
		a = it[i].on_hand - it[i].committed;
	else
		a = m_avail(i);
	shown[0] = shown[1] = 0;
	if (a <= 0)
		return;
	shown[0] = a - (a * 10 + 99) / 100;
	shown[1] = a - 1;
	if (shown[0] == 0 && shown[1] == 0)
		shown[0] = a;
}

/* Whether shipping n of line-item i keeps every part's on_hand >= 0. */
static int
m_can_ship(int i, int64_t n)
{
	int64_t	 need[NI_MAX] = { 0 };
	int	 k;

	m_parts(i, n, need);
	for (k = 0; k < ni; k++)
		if (it[k].on_hand - need[k] < 0)
			return 0;
	return 1;
}

/* on_hand += sign * (n of item i), committed += csign * (n of item i) */
static void
m_move(int i, int64_t n, int on_sign, int com_sign)
{
	int64_t	 need[NI_MAX] = { 0 };
	int	 k;

	m_parts(i, n, need);
	for (k = 0; k < ni; k++) {
		it[k].on_hand += on_sign * need[k];
		it[k].committed += com_sign * need[k];
	}
}

static int64_t
m_held(int k)
{
	int64_t	 need[NI_MAX], sum = 0;
	int	 h;

	for (h = 0; h < nholds; h++) {
		if (holds[h].held == 0)
			continue;
		memset(need, 0, sizeof(need));
		m_parts(holds[h].item, holds[h].held, need);
		sum += need[k];
	}
	return sum;
}

/* ---- the hub ---- */

static const char *
key(void)
{
	static char	 k[64];

	(void)str_fmt(k, sizeof(k), "p:%llu:%d:%d", (unsigned long long)seed,
	    round_no, nkey++);
	return k;
}

static void
sql(const char *s)
{
	t_exec(T.db, s, NULL, 0);
}

static void
build_round(void)
{
	struct bom_component	 comp[NC_MAX];
	struct bom_spec		 spec;
	struct err		 e;
	int			 ns, i, c, a, used[NI_MAX];

	ni = (int)pick(5, NI_MAX);
	ns = (int)pick(2, 4);
	for (i = 0; i < ni; i++) {
		memset(&it[i], 0, sizeof(it[i]));
		(void)str_fmt(it[i].sku, sizeof(it[i].sku), "P%llu-%d-%d",
		    (unsigned long long)(seed % 100000), round_no, i);
		it[i].kind = i < ns ? M_STOCKED : pick(0, 3) == 0 ? M_MTO :
		    M_BUNDLE;
		it[i].cap = it[i].kind == M_MTO && pick(0, 1) ? pick(0, 4) :
		    -1;
		CHECK(ledger_item_create(T.db, it[i].sku, "", &it[i].id,
		    &e) == 0, "create: %s", e.msg);
		if (it[i].kind == M_STOCKED) {
			it[i].on_hand = pick(0, 8);
			if (it[i].on_hand > 0)
				t_post(T.db, key(), it[i].sku, STOCK_RECEIVE,
				    it[i].on_hand);
			continue;
		}
		/* components among the items made before: nested, never a
		 * cycle */
		memset(used, 0, sizeof(used));
		it[i].nc = (int)pick(1, i < NC_MAX ? i : NC_MAX);
		for (c = 0; c < it[i].nc; c++) {
			do
				a = (int)pick(0, i - 1);
			while (used[a]);
			used[a] = 1;
			it[i].comp[c] = a;
			it[i].cq[c] = pick(1, 3);
			comp[c].sku = it[a].sku;
			comp[c].qty = it[i].cq[c];
		}
		memset(&spec, 0, sizeof(spec));
		spec.kind = it[i].kind == M_MTO ? BOM_MADE_TO_ORDER :
		    BOM_BUNDLE;
		spec.has_cap = it[i].cap >= 0;
		spec.cap = it[i].cap;
		spec.components = comp;
		spec.ncomponents = (size_t)it[i].nc;
		spec.actor = "test:property";
		spec.reason = "random BOM";
		CHECK(bom_set(T.db, it[i].sku, &spec, &e) == 0, "bom_set: %s",
		    e.msg);
	}
	for (i = 0; i < ni; i++)
		for (a = 0; a < 2; a++) {
			t_exec(T.db, "INSERT INTO channel_listings (account_id, "
			    "item_id, ext_listing) VALUES (?, ?, ?)",
			    (struct db_val[]){ DBI(ACCT[a]), DBI(it[i].id),
			    DBS(it[i].sku) }, 3);
			it[i].listing[a] = t_q64(T.db, "SELECT id FROM "
			    "channel_listings WHERE account_id = ? AND "
			    "item_id = ?", (struct db_val[]){ DBI(ACCT[a]),
			    DBI(it[i].id) }, 2);
		}
	nlines = nholds = 0;
}

/* Run one operation under a savepoint; 0 done, -1 refused (undone). */
static int
attempt(int rc, struct err *e)
{
	if (rc == 0) {
		sql("RELEASE SAVEPOINT op");
		return 0;
	}
	CHECK(e->kind == ERR_CONFLICT || e->kind == ERR_INVALID,
	    "unexpected error: %s", e->msg);
	sql("ROLLBACK TO SAVEPOINT op");
	return -1;
}

static void
op_stock(void)
{
	struct ledger_line	 l;
	struct ledger_event	 ev;
	struct ledger_result	 res;
	struct err		 e;
	int			 i = (int)pick(0, ni - 1);
	int			 count = (int)pick(0, 1);
	int64_t			 q = count ? pick(0, 8) : pick(1, 5);

	(void)str_fmt(op_desc, sizeof(op_desc), "%s %s %lld",
	    count ? "count" : "receive", it[i].sku, (long long)q);
	l.sku = it[i].sku;
	l.kind = count ? STOCK_COUNT : STOCK_RECEIVE;
	l.qty = q;
	memset(&ev, 0, sizeof(ev));
	ev.key = key();
	ev.source = "test";
	ev.reason = "property";
	ev.lines = &l;
	ev.nlines = 1;
	sql("SAVEPOINT op");
	if (attempt(ledger_post_tx(T.db, &ev, NULL, NULL, &res, &e), &e) ==
	    -1) {
		/* only a bundle or made-to-order item refuses stock */
		CHECK(it[i].kind != M_STOCKED, "refused: %s", e.msg);
		return;
	}
	CHECK(it[i].kind == M_STOCKED, "stock taken on a composite");
	it[i].on_hand = count ? q : it[i].on_hand + q;
}

static void
op_sale(struct orders_ctx *c)
{
	struct ledger_result	 res;
	struct err		 e;
	struct mline		*l;
	int			 i = (int)pick(0, ni - 1);
	int			 a = (int)pick(0, 1);
	int64_t			 q = pick(1, 3);

	if (nlines >= LINES_MAX)
		return;
	l = &lines[nlines];
	memset(l, 0, sizeof(*l));
	(void)str_fmt(l->ext, sizeof(l->ext), "L%d-%d-%d", round_no, a,
	    nlines);
	(void)str_fmt(op_desc, sizeof(op_desc), "sale %s x%lld line %s",
	    it[i].sku, (long long)q, l->ext);
	c->account_id = ACCT[a];
	sql("SAVEPOINT op");
	CHECK(attempt(orders_commit(c, l->ext, l->ext, it[i].sku, q,
	    it[i].listing[a], &res, &e), &e) == 0, "sale refused: %s",
	    e.msg);
	l->item = i;
	l->qty = q;
	m_move(i, q, 0, +1);
	nlines++;
}

/* A line op: 0 release, 1 ship, 2 return (cond). */
static void
op_line(struct orders_ctx *c, int kind)
{
	static const char *const names[] = { "cancel", "ship", "return" };
	struct mline		*l;
	struct err		 e;
	enum returns_cond	 cond = (enum returns_cond)pick(0, 2);
	int64_t			 q = pick(0, 2) == 0 ? -1 : pick(1, 3);
	int64_t			 n, ship = 0, done = -1, hold;
	int			 li, known = 0, rc, can;

	if (nlines == 0)
		return;
	li = (int)pick(0, nlines - 1);
	l = &lines[li];
	/* the account is in the line's name: L<round>-<account>-<n> */
	c->account_id = ACCT[strchr(l->ext, '-')[1] == '1' ? 1 : 0];
	(void)str_fmt(op_desc, sizeof(op_desc), "%s %s line %s q=%lld%s%s",
	    names[kind], it[l->item].sku, l->ext, (long long)q,
	    kind == 2 ? " as " : "", kind == 2 ? returns_cond_name(cond) : "");
	if (kind == 0 || kind == 1) {
		n = l->qty - l->released - l->shipped;
	} else {
		n = l->qty - l->released - l->returned;
	}
	if (q >= 0 && q < n)
		n = q;
	if (kind == 2)
		ship = n > l->shipped - l->returned ?
		    n - (l->shipped - l->returned) : 0;
	can = kind == 1 ? m_can_ship(l->item, n) :
	    kind == 2 ? m_can_ship(l->item, ship) : 1;
	sql("SAVEPOINT op");
	rc = kind == 0 ? orders_release(c, l->ext, q, key(), &done, &known,
	    &e) : kind == 1 ? orders_ship(c, l->ext, q, key(), &done, &known,
	    &e) : orders_return_as(c, l->ext, q, cond, key(), &done, &known,
	    &e);
	if (attempt(rc, &e) == -1) {
		CHECK(n > 0 && !can, "refused: %s", e.msg);
		return;
	}
	CHECK(n <= 0 || can, "allowed although a part would go below 0");
	CHECK(known == 1, "line unknown");
	CHECK(done == (n > 0 ? n : 0), "done %lld, model %lld",
	    (long long)done, (long long)n);
	if (n <= 0)
		return;
	switch (kind) {
	case 0:
		l->released += n;
		m_move(l->item, n, 0, -1);
		break;
	case 1:
		l->shipped += n;
		m_move(l->item, n, -1, -1);
		break;
	default:
		l->shipped += ship;
		m_move(l->item, ship, -1, -1);
		l->returned += n;
		if (cond == RETURNS_RESTOCK)
			m_move(l->item, n, +1, 0);
		if (cond == RETURNS_INSPECT) {
			hold = t_q64(T.db, "SELECT MAX(id) FROM return_holds",
			    NULL, 0);
			holds[nholds].id = hold;
			holds[nholds].item = l->item;
			holds[nholds].held = n;
			nholds++;
		}
		break;
	}
}

static void
op_sku_return(void)
{
	struct returns_req	 q;
	struct returns_result	 r;
	struct err		 e;
	int			 i = (int)pick(0, ni - 1);

	memset(&q, 0, sizeof(q));
	q.sku = it[i].sku;
	q.qty = pick(1, 3);
	q.cond = (enum returns_cond)pick(0, 2);
	q.key = key();
	q.source = "test";
	q.reason = "handed in";
	(void)str_fmt(op_desc, sizeof(op_desc), "handed in %s x%lld as %s",
	    q.sku, (long long)q.qty, returns_cond_name(q.cond));
	sql("SAVEPOINT op");
	CHECK(attempt(returns_sku_tx(T.db, &q, &r, &e), &e) == 0,
	    "refused: %s", e.msg);
	CHECK(r.done == q.qty && !r.duplicate, "done %lld", (long long)r.done);
	if (q.cond == RETURNS_RESTOCK)
		m_move(i, q.qty, +1, 0);
	else if (q.cond == RETURNS_INSPECT) {
		CHECK(r.hold_id > 0, "no hold");
		holds[nholds].id = r.hold_id;
		holds[nholds].item = i;
		holds[nholds].held = q.qty;
		nholds++;
	}
}

static void
op_decide(void)
{
	struct returns_req	 q;
	struct returns_result	 r;
	struct err		 e;
	struct mhold		*h;
	int64_t			 n;
	int			 rc;

	if (nholds == 0)
		return;
	h = &holds[pick(0, nholds - 1)];
	memset(&q, 0, sizeof(q));
	q.cond = pick(0, 1) ? RETURNS_RESTOCK : RETURNS_DAMAGED;
	q.key = key();
	q.source = "test";
	q.reason = "inspected";
	n = pick(0, 3) == 0 ? -1 : pick(1, 4);
	(void)str_fmt(op_desc, sizeof(op_desc), "decide hold %lld (%s) "
	    "q=%lld %s", (long long)h->id, it[h->item].sku, (long long)n,
	    returns_cond_name(q.cond));
	sql("SAVEPOINT op");
	rc = attempt(returns_decide_tx(T.db, h->id, n, &q, &r, &e), &e);
	if (n < 0)
		n = h->held;
	if (n == 0 || n > h->held) {
		CHECK(rc == -1 && e.kind == ERR_CONFLICT, "decided %lld of "
		    "%lld held", (long long)n, (long long)h->held);
		return;
	}
	CHECK(rc == 0, "refused: %s", e.msg);
	CHECK(r.done == n, "done %lld of %lld", (long long)r.done,
	    (long long)n);
	h->held -= n;
	if (q.cond == RETURNS_RESTOCK)
		m_move(h->item, n, +1, 0);
}

static void
check_state(int full)
{
	struct db_res	*r;
	struct err	 e;
	int64_t		 a, desired, ver, shown[2], units;
	int		 i, k, seen = 0;
	char		 like[32];

	(void)str_fmt(op_desc, sizeof(op_desc), "(check after the sequence)");
	(void)str_fmt(like, sizeof(like), "P%llu-%d-%%",
	    (unsigned long long)(seed % 100000), round_no);
	r = db_query(T.db, "SELECT sku, on_hand, committed FROM stock_items "
	    "WHERE sku LIKE ? AND kind = 'stocked'", (struct db_val[]){
	    DBS(like) }, 1, &e);
	CHECK(r != NULL, "%s", e.msg);
	while (db_next(r, &e) == 1) {
		for (i = 0; i < ni; i++)
			if (strcmp(it[i].sku, db_col_str(r, 0)) == 0)
				break;
		CHECK(i < ni && it[i].kind == M_STOCKED, "stray %s",
		    db_col_str(r, 0));
		CHECK(db_col_i64(r, 1) == it[i].on_hand &&
		    db_col_i64(r, 2) == it[i].committed, "%s on_hand/committed "
		    "%lld/%lld, model %lld/%lld", it[i].sku,
		    (long long)db_col_i64(r, 1), (long long)db_col_i64(r, 2),
		    (long long)it[i].on_hand, (long long)it[i].committed);
		seen++;
	}
	db_res_free(r);
	for (i = 0, k = 0; i < ni; i++)
		k += it[i].kind == M_STOCKED;
	CHECK(seen == k, "%d stocked items, model %d", seen, k);
	if (!full)
		return;
	for (i = 0; i < ni; i++) {
		if (it[i].kind != M_STOCKED) {
			CHECK(bom_item_available(T.db, it[i].id, &a, &e) == 0,
			    "%s", e.msg);
			CHECK(a == m_avail(i), "%s offers %lld, model %lld",
			    it[i].sku, (long long)a, (long long)m_avail(i));
		} else {
			CHECK(returns_held_units(T.db, it[i].id, &units,
			    &e) == 0, "%s", e.msg);
			CHECK(units == m_held(i), "%s held %lld, model %lld",
			    it[i].sku, (long long)units, (long long)m_held(i));
		}
		m_shown(i, shown);
		for (k = 0; k < 2; k++) {
			CHECK(channel_desired(T.db, it[i].listing[k], &desired,
			    &ver, &e) == 0, "%s", e.msg);
			CHECK(desired == shown[k], "%s on channel %d: %lld, "
			    "model %lld", it[i].sku, k, (long long)desired,
			    (long long)shown[k]);
		}
	}
}

static void
test_random_sequences(void **state)
{
	struct orders_ctx	 c;
	struct err		 e;
	const char		*env;
	struct timespec		 t0, t1;
	int			 rounds = ROUNDS, ops, o, kind;
	int64_t			 n;
	long			 nops = 0;

	(void)state;
	if ((env = getenv("PROP_SEED")) != NULL && env[0] != '\0')
		seed = strtoull(env, NULL, 10);	/* any text is some seed */
	else
		seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20);
	if ((env = getenv("PROP_ROUNDS")) != NULL &&
	    str_to_i64(env, 1, 1000, &n) == 0)
		rounds = (int)n;
	rng = seed * 2654435761ULL + 1;
	print_message("# seed %llu (PROP_SEED=%llu reruns it)\n",
	    (unsigned long long)seed, (unsigned long long)seed);
	lines = calloc(LINES_MAX, sizeof(*lines));
	holds = calloc(HOLDS_MAX, sizeof(*holds));
	assert_non_null(lines);
	assert_non_null(holds);
	memset(&c, 0, sizeof(c));
	c.db = T.db;
	c.source = "test";
	c.reason = "property";
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (round_no = 0; round_no < rounds; round_no++) {
		seq_no = -1;
		build_round();
		for (seq_no = 0; seq_no < SEQS; seq_no++) {
			if (seq_no % BATCH == 0)
				CHECK(db_begin(T.db, &e) == 0, "%s", e.msg);
			ops = (int)pick(1, 3);
			for (o = 0; o < ops; o++, nops++) {
				kind = (int)pick(0, 99);
				if (kind < 15)
					op_stock();
				else if (kind < 45)
					op_sale(&c);
				else if (kind < 55)
					op_line(&c, 0);
				else if (kind < 65)
					op_line(&c, 1);
				else if (kind < 85)
					op_line(&c, 2);
				else if (kind < 92)
					op_sku_return();
				else
					op_decide();
			}
			check_state(seq_no % FULL_EVERY == FULL_EVERY - 1 ||
			    seq_no == SEQS - 1);
			if (seq_no % BATCH == BATCH - 1 || seq_no == SEQS - 1)
				CHECK(db_commit(T.db, &e) == 0, "%s", e.msg);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("# %d sequences, %ld operations in %.1f s\n",
	    rounds * SEQS, nops, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(lines);
	free(holds);
}

static void
test_ledger_consistent(void **state)
{
	struct err	 e;
	int64_t		 bad = -1;

	(void)state;
	assert_int_equal(ledger_check(T.db, &bad, &e), 0);
	assert_int_equal(bad, 0);
}

static int
setup(void **state)
{
	struct alloc_policy	 shop, etsy;
	struct err		 e;

	(void)state;
	tdb_open(&T, "bom_property");
	memset(&shop, 0, sizeof(shop));
	shop.holdback_pct = 10;
	shop.priority = 2;
	memset(&etsy, 0, sizeof(etsy));
	etsy.holdback_units = 1;
	etsy.priority = 1;
	if (channel_account_create(T.db, &T.cfg, CHANNEL_SHOPIFY, "prop-s",
	    "http://127.0.0.1:9", "p.myshopify.com", NULL, &shop, 0, &ACCT[0],
	    &e) == -1 ||
	    channel_account_create(T.db, &T.cfg, CHANNEL_ETSY, "prop-e",
	    "http://127.0.0.1:9", "4343", NULL, &etsy, 0, &ACCT[1], &e) == -1)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tdb_close(&T);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_sequences),
		cmocka_unit_test(test_ledger_consistent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
