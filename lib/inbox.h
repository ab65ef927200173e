/*
 * inbox: webhooks stored before they are acknowledged. A delivery whose
 * signature checked out is written here first (deduplicated on the
 * channel's event id), so nothing acknowledged can be lost: if applying
 * it fails, the row stays 'new' and the next timer tick applies it.
 */
#ifndef STOCKHUB_INBOX_H
#define STOCKHUB_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"

enum inbox_state {
	INBOX_NEW = 0,
	INBOX_APPLIED,
	INBOX_IGNORED,
	INBOX_FAILED
};

struct inbox_msg {
	int64_t	 id;
	int64_t	 account_id;
	char	 event_id[129];
	char	 topic[65];
	char	 triggered_at[41];
	char	*body;		/* owned; NUL-terminated */
	size_t	 len;
};

/*
 * Store a delivery. *dup is set when that event id was stored before
 * (then *id is the earlier row). The same event id with another body is
 * stored as nothing and reported ERR_CONFLICT (a replay with altered
 * content).
 */
int	inbox_store(struct db *db, int64_t account_id, const char *event_id,
	    const char *topic, const char *triggered_at, const char *body,
	    size_t len, int64_t *id, int *dup, struct err *e);

/* Inside a transaction: lock a 'new' row; 1 locked, 0 not new, -1. */
int	inbox_lock(struct db *db, int64_t id, struct inbox_msg *m,
	    struct err *e);

/* Mark a row's state with a short detail (inside the same transaction). */
int	inbox_mark(struct db *db, int64_t id, enum inbox_state s,
	    const char *detail, struct err *e);

/* Ids of up to max 'new' rows older than min_age_s, oldest first. */
int	inbox_pending(struct db *db, int min_age_s, int64_t *ids, size_t max,
	    size_t *n, struct err *e);

/* The same for one channel type's accounts ("shopify", "etsy"), so each
 * channel's applier sees only its own deliveries. */
int	inbox_pending_type(struct db *db, const char *type, int min_age_s,
	    int64_t *ids, size_t max, size_t *n, struct err *e);

/* NULL-safe. */
void	inbox_msg_free(struct inbox_msg *m);

#endif
