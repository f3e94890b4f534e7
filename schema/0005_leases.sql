-- 0005_leases.sql — which daemon is polling a feed.  Several demarched on
-- one PostgreSQL database share the feeds: an instance polls a feed only
-- after claiming it (lease_owner, until lease_until), and the claim ends
-- when the poll is recorded or, if the instance died, when the lease runs
-- out.  One daemon owns an SQLite file, so there the columns stay NULL;
-- they exist so both backends have one schema (see schema/README.md).

ALTER TABLE feeds ADD COLUMN lease_owner TEXT;    -- instance id, or NULL
ALTER TABLE feeds ADD COLUMN lease_until INTEGER; -- epoch seconds, or NULL
