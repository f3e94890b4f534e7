# backends: sqlite postgresql
# End to end: the amplification watch ([poll] amplification = yes).  The
# feed server plays a Bluesky account with two fresh posts and two Mastodon
# accounts with two fresh statuses each, and the lists of who reposted them
# (reposters/KEY: paged by cursor for Bluesky, by the Link header for
# Mastodon), plus Telegram channels with forwards (one of a post in the log)
# and view counts.  The
# checks: every reposter stored once, the cap (amplification_max = 120) on
# a post with 150, the fresh-account share, the amplifiers of several
# tracked posts, a state-looking reposter among the candidates, a 429 that
# pauses only the reposter checks (the feeds' polls go on), the engagement
# counters and a burst between two polls.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
A="$WORK/amp"
mkdir -p "$A/api/v1/accounts/42" "$A/xrpc" "$A/reposters"
POSTED=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S.000Z)
FRESH=$(date -u -d '-11 days' +%Y-%m-%dT%H:%M:%S.000Z) # < 90 days before
OLD=2015-06-01T00:00:00.000Z

cat >"$A/api/v1/accounts/lookup" <<'JSON'
{"id": "42", "username": "embassy", "acct": "embassy", "display_name": "Embassy (test)",
 "created_at": "2019-05-01T00:00:00.000Z", "followers_count": 1200, "following_count": 30,
 "statuses_count": 345}
JSON
status() { # id reblogs
	printf '{"id": "%s", "created_at": "%s", "url": "http://127.0.0.1/@embassy/%s",
  "content": "<p>Statement %s</p>", "language": "en", "reblog": null,
  "account": {"id": "42", "acct": "embassy"}, "reblogs_count": %s,
  "favourites_count": 5, "replies_count": 1}' "$1" "$POSTED" "$1" "$1" "$2"
}
statuses() { # reblogs of 2001
	{ printf '['; status 2001 "$1"; printf ',\n'; status 2002 3; printf ']\n'; } \
		>"$A/api/v1/accounts/42/statuses"
}
statuses 90
cat >"$A/xrpc/app.bsky.actor.getProfile" <<'JSON'
{"did": "did:plc:amptest", "handle": "ministry.test", "followersCount": 500,
 "followsCount": 10, "postsCount": 77, "createdAt": "2023-05-01T00:00:00.000Z"}
JSON
skeet() { # rkey reposts
	printf '{"post": {"uri": "at://did:plc:amptest/app.bsky.feed.post/%s",
  "author": {"did": "did:plc:amptest", "handle": "ministry.test"},
  "record": {"text": "Skeet %s", "createdAt": "%s", "langs": ["en"]},
  "indexedAt": "%s", "repostCount": %s, "likeCount": 7, "replyCount": 0}}' \
		"$1" "$1" "$POSTED" "$POSTED" "$2"
}
{ printf '{"feed": ['; skeet amp1 150; printf ',\n'; skeet amp2 4; printf ']}\n'; } \
	>"$A/xrpc/app.bsky.feed.getAuthorFeed"

# amp1: 150 reposters, the first 30 fresh (the cap keeps the first 120).
i=1
while [ $i -le 150 ]; do
	if [ $i -le 30 ]; then c=$FRESH; else c=$OLD; fi
	echo "r$i.bsky.social|$c|$i|"
	i=$((i + 1))
done >"$A/reposters/amp1"
printf '%s\n' "chinaembassy.bsky.social|$OLD|900|Embassy of China" \
	"r1.bsky.social|$FRESH|1|" "old1.example|$OLD||" "old2.example|||" \
	>"$A/reposters/amp2"
# 2001: 90 reposters over two pages of 80, 9 fresh; 2002: three, two fresh,
# the first answer a 429.
i=1
while [ $i -le 90 ]; do
	if [ $i -le 9 ]; then c=$FRESH; else c=$OLD; fi
	echo "m$i@relay.example|$c|$i|"
	i=$((i + 1))
done >"$A/reposters/2001"
printf '%s\n' "amp@relay.example|$OLD|5|" "local1|$FRESH|1|" \
	"n2@relay.example|$FRESH||" >"$A/reposters/2002"
echo 1 >"$A/reposters/2002.429"
start_server "$A"

