/*
 * jobs: the timer endpoint /jobs/tick, behind nginx (localhost only by
 * default). Thin: the route, then the shared FastCGI loop.
 */
#include <stddef.h>

#include "app.h"
#include "jobs.h"

static const struct app_route routes[] = {
	{ "POST", "/jobs/tick",	jobs_tick },
	{ NULL,   NULL,		NULL }
};

int
main(void)
{
	return app_main("jobs", routes);
}
