-- Releasing units a push held back that no sale ever explained
-- (lib/push.c). A push that finds a channel showing less than the hub
-- last pushed holds the difference back as sales the hub has not seen
-- yet; held_since says since when (NULL: nothing held). caught_up_at is
-- the account's intake promise: every sale the channel made before it is
-- in the ledger (the Etsy receipts poll and the Shopify order sweep set
-- it). A hold older than the account's catch-up was no sale (the seller
-- lowered the quantity by hand, say): it is released, the listing shows
-- the ledger's figure again instead of underselling for ever, and an
-- alert says so. Safe to rerun.
ALTER TABLE channel_listings ADD COLUMN IF NOT EXISTS
	held_since TIMESTAMP(6) NULL;
CREATE INDEX IF NOT EXISTS channel_listings_held
	ON channel_listings (held_since);
ALTER TABLE channel_accounts ADD COLUMN IF NOT EXISTS
	caught_up_at TIMESTAMP(6) NULL;
