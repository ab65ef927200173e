/*
 * err: see err.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

int
err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	if (e == NULL)
		return -1;
	e->kind = kind;
	e->msg[0] = '\0';
	if (fmt == NULL)
		return -1;
	va_start(ap, fmt);
	r = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (r < 0)
		e->msg[0] = '\0';	/* a truncated message is kept */
	return -1;
}

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->kind = ERR_OK;
	e->msg[0] = '\0';
}

const char *
err_kind_name(enum err_kind kind)
{
	switch (kind) {
	case ERR_OK:		return "ok";
	case ERR_INVALID:	return "invalid";
	case ERR_NOTFOUND:	return "notfound";
	case ERR_CONFLICT:	return "conflict";
	case ERR_TOOBIG:	return "toobig";
	case ERR_AUTH:		return "auth";
	case ERR_RETRY:		return "retry";
	case ERR_DB:		return "db";
	case ERR_SYS:		return "sys";
	case ERR__MAX:		break;
	}
	return "unknown";
}

int
err_http_status(enum err_kind kind)
{
	switch (kind) {
	case ERR_OK:		return 200;
	case ERR_INVALID:	return 400;
	case ERR_NOTFOUND:	return 404;
	case ERR_CONFLICT:	return 409;
	case ERR_TOOBIG:	return 413;
	case ERR_AUTH:		return 401;
	case ERR_RETRY:		return 503;
	case ERR_DB:		return 500;
	case ERR_SYS:		return 500;
	case ERR__MAX:		break;
	}
	return 500;
}
