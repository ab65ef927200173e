-- The admin web UI (lib/auth.c, lib/admin*.c): people who may sign in,
-- their sessions, and every sign-in attempt (for throttling and the
-- audit). Safe to rerun. Times in sessions and attempts are epoch seconds
-- on the hub's clock, so the timeout rules are plain arithmetic
-- (auth_session_live()).

-- Created from the command line only (stockhub user add NAME, password
-- on standard input). Never deleted while sessions or the ledger's
-- sources ("admin:<name>") may name them: disable instead.
CREATE TABLE IF NOT EXISTS admin_users (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	name		VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	-- Argon2id in its encoded form ($argon2id$v=19$m=..,t=..,p=..$salt$hash)
	pw_hash		VARCHAR(255) CHARACTER SET ascii NOT NULL,
	disabled	TINYINT(1) NOT NULL DEFAULT 0,
	created_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	UNIQUE KEY uq_admin_users_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per signed-in browser. The cookie's value is never stored:
-- only its SHA-256, so a database dump holds no usable session.
CREATE TABLE IF NOT EXISTS admin_sessions (
	id_hash		CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
	user_id		BIGINT UNSIGNED NOT NULL,
	-- the synchronizer token every form of this session carries
	csrf		CHAR(64) CHARACTER SET ascii NOT NULL,
	created_at	BIGINT NOT NULL,
	last_seen_at	BIGINT NOT NULL,
	KEY ix_admin_sessions_user (user_id),
	CONSTRAINT fk_admin_sessions_user FOREIGN KEY (user_id) REFERENCES admin_users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every sign-in attempt, also for names that do not exist and attempts
-- refused by the throttle. Failures in the last 15 minutes per name and
-- per address decide the throttle.
CREATE TABLE IF NOT EXISTS admin_login_attempts (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	user_name	VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	addr		VARCHAR(64) CHARACTER SET ascii NOT NULL,
	outcome		ENUM('ok','bad','throttled') NOT NULL,
	at		BIGINT NOT NULL,
	KEY ix_admin_login_user (user_name, at),
	KEY ix_admin_login_addr (addr, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