cat >"$WORK/test.conf" <<CONF
[storage]
database = $DB
[poll]
interval = 1h
allow_private_addresses = yes
bluesky_api = $BASE
telegram_base = $BASE/tg
telegram_delay = 0
amplification = yes
amplification_window = 3650d
amplification_max = 120
burst_threshold = 50
[classifier]
rules = $SRC/config/rules
[account "embassy"]
role = mission
feed = mastodon:$BASE/@embassy
[account "consulate"]
role = mission
feed = mastodon:$BASE/@consulate
[account "ministry"]
role = ministry
feed = bluesky:ministry.test
[account "chan"]
role = state_media
feed = telegram:chan30
[account "relay"]
role = mission
feed = telegram:relay8
[account "source"]
role = ministry
feed = telegram:source60
CONF

"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run1.log" 2>&1
check "first run exits 0" "$?" 0
reposts_of() { sql "SELECT count(*) FROM reposts r JOIN posts p ON p.id = r.post_id JOIN accounts a ON a.id = p.account_id WHERE p.stable_key LIKE '%$1' AND a.handle = '$2'"; }
check "Bluesky: reposters capped at amplification_max" "$(reposts_of amp1 ministry)" 120
check "Bluesky: paged by cursor, the last page only as far as the cap" \
	"$(grep -c -e 'getRepostedBy?uri=at:%2F%2Fdid:plc:amptest%2Fapp.bsky.feed.post%2Famp1&limit=100 200' -e 'post%2Famp1&limit=20&cursor=100 200' "$WORK/requests.log")" 2
check "the cap is logged" "$(grep -c 'capped at 120 (amplification_max)' "$WORK/run1.log")" 1
check "Bluesky: a short list" "$(reposts_of amp2 ministry)" 4
check "Mastodon: both pages read (Link rel=next)" "$(reposts_of 2001 embassy)|$(reposts_of 2001 consulate)" "90|90"
check "Mastodon: next page asked where the Link said" \
	"$(grep -c 'GET /api/v1/statuses/2001/reblogged_by?limit=80&max_id=80 200' "$WORK/requests.log")" 2
check "a 429 answered once" "$(grep -c 'reblogged_by?limit=80 429' "$WORK/requests.log")" 1
check "after the 429, the list is read" "$(reposts_of 2002 embassy)|$(reposts_of 2002 consulate)" "3|3"
check "the 429 paused the checks only" \
	"$(grep -c 'reposter checks pause for 1s (feed polls go on)' "$WORK/run1.log")|$(grep -c 'pausing the host' "$WORK/run1.log")" "1|0"
check "a local acct is completed with the instance" \
	"$(sql "SELECT count(*) FROM reposts WHERE actor = 'local1@127.0.0.1'")" 2
check "account facts kept" \
	"$(sql "SELECT actor_name || '|' || actor_followers || '|' || actor_created FROM reposts WHERE actor = 'chinaembassy.bsky.social'")" \
	"Embassy of China|900|1433116800"
check "a state-looking amplifier joins the candidates" \
	"$(sql "SELECT kind || '|' || marker FROM candidates WHERE handle = 'chinaembassy.bsky.social'")" "repost|embassy"

# The engagement counters, and Telegram: views and the forward.
check "counters of the statuses and skeets" \
	"$(sql "SELECT m.reposts || '|' || m.likes || '|' || m.replies FROM post_metrics m JOIN posts p ON p.id = m.post_id WHERE p.stable_key LIKE '%amp1'")" "150|7|0"
check "Telegram views recorded" \
	"$(sql "SELECT m.views FROM post_metrics m JOIN posts p ON p.id = m.post_id WHERE p.stable_key = 'chan30/12'")" 12200
check "Telegram forward: the forwarding channel amplified the forward" \
	"$(sql "SELECT r.actor || '|' || p.stable_key || '|' || r.actor_followers FROM reposts r JOIN posts p ON p.id = r.post_id WHERE p.stable_key LIKE 'chan30/%'")" \
	"chan30|chan30/5|1230000"

"$BUILD/demarche" -c "$WORK/test.conf" amplification --since 1d --format json >"$WORK/amp.json"
check "amplification exits 0" "$?" 0
check "posts: reposters, capped, fresh share, spread" "$(/usr/bin/python3 - "$WORK/amp.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
out = []
for p in sorted(m["posts"], key=lambda p: (-p["reposts"], p["account"])):
    key = p["url"].rsplit("/", 1)[-1]
    out.append("%s:%s:%d:%s:%.4f:%d" % (p["account"], key, p["reposts"],
               "c" if p["capped"] else "-", p["fresh_share"],
               p["first_seen"]["spread_s"] >= 0))
