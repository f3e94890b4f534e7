-- 0001_tables.sql — the tables of the demarche log.
--
-- Every time is UTC, stored as INTEGER seconds since the Unix epoch
-- (1970-01-01T00:00:00Z); NULL means "not known".  The views of
-- 0002_views.sql show them as ISO 8601 strings.  Booleans are INTEGER 0/1.
-- See schema/README.md for every column and example queries.

-- One row per configured account (the [account "handle"] sections).
CREATE TABLE accounts (
	id INTEGER PRIMARY KEY,
	handle TEXT NOT NULL UNIQUE,      -- the config key, e.g. 'zlj517'
	name TEXT,                        -- display name from the config
	role TEXT NOT NULL DEFAULT 'other' CHECK (role IN ('diplomat',
		'spokesperson', 'mission', 'ministry', 'state_media', 'other')),
	country TEXT,                     -- country or post, as configured
	created INTEGER,                  -- when the account was opened:
	                                  -- the platform's date, else the config's
	created_platform INTEGER,         -- as the platform reported it
	created_config INTEGER,           -- as the config gave it
	first_seen INTEGER NOT NULL,      -- when demarche first knew the account
	last_seen INTEGER,                -- last successful poll of any feed
	active INTEGER NOT NULL DEFAULT 1 -- 0 once removed from the config
);

-- One row per configured feed of an account.
CREATE TABLE feeds (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	configured_url TEXT NOT NULL,     -- as written in the config
	url TEXT NOT NULL,                -- current: after permanent redirects
	kind TEXT NOT NULL CHECK (kind IN ('web', 'mastodon', 'bluesky')),
	etag TEXT,                        -- validators for conditional GET
	last_modified TEXT,
	next_poll INTEGER NOT NULL DEFAULT 0,
	consecutive_failures INTEGER NOT NULL DEFAULT 0,
	failing_since INTEGER,            -- first failure of the current run
	last_poll INTEGER,
	last_success INTEGER,
	last_error TEXT,
	last_error_at INTEGER,
	disabled INTEGER NOT NULL DEFAULT 0, -- 1 after 410 Gone
	active INTEGER NOT NULL DEFAULT 1,   -- 0 once removed from the config
	added INTEGER NOT NULL,
	UNIQUE (account_id, configured_url)
);

-- One row per distinct post; an edit updates the row (edit_count + 1).
CREATE TABLE posts (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	feed_id INTEGER REFERENCES feeds (id),
	stable_key TEXT NOT NULL,         -- platform id, guid, link or hash
	url TEXT,
	title TEXT,
	text TEXT NOT NULL,               -- plain text, NFC
	html TEXT,                        -- markup as published, if any
	author TEXT,
	lang TEXT,
	published INTEGER,                -- as the feed says, NULL if it does not
	first_seen INTEGER NOT NULL,      -- when demarche stored it
	report_time INTEGER NOT NULL,     -- published, else first_seen: the
	                                  -- time reports and views group by
	updated INTEGER,                  -- the feed's own "updated" time
	edited_seen INTEGER,              -- when demarche last recorded an edit
	content_hash TEXT NOT NULL,       -- of title and text, detects edits
	edit_count INTEGER NOT NULL DEFAULT 0,
	is_repost INTEGER NOT NULL DEFAULT 0,
	rules_version TEXT,               -- rule set that classified it, or NULL
	UNIQUE (account_id, stable_key)
);

-- The categories a post fell into (none: no row).
CREATE TABLE post_categories (
	post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	category TEXT NOT NULL,           -- e.g. 'origin_narrative'
	score REAL NOT NULL,
	evidence TEXT NOT NULL,           -- JSON [{"term":..,"start":..,"end":..}]
	rules_version TEXT NOT NULL,
	classified_at INTEGER NOT NULL,
	PRIMARY KEY (post_id, category)
) WITHOUT ROWID;

-- Follower / following / post counters of an account over time.
CREATE TABLE account_snapshots (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	observed INTEGER NOT NULL,
	followers INTEGER,
	following INTEGER,
	posts_count INTEGER
);

-- One row per poll of a feed.
CREATE TABLE fetches (
	id INTEGER PRIMARY KEY,
	feed_id INTEGER NOT NULL REFERENCES feeds (id),
	started INTEGER NOT NULL,
	duration_ms INTEGER NOT NULL DEFAULT 0,
	http_status INTEGER,              -- NULL when no response arrived
	bytes INTEGER NOT NULL DEFAULT 0,
	not_modified INTEGER NOT NULL DEFAULT 0,
	new_posts INTEGER NOT NULL DEFAULT 0,
	edited_posts INTEGER NOT NULL DEFAULT 0,
	error TEXT                        -- NULL on success
);
