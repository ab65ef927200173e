-- Etsy receipts polling (lib/etsy_poll.c): per-account poll state and
-- settings, and the marks that keep its alerts to one per fact. Safe to
-- rerun.

-- One row per Etsy account, made by the first poll. Times are epoch
-- seconds: watermark on Etsy's clock (receipts' updated_timestamp), the
-- others on the hub's.
CREATE TABLE IF NOT EXISTS etsy_poll_state (
	account_id	BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	-- every receipt updated before this was applied; the next poll asks
	-- for min_last_modified = watermark - overlap_s. Moves only after a
	-- whole window was committed, never after a failed or partial poll.
	watermark	BIGINT NOT NULL,
	-- 1 from the start of an attempt until one succeeds
	dirty		TINYINT(1) NOT NULL DEFAULT 0,
	last_attempt_at	BIGINT NOT NULL DEFAULT 0,
	last_success_at	BIGINT NOT NULL DEFAULT 0,
	failures	INT NOT NULL DEFAULT 0,
	last_error	VARCHAR(255) NOT NULL DEFAULT '',
	-- no call to Etsy before this (a 429's retry-after)
	not_before	BIGINT NOT NULL DEFAULT 0,
	last_sweep_at	BIGINT NOT NULL DEFAULT 0,
	-- Etsy's x-remaining-today / x-limit-per-day from the last answer
	remaining_today	BIGINT NULL,
	limit_per_day	BIGINT NULL,
	-- one poller per account at a time
	lease_until	BIGINT NOT NULL DEFAULT 0,
	-- settings
	interval_s	INT NOT NULL DEFAULT 60,
	overlap_s	INT NOT NULL DEFAULT 300,
	sweep_every_s	INT NOT NULL DEFAULT 1800,
	sweep_days	INT NOT NULL DEFAULT 30,
	-- recent receipts re-read for refunds (0: only cancelled ones)
	refund_days	INT NOT NULL DEFAULT 7,
	-- below this % of the daily quota left, poll 4 times less often
	reserve_pct	INT NOT NULL DEFAULT 20,
	-- a cancelled Etsy order: 'release' puts the units still committed
	-- back; 'restock' also returns units the hub already shipped
	cancel_policy	ENUM('release','restock') NOT NULL DEFAULT 'release',
	CONSTRAINT fk_etsy_poll_account FOREIGN KEY (account_id) REFERENCES channel_accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What the poller already told a person about ("unmapped:<transaction>",
-- "refund:<receipt>" with the number of refunds), so re-reading a
-- receipt in the overlap or the sweep does not reopen a resolved alert.
CREATE TABLE IF NOT EXISTS etsy_poll_marks (
	account_id	BIGINT UNSIGNED NOT NULL,
	mark		VARCHAR(96) CHARACTER SET ascii NOT NULL,
	n		BIGINT NOT NULL DEFAULT 1,
	at		TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	PRIMARY KEY (account_id, mark)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
