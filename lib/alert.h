/*
 * alert: things a person must look at (an unmapped sale, a push that
 * failed for good, a revoked token, a discrepancy). One open alert per
 * dedupe key: raising it again counts an occurrence and reopens it.
 */
#ifndef STOCKHUB_ALERT_H
#define STOCKHUB_ALERT_H

#include <stdint.h>

#include "db.h"
#include "err.h"

/*
 * Raise or re-raise an alert. account_id and item_id may be 0 (none).
 * details is free text for the admin page (may be NULL). The message and
 * details must not hold secrets.
 */
int	alert_raise(struct db *db, const char *kind, const char *dedupe_key,
	    int64_t account_id, int64_t item_id, const char *message,
	    const char *details, struct err *e);

/* How many open alerts of a kind there are (kind NULL: all). */
int	alert_count_open(struct db *db, const char *kind, int64_t *n,
	    struct err *e);

#endif
