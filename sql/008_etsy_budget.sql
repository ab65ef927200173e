-- Etsy call budget and cadence (lib/budget.c, lib/etsy.c's call path,
-- lib/etsy_poll.c) and the ORDER_PAID fast path (lib/etsy_hook.c).
-- Safe to rerun.

-- Today's calls per account and purpose (UTC day). A call is counted
-- before it goes out, only while its purpose's share is not used up.
CREATE TABLE IF NOT EXISTS etsy_api_calls (
	account_id	BIGINT UNSIGNED NOT NULL,
	day		DATE NOT NULL,
	purpose		ENUM('poll','push','recon') NOT NULL,
	n		BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (account_id, day, purpose)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The per-second limiter every process shares: one row per call, at_ms
-- a minute ahead while it is in flight and its answer's time (epoch ms)
-- after, counted over a sliding window under the account's
-- etsy_poll_state row lock. Rows older than a minute are deleted.
CREATE TABLE IF NOT EXISTS etsy_api_starts (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	account_id	BIGINT UNSIGNED NOT NULL,
	at_ms		BIGINT NOT NULL,
	KEY ix_etsy_api_starts (account_id, at_ms)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Cadence and budget settings per Etsy account (defaults in budget.h).
ALTER TABLE etsy_poll_state
	ADD COLUMN IF NOT EXISTS high_traffic TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS min_interval_s INT NOT NULL DEFAULT 15,
	ADD COLUMN IF NOT EXISTS busy_interval_s INT NOT NULL DEFAULT 15,
	ADD COLUMN IF NOT EXISTS quiet_interval_s INT NOT NULL DEFAULT 300,
	ADD COLUMN IF NOT EXISTS last_sale_at BIGINT NOT NULL DEFAULT 0,
	-- the interval the last poll chose (for the admin)
	ADD COLUMN IF NOT EXISTS current_interval_s INT NOT NULL DEFAULT 60,
	ADD COLUMN IF NOT EXISTS per_second INT NOT NULL DEFAULT 10,
	ADD COLUMN IF NOT EXISTS per_day BIGINT NOT NULL DEFAULT 10000,
	ADD COLUMN IF NOT EXISTS poll_pct INT NOT NULL DEFAULT 65,
	ADD COLUMN IF NOT EXISTS push_pct INT NOT NULL DEFAULT 20,
	ADD COLUMN IF NOT EXISTS recon_pct INT NOT NULL DEFAULT 10;
