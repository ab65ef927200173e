/*
 * err: the one error convention of stockhub.
 *
 * Functions that can fail return 0 on success and -1 on failure, and fill a
 * caller-supplied struct err with a kind (so a caller can map it to an HTTP
 * status or an exit code) and a one-line message meant for people.
 * Messages never contain secrets: callers put names of things in them,
 * never values of credentials.
 */
#ifndef STOCKHUB_ERR_H
#define STOCKHUB_ERR_H

enum err_kind {
	ERR_OK = 0,
	ERR_INVALID,	/* the caller's input is wrong (HTTP 400) */
	ERR_NOTFOUND,	/* a named thing does not exist (HTTP 404) */
	ERR_CONFLICT,	/* state forbids it (HTTP 409) */
	ERR_TOOBIG,	/* input over a limit (HTTP 413) */
	ERR_AUTH,	/* missing or wrong credentials (HTTP 401) */
	ERR_RETRY,	/* transient: deadlock, timeout, 429 (HTTP 503) */
	ERR_DB,		/* database failure (HTTP 500/503) */
	ERR_SYS,	/* out of memory, I/O, anything else (HTTP 500) */
	ERR__MAX
};

struct err {
	enum err_kind	kind;
	char		msg[256];
};

/*
 * Record an error and return -1, so callers can write
 * "return err_set(e, ERR_INVALID, "bad sku: %s", why);".
 * e may be NULL (the error is then dropped).
 */
int	err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Reset to ERR_OK with an empty message. NULL-safe. */
void	err_clear(struct err *e);

/* A stable lower-case name for a kind ("invalid", "db", ...). */
const char *err_kind_name(enum err_kind kind);

/* The HTTP status that fits a kind (400, 404, 409, 413, 401, 503, 500). */
int	err_http_status(enum err_kind kind);

#endif
