/*
 * hooks: marketplace webhooks in, behind nginx at /hooks/. Thin: the
 * routes, then the shared FastCGI loop.
 */
#include <stddef.h>

#include "app.h"
#include "etsy_hook.h"
#include "shopify_hook.h"

static const struct app_route routes[] = {
	{ "POST", "/hooks/shopify",	shopify_hook_receive },
	{ "POST", "/hooks/etsy/",	etsy_hook_receive },
	{ NULL,   NULL,			NULL }
};

int
main(void)
{
	return app_main("hooks", routes);
}
