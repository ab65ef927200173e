/*
 * log: one line per event on stderr (nginx and spawn-fcgi collect it into
 * the log files), in the form
 *   2026-11-28T11:10:46Z api[1234] req=3f2a... level: message
 * Every line carries the request id of the request being served, so an
 * operator can match a client's error to the log.
 *
 * Never pass secrets (tokens, passwords, signatures) to these functions.
 */
#ifndef STOCKHUB_LOG_H
#define STOCKHUB_LOG_H

#include "err.h"

/* Name the program (e.g. "api"); call once at start. Keeps the pointer. */
void	log_init(const char *progname);

/*
 * Set the request id for the lines that follow ("-" when none). The id is
 * copied; at most 40 characters are kept.
 */
void	log_set_request(const char *reqid);

/* The current request id ("-" when none). Borrowed. */
const char *log_request(void);

void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Log an error with its kind ("error: db: ...") and return -1. */
int	log_err(const struct err *e);

#endif
