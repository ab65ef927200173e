/*
 * Admin accounts, sessions and the sign-in throttle on the real MariaDB:
 * Argon2id hashes with the required cost, session lookup and both
 * timeouts, a new id at every sign-in, sign-out, and the throttle per
 * account and per address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "auth.h"
#include "db.h"
#include "err.h"
#include "str.h"
#include "support.h"

#define PW	"a long enough password"

static struct tdb T;

static int
setup(void **state)
{
	(void)state;
	tdb_open(&T, "auth");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tdb_close(&T);
	return 0;
}

static void
add_user(const char *name)
{
	struct err	 e;
	int64_t		 id = 0;

	assert_int_equal(auth_user_add(T.db, name, PW, &id, &e), 0);
	assert_true(id > 0);
}

static enum auth_login_result
login(const char *name, const char *pw, const char *addr, int64_t now,
    const char *old, char sid[AUTH_TOKEN_HEX + 1])
{
	enum auth_login_result	 res;
	struct err		 e;

	assert_int_equal(auth_login(T.db, name, pw, addr, now, NULL, old, sid,
	    &res, &e), 0);
	return res;
}

static void
test_hash_and_verify(void **state)
{
	char		 h[AUTH_HASH_MAX], h2[AUTH_HASH_MAX];
	struct err	 e;
	unsigned	 v, m, t, p;
	int		 used = 0;

	(void)state;
	assert_int_equal(auth_hash_password(PW, h, sizeof(h), &e), 0);
	assert_int_equal(auth_verify_password(h, PW), 1);
	assert_int_equal(auth_verify_password(h, PW "x"), 0);
	assert_int_equal(auth_verify_password(h, ""), 0);
	/* the encoded form says Argon2id and its cost */
	assert_int_equal(sscanf(h, "$argon2id$v=%u$m=%u,t=%u,p=%u$%n", &v, &m,
	    &t, &p, &used), 4);
	assert_true(used > 0);
	assert_int_equal(v, 19);
	assert_true(m >= 19456);
	assert_true(t >= 2);
	assert_int_equal(p, 1);
	/* salted: the same password hashes differently each time */
	assert_int_equal(auth_hash_password(PW, h2, sizeof(h2), &e), 0);
	assert_string_not_equal(h, h2);
	/* another algorithm's string is never accepted */
	assert_int_equal(auth_verify_password("$argon2i$v=19$m=8,t=1,p=1$"
	    "c2FsdHNhbHQ$aGFzaA", PW), 0);
	assert_int_equal(auth_hash_password("short", h, sizeof(h), &e), -1);
}

