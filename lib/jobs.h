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

#include "app.h"
#include "http.h"

#define JOBS_TICK_BUDGET_MS	25000

/* POST /jobs/tick: 200 with what was done, 401 without the token. */
void	jobs_tick(struct app *a, struct http_req *r);

#endif
