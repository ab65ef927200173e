-- Buffer recommendation (lib/bufrec.c): a per-listing holdback that
-- replaces the account's buffer (percent and units) for that listing
-- when set, so a fast-selling SKU can hold back more than a slow one on
-- the same channel. NULL: the account's buffer applies. Written by
-- `stockhub buffers --apply`. Safe to rerun.
ALTER TABLE channel_listings ADD COLUMN IF NOT EXISTS
	holdback_units BIGINT NULL;
