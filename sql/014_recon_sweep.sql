-- Reconciliation's sweep of Shopify orders (issue #8): a webhook Shopify
-- dropped is repaired by listing the orders updated since the last sweep
-- and applying any the hub never received. Safe to rerun.

-- Per Shopify account: the newest updatedAt (Shopify's clock, UTC) of a
-- window that was committed whole; NULL before the first sweep.
CREATE TABLE IF NOT EXISTS shopify_order_sweeps (
	account_id	BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	watermark	DATETIME(6) NULL,
	swept_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What a run's sweep of one account did (one row per run and account:
-- the run moves on once the row is there).
CREATE TABLE IF NOT EXISTS recon_sweeps (
	run_id		BIGINT UNSIGNED NOT NULL,
	account_id	BIGINT UNSIGNED NOT NULL,
	state		ENUM('done','failed') NOT NULL,
	orders		BIGINT NOT NULL DEFAULT 0,
	repaired	BIGINT NOT NULL DEFAULT 0,
	api_calls	BIGINT NOT NULL DEFAULT 0,
	detail		VARCHAR(255) NOT NULL DEFAULT '',
	at		TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	PRIMARY KEY (run_id, account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE recon_runs ADD COLUMN IF NOT EXISTS
	missed_repaired BIGINT NOT NULL DEFAULT 0;
ALTER TABLE recon_runs ADD COLUMN IF NOT EXISTS
	sweep_done TINYINT(1) NOT NULL DEFAULT 0;
