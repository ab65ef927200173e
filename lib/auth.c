/*
 * auth: passwords, sessions, CSRF tokens and the sign-in throttle (see
 * auth.h). Secrets (passwords, session ids, tokens) are wiped after use
 * where this module owns them, and never logged.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "auth.h"
#include "crypt.h"
#include "db.h"
#include "err.h"
#include "log.h"
#include "str.h"
#include "totp.h"

#define SALT_BYTES	16
#define HASH_BYTES	32

/* ---- pure ---- */

static int
cookie_value_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if (!isalnum((unsigned char)*v) && *v != '_' && *v != '-')
			return 0;
	return 1;
}

int
auth_cookie(char *out, size_t outsz, const char *name, const char *value,
    int secure, int64_t max_age)
{
	if (out == NULL || outsz == 0 || name == NULL || value == NULL ||
	    !cookie_value_ok(name) || !cookie_value_ok(value) || max_age < 0)
		return -1;
	return str_fmt(out, outsz, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; "
	    "SameSite=Strict%s", name, value, (long long)max_age,
	    secure ? "; Secure" : "");
}

int
auth_cookie_secure(int https, const char *host)
{
	static const char *const loop[] = { "localhost", "127.0.0.1",
	    "[::1]", NULL };
	size_t	 i, n;

	if (https)
		return 1;
	if (host == NULL)
		return 0;
	for (i = 0; loop[i] != NULL; i++) {
		n = strlen(loop[i]);
		if (strncasecmp(host, loop[i], n) == 0 &&
		    (host[n] == '\0' || host[n] == ':'))
			return 1;
	}
	return 0;
}

int
auth_session_live(int64_t created, int64_t last_seen, int64_t now)
{
	if (now < created || now < last_seen || last_seen < created)
		return 0;
	return now - last_seen < AUTH_IDLE_S &&
	    now - created < AUTH_ABSOLUTE_S;
}

int
auth_token_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL || a[0] == '\0' || b[0] == '\0')
		return 0;
	return str_ct_equal(a, strlen(a), b, strlen(b));
}

int
auth_token_wellformed(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return 0;
	for (i = 0; i < AUTH_TOKEN_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[AUTH_TOKEN_HEX] == '\0';
}

int
auth_origin_ok(const char *origin, const char *fetch_site,
    const char *scheme, const char *host)
{
	size_t	 sl, hl;

	if (fetch_site != NULL && strcmp(fetch_site, "same-origin") != 0 &&
	    strcmp(fetch_site, "none") != 0)
		return 0;
	if (origin == NULL)
		return 1;
	if (scheme == NULL || host == NULL || host[0] == '\0')
		return 0;
	/* origin must be exactly scheme "://" host */
	sl = strlen(scheme);
	hl = strlen(host);
	return strlen(origin) == sl + 3 + hl &&
	    strncmp(origin, scheme, sl) == 0 &&
	    strncmp(origin + sl, "://", 3) == 0 &&
	    strcmp(origin + sl + 3, host) == 0;
}

int
auth_name_check(const char *name, struct err *e)
{
	size_t	 i, n;

	if (name == NULL || (n = strlen(name)) == 0)
		return err_set(e, ERR_INVALID, "the user name is empty");
	if (n > AUTH_NAME_MAX)
		return err_set(e, ERR_INVALID, "the user name is longer than "
		    "%d characters", AUTH_NAME_MAX);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '.' &&
		    name[i] != '_' && name[i] != '@' && name[i] != '-')
			return err_set(e, ERR_INVALID, "a user name may hold "
			    "only letters, digits and . _ @ -");
	return 0;
}

int
auth_password_check(const char *pw, struct err *e)
{
	size_t	 n = pw != NULL ? strlen(pw) : 0;

	if (n < AUTH_PW_MIN)
		return err_set(e, ERR_INVALID, "the password must have at "
		    "least %d characters", AUTH_PW_MIN);
	if (n > AUTH_PW_MAX)
		return err_set(e, ERR_INVALID, "the password must have at "
		    "most %d characters", AUTH_PW_MAX);
	return 0;
}

void
auth_sha256_hex(char out[65], const char *s)
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)s, strlen(s), md);
	str_hex(out, md, sizeof(md));
}

/* ---- Argon2id ---- */

