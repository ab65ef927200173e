-- Reconciliation settings per account (lib/recon.c, issue 8): the
-- threshold of a discrepancy on this account, set from the command line
-- (`stockhub account set ID recon_threshold=N`) beside recon_policy
-- (006). NULL: the run's threshold (default 1 unit). Safe to rerun.
ALTER TABLE channel_accounts ADD COLUMN IF NOT EXISTS
	recon_threshold INT NULL;
