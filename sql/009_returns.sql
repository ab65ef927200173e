-- Returns with a condition (lib/returns.c): units that came back and wait
-- for a person to inspect them. Restocked and damaged returns are ledger
-- movements only (return_restock; return_restock + write_off); a unit
-- held for inspection is recorded here and is never available until it
-- is decided. Safe to rerun.

-- One return held for inspection: qty units of item (a stocked SKU, or a
-- bundle / made-to-order item whose parts are in return_hold_parts),
-- from an order line or handed in directly. held = qty - restocked -
-- written_off; each decision is a ledger event of its own.
CREATE TABLE IF NOT EXISTS return_holds (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	-- the key of the return that made it: a repeat holds nothing more
	event_key	VARCHAR(191) NOT NULL,
	item_id		BIGINT UNSIGNED NOT NULL,
	line_id		BIGINT UNSIGNED NULL,
	qty		BIGINT NOT NULL,
	restocked	BIGINT NOT NULL DEFAULT 0,
	written_off	BIGINT NOT NULL DEFAULT 0,
	source		VARCHAR(128) NOT NULL,
	reason		VARCHAR(255) NOT NULL,
	created_at	TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	decided_at	TIMESTAMP(6) NULL,
	UNIQUE KEY uq_return_holds_key (event_key),
	KEY ix_return_holds_open (decided_at, id),
	CONSTRAINT ck_return_holds_qty CHECK (qty > 0 AND restocked >= 0 AND
	    written_off >= 0 AND restocked + written_off <= qty),
	CONSTRAINT fk_return_holds_item FOREIGN KEY (item_id) REFERENCES stock_items (id),
	CONSTRAINT fk_return_holds_line FOREIGN KEY (line_id) REFERENCES channel_order_lines (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What one held unit of a bundle or made-to-order item is made of
-- (stocked items, nesting multiplied through), as when it was sold or
-- returned: a decision moves exactly these.
CREATE TABLE IF NOT EXISTS return_hold_parts (
	hold_id		BIGINT UNSIGNED NOT NULL,
	item_id		BIGINT UNSIGNED NOT NULL,
	qty		BIGINT NOT NULL,
	PRIMARY KEY (hold_id, item_id),
	CONSTRAINT fk_hold_parts_hold FOREIGN KEY (hold_id) REFERENCES return_holds (id),
	CONSTRAINT fk_hold_parts_item FOREIGN KEY (item_id) REFERENCES stock_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
