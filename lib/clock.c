/*
 * clock: real or virtual now (see clock.h).
 */
#include <time.h>

#include "clock.h"
#include "db.h"
#include "err.h"
#include "str.h"

static int	virt;
static int64_t	virt_ms;

int64_t
clock_now_ms(void)
{
	struct timespec	 ts;

	if (virt)
		return virt_ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
clock_set_virtual_ms(int64_t ms)
{
	if (!virt || ms > virt_ms)
		virt_ms = ms;
	virt = 1;
}

void
clock_set_real(void)
{
	virt = 0;
}

int
clock_is_virtual(void)
{
	return virt;
}

int
clock_bind(struct db *db, struct err *e)
{
	struct tm	 tm;
	time_t		 s;
	char		 buf[40];

	if (!virt)
		return db_exec(db, "SET @stockhub_now = NULL", NULL, 0, NULL,
		    NULL, e);
	s = (time_t)(virt_ms / 1000);
	if (gmtime_r(&s, &tm) == NULL)
		return err_set(e, ERR_INVALID, "virtual time out of range");
	if (str_fmt(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%03d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(virt_ms % 1000)) == -1)
		return err_set(e, ERR_INVALID, "virtual time out of range");
	return db_exec(db, "SET @stockhub_now = CAST(? AS DATETIME(6))",
	    (struct db_val[]){ DBS(buf) }, 1, NULL, NULL, e);
}

void
clock_sleep_ms(int64_t ms)
{
	struct timespec	 ts;

	if (virt || ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}
