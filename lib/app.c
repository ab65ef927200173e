/*
 * app: the FastCGI accept loop shared by every program (see app.h).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "http.h"
#include "log.h"

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

struct db *
app_db(struct app *a, struct http_req *r, int respond, struct err *e)
{
	struct err	 le;

	if (e == NULL)
		e = &le;
	err_clear(e);
	if (a->db == NULL)
		a->db = db_open(&a->cfg, e);
	else if (db_ping(a->db, e) == -1) {
		db_close(a->db);
		a->db = NULL;
	}
	if (a->db == NULL) {
		log_error("database unavailable: %s", e->msg);
		if (respond)
			http_error(r, 503, "database_unavailable",
			    "the database is not reachable; try again shortly");
	}
	return a->db;
}

static const struct app_route *
route_find(const struct app_route *routes, const struct http_req *r,
    int *path_known)
{
	size_t	 i, n;

	*path_known = 0;
	for (i = 0; routes[i].method != NULL; i++) {
		n = strlen(routes[i].path);
		if (n > 0 && routes[i].path[n - 1] == '/' ?
		    strncmp(r->path, routes[i].path, n) != 0 :
		    strcmp(r->path, routes[i].path) != 0)
			continue;
		*path_known = 1;
		if (http_is(r, routes[i].method))
			return &routes[i];
	}
	return NULL;
}

int
app_main(const char *prog, const struct app_route *routes)
{
	struct app		 a;
	struct err		 e;
	struct http_req		 r;
	FCGX_Request		 fcgi;
	const struct app_route	*rt;
	struct sigaction	 sa;
	struct pollfd		 pfd;
	int			 known;

	const char		*logfile;

	/* spawn-fcgi points stderr at /dev/null; the log file comes back
	 * through the environment (append mode: one line, one write) */
	if ((logfile = getenv("STOCKHUB_LOG_FILE")) != NULL &&
	    freopen(logfile, "a", stderr) == NULL)
		return 1;
	log_init(prog);
	memset(&a, 0, sizeof(a));
	a.prog = prog;
	if (config_load(&a.cfg, NULL, &e) == -1) {
		log_error("config: %s", e.msg);
		return 1;
	}
	/* a database that is down now is retried per request: /healthz must
	 * be able to say so */
	if ((a.db = db_open(&a.cfg, &e)) == NULL)
		log_warn("database unavailable at start: %s", e.msg);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (FCGX_Init() != 0 || FCGX_InitRequest(&fcgi, 0, 0) != 0) {
		log_error("FastCGI initialisation failed");
		db_close(a.db);
		return 1;
	}
	log_info("ready");
	while (!stopping) {
		/* wait in poll, not in accept: a SIGTERM interrupts poll,
		 * while libfcgi would restart an interrupted accept */
		pfd.fd = 0;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, -1) == -1)
			continue;
		if (FCGX_Accept_r(&fcgi) < 0)
			break;
		err_clear(&e);
		if (http_req_read(&r, &fcgi, (size_t)a.cfg.body_max, &e) == -1)
			http_error_err(&r, &e);
		else if ((rt = route_find(routes, &r, &known)) != NULL)
			rt->fn(&a, &r);
		else if (known)
			http_error(&r, 405, "method_not_allowed",
			    "this path does not take that method");
		else
			http_error(&r, 404, "not_found", "no such path");
		if (!r.responded)
			http_error(&r, 500, "internal",
			    "the request was not answered");
		http_finish(&r);
		http_req_free(&r);
	}
	log_info("stopping");
	db_close(a.db);
	return 0;
}
