/*
 * alert: alerts for people (see alert.h).
 */
#include <string.h>

#include "alert.h"
#include "db.h"
#include "err.h"
#include "log.h"

int
alert_raise(struct db *db, const char *kind, const char *dedupe_key,
    int64_t account_id, int64_t item_id, const char *message,
    const char *details, struct err *e)
{
	if (kind == NULL || dedupe_key == NULL || message == NULL)
		return err_set(e, ERR_INVALID, "alert needs kind, key, message");
	log_warn("alert %s: %s", kind, message);
	return db_exec(db, "INSERT INTO alerts (kind, dedupe_key, account_id, "
	    "item_id, message, details) VALUES (?, LEFT(?, 191), ?, ?, "
	    "LEFT(?, 255), ?) ON DUPLICATE KEY UPDATE "
	    "occurrences = occurrences + 1, last_at = CURRENT_TIMESTAMP(6), "
	    "resolved_at = NULL, message = VALUES(message), "
	    "details = VALUES(details)", (struct db_val[]){ DBS(kind),
	    DBS(dedupe_key), account_id > 0 ? DBI(account_id) : DBN,
	    item_id > 0 ? DBI(item_id) : DBN, DBS(message),
	    DBS(details != NULL ? details : "") }, 6, NULL, NULL, e);
}

int
alert_count_open(struct db *db, const char *kind, int64_t *n, struct err *e)
{
	*n = 0;
	return db_query_i64(db, "SELECT COUNT(*) FROM alerts WHERE "
	    "resolved_at IS NULL AND (? IS NULL OR kind = ?)",
	    (struct db_val[]){ DBS(kind), DBS(kind) }, 2, n, e) == -1 ? -1 : 0;
}
