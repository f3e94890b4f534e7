-- 0005_leases.sql (PostgreSQL) — as ../0005_leases.sql: the poll leases
-- that let several daemons share the feeds.  store_claim_feed() takes a
-- feed's row with SELECT ... FOR UPDATE SKIP LOCKED, so two instances
-- never wait on each other and never both win the same feed.

ALTER TABLE feeds ADD COLUMN lease_owner TEXT;
ALTER TABLE feeds ADD COLUMN lease_until BIGINT;
CREATE INDEX feeds_next_poll ON feeds (next_poll) WHERE active = 1;
