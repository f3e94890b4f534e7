-- 0003_deliveries_candidates.sql — the scheduled reports the daemon has
-- sent, and the accounts it came across but does not track.

-- One row per scheduled report run (the [report] schedule), written by the
-- daemon when the delivery child finished: a restart looks here so that it
-- neither sends a period twice nor skips the one it missed while down.
CREATE TABLE report_deliveries (
	id INTEGER PRIMARY KEY,
	slot INTEGER NOT NULL UNIQUE,     -- the scheduled time (UTC) of the run
	period_from INTEGER NOT NULL,     -- the report's period [from, to)
	period_to INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('delivered', 'failed')),
	attempts INTEGER NOT NULL,        -- tries made, retries included
	finished INTEGER NOT NULL,        -- when the last try ended
	error TEXT                        -- why the last try failed, or NULL
);

-- Accounts that tracked accounts repost or mention and whose handle or
-- name marks them as diplomatic or state media (an embassy, a ministry, an
-- ambassador, a state outlet).  They are listed for an analyst to review
-- (`demarche -d DB candidates`), never tracked on their own.
CREATE TABLE candidates (
	id INTEGER PRIMARY KEY,
	handle TEXT NOT NULL UNIQUE,      -- as mentioned: 'user' or
	                                  -- 'user@host', without the '@'
	name TEXT,                        -- display name when a repost gave it
	marker TEXT NOT NULL,             -- the word that marked it, e.g.
	                                  -- 'embassy', '大使馆'
	kind TEXT NOT NULL CHECK (kind IN ('mention', 'repost')),
	first_seen INTEGER NOT NULL,      -- first post that referred to it
	last_seen INTEGER NOT NULL,
	refs INTEGER NOT NULL DEFAULT 1,  -- posts that referred to it
	via_account_id INTEGER REFERENCES accounts (id),
	                                  -- the tracked account that did first
	via_post_id INTEGER REFERENCES posts (id) ON DELETE SET NULL
);
CREATE INDEX candidates_last_seen ON candidates (last_seen);
