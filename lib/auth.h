/*
 * auth: who may use the admin web UI. Passwords (Argon2id via libargon2),
 * sessions (random cookie, only its SHA-256 stored), CSRF tokens, the
 * Origin / Sec-Fetch-Site rule, and the sign-in throttle.
 *
 * Rules (ASVS 4.0.3 L2, see ../shared/reference/reliability-and-security.md
 * section 5 and goal rows 12-13):
 *  - passwords 12 to 128 bytes; stored as Argon2id with m = 19456 KiB,
 *    t = 2, p = 1 in the encoded form; verified in constant time;
 *  - a session id is 32 random bytes (hex in the cookie __Host-sid),
 *    stored only as its SHA-256, regenerated at every sign-in, ended
 *    after 30 minutes idle or 12 hours in all, deleted at sign-out;
 *  - every session has its own CSRF token (32 random bytes, hex) that
 *    every form carries and every POST is checked against;
 *  - after AUTH_FAIL_ACCOUNT failed sign-ins for one name, or
 *    AUTH_FAIL_ADDR from one address, within AUTH_FAIL_WINDOW_S, sign-in
 *    is refused (before any hashing) until the window has passed.
 *
 * Passwords, session ids and CSRF tokens never reach the log or an error
 * message.
 *
 * The auth_* helpers marked pure do no I/O (unit-tested); the others use
 * the database.
 */
#ifndef STOCKHUB_AUTH_H
#define STOCKHUB_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"

#define AUTH_COOKIE		"__Host-sid"
#define AUTH_NAME_MAX		64	/* bytes: [A-Za-z0-9._@-] */
#define AUTH_PW_MIN		12
#define AUTH_PW_MAX		128
#define AUTH_TOKEN_BYTES	32
#define AUTH_TOKEN_HEX		(AUTH_TOKEN_BYTES * 2)
#define AUTH_HASH_MAX		256	/* an encoded Argon2id hash */

#define AUTH_ARGON2_T		2
#define AUTH_ARGON2_M_KIB	19456	/* 19 MiB */
#define AUTH_ARGON2_P		1

#define AUTH_IDLE_S		(30 * 60)
#define AUTH_ABSOLUTE_S		(12 * 60 * 60)

#define AUTH_FAIL_WINDOW_S	(15 * 60)
#define AUTH_FAIL_ACCOUNT	5
#define AUTH_FAIL_ADDR		20

/* The cookie header value buffer size auth_cookie() needs at most. */
#define AUTH_COOKIE_HDR_MAX	256

/* One signed-in user, as a page sees it. */
struct auth_session {
	int64_t	 user_id;
	char	 user[AUTH_NAME_MAX + 1];
	char	 csrf[AUTH_TOKEN_HEX + 1];
	int64_t	 created_at;
	int64_t	 last_seen_at;
};

enum auth_login_result {
	AUTH_LOGIN_OK = 0,
	AUTH_LOGIN_BAD,		/* unknown name, wrong password or disabled */
	AUTH_LOGIN_THROTTLED,	/* too many failures; nothing was checked */
	AUTH_LOGIN_TOTP		/* password right; the TOTP code is next
				 * (sid_out holds the pending token) */
};

/* A sign-in waiting for its TOTP code lasts this long. */
#define AUTH_MFA_TTL_S		300
#define AUTH_MFA_COOKIE		"__Host-mfa"
#define AUTH_TOTP_ISSUER	"stockhub"


/* Limits of the throttle; auth_login() takes NULL for the defaults. */
struct auth_limits {
	int	 window_s;
	int	 per_account;
	int	 per_addr;
};

/* ---- pure ---- */

/*
 * The Set-Cookie value for name=value: Path=/, HttpOnly, SameSite=Strict,
 * Max-Age (max_age >= 0; 0 deletes the cookie) and Secure when secure.
 * Returns 0, or -1 when it does not fit or value holds a character a
 * cookie may not (anything but [0-9A-Za-z_-]).
 */
int	auth_cookie(char *out, size_t outsz, const char *name,
	    const char *value, int secure, int64_t max_age);

/*
 * Whether cookies get Secure: over https, and on a loopback host
 * (localhost, 127.0.0.1, [::1], with or without a port), which browsers
 * and curl treat as a secure context even over plain http. A __Host-
 * cookie without Secure is refused by every browser, so elsewhere plain
 * http cannot sign in at all (as it should not). host may be NULL.
 */
int	auth_cookie_secure(int https, const char *host);

/*
 * 1 while a session made at created and last used at last_seen is still
 * good at now (idle < AUTH_IDLE_S and age < AUTH_ABSOLUTE_S), else 0.
 * A clock that went backwards ends it too.
 */
int	auth_session_live(int64_t created, int64_t last_seen, int64_t now);

/* 1 when a and b are equal non-empty tokens, compared in constant time. */
int	auth_token_equal(const char *a, const char *b);

/* 1 when s is exactly AUTH_TOKEN_HEX lower-case hex digits. */
int	auth_token_wellformed(const char *s);

