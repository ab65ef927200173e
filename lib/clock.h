/*
 * clock: the hub's notion of now. Real time by default; the simulator
 * (sim/) switches a process to a virtual time it moves itself, so the
 * hub's own code (the push engine's pacing, backoff and leases) runs over
 * a simulated month in minutes.
 *
 * SQL that asks for "now" uses CLOCK_NOW_SQL instead of
 * CURRENT_TIMESTAMP(6): it reads the session variable @stockhub_now,
 * which clock_bind() sets on a connection in virtual time and which is
 * NULL (so the server's clock is used, exactly as before) otherwise. No
 * argument arrays change.
 *
 * State is per process (the programs are single-threaded). Ownership:
 * nothing is allocated.
 */
#ifndef STOCKHUB_CLOCK_H
#define STOCKHUB_CLOCK_H

#include <stdint.h>

#include "db.h"
#include "err.h"

/* "now" in SQL: the virtual time bound by clock_bind(), else the server's. */
#define CLOCK_NOW_SQL \
	"CAST(COALESCE(@stockhub_now, CURRENT_TIMESTAMP(6)) AS DATETIME(6))"

/* Milliseconds since the epoch: real, or the virtual time when set. */
int64_t	clock_now_ms(void);

/* Switch this process to virtual time at ms (epoch milliseconds); called
 * again, it moves the virtual clock (never backwards: an earlier value is
 * ignored). */
void	clock_set_virtual_ms(int64_t ms);

/* Back to real time. */
void	clock_set_real(void);

/* 1 when the clock is virtual. */
int	clock_is_virtual(void);

/*
 * Make CLOCK_NOW_SQL on this connection follow the clock: @stockhub_now
 * = the virtual time (UTC; db_open sets the session to +00:00), or NULL
 * in real time.
 */
int	clock_bind(struct db *db, struct err *e);

/* Wait ms: nanosleep in real time; in virtual time nothing (the
 * simulator schedules instead of sleeping). */
void	clock_sleep_ms(int64_t ms);

#endif
