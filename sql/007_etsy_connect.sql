-- Connecting an Etsy shop from the admin (lib/admin_etsy.c): the OAuth
-- authorization code + PKCE attempts in flight. Safe to rerun.

-- One row per "Connect" click, deleted when its callback arrives (single
-- use) or found expired. Only the SHA-256 of the state is kept; the
-- PKCE verifier is kept in clear for its ten minutes (it is worthless
-- without the code Etsy sends to the callback).
CREATE TABLE IF NOT EXISTS etsy_oauth_states (
	state_hash	CHAR(64) NOT NULL PRIMARY KEY,
	account_id	BIGINT UNSIGNED NOT NULL,
	-- SHA-256 of the admin session's CSRF token: the callback must come
	-- back to the session that started it
	session_bind	CHAR(64) NOT NULL,
	verifier	VARCHAR(128) NOT NULL,
	expires_at	BIGINT NOT NULL,
	KEY ix_etsy_oauth_expires (expires_at),
	CONSTRAINT fk_etsy_oauth_account FOREIGN KEY (account_id)
	    REFERENCES channel_accounts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
