/*
 * api: the JSON API and the health check, behind nginx at /healthz and
 * /api/. Thin: the routes, then the shared FastCGI loop.
 */
#include <stddef.h>

#include "api.h"
#include "app.h"

static const struct app_route routes[] = {
	{ "GET",  "/healthz",		api_healthz },
	{ "POST", "/api/v1/items",	api_item_create },
	{ "GET",  "/api/v1/items",	api_item_get },
	{ "POST", "/api/v1/movements",	api_movement_post },
	{ NULL,   NULL,			NULL }
};

int
main(void)
{
	return app_main("api", routes);
}
