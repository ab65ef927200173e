/*
 * jobs: the timer tick (see jobs.h).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "app.h"
#include "err.h"
#include "etsy_poll.h"
#include "http.h"
#include "jobs.h"
#include "log.h"
#include "push.h"
#include "recon.h"
#include "audit.h"
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
	int64_t			 recon_run = 0;
	int64_t			 audit_acct = 0;

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
	/* the weekly mapping audit, one account a tick, if time is left */
	err_clear(&pe);
	if (push_now_ms() < started + JOBS_TICK_BUDGET_MS / 2 &&
	    audit_tick(db, &a->cfg, &audit_acct, &pe) == -1)
		log_error("tick: mapping audit of account %lld: %s",
		    (long long)audit_acct, pe.msg);
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
