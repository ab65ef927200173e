-- Reconciliation settings per account and the mapping audit (issue 8).
-- recon (lib/recon.c): the
-- threshold of a discrepancy on this account, set from the command line
-- (`stockhub account set ID recon_threshold=N`) beside recon_policy
-- (006). NULL: the run's threshold (default 1 unit). Safe to rerun.
ALTER TABLE channel_accounts ADD COLUMN IF NOT EXISTS
	recon_threshold INT NULL;

-- The mapping audit (lib/audit.c): one row per audit of one account; the
-- weekly schedule looks at the last finished one.
CREATE TABLE IF NOT EXISTS audit_runs (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	account_id	BIGINT UNSIGNED NOT NULL,
	origin		ENUM('schedule','manual','webhook') NOT NULL DEFAULT 'manual',
	started_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	finished_at	TIMESTAMP(6) NULL,
	places		BIGINT NOT NULL DEFAULT 0,
	findings	BIGINT NOT NULL DEFAULT 0,
	suggestions	BIGINT NOT NULL DEFAULT 0,
	api_calls	BIGINT NOT NULL DEFAULT 0,
	KEY ix_audit_runs_account (account_id, finished_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- An exact-SKU suggestion the seller confirms with one click: map a
-- place on the channel to a hub SKU ('map'), or move a renamed
-- variation's map entry to its new place ('remap'). One open suggestion
-- per alert (dedupe_key).
CREATE TABLE IF NOT EXISTS audit_suggestions (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	dedupe_key	VARCHAR(191) NOT NULL,
	account_id	BIGINT UNSIGNED NOT NULL,
	action		ENUM('map','remap') NOT NULL,
	-- remap: the map entry to move
	listing_id	BIGINT UNSIGNED NULL,
	sku		VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	ext_listing	VARCHAR(64) CHARACTER SET ascii NOT NULL,
	ext_variant	VARCHAR(255) NOT NULL DEFAULT '',
	ext_location	VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
	state		ENUM('open','done') NOT NULL DEFAULT 'open',
	created_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	done_at		TIMESTAMP(6) NULL,
	UNIQUE KEY uq_audit_sugg_key (dedupe_key),
	KEY ix_audit_sugg_open (state, account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
