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
#include "audit.h"
#include "shopify_hook.h"
#include "str.h"

/* Wait until the epoch second due (a signal may end a sleep early). */
static void
sleep_until_s(int64_t due)
{
	struct timespec	 ts;
	int64_t		 wait;

	while ((wait = due * 1000 - push_now_ms()) > 0) {
		ts.tv_sec = (time_t)(wait / 1000);
		ts.tv_nsec = (long)(wait % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
}

int
jobs_run(struct db *db, const struct config *cfg, const char *worker,
    int repeat, struct jobs_report *o, struct err *e)
{
	struct err	 pe;
	int64_t		 started = push_now_ms(), due = 0;
	int		 etsy_hooks = 0, idle = 0, held = 0, rc;

	memset(o, 0, sizeof(*o));
	err_clear(&pe);
	/* webhooks stored but not applied (a crash, a deadlock, a manual
	 * edit waiting for its orders) first: they change what to push */
	if (shopify_hook_pending(db, cfg, &o->hooks, &pe) == -1)
		log_error("tick: pending webhooks: %s", pe.msg);
	/* Etsy ORDER_PAID deliveries whose receipt was not fetched yet */
	err_clear(&pe);
	if (etsy_hook_pending(db, cfg, &etsy_hooks, &pe) == -1)
		log_error("tick: pending etsy webhooks: %s", pe.msg);
	o->hooks += etsy_hooks;
	/* Etsy sales in (receipts polling), within half the budget, before
	 * the pushes they change */
	err_clear(&pe);
	if (etsy_poll_run(db, cfg, started + JOBS_TICK_BUDGET_MS / 2,
	    &o->etsy, &pe) == -1)
		log_error("tick: etsy poll: %s", pe.msg);
	/* holds the intakes have caught up past, released by this push run */
	err_clear(&pe);
	if (push_queue_expired_holds(db, &held, &pe) == -1)
		log_error("tick: expired holds: %s", pe.msg);
	else if (held > 0)
		log_info("tick: %d listing(s) with an expired hold queued", held);
	rc = push_run(db, cfg, worker, started + JOBS_TICK_BUDGET_MS,
	    &o->push, e);
	/* reconciliation (nightly, chunked) with what is left of the budget */
	err_clear(&pe);
	if (recon_tick(db, cfg, started + JOBS_TICK_BUDGET_MS, &o->recon_run,
	    &o->recon_done, &pe) == -1)
		log_error("tick: reconciliation: %s", pe.msg);
	else if (o->recon_run != 0)
		log_info("tick: reconciliation run %lld %s",
		    (long long)o->recon_run,
		    o->recon_done ? "done" : "continues");
	/* sub-minute Etsy polling under a one-minute cron (repeat, so a
	 * tick asked for once returns at once): while an account polled
	 * faster than once a minute is due again within the budget, wait
	 * for it, poll, and push what that changed */
	while (repeat && etsy_poll_next_due(db, &due, &pe) == 1 &&
	    due * 1000 < started + JOBS_TICK_BUDGET_MS - 2000) {
		struct etsy_poll_stats	 ep2;
		struct push_stats	 st2;

		/* an account that was not due after all (its lease is held
		 * elsewhere) must not make us spin: try again in a second */
		if (idle && due * 1000 <= push_now_ms())
			due = push_now_ms() / 1000 + 1;
		sleep_until_s(due);
		if (etsy_poll_run(db, cfg, started + JOBS_TICK_BUDGET_MS,
		    &ep2, &pe) == -1)
			break;
		idle = ep2.polled == 0;
		o->etsy.polled += ep2.polled;
		o->etsy.failed += ep2.failed;
		o->etsy.calls += ep2.calls;
		o->etsy.committed += ep2.committed;
		o->etsy.released += ep2.released;
		if (push_run(db, cfg, worker, started + JOBS_TICK_BUDGET_MS,
		    &st2, &pe) == 0) {
			o->push.claimed += st2.claimed;
			o->push.written += st2.written;
		}
	}
	/* the weekly mapping audit, one account a tick, if time is left */
	err_clear(&pe);
	if (push_now_ms() < started + JOBS_TICK_BUDGET_MS / 2 &&
	    audit_tick(db, cfg, &o->audit_account, &pe) == -1)
		log_error("tick: mapping audit of account %lld: %s",
		    (long long)o->audit_account, pe.msg);
	o->elapsed_ms = push_now_ms() - started;
	log_info("tick: %d claimed, %d written, %d unchanged, %d held, "
	    "%d retried, %d failed", o->push.claimed, o->push.written,
	    o->push.unchanged, o->push.held, o->push.retried,
	    o->push.failed);
	return rc;
}

void
jobs_tick(struct app *a, struct http_req *r)
{
	struct jobs_report	 o;
	struct err		 e;
	struct db		*db;
	char			 worker[64], host[32];
	const char		*repeat;
	json_t			*j;
	int			 rc;

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
	repeat = form_get(&r->query, "repeat");
	rc = jobs_run(db, &a->cfg, worker, repeat != NULL &&
	    strcmp(repeat, "1") == 0, &o, &e);
	j = json_pack("{s:s, s:i, s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, "
	    "s:i, s:s?}, s:{s:i, s:i, s:i, s:i, s:i, s:i}, s:I, s:s?}",
	    "status", rc == 0 ? "ok" : "error", "webhooks_applied", o.hooks,
	    "etsy_poll", "accounts", o.etsy.accounts, "polled", o.etsy.polled,
	    "failed", o.etsy.failed, "swept", o.etsy.swept, "calls",
	    o.etsy.calls, "committed", o.etsy.committed, "released",
	    o.etsy.released, "unmapped", o.etsy.unmapped, "refunds",
	    o.etsy.refunds, "error", o.etsy.error[0] != '\0' ?
	    o.etsy.error : NULL, "push", "claimed", o.push.claimed,
	    "written", o.push.written, "unchanged", o.push.unchanged, "held",
	    o.push.held, "retried", o.push.retried, "failed", o.push.failed,
	    "elapsed_ms", (json_int_t)o.elapsed_ms, "error",
	    rc == 0 ? NULL : e.msg);
	if (j == NULL)
		http_error(r, 500, "internal", "out of memory");
	else
		http_json(r, rc == 0 ? 200 : 500, j);
	json_decref(j);
}