print(" ".join(out))
PY
)" "ministry:amp1:120:c:0.2500:1 consulate:2001:90:-:0.1000:1 embassy:2001:90:-:0.1000:1 ministry:amp2:4:-:0.2500:1 consulate:2002:3:-:0.6667:1 embassy:2002:3:-:0.6667:1"
check "amplifiers: sorted by posts, with the accounts they amplified" "$(/usr/bin/python3 - "$WORK/amp.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
a = m["amplifiers"]
by = {x["actor"]: x for x in a}
print(a[0]["posts"], len(a), m["n_amplifiers"],
      "%(posts)d/%(accounts)d/%(platform)s" % by["amp@relay.example"],
      "%(posts)d/%(accounts)d/%(platform)s/%(created)s" % by["r1.bsky.social"],
      m["cap"], len(m["bursts"]))
PY
)" "2 216 216 2/2/mastodon 2/1/bluesky/$(echo "$FRESH" | cut -c1-19)Z 120 0"
"$BUILD/demarche" -d "$DB" amplification --format text >"$WORK/amp.txt"
check "-d DB: the default cap" "$(head -1 "$WORK/amp.txt")" \
	"6 posts reposted, 216 amplifiers (cap 1000 per post, burst threshold 50)"
"$BUILD/demarche" -d "$DB" report --since 1d --format text >"$WORK/report.txt"
check "the report has an Amplification section" "$(grep -c '^Amplification' "$WORK/report.txt")" 1

# Second poll: more reblogs of 2001 than the burst threshold, no new
# reposter (the lists are the same): a burst, nothing duplicated; a 429
# asking for ten minutes leaves the checks to the next run.
statuses 200
echo 600 >"$A/reposters/2002.429"
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run2.log" 2>&1
check "second run exits 0" "$?" 0
check "--once does not wait out a long 429" \
	"$(grep -c 'reposter checks are left to the next run' "$WORK/run2.log")" 1
check "no reposter twice" "$(sql "SELECT count(*) FROM reposts WHERE actor NOT LIKE 'relay%'")" 312
check "Telegram forward of a post in the log: a repost of that post" \
	"$(sql "SELECT p.stable_key || '|' || r.actor || '|' || r.actor_name FROM reposts r JOIN posts p ON p.id = r.post_id WHERE r.actor = 'relay8' AND p.stable_key LIKE 'source60/%'")" \
	"source60/55|relay8|Channel relay8"
"$BUILD/demarche" -c "$WORK/test.conf" amplification --since 1d --format json >"$WORK/amp2.json"
check "a burst on each account's 2001" "$(/usr/bin/python3 - "$WORK/amp2.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print(" ".join("%s:%d->%d" % (b["account"], b["before"], b["after"])
               for b in sorted(m["bursts"], key=lambda b: b["account"])))
PY
)" "consulate:90->200 embassy:90->200"

# A long 429 on the reposter checks while the daemon runs: the feeds are
# still polled every second, the checks wait.
sed -i 's/^interval = 1h/interval = 1s/' "$WORK/test.conf"
echo 30 >"$A/reposters/amp2.429"
echo "r151.bsky.social|$FRESH||" >>"$A/reposters/amp2"
sql "UPDATE feeds SET next_poll = 0" >/dev/null
before=$(sql "SELECT count(*) FROM fetches f JOIN feeds d ON d.id = f.feed_id WHERE d.kind = 'bluesky'")
"$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_for "grep -q 'reposter checks pause for 30s' '$WORK/daemon.log'" 300 ||
	fail "no 429 on the reposter checks"
wait_for "[ \"\$(sql \"SELECT count(*) FROM fetches f JOIN feeds d ON d.id = f.feed_id WHERE d.kind = 'bluesky'\")\" -ge $((before + 4)) ]" 300 ||
	fail "the Bluesky feed was not polled during the pause"
check "feed polls went on during the pause" \
	"$(sql "SELECT CASE WHEN count(*) >= $((before + 4)) THEN 'yes' ELSE 'no' END FROM fetches f JOIN feeds d ON d.id = f.feed_id WHERE d.kind = 'bluesky'")" yes
check "the host was never paused for the feeds" "$(grep -c 'pausing the host' "$WORK/daemon.log")" 0
check "no reposter checks during the pause" \
	"$(awk '/post%2Famp2/ && / 429 /{p=1; next} p && /getRepostedBy/{n++} END{print n+0}' "$WORK/requests.log")" 0
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
check "daemon stops cleanly during the pause" "$?" 0
DAEMON_PID=""
finish
