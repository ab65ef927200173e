/*
 * jobs: the timer endpoint. cron (or a systemd timer) calls
 *   curl -fsS -X POST -H "Authorization: Bearer $TIMER_TOKEN" \
 *       http://127.0.0.1:8080/jobs/tick
 * every minute (with ?repeat=1 it also polls an Etsy account again
 * within the run when that account's interval is under a minute); a
 * tick runs due work (the push queue now; pollers and
 * reconciliation as they land) within JOBS_TICK_BUDGET_MS, well under
 * nginx's FastCGI timeout. Overlapping ticks share the work through the
 * queues' SKIP LOCKED claims, never doing one piece twice.
 */
#ifndef STOCKHUB_JOBS_H
#define STOCKHUB_JOBS_H

#include <stdint.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "etsy_poll.h"
#include "http.h"
#include "push.h"

#define JOBS_TICK_BUDGET_MS	25000

/* What one tick did. */
struct jobs_report {
	int			 hooks;		/* stored webhooks applied */
	struct etsy_poll_stats	 etsy;
	struct push_stats	 push;
	int64_t			 recon_run;	/* 0: no run due */
	int			 recon_done;
	int64_t			 audit_account;	/* 0: none audited */
	int64_t			 elapsed_ms;
};

/*
 * One tick's work within JOBS_TICK_BUDGET_MS: stored webhooks, Etsy
 * polling, the push queue, reconciliation, the weekly mapping audit;
 * with repeat, Etsy accounts polled faster than once a minute again.
 * The HTTP endpoint and `stockhub tick` both run this. -1 (e set) when
 * the push run failed; the other steps' failures are logged.
 */
int	jobs_run(struct db *db, const struct config *cfg, const char *worker,
	    int repeat, struct jobs_report *o, struct err *e);

/* POST /jobs/tick: 200 with what was done, 401 without the token. */
void	jobs_tick(struct app *a, struct http_req *r);

#endif