static void
test_user_stored_hashed(void **state)
{
	struct db_res	*r;
	struct err	 e;
	int64_t		 id;

	(void)state;
	add_user("stored");
	assert_int_equal(auth_user_add(T.db, "stored", PW, &id, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_int_equal(auth_user_add(T.db, "bad name", PW, &id, &e), -1);
	r = db_query(T.db, "SELECT pw_hash FROM admin_users WHERE name = ?",
	    (struct db_val[]){ DBS("stored") }, 1, &e);
	assert_non_null(r);
	assert_int_equal(db_next(r, &e), 1);
	assert_null(strstr(db_col_str(r, 0), PW));
	assert_int_equal(strncmp(db_col_str(r, 0), "$argon2id$", 10), 0);
	db_res_free(r);
}

static void
test_session_lifecycle(void **state)
{
	char			 sid[AUTH_TOKEN_HEX + 1], sid2[AUTH_TOKEN_HEX + 1];
	char			 idh[65];
	struct auth_session	 s;
	struct err		 e;
	int64_t			 now = (int64_t)time(NULL), n = -1;

	(void)state;
	add_user("sess");
	assert_int_equal(login("sess", PW, "10.0.0.1", now, NULL, sid),
	    AUTH_LOGIN_OK);
	assert_true(auth_token_wellformed(sid));
	/* only the hash is stored */
	auth_sha256_hex(idh, sid);
	assert_int_equal(db_query_i64(T.db, "SELECT COUNT(*) FROM "
	    "admin_sessions WHERE id_hash = ?", (struct db_val[]){ DBS(idh) },
	    1, &n, &e), 1);
	assert_int_equal(n, 1);
	assert_int_equal(db_query_i64(T.db, "SELECT COUNT(*) FROM "
	    "admin_sessions WHERE id_hash = ?", (struct db_val[]){ DBS(sid) },
	    1, &n, &e), 1);
	assert_int_equal(n, 0);

	assert_int_equal(auth_session_get(T.db, sid, now + 10, &s, &e), 1);
	assert_string_equal(s.user, "sess");
	assert_true(auth_token_wellformed(s.csrf));
	assert_int_equal(s.last_seen_at, now + 10);
	assert_int_equal(auth_session_get(T.db, "nope", now, &s, &e), 0);

	/* signing in again with the old cookie replaces it */
	assert_int_equal(login("sess", PW, "10.0.0.1", now + 20, sid, sid2),
	    AUTH_LOGIN_OK);
	assert_string_not_equal(sid, sid2);
	assert_int_equal(auth_session_get(T.db, sid, now + 20, &s, &e), 0);
	assert_int_equal(auth_session_get(T.db, sid2, now + 20, &s, &e), 1);

	/* idle: last seen 30 minutes ago */
	tdb_exec(&T, "UPDATE admin_sessions SET last_seen_at = last_seen_at "
	    "- 1800");
	assert_int_equal(auth_session_get(T.db, sid2, now + 20, &s, &e), 0);
	assert_int_equal(db_query_i64(T.db, "SELECT COUNT(*) FROM "
	    "admin_sessions", NULL, 0, &n, &e), 1);
	assert_int_equal(n, 0);		/* an expired session is deleted */

	/* absolute: busy all along, but made 12 hours ago */
	assert_int_equal(login("sess", PW, "10.0.0.1", now, NULL, sid),
	    AUTH_LOGIN_OK);
	tdb_exec(&T, "UPDATE admin_sessions SET created_at = created_at - "
	    "43200");
	assert_int_equal(auth_session_get(T.db, sid, now + 1, &s, &e), 0);

	/* sign-out ends it on the server */
	assert_int_equal(login("sess", PW, "10.0.0.1", now, NULL, sid),
	    AUTH_LOGIN_OK);
	assert_int_equal(auth_session_get(T.db, sid, now + 1, &s, &e), 1);
	assert_int_equal(auth_logout(T.db, sid, &e), 0);
	assert_int_equal(auth_session_get(T.db, sid, now + 2, &s, &e), 0);

	/* a disabled user's sessions stop working */
	assert_int_equal(login("sess", PW, "10.0.0.1", now, NULL, sid),
	    AUTH_LOGIN_OK);
	tdb_exec(&T, "UPDATE admin_users SET disabled = 1 WHERE name = 'sess'");
	assert_int_equal(auth_session_get(T.db, sid, now + 1, &s, &e), 0);
	assert_int_equal(login("sess", PW, "10.0.0.1", now, NULL, sid),
	    AUTH_LOGIN_BAD);
}

static void
test_wrong_and_unknown(void **state)
{
	char	 sid[AUTH_TOKEN_HEX + 1];
	int64_t	 now = (int64_t)time(NULL);

	(void)state;
	add_user("wrong");
	assert_int_equal(login("wrong", PW "!", "10.0.0.2", now, NULL, sid),
	    AUTH_LOGIN_BAD);
	assert_string_equal(sid, "");
	assert_int_equal(login("nobody", PW, "10.0.0.2", now, NULL, sid),
	    AUTH_LOGIN_BAD);
	assert_int_equal(login("bad name!", PW, "10.0.0.2", now, NULL, sid),
	    AUTH_LOGIN_BAD);
}

static void
test_throttle_per_account(void **state)
{
	char	 sid[AUTH_TOKEN_HEX + 1];
	int64_t	 now = (int64_t)time(NULL), n = 0;
	struct err e;
	int	 i;

	(void)state;
	add_user("victim");
	/* four failures, then a success: the count starts again */
	for (i = 0; i < 4; i++)
		assert_int_equal(login("victim", "guess guess guess", "10.1.0.1",
		    now, NULL, sid), AUTH_LOGIN_BAD);
	assert_int_equal(login("victim", PW, "10.1.0.1", now, NULL, sid),
	    AUTH_LOGIN_OK);
	/* five failures from five addresses lock the account */
	for (i = 0; i < AUTH_FAIL_ACCOUNT; i++) {
		char	 addr[32];

		(void)str_fmt(addr, sizeof(addr), "10.2.0.%d", i);
		assert_int_equal(login("victim", "guess guess guess", addr,
		    now + 1, NULL, sid), AUTH_LOGIN_BAD);
	}
	assert_int_equal(login("victim", PW, "10.3.0.1", now + 2, NULL, sid),
	    AUTH_LOGIN_THROTTLED);
	assert_string_equal(sid, "");
	/* every attempt is recorded, the refused one too */
	assert_int_equal(db_query_i64(T.db, "SELECT COUNT(*) FROM "
	    "admin_login_attempts WHERE user_name = 'victim' AND outcome = "
	    "'throttled'", NULL, 0, &n, &e), 1);
	assert_int_equal(n, 1);
	/* 15 minutes later the failures have aged out */
	assert_int_equal(login("victim", PW, "10.3.0.1",
	    now + 1 + AUTH_FAIL_WINDOW_S, NULL, sid), AUTH_LOGIN_OK);
}

static void
test_throttle_per_address(void **state)
{
	char			 sid[AUTH_TOKEN_HEX + 1], name[32];
	struct auth_limits	 lim = { AUTH_FAIL_WINDOW_S, 100, 3 };
	enum auth_login_result	 res;
	struct err		 e;
	int64_t			 now = (int64_t)time(NULL);
	int			 i;

	(void)state;
	add_user("bystander");
	/* one address trying many names (credential stuffing) */
	for (i = 0; i < 3; i++) {
		(void)str_fmt(name, sizeof(name), "stuffed%d", i);
		assert_int_equal(auth_login(T.db, name, PW, "10.9.9.9", now,
		    &lim, NULL, sid, &res, &e), 0);
		assert_int_equal(res, AUTH_LOGIN_BAD);
	}
	assert_int_equal(auth_login(T.db, "bystander", PW, "10.9.9.9", now,
	    &lim, NULL, sid, &res, &e), 0);
	assert_int_equal(res, AUTH_LOGIN_THROTTLED);
	/* the same account from elsewhere is fine */
	assert_int_equal(auth_login(T.db, "bystander", PW, "10.9.9.8", now,
	    &lim, NULL, sid, &res, &e), 0);
	assert_int_equal(res, AUTH_LOGIN_OK);
	/* and the default per-address limit is what auth.h says */
	assert_int_equal(AUTH_FAIL_ADDR, 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_and_verify),
		cmocka_unit_test(test_user_stored_hashed),
		cmocka_unit_test(test_session_lifecycle),
		cmocka_unit_test(test_wrong_and_unknown),
		cmocka_unit_test(test_throttle_per_account),
		cmocka_unit_test(test_throttle_per_address),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
