-- 0015_narratives.sql — narratives: claims that spread from account to
-- account (`[narrative "KEY"]` sections of the config, each a list of
-- terms).  Every stored post is matched against the configured narratives
-- as it is written; the matches are kept in post_narratives, so that a
-- narrative's timeline (who said it first, who followed and how fast) is
-- a query, never a rescan.  narratives remembers each narrative's
-- definition as last applied to the whole log: a changed or added one is
-- applied to the stored posts again, in batches, after a reload.
-- narrative_alerts holds the alerts (an account's first use of a
-- narrative, a day's spike) with a UNIQUE key claimed before sending, so
-- each goes out at most once, across restarts and several daemons.

CREATE TABLE narratives (
	narrative TEXT PRIMARY KEY,       -- the KEY of [narrative "KEY"]
	name TEXT,                        -- display name, or NULL
	definition TEXT NOT NULL,         -- terms and category, as JSON
	definition_hash TEXT NOT NULL,    -- SHA-256 of definition (hex)
	applied_hash TEXT,                -- the definition whose matches
	                                  -- post_narratives holds for every
	                                  -- post; NULL while a rescan runs
	updated INTEGER NOT NULL          -- when the row last changed
);

CREATE TABLE post_narratives (
	post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	narrative TEXT NOT NULL,          -- narratives.narrative
	term TEXT NOT NULL,               -- the first term that matched, as
	                                  -- configured
	matched_at INTEGER NOT NULL,      -- when it was matched
	PRIMARY KEY (post_id, narrative)
);
CREATE INDEX post_narratives_narrative ON post_narratives (narrative,
	post_id);

CREATE TABLE narrative_alerts (
	id INTEGER PRIMARY KEY,
	dedup TEXT NOT NULL UNIQUE,       -- 'first:KEY:POST_ID' or
	                                  -- 'spike:KEY:YYYY-MM-DD'
	kind TEXT NOT NULL CHECK (kind IN ('first', 'spike')),
	narrative TEXT NOT NULL,          -- a narrative key, or
	                                  -- 'category:KEY' ([report]
	                                  -- alert_categories)
	post_id INTEGER REFERENCES posts (id) ON DELETE CASCADE,
	                                  -- the post that fired it
	day TEXT,                         -- spike: the UTC day
	day_count INTEGER,                -- spike: statements that day
	mean REAL,                        -- spike: trailing 28-day mean
	created INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'sending',
	                                       'delivered', 'failed')),
	channels_done INTEGER NOT NULL DEFAULT 0,
	                                  -- channels that took it: 1 file,
	                                  -- 2 mail, 4 webhook
	attempts INTEGER NOT NULL DEFAULT 0,
	next_try INTEGER NOT NULL,        -- not sent before this time
	lease_owner TEXT,                 -- the sender that claimed it
	lease_until INTEGER,              -- its claim runs out then
	finished INTEGER,                 -- when it was delivered or given up
	error TEXT                        -- why the last try failed
);
CREATE INDEX narrative_alerts_due ON narrative_alerts (status, next_try);
