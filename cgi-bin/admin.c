/*
 * admin: the seller's web pages, behind nginx at /admin/. Thin: the
 * routes, then the shared FastCGI loop. The more specific paths come
 * first: "/admin/" is a prefix and takes what is left (its handler
 * answers 404 for anything but the dashboard itself).
 */
#include <stddef.h>

#include "admin.h"
#include "app.h"

static const struct app_route routes[] = {
	{ "GET",  "/admin/style.css",	admin_style },
	{ "GET",  "/admin/login",	admin_login_page },
	{ "POST", "/admin/login",	admin_login_post },
	{ "POST", "/admin/logout",	admin_logout },
	{ "GET",  "/admin/stock",	admin_stock_page },
	{ "POST", "/admin/stock",	admin_stock_post },
	{ "GET",  "/admin/etsy/connect",	admin_etsy_connect },
	{ "GET",  "/admin/etsy/callback",	admin_etsy_callback },
	{ "GET",  "/admin/recon",	admin_recon_list },
	{ "POST", "/admin/recon",	admin_recon_post },
	{ "GET",  "/admin/recon/",	admin_recon_run },
	{ "GET",  "/admin/audit",	admin_audit_page },
	{ "POST", "/admin/audit",	admin_audit_run },
	{ "POST", "/admin/audit/confirm",	admin_audit_confirm },
	{ "GET",  "/admin/",		admin_dashboard },
	{ NULL,   NULL,			NULL }
};

int
main(void)
{
	return app_main("admin", routes);
}
