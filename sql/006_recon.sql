-- Reconciliation (lib/recon.c): what each channel shows compared with
-- what the hub says it should show and what it last pushed. Runs, their
-- discrepancies, the per-account policy and the schedule. Safe to rerun.

-- What reconciliation does about a discrepancy on this account: report
-- it only, or also queue a push through the guarded push path.
ALTER TABLE channel_accounts ADD COLUMN IF NOT EXISTS
	recon_policy ENUM('report','repair') NOT NULL DEFAULT 'report';

-- One reconciliation run. Chunked and resumable: listings are checked in
-- id order; cursor_id is the last one checked (advanced in the same
-- transaction as its discrepancy, so a crash repeats nothing), and one
-- process at a time works on a run (lease_until).
CREATE TABLE IF NOT EXISTS recon_runs (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	-- NULL: every unpaused account; else only this one
	account_id	BIGINT UNSIGNED NULL,
	origin		ENUM('schedule','manual') NOT NULL DEFAULT 'manual',
	state		ENUM('running','done') NOT NULL DEFAULT 'running',
	-- a difference of at least this many units is a discrepancy
	threshold	INT NOT NULL DEFAULT 1,
	started_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	finished_at	TIMESTAMP(6) NULL,
	cursor_id	BIGINT UNSIGNED NOT NULL DEFAULT 0,
	lease_until	TIMESTAMP(6) NULL,
	steps		INT NOT NULL DEFAULT 0,
	checked		BIGINT NOT NULL DEFAULT 0,
	-- listings whose channel could not be read (counted, not retried)
	unreadable	BIGINT NOT NULL DEFAULT 0,
	discrepancies	BIGINT NOT NULL DEFAULT 0,
	-- discrepancies by likely cause
	sale_unseen	BIGINT NOT NULL DEFAULT 0,
	manual_edit	BIGINT NOT NULL DEFAULT 0,
	lost_push	BIGINT NOT NULL DEFAULT 0,
	mapping		BIGINT NOT NULL DEFAULT 0,
	sold_out	BIGINT NOT NULL DEFAULT 0,
	repairs		BIGINT NOT NULL DEFAULT 0,
	api_calls	BIGINT NOT NULL DEFAULT 0,
	KEY ix_recon_runs_state (state, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One discrepancy found by a run (at most one per listing per run).
CREATE TABLE IF NOT EXISTS recon_discrepancies (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	run_id		BIGINT UNSIGNED NOT NULL,
	listing_id	BIGINT UNSIGNED NOT NULL,
	account_id	BIGINT UNSIGNED NOT NULL,
	item_id		BIGINT UNSIGNED NOT NULL,
	hub_desired	BIGINT NOT NULL,
	last_pushed	BIGINT NULL,
	-- NULL when the channel does not have the listing
	channel_shows	BIGINT NULL,
	-- channel_shows - hub_desired (0 for a mapping problem)
	difference	BIGINT NOT NULL DEFAULT 0,
	cause		ENUM('sale_unseen','manual_edit','lost_push','mapping',
			    'sold_out') NOT NULL,
	action		ENUM('reported','repair_queued') NOT NULL,
	detail		VARCHAR(255) NOT NULL DEFAULT '',
	at		TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	UNIQUE KEY uq_recon_disc_run_listing (run_id, listing_id),
	KEY ix_recon_disc_listing (listing_id, id),
	CONSTRAINT fk_recon_disc_run FOREIGN KEY (run_id) REFERENCES recon_runs (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The nightly schedule: the tick starts a run when the last one finished
-- (or, before the first, this row was made) more than every_s ago.
CREATE TABLE IF NOT EXISTS recon_schedule (
	id		TINYINT UNSIGNED NOT NULL PRIMARY KEY,
	every_s		INT NOT NULL DEFAULT 86400,
	enabled		TINYINT(1) NOT NULL DEFAULT 1,
	created_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO recon_schedule (id) VALUES (1);
