-- The stock ledger: items keyed by the seller's SKU, their cached balance,
-- and the append-only movements that are the only way the balance changes.
-- Safe to rerun: MariaDB commits DDL implicitly, so a half-applied file is
-- finished by running it again.

CREATE TABLE IF NOT EXISTS stock_items (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	-- exact, case-sensitive match: the SKU is the seller's canonical key
	sku		VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	title		VARCHAR(255) NOT NULL DEFAULT '',
	on_hand		BIGINT NOT NULL DEFAULT 0,
	committed	BIGINT NOT NULL DEFAULT 0,
	-- movements applied so far; pushes carry it so an older one never wins
	version		BIGINT UNSIGNED NOT NULL DEFAULT 0,
	created_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	updated_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	UNIQUE KEY uq_stock_items_sku (sku)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per external event (a channel's order line, a webhook event id,
-- an admin form submission). The unique key is what makes posting
-- exactly-once: a second insert of the same key fails and nothing moves.
CREATE TABLE IF NOT EXISTS ledger_events (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	event_key	VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	source		VARCHAR(128) NOT NULL,
	reason		VARCHAR(255) NOT NULL,
	-- SHA-256 of the event's lines: the same key with other lines is a
	-- bug or an attack, refused and reported, never applied
	payload_hash	CHAR(64) CHARACTER SET ascii NOT NULL,
	created_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	UNIQUE KEY uq_ledger_events_key (event_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE IF NOT EXISTS stock_movements (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	event_id	BIGINT UNSIGNED NOT NULL,
	item_id		BIGINT UNSIGNED NOT NULL,
	kind		ENUM('receive','count','adjust','commit','release','ship',
			     'return_restock','write_off') NOT NULL,
	qty		BIGINT NOT NULL,
	on_hand_delta	BIGINT NOT NULL,
	committed_delta	BIGINT NOT NULL,
	on_hand_after	BIGINT NOT NULL,
	committed_after	BIGINT NOT NULL,
	-- units this sale took beyond what was available: the sale happened,
	-- so it is recorded, and it is counted and shown, never hidden
	oversold	BIGINT NOT NULL DEFAULT 0,
	created_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	KEY ix_stock_movements_item (item_id, id),
	KEY ix_stock_movements_oversold (oversold),
	CONSTRAINT fk_movements_event FOREIGN KEY (event_id) REFERENCES ledger_events (id),
	CONSTRAINT fk_movements_item FOREIGN KEY (item_id) REFERENCES stock_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
