/*
 * api: the JSON API handlers (see api.h).
 */
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "app.h"
#include "db.h"
#include "err.h"
#include "http.h"
#include "ledger.h"
#include "log.h"
#include "migrate.h"
#include "push.h"
#include "stock.h"

void
api_healthz(struct app *a, struct http_req *r)
{
	struct err	 e;
	struct db	*db;
	int64_t		 version = 0;
	json_t		*j;

	if ((db = app_db(a, r, 0, &e)) == NULL ||
	    migrate_current(db, &version, &e) == -1) {
		j = json_pack("{s:s, s:s, s:s}", "status", "error",
		    "database", "down", "request_id", r->reqid);
		if (j != NULL)
			http_json(r, 503, j);
		json_decref(j);
		return;
	}
	j = json_pack("{s:s, s:s, s:I}", "status", "ok", "database", "ok",
	    "schema_version", (json_int_t)version);
	if (j != NULL)
		http_json(r, 200, j);
	json_decref(j);
}

/* 1 when the request carries the API token; otherwise answers 401. */
static int
authorized(struct app *a, struct http_req *r)
{
	if (http_bearer_ok(r, a->cfg.api_token))
		return 1;
	http_error(r, 401, "unauthorized",
	    "send Authorization: Bearer <api_token>");
	return 0;
}

static json_t *
item_json(const struct ledger_item *it)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "sku", it->sku,
	    "title", it->title, "on_hand", (json_int_t)it->on_hand,
	    "committed", (json_int_t)it->committed,
	    "available", (json_int_t)it->available,
	    "version", (json_int_t)it->version);
}

static void
reply_item(struct http_req *r, int status, const struct ledger_item *it)
{
	json_t	*j = json_pack("{s:o}", "item", item_json(it));

	if (j == NULL)
		http_error(r, 500, "internal", "out of memory");
	else
		http_json(r, status, j);
	json_decref(j);
}

void
api_item_create(struct app *a, struct http_req *r)
{
	struct err		 e;
	struct ledger_item	 it;
	struct db		*db;
	json_error_t		 je;
	json_t			*body = NULL;
	const char		*sku = NULL, *title = "";

	err_clear(&e);
	if (!authorized(a, r))
		return;
	if ((body = http_body_json(r, &e)) == NULL)
		goto fail;
	if (json_unpack_ex(body, &je, JSON_STRICT, "{s:s, s?:s}", "sku", &sku,
	    "title", &title) == -1) {
		err_set(&e, ERR_INVALID, "%s", je.text);
		goto fail;
	}
	if ((db = app_db(a, r, 1, NULL)) == NULL)
		goto out;
	if (ledger_item_create(db, sku, title, NULL, &e) == -1 ||
	    ledger_item_get(db, sku, &it, &e) == -1)
		goto fail;
	log_info("item created: %s", sku);
	reply_item(r, 201, &it);
	goto out;
fail:
	http_error_err(r, &e);
out:
	json_decref(body);
}

void
api_item_get(struct app *a, struct http_req *r)
{
	struct err		 e;
	struct ledger_item	 it;
	struct db		*db;
	const char		*sku;

	err_clear(&e);
	if (!authorized(a, r))
		return;
	if ((sku = form_get(&r->query, "sku")) == NULL) {
		http_error(r, 400, "invalid", "the query needs ?sku=");
		return;
	}
	if ((db = app_db(a, r, 1, NULL)) == NULL)
		return;
	if (ledger_item_get(db, sku, &it, &e) == -1)
		http_error_err(r, &e);
	else
		reply_item(r, 200, &it);
}

void
api_movement_post(struct app *a, struct http_req *r)
{
	struct err		 e;
	struct ledger_event	 ev;
	struct ledger_result	 res;
	struct ledger_line	 lines[LEDGER_LINES_MAX];
	struct db		*db;
	json_error_t		 je;
	json_t			*body = NULL, *jl = NULL, *out = NULL, *line;
	const char		*kind;
	json_int_t		 qty;
	size_t			 i;

	err_clear(&e);
	memset(&ev, 0, sizeof(ev));
	if (!authorized(a, r))
		return;
	if ((body = http_body_json(r, &e)) == NULL)
		goto fail;
	if (json_unpack_ex(body, &je, JSON_STRICT, "{s:s, s:s, s:o}",
	    "event_key", &ev.key, "reason", &ev.reason, "lines", &jl) == -1) {
		err_set(&e, ERR_INVALID, "%s", je.text);
		goto fail;
	}
	if (!json_is_array(jl) || json_array_size(jl) == 0 ||
	    json_array_size(jl) > LEDGER_LINES_MAX) {
		err_set(&e, ERR_INVALID, "lines must be an array of 1 to %d "
		    "movements", LEDGER_LINES_MAX);
		goto fail;
	}
	json_array_foreach(jl, i, line) {
		if (json_unpack_ex(line, &je, JSON_STRICT, "{s:s, s:s, s:I}",
		    "sku", &lines[i].sku, "kind", &kind, "qty", &qty) == -1) {
			err_set(&e, ERR_INVALID, "lines[%zu]: %s", i, je.text);
			goto fail;
		}
		if (stock_kind_parse(kind, &lines[i].kind) == -1) {
			err_set(&e, ERR_INVALID, "lines[%zu]: unknown kind "
			    "'%.40s'", i, kind);
			goto fail;
		}
		lines[i].qty = (int64_t)qty;
	}
	ev.source = "api";
	ev.lines = lines;
	ev.nlines = json_array_size(jl);

	if ((db = app_db(a, r, 1, NULL)) == NULL)
		goto out;
	if (ledger_post(db, &ev, push_touch, NULL, &res, &e) == -1)
		goto fail;
	log_info("event %s: %s (%zu line(s), oversold %lld)", ev.key,
	    res.duplicate ? "duplicate" : "applied", ev.nlines,
	    (long long)res.oversold);
	out = json_pack("{s:s, s:I, s:I}", "status",
	    res.duplicate ? "duplicate" : "applied",
	    "event_id", (json_int_t)res.event_id,
	    "oversold", (json_int_t)res.oversold);
	if (out == NULL) {
		err_set(&e, ERR_SYS, "out of memory");
		goto fail;
	}
	http_json(r, res.duplicate ? 200 : 201, out);
	goto out;
fail:
	http_error_err(r, &e);
out:
	json_decref(out);
	json_decref(body);
}
