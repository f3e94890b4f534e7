-- 0012_amplification.sql — who amplified a post, and its engagement
-- counters over time ([poll] amplification = yes).
--
-- reposts: one row per post and reposting actor, from Bluesky's
-- app.bsky.feed.getRepostedBy and Mastodon's /statuses/:id/reblogged_by
-- (the posts of Bluesky and Mastodon sources younger than
-- amplification_window), and from Telegram forwards seen in tracked
-- channels.  Neither API says when an actor reposted: first_seen is the
-- time of the check that first listed the actor, so the resolution is the
-- interval between checks.
CREATE TABLE reposts (
	post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	actor TEXT NOT NULL,          -- handle (Bluesky), acct (Mastodon),
	                              -- channel (Telegram)
	actor_name TEXT,              -- display name, if any
	actor_created INTEGER,        -- the actor account's creation, UTC
	                              -- epoch seconds, NULL if not given
	actor_followers INTEGER,      -- its followers when first seen, if given
	first_seen INTEGER NOT NULL,  -- the check that first listed it
	PRIMARY KEY (post_id, actor)
) WITHOUT ROWID;                  -- a post's reposters stored together:
                                  -- `amplification` reads them in one pass
CREATE INDEX reposts_actor ON reposts (actor);

-- post_metrics: a post's counters at a poll, a row only when one of them
-- changed since the post's previous row (NULL: the source does not give it).
CREATE TABLE post_metrics (
	post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	seen INTEGER NOT NULL,        -- UTC epoch seconds of the poll
	views INTEGER,                -- Telegram's view count
	reposts INTEGER,              -- reblogs_count / repostCount / listed
	likes INTEGER,                -- favourites_count / likeCount
	replies INTEGER,              -- replies_count / replyCount
	PRIMARY KEY (post_id, seen)
) WITHOUT ROWID;
