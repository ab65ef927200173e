/*
 * app: the frame every FastCGI program runs in. A program is a table of
 * routes and one call to app_main(), which loads the config (a bad one
 * stops the program with one line naming the key), connects to the
 * database, accepts requests, reads each with the body limit, answers
 * 400/413/404/405 itself, and calls the route's handler.
 *
 * The database connection is checked before each handler that asks for it
 * (app_db()), and reopened when it was lost, so a restarted MariaDB
 * needs no restart of the programs.
 */
#ifndef STOCKHUB_APP_H
#define STOCKHUB_APP_H

#include "config.h"
#include "db.h"
#include "http.h"

struct app {
	struct config	 cfg;
	struct db	*db;	/* NULL while the database is down */
	const char	*prog;
};

typedef void (*app_handler)(struct app *, struct http_req *);

struct app_route {
	const char	*method;	/* "GET", "POST" */
	const char	*path;		/* exact, or a prefix ending in '/' */
	app_handler	 fn;
};

/*
 * Serve requests until the FastCGI socket closes or a signal stops the
 * program. routes ends with a NULL method. Returns the exit status.
 */
int	app_main(const char *prog, const struct app_route *routes);

/*
 * The database handle for this request, reconnecting if needed; NULL after
 * answering 503 (the caller just returns). With respond 0 nothing is
 * answered (the caller reports the outage itself) and e says why.
 */
struct db *app_db(struct app *a, struct http_req *r, int respond,
	    struct err *e);

#endif
