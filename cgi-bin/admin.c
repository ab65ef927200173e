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
	{ "POST", "/admin/login/totp",	admin_login_totp_post },
	{ "POST", "/admin/logout",	admin_logout },
	{ "GET",  "/admin/stock",	admin_stock_page },
	{ "POST", "/admin/stock",	admin_stock_post },
	{ "GET",  "/admin/map",		admin_map_list },
	{ "GET",  "/admin/map/item",	admin_map_item },
	{ "POST", "/admin/map/item",	admin_map_item_post },
	{ "GET",  "/admin/map/export",	admin_map_export },
	{ "GET",  "/admin/map/import",	admin_map_import },
	{ "POST", "/admin/map/import",	admin_map_import_post },
	{ "GET",  "/admin/returns",	admin_returns_page },
	{ "POST", "/admin/returns",	admin_returns_post },
	{ "GET",  "/admin/bom",		admin_bom_page },
	{ "POST", "/admin/bom",		admin_bom_post },
	{ "GET",  "/admin/preview.js",	admin_preview_js },
	{ "GET",  "/admin/channels",	admin_channels_page },
	{ "POST", "/admin/channels",	admin_channels_post },
	{ "GET",  "/admin/channel",	admin_account_page },
	{ "POST", "/admin/channel",	admin_account_post },
	{ "GET",  "/admin/sku",		admin_history_page },
	{ "GET",  "/admin/audit",	admin_audit_page },
	{ "GET",  "/admin/audit.csv",	admin_audit_csv },
	{ "GET",  "/admin/security",	admin_security_page },
	{ "POST", "/admin/security",	admin_security_post },
	{ "GET",  "/admin/etsy/connect",	admin_etsy_connect },
	{ "GET",  "/admin/etsy/callback",	admin_etsy_callback },
	{ "GET",  "/admin/etsy/status",		admin_etsy_status },
	{ "POST", "/admin/etsy/settings",	admin_etsy_settings },
	{ "GET",  "/admin/recon",	admin_recon_list },
	{ "POST", "/admin/recon",	admin_recon_post },
	{ "GET",  "/admin/recon/",	admin_recon_run },
	{ "GET",  "/admin/mapping",	admin_mapping_page },
	{ "POST", "/admin/mapping",	admin_mapping_run },
	{ "POST", "/admin/mapping/confirm",	admin_mapping_confirm },
	{ "GET",  "/admin/",		admin_dashboard },
	{ NULL,   NULL,			NULL }
};

int
main(void)
{
	return app_main("admin", routes);
}
