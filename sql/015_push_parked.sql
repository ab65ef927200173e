-- The push queue parks settled rows (done_version caught up with
-- want_version, no lease) at next_at = '2038-01-01 00:00:00', outside
-- the claim query's index range, so finding due pushes costs what is due,
-- not the catalog (lib/push.h, PUSH_PARKED_SQL). Rows settled before
-- that change still carry their last next_at: park them now rather than
-- at their next push. Safe to rerun: a parked row stays parked, and a
-- row with work waiting is not touched.
UPDATE push_queue SET next_at = '2038-01-01 00:00:00'
	WHERE want_version <= done_version AND lease_until IS NULL
	AND next_at < '2038-01-01 00:00:00';