int
auth_hash_password(const char *pw, char *out, size_t outsz, struct err *e)
{
	unsigned char	 salt[SALT_BYTES];
	int		 rc;

	if (auth_password_check(pw, e) == -1)
		return -1;
	if (argon2_encodedlen(AUTH_ARGON2_T, AUTH_ARGON2_M_KIB, AUTH_ARGON2_P,
	    SALT_BYTES, HASH_BYTES, Argon2_id) > outsz)
		return err_set(e, ERR_SYS, "hash buffer too small");
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return err_set(e, ERR_SYS, "no randomness for the salt");
	rc = argon2id_hash_encoded(AUTH_ARGON2_T, AUTH_ARGON2_M_KIB,
	    AUTH_ARGON2_P, pw, strlen(pw), salt, sizeof(salt), HASH_BYTES,
	    out, outsz);
	if (rc != ARGON2_OK)
		return err_set(e, ERR_SYS, "argon2id: %s",
		    argon2_error_message(rc));
	return 0;
}

int
auth_verify_password(const char *encoded, const char *pw)
{
	if (encoded == NULL || pw == NULL ||
	    strncmp(encoded, "$argon2id$", 10) != 0)
		return 0;
	return argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK;
}

int
auth_random_token(char out[AUTH_TOKEN_HEX + 1])
{
	unsigned char	 rnd[AUTH_TOKEN_BYTES];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		out[0] = '\0';
		return -1;
	}
	str_hex(out, rnd, sizeof(rnd));
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return 0;
}

/* ---- database ---- */

int
auth_user_add(struct db *db, const char *name, const char *pw, int64_t *id,
    struct err *e)
{
	char		 hash[AUTH_HASH_MAX];
	uint64_t	 newid = 0;
	int		 rc = -1;
	struct db_val	 args[2];

	if (auth_name_check(name, e) == -1 ||
	    auth_hash_password(pw, hash, sizeof(hash), e) == -1)
		goto out;
	args[0] = DBS(name);
	args[1] = DBS(hash);
	if (db_exec(db, "INSERT INTO admin_users (name, pw_hash) "
	    "VALUES (?, ?)", args, DB_NARGS(args), NULL, &newid, e) == -1) {
		if (e != NULL && e->kind == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "a user named '%s' exists "
			    "already", name);
		goto out;
	}
	if (id != NULL)
		*id = (int64_t)newid;
	rc = 0;
out:
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

/* The hash an unknown name is checked against, so it takes as long. */
static const char *
dummy_hash(void)
{
	static char	 h[AUTH_HASH_MAX];

	if (h[0] == '\0' &&
	    auth_hash_password("not-a-password-of-anyone", h, sizeof(h),
	    NULL) == -1)
		h[0] = '\0';
	return h;
}

static int
record_attempt(struct db *db, const char *name, const char *addr,
    const char *outcome, int64_t now, struct err *e)
{
	struct db_val	 args[] = { DBS(name), DBS(addr), DBS(outcome),
	    DBI(now) };

	return db_exec(db, "INSERT INTO admin_login_attempts (user_name, "
	    "addr, outcome, at) VALUES (?, ?, ?, ?)", args, DB_NARGS(args),
	    NULL, NULL, e);
}

/* 1 when the throttle refuses this name or address now, 0 if not. */
static int
throttled(struct db *db, const char *name, const char *addr, int64_t now,
    const struct auth_limits *lim, struct err *e)
{
	int64_t		 n = 0, since = now - lim->window_s;
	struct db_val	 a1[] = { DBS(name), DBI(since), DBS(name) };
	struct db_val	 a2[] = { DBS(addr), DBI(since) };

	/* per account: failures in the window since its last success */
	if (name[0] != '\0') {
		if (db_query_i64(db, "SELECT COUNT(*) FROM admin_login_attempts "
		    "WHERE user_name = ? AND outcome = 'bad' AND at > ? AND "
		    "id > COALESCE((SELECT MAX(id) FROM admin_login_attempts "
		    "WHERE user_name = ? AND outcome = 'ok'), 0)", a1,
		    DB_NARGS(a1), &n, e) == -1)
			return -1;
		if (n >= lim->per_account)
			return 1;
	}
	/* per address: every failure in the window counts */
	if (db_query_i64(db, "SELECT COUNT(*) FROM admin_login_attempts "
	    "WHERE addr = ? AND outcome = 'bad' AND at > ?", a2, DB_NARGS(a2),
	    &n, e) == -1)
		return -1;
	return n >= lim->per_addr;
}

static int
session_create(struct db *db, int64_t user_id, int64_t now,
    char sid_out[AUTH_TOKEN_HEX + 1], struct err *e)
{
	char		 idh[65], csrf[AUTH_TOKEN_HEX + 1];
	struct db_val	 args[5];
	int		 rc = -1;

	if (auth_random_token(sid_out) == -1 ||
	    auth_random_token(csrf) == -1) {
		err_set(e, ERR_SYS, "no randomness for the session");
		goto out;
	}
	auth_sha256_hex(idh, sid_out);
	args[0] = DBS(idh);
	args[1] = DBI(user_id);
	args[2] = DBS(csrf);
	args[3] = DBI(now);
	args[4] = DBI(now);
	rc = db_exec(db, "INSERT INTO admin_sessions (id_hash, user_id, csrf, "
	    "created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)", args,
	    DB_NARGS(args), NULL, NULL, e);
out:
	OPENSSL_cleanse(csrf, sizeof(csrf));
	if (rc == -1)
		OPENSSL_cleanse(sid_out, AUTH_TOKEN_HEX + 1);
	return rc;
}

/* A pending second-factor sign-in for uid; its token to tok_out. */
static int
mfa_pending_create(struct db *db, int64_t uid, int64_t now,
    char tok_out[AUTH_TOKEN_HEX + 1], struct err *e)
{
	char		 idh[65];
	struct db_val	 del = DBI(now);

	if (db_exec(db, "DELETE FROM admin_mfa_pending WHERE expires_at < ?",
	    &del, 1, NULL, NULL, e) == -1)
		return -1;
	if (auth_random_token(tok_out) == -1)
		return err_set(e, ERR_SYS, "no randomness for the sign-in");
	auth_sha256_hex(idh, tok_out);
	if (db_exec(db, "INSERT INTO admin_mfa_pending (id_hash, user_id, "
	    "expires_at) VALUES (?, ?, ?)", (struct db_val[]){ DBS(idh),
	    DBI(uid), DBI(now + AUTH_MFA_TTL_S) }, 3, NULL, NULL, e) == -1) {
		OPENSSL_cleanse(tok_out, AUTH_TOKEN_HEX + 1);
		return -1;
	}
	return 0;
}

int
auth_login(struct db *db, const char *name, const char *pw, const char *addr,
    int64_t now, const struct auth_limits *lim, const char *old_sid,
    char sid_out[AUTH_TOKEN_HEX + 1], enum auth_login_result *res,
    struct err *e)
{
	static const struct auth_limits dflt = { AUTH_FAIL_WINDOW_S,
	    AUTH_FAIL_ACCOUNT, AUTH_FAIL_ADDR };
	struct db_res	*q = NULL;
	struct db_val	 arg;
	const char	*rname, *hash = NULL;
	char		 addrbuf[65];
	int64_t		 uid = 0;
	int		 t, found, good, disabled = 0, totp = 0, rc = -1;

