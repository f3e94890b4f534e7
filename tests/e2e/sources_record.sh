# backends: sqlite postgresql
# End to end: the statement record on the sources of issue 14.  Mastodon,
# Bluesky and Telegram accounts lose posts from the middle of their
# windows: each suspected deletion is asked of the source once (Mastodon
# GET /api/v1/statuses/ID, Bluesky getPosts, a Telegram post's embed
# page); "not found" confirms it, a post still served clears it.  A JSON
# Feed, an Atom and an RSS feed write fractions of a second, kept in
# posts.published_us and shown by `show` and `posts`; feeds.source tells
# what each feed is read as; a Telegram post the channel marks edited is
# stored and shown so.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
mkdir -p "$WORK/site/api/v1/accounts/42" "$WORK/site/api/v1/statuses" \
	"$WORK/site/xrpc"
cp "$TESTS/fixtures/e2e/api/api/v1/accounts/lookup" "$WORK/site/api/v1/accounts/"
cp "$TESTS/fixtures/e2e/api/xrpc/app.bsky.actor.getProfile" "$WORK/site/xrpc/"

# toot ID DAY: one Mastodon status of March DAY 2020.
toot() {
	printf '{"id": "%s", "created_at": "2020-03-%sT09:00:00.000Z",' "$1" "$2"
	printf ' "url": "http://127.0.0.1/@embassy/%s", "content": "<p>Statement %s.</p>",' "$1" "$1"
	printf ' "account": {"id": "42", "username": "embassy", "acct": "embassy"},'
	printf ' "reblog": null, "media_attachments": [], "mentions": [], "tags": []}'
}
# skeet RKEY DAY: one Bluesky post of March DAY 2020.
skeet() {
	printf '{"post": {"uri": "at://did:plc:demarchetest/app.bsky.feed.post/%s",' "$1"
	printf ' "author": {"did": "did:plc:demarchetest", "handle": "ministry.test"},'
	printf ' "record": {"text": "Post %s.", "createdAt": "2020-03-%sT08:00:00.000Z"},' "$1" "$2"
	printf ' "indexedAt": "2020-03-%sT08:00:01.000Z"}}' "$2"
}
# statuses IDS...: the account's statuses, newest first (id 20DD: day DD).
statuses() {
	sep=''
	printf '['
	for i in "$@"; do printf '%s' "$sep"; toot "$i" "${i#20}"; sep=','; done
	printf ']\n'
}
skeets() {
	sep=''
	printf '{"feed": ['
	for i in "$@"; do printf '%s' "$sep"; skeet "3k$i" "$i"; sep=','; done
	printf ']}\n'
}
statuses 2015 2014 2013 2012 2011 >"$WORK/site/api/v1/accounts/42/statuses"
skeets 15 14 13 >"$WORK/site/xrpc/app.bsky.feed.getAuthorFeed"

# Fractions of a second in each feed format.
cat >"$WORK/site/feed.json" <<'JSON'
{"version": "https://jsonfeed.org/version/1.1", "title": "J",
 "items": [{"id": "j1", "content_text": "JSON item.",
            "date_published": "2020-03-12T10:00:00.25Z"}]}
JSON
cat >"$WORK/site/feed.atom" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id>
<updated>2020-03-12T10:00:00Z</updated>
<entry><id>urn:a1</id><title>Atom item</title><summary>Atom item text.</summary>
<published>2020-03-12T10:00:00.123456789+01:00</published>
<updated>2020-03-12T10:00:00Z</updated></entry></feed>
XML
cat >"$WORK/site/feed.rss" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>R</title>
<item><guid>r1</guid><title>RSS item</title><description>RSS item text.</description>
<dc:date>2020-03-12T10:00:00.5Z</dc:date></item></channel></rss>
XML
start_server "$WORK/site"

cat >"$WORK/test.conf" <<CONF
[storage]
database = $DB
[poll]
interval = 1h
allow_private_addresses = yes
bluesky_api = $BASE
telegram_base = $BASE/tg
telegram_delay = 0
[classifier]
rules = $SRC/config/rules
[account "embassy"]
feed = mastodon:$BASE/@embassy
[account "ministry"]
feed = bluesky:ministry.test
[account "fractions"]
feed = $BASE/feed.json
feed = $BASE/feed.atom
feed = $BASE/feed.rss
[account "spox"]
feed = telegram:spox30
CONF

"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run1.log" 2>&1
check "first run exits 0" "$?" 0
check "every post stored" "$(sql 'SELECT count(*) FROM posts')" 41
check "nothing asked of the sources yet" \
	"$(grep -c -e 'GET /api/v1/statuses/' -e 'getPosts' "$WORK/requests.log")" 0
check "each feed's source" \
	"$(sql "SELECT source FROM feeds ORDER BY source" | paste -sd,)" \
	"atom,bluesky,jsonfeed,mastodon,rss,telegram"

# Statuses 2012 and 2014 leave the middle of the window: 2014 is gone
# upstream (404), 2012 is still served (it left the window some other
# way).  Bluesky's 3k14 is gone (getPosts lists nothing).
statuses 2015 2013 2011 >"$WORK/site/api/v1/accounts/42/statuses"
toot 2012 12 >"$WORK/site/api/v1/statuses/2012"
skeets 15 13 >"$WORK/site/xrpc/app.bsky.feed.getAuthorFeed"
printf '{"posts": []}\n' >"$WORK/site/xrpc/app.bsky.feed.getPosts"
# Telegram: message 27 is deleted (its embed page says "Post not found"),
# 25 only left the page (its embed page still shows it).
mkdir -p "$WORK/site/tg"
echo 27 >"$WORK/site/tg/spox30.deleted"
echo 25 >"$WORK/site/tg/spox30.hidden"
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run2.log" 2>&1
check "second run exits 0" "$?" 0
check "each suspect asked once" \
	"$(grep -c -e 'GET /api/v1/statuses/201[24] ' -e 'getPosts?uris=at:%2F%2Fdid:plc:demarchetest%2Fapp.bsky.feed.post%2F3k14 ' "$WORK/requests.log")" 3
