/*
 * emu: the frame shared by the sandbox marketplaces (sandbox/etsy.c,
 * sandbox/shopify.c, later eBay and Amazon). It is plumbing only: the
 * FastCGI loop, routing with {id} path patterns, JSON replies, a virtual
 * clock, a seeded random source, fault injection, a request log, and an
 * outbox that delivers webhooks with retries. It never builds or parses a
 * marketplace's own requests or payloads: that is each channel file's
 * job, written from the channel's documentation and independent of the
 * hub's adapters, so a mistake in one is caught by the other.
 *
 * State lives in memory in one process (spawn-fcgi -F 1), so a sandbox is
 * deterministic: the same seed and the same calls give the same answers.
 *
 * Control API (not part of any marketplace; under /_sandbox/ on every
 * sandbox):
 *   POST   /_sandbox/reset            forget everything (channel reset too)
 *   GET    /_sandbox/faults           the fault plan in force
 *   POST   /_sandbox/faults           set it (JSON, see emu_faults_set)
 *   DELETE /_sandbox/faults           no faults
 *   POST   /_sandbox/clock            {"advance_s":N} or {"now":EPOCH}
 *   GET    /_sandbox/requests         the request log and counts per route
 *   GET    /_sandbox/webhooks         every delivery attempt so far
 *   POST   /_sandbox/webhooks/flush   deliver everything due (and held) now
 * Channel files add their own /_sandbox/ routes to their table.
 *
 * Ownership: everything the frame returns is borrowed unless a comment
 * says otherwise; json_t arguments are borrowed (not stolen).
 */
#ifndef STOCKHUB_EMU_H
#define STOCKHUB_EMU_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "http.h"

#define EMU_IDS_MAX	4

struct emu_req {
	struct http_req	*http;
	/* the {} segments of the route pattern, in order, as written */
	char		 ids[EMU_IDS_MAX][64];
	size_t		 nids;
	const char	*route;		/* the pattern that matched */
};

typedef void (*emu_handler)(struct emu_req *);

struct emu_route {
	const char	*method;
	/* exact path, with {} for one path segment: "/v3/application/
	 * listings/{}/inventory" */
	const char	*pattern;
	emu_handler	 fn;
	/* 1 for marketplace API routes: faults apply and calls are logged
	 * and counted; 0 for /_sandbox/ control routes */
	int		 api;
};

struct emu_channel {
	const char		*name;		/* "etsy", "shopify" */
	const struct emu_route	*routes;	/* ends with method NULL */
	/* forget all channel state; called at start and on reset */
	void			(*reset)(void);
	/*
	 * Optional: called before every API route, after faults; answer
	 * the request (and return 1) to stop it, e.g. for a rate limit.
	 */
	int			(*before)(struct emu_req *);
};

/* Serve until the socket closes. Returns the exit status. */
int	emu_main(const struct emu_channel *ch);

/* --- time and chance --------------------------------------------------- */

/* Seconds since the epoch on the sandbox clock (real time + offset). */
int64_t	emu_now(void);
/* The same in milliseconds, for rolling windows. */
int64_t	emu_now_ms(void);

/* The next number of the seeded generator, uniform in [0, 1). */
double	emu_rand(void);
/* A uniform integer in [0, n). */
uint64_t emu_rand_below(uint64_t n);

/* --- replies ------------------------------------------------------------ */

/*
 * Reply with a JSON value. All JSON replies go through here, so the
 * truncate and malformed faults can spoil them. extra may be NULL.
 */
void	emu_reply(struct emu_req *r, int status, const json_t *v,
	    const struct http_header *extra);

/* The same, taking the reference v (NULL answers 500). */
void	emu_reply_new(struct emu_req *r, int status, json_t *v,
	    const struct http_header *extra);

/* Reply with any content type (HTML pages, redirects). */
void	emu_reply_raw(struct emu_req *r, int status, const char *ctype,
	    const struct http_header *extra, const void *body, size_t len);

/* Reply {"error": msg} (Etsy's shape), status given. */
void	emu_reply_error(struct emu_req *r, int status, const char *msg);

/* Parse the request body as JSON (any content type); NULL if not JSON. */
json_t	*emu_body_json(struct emu_req *r);

/* --- faults --------------------------------------------------------------

 * A fault plan, set with POST /_sandbox/faults:
 * {
 *   "seed": 42,                       reseeds emu_rand (optional)
 *   "rules": [                         checked in order on API routes
 *     { "path": "/v3/application/shops/",   prefix of the path ("" = all)
 *       "method": "GET",                     optional
 *       "kind": "429" | "5xx" | "hang" | "reset" | "truncate" |
 *               "malformed" | "slow",
 *       "rate": 0.2,                  chance per call (default 1)
 *       "times": 3,                   at most this many times (default ∞)
 *       "status": 503,                for 5xx (default 500)
 *       "retry_after": 2,             seconds, for 429 (default 1)
 *       "delay_ms": 40000 }           for hang and slow
 *   ],
 *   "visibility_delay_s": 30,         new records appear this much later
 *   "webhooks": { "drop_rate": 0.1, "duplicate_rate": 0.1,
 *                 "delay_s": 5, "hold": false, "reorder": false,
 *                 "retry_base_s": 1, "max_attempts": 8 }
 * }
 * "hold" keeps every webhook until /_sandbox/webhooks/flush; "reorder"
 * delivers a flush's batch last-first.
 */

/* Seconds new records stay invisible (0 when no delay is set). */
int64_t	emu_visibility_delay(void);

/* --- webhooks ----------------------------------------------------------- */

/*
 * Queue one webhook delivery: POST body to url with the headers (the
 * channel signs it and sets its own headers). Copies everything.
 * Delivered after the current request is answered, retried on a non-2xx
 * answer or no answer within 5 s with exponential backoff, subject to the
 * webhook faults. Returns 0 or -1 (out of memory, queue full).
 */
int	emu_webhook_queue(const char *url, const struct http_header *headers,
	    const char *body, size_t len);

#endif
