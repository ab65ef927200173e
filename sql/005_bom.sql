-- Bills of materials (lib/bom.c): what kind of thing each SKU is, the
-- components a bundle or made-to-order item consumes, what each order
-- line of one consumed when it was sold, and who changed a BOM and why.
-- Safe to rerun.

-- stocked: has its own on_hand; bundle: fixed components, its
-- availability is computed, never stored; made_to_order: no finished
-- stock, consumes its materials when sold, shown up to mto_cap when set.
ALTER TABLE stock_items ADD COLUMN IF NOT EXISTS
	kind ENUM('stocked','bundle','made_to_order') NOT NULL DEFAULT 'stocked';
ALTER TABLE stock_items ADD COLUMN IF NOT EXISTS mto_cap BIGINT NULL;
-- raised each time a component (directly or through nesting) moves or
-- the BOM changes: a bundle's listings are pushed at version +
-- derived_version, which only ever grows (version stays the count of the
-- item's own movements, as ledger_check proves)
ALTER TABLE stock_items ADD COLUMN IF NOT EXISTS
	derived_version BIGINT NOT NULL DEFAULT 0;

-- One row per component of a parent: qty units of the component per unit
-- of the parent. Cycles are refused by bom_set() (never stored).
CREATE TABLE IF NOT EXISTS bom_lines (
	parent_id	BIGINT UNSIGNED NOT NULL,
	component_id	BIGINT UNSIGNED NOT NULL,
	qty		BIGINT NOT NULL,
	PRIMARY KEY (parent_id, component_id),
	KEY ix_bom_lines_component (component_id),
	CONSTRAINT ck_bom_lines_qty CHECK (qty > 0),
	CONSTRAINT ck_bom_lines_self CHECK (parent_id <> component_id),
	CONSTRAINT fk_bom_parent FOREIGN KEY (parent_id) REFERENCES stock_items (id),
	CONSTRAINT fk_bom_component FOREIGN KEY (component_id) REFERENCES stock_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row: every BOM edit updates it first, so edits run one at a time
-- and two concurrent edits can never close a cycle between them.
CREATE TABLE IF NOT EXISTS bom_meta (
	id		TINYINT UNSIGNED NOT NULL PRIMARY KEY,
	rev		BIGINT UNSIGNED NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT IGNORE INTO bom_meta (id, rev) VALUES (1, 0);

-- What one unit of a bundle or made-to-order order line consumed, stocked
-- items only (nesting multiplied through), as the BOM was when it sold:
-- cancellations, shipments and returns move exactly these, even after
-- the BOM changed.
CREATE TABLE IF NOT EXISTS order_line_parts (
	line_id		BIGINT UNSIGNED NOT NULL,
	item_id		BIGINT UNSIGNED NOT NULL,
	qty		BIGINT NOT NULL,
	PRIMARY KEY (line_id, item_id),
	CONSTRAINT fk_line_parts_line FOREIGN KEY (line_id) REFERENCES channel_order_lines (id),
	CONSTRAINT fk_line_parts_item FOREIGN KEY (item_id) REFERENCES stock_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every BOM edit: who, why, and the components it set.
CREATE TABLE IF NOT EXISTS bom_audit (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	parent_id	BIGINT UNSIGNED NOT NULL,
	actor		VARCHAR(128) NOT NULL,
	reason		VARCHAR(255) NOT NULL,
	kind		ENUM('stocked','bundle','made_to_order') NOT NULL,
	mto_cap		BIGINT NULL,
	components	TEXT NOT NULL,
	at		TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	KEY ix_bom_audit_parent (parent_id, id),
	CONSTRAINT fk_bom_audit_parent FOREIGN KEY (parent_id) REFERENCES stock_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
