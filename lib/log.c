/*
 * log: see log.h. The only module here that does I/O.
 *
 * Each line is built in a bounded stack buffer and handed to stderr with a
 * single fwrite() (stderr is unbuffered, so that is one write(2)) and it is
 * shorter than PIPE_BUF, so lines from concurrent processes sharing one
 * pipe or O_APPEND file never interleave. Control characters in the
 * message (CR and LF above all) become spaces, so one event is one line
 * and a value from a client cannot forge a log line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	2048	/* < PIPE_BUF (4096 on Linux) */
#define LOG_REQID_MAX	40

static const char	*log_prog = "stockhub";
static char		 log_reqid[LOG_REQID_MAX + 1] = "-";

void
log_init(const char *progname)
{
	if (progname != NULL && progname[0] != '\0')
		log_prog = progname;
}

void
log_set_request(const char *reqid)
{
	size_t	i;

	if (reqid == NULL || reqid[0] == '\0') {
		log_reqid[0] = '-';
		log_reqid[1] = '\0';
		return;
	}
	/* the id may come from a client: keep it one printable token */
	for (i = 0; i < LOG_REQID_MAX && reqid[i] != '\0'; i++) {
		unsigned char c = (unsigned char)reqid[i];

		log_reqid[i] = (c > 0x20 && c < 0x7F) ? (char)c : '?';
	}
	log_reqid[i] = '\0';
}

const char *
log_request(void)
{
	return log_reqid;
}

static void
log_line(const char *level, const char *fmt, va_list ap)
{
	char		 line[LOG_LINE_MAX];
	char		 ts[32];
	struct tm	 tm;
	time_t		 now;
	size_t		 len, i, start;
	int		 n, saved = errno;

	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		memcpy(ts, "-", 2);
	n = snprintf(line, sizeof(line), "%s %s[%ld] req=%s %s: ", ts,
	    log_prog, (long)getpid(), log_reqid, level);
	if (n < 0)
		return;
	start = (size_t)n;
	if (start >= sizeof(line) - 2)
		start = sizeof(line) - 2;	/* absurd program name */
	len = start;
	if (fmt != NULL) {
		n = vsnprintf(line + start, sizeof(line) - 1 - start, fmt, ap);
		if (n < 0)
			n = 0;
		len = start + (size_t)n;
		if (len > sizeof(line) - 2) {
			/* truncated: mark it */
			len = sizeof(line) - 2;
			memcpy(line + len - 3, "...", 3);
		}
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c == 0x7F)
			line[i] = ' ';
	}
	line[len++] = '\n';
	line[len] = '\0';
	fwrite(line, 1, len, stderr);
	fflush(stderr);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_line("info", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_line("warn", fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_line("error", fmt, ap);
	va_end(ap);
}

int
log_err(const struct err *e)
{
	if (e == NULL)
		log_error("sys: unknown error");
	else
		log_error("%s: %s", err_kind_name(e->kind),
		    e->msg[0] != '\0' ? e->msg : "(no message)");
	return -1;
}