/*
 * The cross-site rule for a state-changing request: refused (0) when
 * Sec-Fetch-Site is present and not same-origin or none, or when Origin
 * is present and is not scheme://host. Neither header: 1 (old clients
 * and scripts; the CSRF token still decides). Any argument may be NULL.
 */
int	auth_origin_ok(const char *origin, const char *fetch_site,
	    const char *scheme, const char *host);

/* A user name: 1 to 64 of [A-Za-z0-9._@-]. 0 or -1 with e. */
int	auth_name_check(const char *name, struct err *e);

/* A password: AUTH_PW_MIN to AUTH_PW_MAX bytes, no NUL. 0 or -1 with e. */
int	auth_password_check(const char *pw, struct err *e);

/* Lower-case hex SHA-256 of s (out: 65 bytes). */
void	auth_sha256_hex(char out[65], const char *s);

/* ---- Argon2id (CPU and 19 MiB, no I/O) ---- */

/* Hash pw with a fresh random salt into out (encoded form). */
int	auth_hash_password(const char *pw, char *out, size_t outsz,
	    struct err *e);

/* 1 when pw matches the encoded Argon2id hash, else 0 (never -1). */
int	auth_verify_password(const char *encoded, const char *pw);

/* Fill out with AUTH_TOKEN_BYTES random bytes as hex. 0 or -1. */
int	auth_random_token(char out[AUTH_TOKEN_HEX + 1]);

/* ---- database ---- */

/* Create a user; ERR_CONFLICT when the name is taken. */
int	auth_user_add(struct db *db, const char *name, const char *pw,
	    int64_t *id, struct err *e);

/*
 * Sign in. Checks the throttle first (recording a refused attempt as
 * 'throttled'), then the password (a dummy hash for an unknown name, so
 * both take as long), records the attempt, and on success deletes the
 * session old_sid (may be NULL: the id is regenerated at every sign-in)
 * and creates a new one whose cookie value goes to sid_out. addr is the
 * client address. Returns 0 with *res set, -1 on a database failure.
 */
int	auth_login(struct db *db, const char *name, const char *pw,
	    const char *addr, int64_t now, const struct auth_limits *lim,
	    const char *old_sid, char sid_out[AUTH_TOKEN_HEX + 1],
	    enum auth_login_result *res, struct err *e);

/*
 * The live session for a cookie value: 1 and s filled (last_seen_at is
 * moved to now), 0 when there is none (unknown, expired — then deleted —
 * or its user disabled), -1 on a database failure.
 */
int	auth_session_get(struct db *db, const char *sid, int64_t now,
	    struct auth_session *s, struct err *e);

/* End a session server-side (no-op for an unknown one). */
int	auth_logout(struct db *db, const char *sid, struct err *e);

/* ---- TOTP second factor (lib/totp.h) ---- */

/*
 * Give user name a new TOTP secret, sealed with key (lib/crypt.h) before
 * it is stored; the otpauth:// URI for an authenticator app goes to uri.
 * Replaces any earlier secret. ERR_NOTFOUND for an unknown user.
 */
int	auth_totp_enable(struct db *db, const unsigned char key[32],
	    const char *name, char *uri, size_t urisz, struct err *e);

/*
 * Store a secret the person has proven they hold (base32 text b32, as
 * their app has it), sealed with key; last_step is the step of the code
 * they confirmed it with, so that code cannot sign in too.
 */
int	auth_totp_set(struct db *db, const unsigned char key[32],
	    const char *name, const char *b32, int64_t last_step,
	    struct err *e);

/* 1 when pw is user_id's password (one Argon2id check), 0 when not or
 * disabled, -1 on a database failure. */
int	auth_password_ok(struct db *db, int64_t user_id, const char *pw,
	    struct err *e);

/* Remove the second factor of user name. ERR_NOTFOUND when unknown. */
int	auth_totp_disable(struct db *db, const char *name, struct err *e);

/*
 * 1 when user name has a second factor, 0 when not, -1 on error.
 */
int	auth_totp_enabled(struct db *db, const char *name, struct err *e);

/*
 * The second step of a sign-in whose auth_login() said AUTH_LOGIN_TOTP:
 * pending is that token (from the cookie AUTH_MFA_COOKIE), code what the
 * person typed. The throttle is checked first as in auth_login(); a
 * wrong, malformed or replayed code (a step at or before the last one
 * accepted) is recorded as a failed sign-in, so it counts toward the
 * throttle. An unknown or expired pending token is AUTH_LOGIN_BAD too
 * (nothing recorded: there is no name to record). On success the pending
 * token and old_sid are deleted, the code's step remembered, and a new
 * session's cookie value goes to sid_out. key opens the sealed secret.
 */
int	auth_login_totp(struct db *db, const unsigned char key[32],
	    const char *pending, const char *code, const char *addr,
	    int64_t now, const struct auth_limits *lim, const char *old_sid,
	    char sid_out[AUTH_TOKEN_HEX + 1], enum auth_login_result *res,
	    struct err *e);

#endif