	*res = AUTH_LOGIN_BAD;
	sid_out[0] = '\0';
	if (lim == NULL)
		lim = &dflt;
	/* an impossible name is recorded as no name: it is still a
	 * failure from that address */
	rname = auth_name_check(name, NULL) == 0 ? name : "";
	(void)str_copy(addrbuf, sizeof(addrbuf), addr != NULL ? addr : "");
	if ((t = throttled(db, rname, addrbuf, now, lim, e)) == -1)
		goto out;
	if (t) {
		*res = AUTH_LOGIN_THROTTLED;
		log_warn("auth: sign-in from %s refused by the throttle",
		    addrbuf);
		rc = record_attempt(db, rname, addrbuf, "throttled", now, e);
		goto out;
	}
	arg = DBS(rname);
	if ((q = db_query(db, "SELECT id, pw_hash, disabled, "
	    "totp_secret IS NOT NULL FROM admin_users WHERE name = ?", &arg, 1,
	    e)) == NULL || (found = db_next(q, e)) == -1)
		goto out;
	if (found) {
		uid = db_col_i64(q, 0);
		hash = db_col_str(q, 1);
		disabled = db_col_i64(q, 2) != 0;
		totp = db_col_i64(q, 3) != 0;
	}
	/* always one Argon2id verification, found or not */
	good = auth_verify_password(found ? hash : dummy_hash(),
	    pw != NULL ? pw : "") && found && !disabled;
	/* with a second factor, a right password is not a success yet:
	 * it must not reset the per-account count of failures */
	if (record_attempt(db, rname, addrbuf, good ? (totp ? "pw_ok" :
	    "ok") : "bad", now, e) == -1)
		goto out;
	if (!good) {
		/* a name that is not a user may be a mistyped password:
		 * it is not logged */
		log_warn("auth: failed sign-in for '%s' from %s",
		    found ? rname : "(no such user)", addrbuf);
		rc = 0;
		goto out;
	}
	if (totp) {
		if (mfa_pending_create(db, uid, now, sid_out, e) == -1)
			goto out;
		log_info("auth: '%s' gave the right password from %s; "
		    "waiting for the code", rname, addrbuf);
		*res = AUTH_LOGIN_TOTP;
		rc = 0;
		goto out;
	}
	if (old_sid != NULL && old_sid[0] != '\0' &&
	    auth_logout(db, old_sid, e) == -1)
		goto out;
	if (session_create(db, uid, now, sid_out, e) == -1)
		goto out;
	log_info("auth: '%s' signed in from %s", rname, addrbuf);
	*res = AUTH_LOGIN_OK;
	rc = 0;
out:
	db_res_free(q);
	return rc;
}

int
auth_session_get(struct db *db, const char *sid, int64_t now,
    struct auth_session *s, struct err *e)
{
	struct db_res	*q = NULL;
	struct db_val	 arg, up[2];
	char		 idh[65];
	int		 got, live, rc = -1;

