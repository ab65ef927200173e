/*
 * jobs: the timer tick (see jobs.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "app.h"
#include "err.h"
#include "etsy_hook.h"
#include "etsy_poll.h"
#include "form.h"
#include "http.h"
#include "jobs.h"
#include "log.h"
#include "push.h"
#include "recon.h"
#include "shopify_hook.h"
#include "str.h"

void
jobs_tick(struct app *a, struct http_req *r)
{
	struct push_stats	 st;
	struct etsy_poll_stats	 ep;
	struct err		 e, pe;
	struct db		*db;
	char			 worker[64], host[32];
	int64_t			 started = push_now_ms();
	json_t			*j;
	int			 rc, hooks = 0, recon_done = 0;
	int64_t			 recon_run = 0, due = 0;
	int			 etsy_hooks = 0;
	const char		*repeat;
	int			 idle = 0;

	if (!http_bearer_ok(r, a->cfg.timer_token)) {
		http_error(r, 401, "unauthorized",
		    "send Authorization: Bearer <timer_token>");
		return;
	}
	if ((db = app_db(a, r, 1, NULL)) == NULL)
		return;
	if (gethostname(host, sizeof(host)) == -1)
		(void)str_copy(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	(void)str_fmt(worker, sizeof(worker), "%s:%ld", host, (long)getpid());
	err_clear(&e);
	/* webhooks stored but not applied (a crash, a deadlock, a manual
	 * edit waiting for its orders) first: they change what to push */
	if (shopify_hook_pending(db, &a->cfg, &hooks, &e) == -1)
		log_error("tick: pending webhooks: %s", e.msg);
	/* Etsy ORDER_PAID deliveries whose receipt was not fetched yet */
	if (etsy_hook_pending(db, &a->cfg, &etsy_hooks, &pe) == -1)
		log_error("tick: pending etsy webhooks: %s", pe.msg);
	hooks += etsy_hooks;
	/* Etsy sales in (receipts polling), within half the budget, before
	 * the pushes they change */
	err_clear(&pe);
	if (etsy_poll_run(db, &a->cfg, started + JOBS_TICK_BUDGET_MS / 2, &ep,
	    &pe) == -1)
		log_error("tick: etsy poll: %s", pe.msg);
	rc = push_run(db, &a->cfg, worker, started + JOBS_TICK_BUDGET_MS, &st,
	    &e);
	/* reconciliation (nightly, chunked) with what is left of the budget */
	err_clear(&pe);
	if (recon_tick(db, &a->cfg, started + JOBS_TICK_BUDGET_MS, &recon_run,
	    &recon_done, &pe) == -1)
		log_error("tick: reconciliation: %s", pe.msg);
	else if (recon_run != 0)
		log_info("tick: reconciliation run %lld %s", (long long)recon_run,
		    recon_done ? "done" : "continues");
	/* sub-minute Etsy polling under a one-minute cron (?repeat=1, so a
	 * tick asked for once returns at once): while an account polled
	 * faster than once a minute is due again within the budget, wait
	 * for it, poll, and push what that changed */
	repeat = form_get(&r->query, "repeat");
	while (repeat != NULL && strcmp(repeat, "1") == 0 &&
	    etsy_poll_next_due(db, &due, &pe) == 1 && due * 1000 <
	    started + JOBS_TICK_BUDGET_MS - 2000) {
		struct etsy_poll_stats	 ep2;
		struct push_stats	 st2;
		struct timespec		 ts;
		int64_t			 wait;

		/* an account that was not due after all (its lease is held
		 * elsewhere) must not make us spin: try again in a second */
		if (idle && due * 1000 <= push_now_ms())
			due = push_now_ms() / 1000 + 1;
		/* a signal may end a sleep early: sleep until the time */
		while ((wait = due * 1000 - push_now_ms()) > 0) {
			ts.tv_sec = (time_t)(wait / 1000);
			ts.tv_nsec = (long)(wait % 1000) * 1000000L;
			nanosleep(&ts, NULL);
		}
		if (etsy_poll_run(db, &a->cfg, started + JOBS_TICK_BUDGET_MS,
		    &ep2, &pe) == -1)
			break;
		idle = ep2.polled == 0;
		ep.polled += ep2.polled;
		ep.failed += ep2.failed;
		ep.calls += ep2.calls;
		ep.committed += ep2.committed;
		ep.released += ep2.released;
		if (push_run(db, &a->cfg, worker, started +
		    JOBS_TICK_BUDGET_MS, &st2, &pe) == 0) {
			st.claimed += st2.claimed;
			st.written += st2.written;
		}
	}
	j = json_pack("{s:s, s:i, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, "
	    "s:i, s:s?}, s:{s:i, s:i, s:i, s:i, s:i, s:i}, s:I, s:s?}",
	    "status", rc == 0 ? "ok" : "error", "webhooks_applied", hooks,
	    "etsy_poll", "accounts", ep.accounts, "polled", ep.polled,
	    "failed", ep.failed, "swept", ep.swept, "calls", ep.calls,
	    "committed", ep.committed, "released", ep.released, "unmapped",
	    ep.unmapped, "refunds", ep.refunds, "error", ep.error[0] != '\0' ?
	    ep.error : NULL, "push", "claimed", st.claimed,
	    "written", st.written, "unchanged", st.unchanged, "held", st.held,
	    "retried", st.retried, "failed", st.failed, "elapsed_ms",
	    (json_int_t)(push_now_ms() - started), "error",
	    rc == 0 ? NULL : e.msg);
	log_info("tick: %d claimed, %d written, %d unchanged, %d held, "
	    "%d retried, %d failed", st.claimed, st.written, st.unchanged,
	    st.held, st.retried, st.failed);
	if (j == NULL)
		http_error(r, 500, "internal", "out of memory");
	else
		http_json(r, rc == 0 ? 200 : 500, j);
	json_decref(j);
}
