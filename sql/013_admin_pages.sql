-- The admin pages of issue #7 part B (lib/admin_channels.c, lib/auth.c's
-- second factor): TOTP per user, the sign-ins waiting for their code,
-- a settings revision per channel account (a form saved against settings
-- that changed meanwhile is refused), and a record of what people did on
-- the admin pages for the audit log. Safe to rerun.

-- TOTP (RFC 6238): the secret sealed with master_key (lib/crypt.c),
-- NULL when the user has no second factor; and the last time step a
-- code was accepted at, so no code is ever accepted twice.
ALTER TABLE admin_users ADD COLUMN IF NOT EXISTS
	totp_secret VARBINARY(256) NULL;
ALTER TABLE admin_users ADD COLUMN IF NOT EXISTS
	totp_last_step BIGINT NOT NULL DEFAULT 0;

-- 'pw_ok': the password was right and the code is still to come; it
-- neither counts as a failure nor resets the per-account throttle.
ALTER TABLE admin_login_attempts MODIFY outcome
	ENUM('ok','bad','throttled','pw_ok') NOT NULL;

-- A sign-in whose password was right, waiting for its code. Only the
-- SHA-256 of the token (the cookie __Host-mfa) is stored.
CREATE TABLE IF NOT EXISTS admin_mfa_pending (
	id_hash		CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
	user_id		BIGINT UNSIGNED NOT NULL,
	expires_at	BIGINT NOT NULL,
	KEY ix_admin_mfa_expires (expires_at),
	CONSTRAINT fk_admin_mfa_user FOREIGN KEY (user_id) REFERENCES admin_users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Raised by every change of an account's buffers, rule or pause state
-- from the admin; a form carries the revision it was shown at.
ALTER TABLE channel_accounts ADD COLUMN IF NOT EXISTS
	settings_rev BIGINT UNSIGNED NOT NULL DEFAULT 0;

-- What people did on the admin pages that is not a ledger movement:
-- connect, pause, resume, push all, settings.
CREATE TABLE IF NOT EXISTS admin_actions (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	actor		VARCHAR(128) NOT NULL,
	account_id	BIGINT UNSIGNED NULL,
	kind		VARCHAR(40) CHARACTER SET ascii NOT NULL,
	detail		VARCHAR(255) NOT NULL DEFAULT '',
	at		TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	KEY ix_admin_actions_account (account_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