	memset(s, 0, sizeof(*s));
	if (!auth_token_wellformed(sid))
		return 0;
	auth_sha256_hex(idh, sid);
	arg = DBS(idh);
	if ((q = db_query(db, "SELECT s.user_id, u.name, s.csrf, "
	    "s.created_at, s.last_seen_at, u.disabled FROM admin_sessions s "
	    "JOIN admin_users u ON u.id = s.user_id WHERE s.id_hash = ?",
	    &arg, 1, e)) == NULL || (got = db_next(q, e)) == -1)
		goto out;
	if (!got) {
		rc = 0;
		goto out;
	}
	s->user_id = db_col_i64(q, 0);
	(void)str_copy(s->user, sizeof(s->user), db_col_str(q, 1));
	(void)str_copy(s->csrf, sizeof(s->csrf), db_col_str(q, 2));
	s->created_at = db_col_i64(q, 3);
	s->last_seen_at = db_col_i64(q, 4);
	live = auth_session_live(s->created_at, s->last_seen_at, now) &&
	    db_col_i64(q, 5) == 0;
	if (!live) {
		memset(s, 0, sizeof(*s));
		rc = db_exec(db, "DELETE FROM admin_sessions WHERE id_hash = ?",
		    &arg, 1, NULL, NULL, e) == -1 ? -1 : 0;
		goto out;
	}
	up[0] = DBI(now);
	up[1] = DBS(idh);
	if (db_exec(db, "UPDATE admin_sessions SET last_seen_at = ? "
	    "WHERE id_hash = ?", up, DB_NARGS(up), NULL, NULL, e) == -1)
		goto out;
	s->last_seen_at = now;
	rc = 1;
out:
	db_res_free(q);
	return rc;
}

int
auth_logout(struct db *db, const char *sid, struct err *e)
{
	char		 idh[65];
	struct db_val	 arg;

	if (!auth_token_wellformed(sid))
		return 0;
	auth_sha256_hex(idh, sid);
	arg = DBS(idh);
	return db_exec(db, "DELETE FROM admin_sessions WHERE id_hash = ?",
	    &arg, 1, NULL, NULL, e);
}

/* ---- TOTP second factor ---- */

int
auth_totp_enable(struct db *db, const unsigned char key[32],
    const char *name, char *uri, size_t urisz, struct err *e)
{
	unsigned char	 secret[TOTP_SECRET_LEN], *blob = NULL;
	char		 b32[TOTP_B32_MAX], *hex = NULL;
	size_t		 blen = 0;
	uint64_t	 affected = 0;
	int		 rc = -1;

	if (auth_name_check(name, e) == -1)
		return -1;
	if (totp_secret_new(secret) == -1) {
		err_set(e, ERR_SYS, "no randomness for the TOTP secret");
		goto out;
	}
	if (totp_b32_encode(b32, sizeof(b32), secret, sizeof(secret)) == -1 ||
	    totp_uri(uri, urisz, AUTH_TOTP_ISSUER, name, b32) == -1) {
		err_set(e, ERR_SYS, "the TOTP URI does not fit");
		goto out;
	}
	/* the sealed form of the base32 text: what an app was given */
	if (crypt_seal(key, b32, strlen(b32), &blob, &blen, e) == -1)
		goto out;
	if ((hex = malloc(blen * 2 + 1)) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	str_hex(hex, blob, blen);
	if (db_exec(db, "UPDATE admin_users SET totp_secret = UNHEX(?), "
	    "totp_last_step = 0 WHERE name = ?", (struct db_val[]){ DBS(hex),
	    DBS(name) }, 2, &affected, NULL, e) == -1)
		goto out;
	if (affected == 0) {
		err_set(e, ERR_NOTFOUND, "no user named '%s'", name);
		goto out;
	}
	log_info("auth: '%s' has a new TOTP secret", name);
	rc = 0;
out:
	if (rc == -1 && uri != NULL && urisz > 0)
		OPENSSL_cleanse(uri, urisz);
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(b32, sizeof(b32));
	free(hex);
	free(blob);
	return rc;
}

int
auth_totp_set(struct db *db, const unsigned char key[32], const char *name,
    const char *b32, int64_t last_step, struct err *e)
{
	unsigned char	*blob = NULL;
	char		*hex = NULL;
	size_t		 blen = 0;
	uint64_t	 affected = 0;
	int		 rc = -1;

	if (auth_name_check(name, e) == -1)
		return -1;
	if (crypt_seal(key, b32, strlen(b32), &blob, &blen, e) == -1)
		goto out;
	if ((hex = malloc(blen * 2 + 1)) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	str_hex(hex, blob, blen);
	if (db_exec(db, "UPDATE admin_users SET totp_secret = UNHEX(?), "
	    "totp_last_step = ? WHERE name = ?", (struct db_val[]){ DBS(hex),
	    DBI(last_step), DBS(name) }, 3, &affected, NULL, e) == -1)
		goto out;
	if (affected == 0) {
		err_set(e, ERR_NOTFOUND, "no user named '%s'", name);
		goto out;
	}
	log_info("auth: '%s' turned on a TOTP second factor", name);
	rc = 0;
out:
	free(hex);
	free(blob);
	return rc;
}

int
auth_password_ok(struct db *db, int64_t user_id, const char *pw,
    struct err *e)
{
	struct db_res	*q;
	int		 got, good = 0;

	if ((q = db_query(db, "SELECT pw_hash FROM admin_users WHERE id = ? "
	    "AND disabled = 0", (struct db_val[]){ DBI(user_id) }, 1,
	    e)) == NULL)
		return -1;
	if ((got = db_next(q, e)) == 1)
		good = auth_verify_password(db_col_str(q, 0), pw != NULL ? pw :
		    "");
	db_res_free(q);
	return got == -1 ? -1 : good;
}

int
auth_totp_disable(struct db *db, const char *name, struct err *e)
{
	uint64_t	 affected = 0;
	int64_t		 n = 0;
	struct db_val	 arg = DBS(name);

	if (auth_name_check(name, e) == -1)
		return -1;
	if (db_query_i64(db, "SELECT COUNT(*) FROM admin_users WHERE name = ?",
	    &arg, 1, &n, e) == -1)
		return -1;
	if (n == 0)
		return err_set(e, ERR_NOTFOUND, "no user named '%s'", name);
	if (db_exec(db, "UPDATE admin_users SET totp_secret = NULL WHERE "
	    "name = ?", &arg, 1, &affected, NULL, e) == -1)
		return -1;
	log_info("auth: '%s' has no TOTP secret any more", name);
	return 0;
}

int
auth_totp_enabled(struct db *db, const char *name, struct err *e)
{
	struct db_val	 arg = DBS(name);
	int64_t		 n = 0;

	if (db_query_i64(db, "SELECT COUNT(*) FROM admin_users WHERE name = ? "
	    "AND totp_secret IS NOT NULL", &arg, 1, &n, e) == -1)
		return -1;
	return n > 0;
}

static int
unhex(const char *hex, unsigned char *out, size_t outsz, size_t *n)
{
	size_t		 len = strlen(hex), i;
	unsigned	 hi, lo;

	if (len % 2 != 0 || len / 2 > outsz)
		return -1;
	for (i = 0; i < len / 2; i++) {
		hi = (unsigned)(isdigit((unsigned char)hex[2 * i]) ?
		    hex[2 * i] - '0' : (toupper((unsigned char)hex[2 * i]) -
		    'A' + 10));
		lo = (unsigned)(isdigit((unsigned char)hex[2 * i + 1]) ?
		    hex[2 * i + 1] - '0' : (toupper((unsigned char)
		    hex[2 * i + 1]) - 'A' + 10));
		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]))
			return -1;
		out[i] = (unsigned char)((hi << 4) | lo);
	}
	*n = len / 2;
	return 0;
}