check "a 404 confirms the deletion" \
	"$(sql "SELECT CASE WHEN p.deleted_seen IS NOT NULL THEN 'deleted' ELSE 'live' END||':'||d.confirmed FROM posts p JOIN post_deletions d ON d.post_id = p.id WHERE p.stable_key = '2014'")" "deleted:1"
check "a post still served is live again" \
	"$(sql "SELECT CASE WHEN p.deleted_seen IS NOT NULL THEN 'deleted' ELSE 'live' END||':'||d.confirmed||':'||CASE WHEN d.returned_seen IS NULL THEN 'open' ELSE 'closed' END FROM posts p JOIN post_deletions d ON d.post_id = p.id WHERE p.stable_key = '2012'")" "live:0:closed"
check "Bluesky: no such post confirms it" \
	"$(sql "SELECT d.confirmed FROM posts p JOIN post_deletions d ON d.post_id = p.id WHERE p.stable_key LIKE '%/3k14'")" 1
check "Telegram: each asked once, at its embed page" \
	"$(grep -c -e 'GET /tg/spox30/27?embed=1&mode=tme 200' -e 'GET /tg/spox30/25?embed=1&mode=tme 200' "$WORK/requests.log")" 2
check "Telegram: 'Post not found' confirms it, the post shown clears it" \
	"$(sql "SELECT p.stable_key||':'||d.confirmed||':'||CASE WHEN p.deleted_seen IS NULL THEN 'live' ELSE 'deleted' END FROM posts p JOIN post_deletions d ON d.post_id = p.id WHERE p.stable_key LIKE 'spox30/%' ORDER BY p.stable_key" | paste -sd' ')" \
	"spox30/25:0:live spox30/27:1:deleted"
check "the log tells both" \
	"$(grep -c -e 'post 2014 deleted, confirmed' -e 'post 2012 is still served' "$WORK/run2.log")" 2
check "deleted_posts leaves out the refuted one" \
	"$(sql "SELECT count(*) FROM deleted_posts")" 3
check "show: confirmed" \
	"$("$BUILD/demarche" -d "$DB" show http://127.0.0.1/@embassy/2014 --format json | grep -c '"confirmed": true')" 1
check "show --format text: confirmed" \
	"$("$BUILD/demarche" -d "$DB" show http://127.0.0.1/@embassy/2014 | grep -c 'confirmed: the source has no such post')" 1

check "the report counts the three deletions, all confirmed" \
	"$("$BUILD/demarche" -d "$DB" report --format json | /usr/bin/python3 -c 'import json, sys; r = json.load(sys.stdin)["record"]; print(r["deletions"], sum(1 for d in r["deleted"] if d["confirmed"]))')" "3 3"
check "its text says so" \
	"$("$BUILD/demarche" -d "$DB" report --format text | grep -c 'confirmed by the source')" 3

# A third poll: the confirmed one is not asked again, nor the one the
# source served (for a day).
n0=$(wc -l <"$WORK/requests.log")
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run3.log" 2>&1
check "third run exits 0" "$?" 0
check "nothing asked again" \
	"$(tail -n +$((n0 + 1)) "$WORK/requests.log" | grep -c -e 'GET /api/v1/statuses/' -e 'getPosts' -e 'embed=1')" 0
check "2012 not marked again" \
	"$(sql "SELECT count(*) FROM post_deletions d JOIN posts p ON p.id = d.post_id WHERE p.stable_key = '2012'")" 1

# Fractions of a second.
check "JSON Feed's fraction kept" \
	"$(sql "SELECT published_us FROM posts WHERE stable_key = 'j1'")" 250000
check "Atom's cut to microseconds" \
	"$(sql "SELECT published||':'||published_us FROM posts WHERE stable_key = 'urn:a1'")" "1584003600:123456"
check "RSS dc:date's kept" \
	"$(sql "SELECT published_us FROM posts WHERE stable_key = 'r1'")" 500000
check "whole seconds (.000) stay NULL" \
	"$(sql "SELECT count(*) FROM posts WHERE stable_key = '2015' AND published_us IS NULL")" 1
check "show --format json gives the fraction" \
	"$("$BUILD/demarche" -d "$DB" show j1 --format json | grep '"published"')" \
	'  "published": "2020-03-12T10:00:00.25Z",'
check "posts --format jsonl gives it" \
	"$("$BUILD/demarche" -d "$DB" posts --account fractions --format jsonl | grep -o '"published":"[^"]*"' | sort | paste -sd' ')" \
	'"published":"2020-03-12T09:00:00.123456Z" "published":"2020-03-12T10:00:00.25Z" "published":"2020-03-12T10:00:00.5Z"'

# Telegram's "edited" mark (post 7 of the feed server's channel).
check "the edited mark stored" \
	"$(sql "SELECT stable_key FROM posts WHERE upstream_edited = 1")" "spox30/7"
check "show tells it" \
	"$("$BUILD/demarche" -d "$DB" show spox30/7 | grep -c 'the source marks it edited')" 1
check "show --format json too" \
	"$("$BUILD/demarche" -d "$DB" show spox30/7 --format json | grep -c '"upstream_edited": true')" 1
check "show names the feed's source" \
	"$("$BUILD/demarche" -d "$DB" show spox30/7 | grep -c '^feed .*(telegram)')" 1
check_db_sound
finish
