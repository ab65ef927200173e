/*
 * api: handlers of the JSON API served by cgi-bin/api (health, items and
 * movements). Scripts and the CLI of other hosts use it; every /api/ call
 * needs "Authorization: Bearer <api_token>".
 *
 * Each handler answers the request itself (http_respond and friends).
 */
#ifndef STOCKHUB_API_H
#define STOCKHUB_API_H

#include "app.h"
#include "http.h"

/* GET /healthz: {"status":"ok","database":"ok","schema_version":N}, or
 * 503 with "database":"down" when the database cannot be reached. */
void	api_healthz(struct app *a, struct http_req *r);

/* POST /api/v1/items {"sku":"MUG-1","title":"Mug"}: 201, 400, 409. */
void	api_item_create(struct app *a, struct http_req *r);

/* GET /api/v1/items?sku=MUG-1: the balance, 404 when unknown. */
void	api_item_get(struct app *a, struct http_req *r);

/*
 * POST /api/v1/movements {"event_key":..,"reason":..,"lines":[{"sku":..,
 * "kind":"receive","qty":3}]}: 201 applied, 200 duplicate, 400/404/409.
 */
void	api_movement_post(struct app *a, struct http_req *r);

#endif