int
auth_login_totp(struct db *db, const unsigned char key[32],
    const char *pending, const char *code, const char *addr, int64_t now,
    const struct auth_limits *lim, const char *old_sid,
    char sid_out[AUTH_TOKEN_HEX + 1], enum auth_login_result *res,
    struct err *e)
{
	static const struct auth_limits dflt = { AUTH_FAIL_WINDOW_S,
	    AUTH_FAIL_ACCOUNT, AUTH_FAIL_ADDR };
	struct db_res	*q = NULL;
	unsigned char	 blob[256], secret[64];
	char		 idh[65], name[AUTH_NAME_MAX + 1], addrbuf[65];
	char		*b32 = NULL;
	size_t		 blen = 0, slen = 0, b32len = 0;
	int64_t		 uid, last, step = 0;
	uint64_t	 affected = 0;
	int		 t, got, good, rc = -1;

	*res = AUTH_LOGIN_BAD;
	sid_out[0] = '\0';
	if (lim == NULL)
		lim = &dflt;
	(void)str_copy(addrbuf, sizeof(addrbuf), addr != NULL ? addr : "");
	if (!auth_token_wellformed(pending))
		return 0;
	auth_sha256_hex(idh, pending);
	if ((q = db_query(db, "SELECT u.id, u.name, HEX(u.totp_secret), "
	    "u.totp_last_step FROM admin_mfa_pending p JOIN admin_users u ON "
	    "u.id = p.user_id WHERE p.id_hash = ? AND p.expires_at >= ? AND "
	    "u.disabled = 0 AND u.totp_secret IS NOT NULL", (struct db_val[]){
	    DBS(idh), DBI(now) }, 2, e)) == NULL ||
	    (got = db_next(q, e)) == -1)
		goto out;
	if (!got) {
		log_warn("auth: a TOTP code from %s for an unknown or expired "
		    "sign-in", addrbuf);
		rc = 0;
		goto out;
	}
	uid = db_col_i64(q, 0);
	(void)str_copy(name, sizeof(name), db_col_str(q, 1));
	last = db_col_i64(q, 3);
	if (unhex(db_col_str(q, 2), blob, sizeof(blob), &blen) == -1) {
		err_set(e, ERR_DB, "user %lld: a malformed TOTP secret",
		    (long long)uid);
		goto out;
	}
	if ((t = throttled(db, name, addrbuf, now, lim, e)) == -1)
		goto out;
	if (t) {
		*res = AUTH_LOGIN_THROTTLED;
		log_warn("auth: TOTP code from %s refused by the throttle",
		    addrbuf);
		rc = record_attempt(db, name, addrbuf, "throttled", now, e);
		goto out;
	}
	if (crypt_open(key, blob, blen, &b32, &b32len, e) == -1)
		goto out;
	if (totp_b32_decode(b32, secret, sizeof(secret), &slen) == -1) {
		err_set(e, ERR_DB, "user %lld: a malformed TOTP secret",
		    (long long)uid);
		goto out;
	}
	good = totp_verify(secret, slen, code, now, last, &step);
	/* two sign-ins racing with one code: only one moves the step */
	if (good && db_exec(db, "UPDATE admin_users SET totp_last_step = ? "
	    "WHERE id = ? AND totp_last_step < ?", (struct db_val[]){
	    DBI(step), DBI(uid), DBI(step) }, 3, &affected, NULL, e) == -1)
		goto out;
	if (good && affected == 0)
		good = 0;
	if (record_attempt(db, name, addrbuf, good ? "ok" : "bad", now,
	    e) == -1)
		goto out;
	if (!good) {
		log_warn("auth: a wrong or used TOTP code for '%s' from %s",
		    name, addrbuf);
		rc = 0;
		goto out;
	}
	if (db_exec(db, "DELETE FROM admin_mfa_pending WHERE id_hash = ?",
	    (struct db_val[]){ DBS(idh) }, 1, NULL, NULL, e) == -1)
		goto out;
	if (old_sid != NULL && old_sid[0] != '\0' &&
	    auth_logout(db, old_sid, e) == -1)
		goto out;
	if (session_create(db, uid, now, sid_out, e) == -1)
		goto out;
	log_info("auth: '%s' signed in with a TOTP code from %s", name,
	    addrbuf);
	*res = AUTH_LOGIN_OK;
	rc = 0;
out:
	crypt_free_secret(b32, b32len);
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(blob, sizeof(blob));
	db_res_free(q);
	return rc;
}
