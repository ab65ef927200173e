-- Channel accounts, the SKU map, the push queue, the webhook inbox, the
-- record of the hub's own writes (echo suppression), the push audit log
-- and alerts. Safe to rerun.

-- One connected shop on one marketplace. Several per type are fine.
CREATE TABLE IF NOT EXISTS channel_accounts (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	type		ENUM('etsy','shopify','amazon','ebay') NOT NULL,
	name		VARCHAR(100) NOT NULL,
	-- the real host by default; the sandbox in tests and the demo
	api_base_url	VARCHAR(255) NOT NULL,
	-- the shop on the channel: Etsy shop_id, Shopify shop domain, ...
	shop_ref	VARCHAR(255) NOT NULL DEFAULT '',
	-- AES-256-GCM sealed JSON (lib/crypt.c); never stored in clear
	credentials	VARBINARY(8192) NULL,
	-- allocation (lib/alloc.h): what this channel shows
	holdback_pct	DECIMAL(5,2) NOT NULL DEFAULT 0,
	holdback_units	INT NOT NULL DEFAULT 0,
	max_shown	INT NULL,
	priority	INT NOT NULL DEFAULT 0,
	-- a quantity changed by hand in the channel's own admin:
	-- accept it as an adjustment, or put the hub's figure back
	manual_edit	ENUM('accept','restore') NOT NULL DEFAULT 'restore',
	paused		TINYINT(1) NOT NULL DEFAULT 0,
	created_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	UNIQUE KEY uq_channel_accounts_name (name),
	KEY ix_channel_accounts_shop (type, shop_ref)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The SKU map: one row per place a SKU is sold. Matching is by SKU only,
-- never by title. Etsy rows key on listing_id plus the variation's
-- property values (never product_id/offering_id, which Etsy regenerates
-- on every write).
CREATE TABLE IF NOT EXISTS channel_listings (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	account_id	BIGINT UNSIGNED NOT NULL,
	item_id		BIGINT UNSIGNED NOT NULL,
	-- Etsy listing_id, Shopify variant id, eBay item id, Amazon ASIN
	ext_listing	VARCHAR(64) CHARACTER SET ascii NOT NULL,
	-- Etsy "Color=Red;Size=M", Shopify inventory item id, Amazon seller
	-- SKU, eBay variation specifics or offer id; '' when none
	ext_variant	VARCHAR(255) NOT NULL DEFAULT '',
	-- Shopify location id; '' elsewhere
	ext_location	VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
	-- the SKU string as the channel shows it (the audit compares)
	channel_sku	VARCHAR(255) NOT NULL DEFAULT '',
	-- what the hub last wrote and what the channel last showed
	last_pushed_qty	BIGINT NULL,
	last_pushed_at	TIMESTAMP(6) NULL,
	last_seen_qty	BIGINT NULL,
	last_seen_at	TIMESTAMP(6) NULL,
	-- Etsy: the hub hid this offering or listing because it shows 0
	hidden		TINYINT(1) NOT NULL DEFAULT 0,
	created_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	UNIQUE KEY uq_channel_listings_ext (account_id, ext_listing, ext_variant),
	KEY ix_channel_listings_item (item_id),
	CONSTRAINT fk_listings_account FOREIGN KEY (account_id) REFERENCES channel_accounts (id),
	CONSTRAINT fk_listings_item FOREIGN KEY (item_id) REFERENCES stock_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The outbox: one row per listing that needs its quantity written. A
-- movement raises want_version in the same transaction as the movement;
-- a worker claims the row (FOR UPDATE SKIP LOCKED plus a lease), writes
-- the quantity computed then, and records done_version. Ten sales in a
-- second raise want_version ten times and cause one write.
CREATE TABLE IF NOT EXISTS push_queue (
	listing_id	BIGINT UNSIGNED NOT NULL PRIMARY KEY,
	-- signed: a forced push lowers done_version below want_version
	want_version	BIGINT NOT NULL DEFAULT 0,
	done_version	BIGINT NOT NULL DEFAULT 0,
	next_at		TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	attempts	INT NOT NULL DEFAULT 0,
	lease_until	TIMESTAMP(6) NULL,
	claimed_by	VARCHAR(64) NULL,
	-- kept across retries of one write so the channel can deduplicate
	idem_key	VARCHAR(64) CHARACTER SET ascii NULL,
	-- the quantity that key was used for: another quantity is another
	-- write and gets another key
	idem_qty	BIGINT NULL,
	last_error	VARCHAR(255) NULL,
	dead		TINYINT(1) NOT NULL DEFAULT 0,
	KEY ix_push_queue_due (dead, next_at),
	CONSTRAINT fk_push_listing FOREIGN KEY (listing_id) REFERENCES channel_listings (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every write the hub makes to a channel, so the webhook the channel
-- fires back for it is recognised as our own echo and not a manual edit.
CREATE TABLE IF NOT EXISTS channel_writes (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	listing_id	BIGINT UNSIGNED NOT NULL,
	qty		BIGINT NOT NULL,
	idem_key	VARCHAR(64) CHARACTER SET ascii NULL,
	written_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	KEY ix_channel_writes_listing (listing_id, written_at),
	CONSTRAINT fk_writes_listing FOREIGN KEY (listing_id) REFERENCES channel_listings (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every push attempt and its outcome, for the audit and the history page.
CREATE TABLE IF NOT EXISTS push_log (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	listing_id	BIGINT UNSIGNED NOT NULL,
	item_version	BIGINT UNSIGNED NOT NULL,
	desired_qty	BIGINT NOT NULL,
	outcome		ENUM('written','unchanged','retry','failed','held') NOT NULL,
	detail		VARCHAR(255) NOT NULL DEFAULT '',
	at		TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	KEY ix_push_log_listing (listing_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Webhooks received, deduplicated on the channel's event id. Stored
-- before they are acknowledged, so nothing acknowledged is lost.
CREATE TABLE IF NOT EXISTS webhook_inbox (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	account_id	BIGINT UNSIGNED NOT NULL,
	event_id	VARCHAR(128) CHARACTER SET ascii NOT NULL,
	topic		VARCHAR(64) CHARACTER SET ascii NOT NULL,
	triggered_at	VARCHAR(40) CHARACTER SET ascii NOT NULL DEFAULT '',
	body_sha256	CHAR(64) CHARACTER SET ascii NOT NULL,
	body		MEDIUMBLOB NOT NULL,
	state		ENUM('new','applied','ignored','failed') NOT NULL DEFAULT 'new',
	detail		VARCHAR(255) NOT NULL DEFAULT '',
	received_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	UNIQUE KEY uq_webhook_inbox_event (account_id, event_id),
	KEY ix_webhook_inbox_state (state, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What needs a person: unmapped sales and variations, push failures,
-- reconciliation discrepancies, tokens. One open alert per dedupe key.
CREATE TABLE IF NOT EXISTS alerts (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	kind		VARCHAR(40) CHARACTER SET ascii NOT NULL,
	dedupe_key	VARCHAR(191) NOT NULL,
	account_id	BIGINT UNSIGNED NULL,
	item_id		BIGINT UNSIGNED NULL,
	message		VARCHAR(255) NOT NULL,
	details		TEXT NOT NULL,
	occurrences	INT NOT NULL DEFAULT 1,
	created_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	last_at		TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	resolved_at	TIMESTAMP(6) NULL,
	UNIQUE KEY uq_alerts_dedupe (dedupe_key),
	KEY ix_alerts_open (resolved_at, kind)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every order line the hub has seen on a channel, with what became of
-- its units, so a cancellation releases only what is still committed, a
-- return after a shipment restocks rather than releases, and a refund and
-- a cancellation of the same units never both count.
CREATE TABLE IF NOT EXISTS channel_order_lines (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	account_id	BIGINT UNSIGNED NOT NULL,
	ext_order	VARCHAR(64) CHARACTER SET ascii NOT NULL,
	ext_line	VARCHAR(64) CHARACTER SET ascii NOT NULL,
	item_id		BIGINT UNSIGNED NOT NULL,
	qty		BIGINT NOT NULL,
	released	BIGINT NOT NULL DEFAULT 0,
	shipped		BIGINT NOT NULL DEFAULT 0,
	returned	BIGINT NOT NULL DEFAULT 0,
	created_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	UNIQUE KEY uq_order_lines_ext (account_id, ext_line),
	KEY ix_order_lines_order (account_id, ext_order),
	CONSTRAINT fk_order_lines_account FOREIGN KEY (account_id) REFERENCES channel_accounts (id),
	CONSTRAINT fk_order_lines_item FOREIGN KEY (item_id) REFERENCES stock_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
