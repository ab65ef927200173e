-- The push engine's pace (lib/push.c, PUSH_PACE_MS) kept on the queue row
-- itself: when a push settles its row, paced_until = then + the pace, and
-- a movement that makes the row due again (PUSH_UNPARK_SQL) does so from
-- paced_until on. The unparking read channel_listings.last_pushed_at
-- instead, from the movement's statement snapshot: a movement whose
-- statement began before the push's transaction committed, and then
-- waited for the row's lock, saw the previous push's time and made the
-- row due at once, a second write within the pace. The row's own column
-- is read under its lock, so it is always the latest. Safe to rerun.
ALTER TABLE push_queue ADD COLUMN IF NOT EXISTS
	paced_until TIMESTAMP(6) NULL;
