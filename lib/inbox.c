/*
 * inbox: stored webhook deliveries (see inbox.h).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "db.h"
#include "err.h"
#include "inbox.h"
#include "str.h"

static int
sha256_hex(const char *body, size_t len, char out[65], struct err *e)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0;

	if (EVP_Digest(body, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return err_set(e, ERR_SYS, "sha256 failed");
	str_hex(out, md, 32);
	return 0;
}

int
inbox_store(struct db *db, int64_t account_id, const char *event_id,
    const char *topic, const char *triggered_at, const char *body,
    size_t len, int64_t *id, int *dup, struct err *e)
{
	struct db_res	*r;
	char		 hash[65], *copy;
	uint64_t	 newid = 0;
	struct err	 ie;
	int		 rc;

	*dup = 0;
	*id = 0;
	if (event_id == NULL || event_id[0] == '\0' || strlen(event_id) > 128)
		return err_set(e, ERR_INVALID, "event id: 1 to 128 bytes");
	if (topic == NULL || topic[0] == '\0' || strlen(topic) > 64)
		return err_set(e, ERR_INVALID, "topic: 1 to 64 bytes");
	if (sha256_hex(body, len, hash, e) == -1)
		return -1;
	/* the body is bound as text: it was checked as UTF-8 JSON by the
	 * signature step's caller, and a NUL inside would cut it */
	if (memchr(body, '\0', len) != NULL)
		return err_set(e, ERR_INVALID, "body holds a NUL byte");
	if ((copy = strndup(body, len)) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	err_clear(&ie);
	rc = db_exec(db, "INSERT INTO webhook_inbox (account_id, event_id, "
	    "topic, triggered_at, body_sha256, body) VALUES (?, ?, ?, "
	    "LEFT(?, 40), ?, ?)", (struct db_val[]){ DBI(account_id),
	    DBS(event_id), DBS(topic),
	    DBS(triggered_at != NULL ? triggered_at : ""), DBS(hash),
	    DBS(copy) }, 6, NULL, &newid, &ie);
	free(copy);
	if (rc == 0) {
		*id = (int64_t)newid;
		return 0;
	}
	if (ie.kind != ERR_CONFLICT) {
		if (e != NULL)
			*e = ie;
		return -1;
	}
	r = db_query(db, "SELECT id, body_sha256 FROM webhook_inbox WHERE "
	    "account_id = ? AND event_id = ?", (struct db_val[]){
	    DBI(account_id), DBS(event_id) }, 2, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 1) {
		*id = db_col_i64(r, 0);
		*dup = 1;
		if (strcmp(db_col_str(r, 1), hash) != 0)
			rc = err_set(e, ERR_CONFLICT, "event %s was delivered "
			    "before with another body; refused", event_id);
		else
			rc = 0;
	} else if (rc == 0)
		rc = err_set(e, ERR_RETRY, "event %s vanished", event_id);
	db_res_free(r);
	return rc;
}

int
inbox_lock(struct db *db, int64_t id, struct inbox_msg *m, struct err *e)
{
	struct db_res	*r;
	int		 rc;

	memset(m, 0, sizeof(*m));
	r = db_query(db, "SELECT id, account_id, event_id, topic, "
	    "triggered_at, body FROM webhook_inbox WHERE id = ? AND "
	    "state = 'new' FOR UPDATE", (struct db_val[]){ DBI(id) }, 1, e);
	if (r == NULL)
		return -1;
	if ((rc = db_next(r, e)) == 1) {
		m->id = db_col_i64(r, 0);
		m->account_id = db_col_i64(r, 1);
		(void)str_copy(m->event_id, sizeof(m->event_id),
		    db_col_str(r, 2));
		(void)str_copy(m->topic, sizeof(m->topic), db_col_str(r, 3));
		(void)str_copy(m->triggered_at, sizeof(m->triggered_at),
		    db_col_str(r, 4));
		if ((m->body = strdup(db_col_str(r, 5))) == NULL)
			rc = err_set(e, ERR_SYS, "out of memory");
		else
			m->len = strlen(m->body);
	}
	db_res_free(r);
	return rc;
}

int
inbox_mark(struct db *db, int64_t id, enum inbox_state s, const char *detail,
    struct err *e)
{
	static const char *const names[] = { "new", "applied", "ignored",
	    "failed" };

	return db_exec(db, "UPDATE webhook_inbox SET state = ?, detail = "
	    "LEFT(?, 255) WHERE id = ?", (struct db_val[]){ DBS(names[s]),
	    DBS(detail != NULL ? detail : ""), DBI(id) }, 3, NULL, NULL, e);
}

int
inbox_pending(struct db *db, int min_age_s, int64_t *ids, size_t max,
    size_t *n, struct err *e)
{
	struct db_res	*r;
	int		 rc;

	*n = 0;
	r = db_query(db, "SELECT id FROM webhook_inbox WHERE state = 'new' "
	    "AND received_at < CURRENT_TIMESTAMP(6) - INTERVAL ? SECOND "
	    "ORDER BY id LIMIT ?", (struct db_val[]){ DBI(min_age_s),
	    DBI((int64_t)max) }, 2, e);
	if (r == NULL)
		return -1;
	while ((rc = db_next(r, e)) == 1 && *n < max)
		ids[(*n)++] = db_col_i64(r, 0);
	db_res_free(r);
	return rc == -1 ? -1 : 0;
}

int
inbox_pending_type(struct db *db, const char *type, int min_age_s,
    int64_t *ids, size_t max, size_t *n, struct err *e)
{
	struct db_res	*r;
	int		 rc;

	*n = 0;
	r = db_query(db, "SELECT i.id FROM webhook_inbox i JOIN "
	    "channel_accounts a ON a.id = i.account_id WHERE i.state = 'new' "
	    "AND a.type = ? AND i.received_at < CURRENT_TIMESTAMP(6) - "
	    "INTERVAL ? SECOND ORDER BY i.id LIMIT ?", (struct db_val[]){
	    DBS(type), DBI(min_age_s), DBI((int64_t)max) }, 3, e);
	if (r == NULL)
		return -1;
	while ((rc = db_next(r, e)) == 1 && *n < max)
		ids[(*n)++] = db_col_i64(r, 0);
	db_res_free(r);
	return rc == -1 ? -1 : 0;
}

void
inbox_msg_free(struct inbox_msg *m)
{
	if (m == NULL)
		return;
	free(m->body);
	m->body = NULL;
}
