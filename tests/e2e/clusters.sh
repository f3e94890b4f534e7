# backends: sqlite postgresql
# End to end: copies of one statement (issue 17, item 4).  The feed server
# plays a ministry's web feed, its Telegram channel and an embassy's
# Mastodon account: the same statement is on all three (the channel with
# a word changed and a hashtag, the toot behind an @mention), and the
# channel and the embassy link one press article (with and without "www."
# and a tracking parameter).  After one poll the statement is one
# statement with two copies naming the web post, the shared link is one
# statement, a different statement stands alone; `posts`, `show` and the
# report say so; a second poll changes nothing.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
cp -R "$TESTS/fixtures/e2e/clusters" "$WORK/clusters"
start_server "$WORK/clusters"

cat >"$WORK/test.conf" <<CONF
[storage]
database = $DB
[poll]
interval = 1h
allow_private_addresses = yes
telegram_base = $BASE/tgf
telegram_delay = 0
[classifier]
rules = $SRC/config/rules
[account "mfa"]
role = ministry
feed = $BASE/web/mfa.xml
[account "mfa_tg"]
role = ministry
feed = telegram:mfa_tg
[account "embassy"]
role = mission
feed = mastodon:$BASE/@embassy
CONF

"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run1.log" 2>&1
check "first run exits 0" "$?" 0
check "six posts stored" "$(sql 'SELECT count(*) FROM posts')" 6
copies() {
	sql "SELECT p.stable_key || '>' || r.stable_key || '/' || c.reason
	     FROM post_clusters c JOIN posts p ON p.id = c.post_id
	     JOIN posts r ON r.id = c.cluster_id ORDER BY p.stable_key" | tr '\n' ' '
}
check "the channel's and the toot's copies name the web post; the shared link clusters" \
	"$(copies)" "2001>mfa-t1/text 2002>mfa_tg/3/url mfa_tg/2>mfa-t1/text "
check "a different statement stands alone" \
	"$(sql "SELECT count(*) FROM post_clusters c JOIN posts p ON p.id IN (c.post_id, c.cluster_id) WHERE p.stable_key = 'mfa-t2'")" 0
check "six posts, three statements" \
	"$(sql 'SELECT COUNT(DISTINCT COALESCE(c.cluster_id, p.id)) FROM posts p LEFT JOIN post_clusters c ON c.post_id = p.id')" 3
check "the copies' similarity is estimated, the link's is 1" \
	"$(sql "SELECT count(*) FROM post_clusters WHERE (reason = 'text' AND similarity >= 0.8 AND similarity <= 1) OR (reason = 'url' AND similarity = 1)")" 3

root=$(sql "SELECT id FROM posts WHERE stable_key = 'mfa-t1'")
"$BUILD/demarche" -d "$DB" posts --format jsonl >"$WORK/posts.jsonl" 2>"$WORK/posts.err"
check "posts exits 0" "$?" 0
check "posts: the statement's three posts carry its cluster_id" \
	"$(grep -c "\"cluster_id\":$root}" "$WORK/posts.jsonl")" 3
check "posts: a post said once has no cluster_id" \
	"$(grep '"url":"https://mfa.example/eng/xw/t2.html"' "$WORK/posts.jsonl" | grep -c cluster_id)" 0

"$BUILD/demarche" -d "$DB" show "$root" --format json >"$WORK/show.json" 2>"$WORK/show.err"
check "show exits 0" "$?" 0
check "show: the statement's copies, by account and platform" \
	"$(/usr/bin/python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print(o["copy_of"], " ".join(c["account"]+"/"+c["platform"]+"/"+c["reason"] for c in o["copies"]))' "$WORK/show.json")" \
	"None mfa_tg/telegram/text embassy/mastodon/text"
"$BUILD/demarche" -d "$DB" show https://t.me/mfa_tg/2 >"$WORK/show.txt" 2>&1
check "show (text): a copy names the statement it copies" \
	"$(grep -c "^copy of   post $root  mfa (web)" "$WORK/show.txt")" 1

"$BUILD/demarche" -d "$DB" report --since 2020-03-01 --until 2020-04-01 >"$WORK/report.txt" 2>&1
check "report exits 0" "$?" 0
check "report: posts and statements" \
	"$(grep -c '6 posts from 3 accounts, 3 statements' "$WORK/report.txt")" 1
check "report: the example lists its two copies" \
	"$(grep -c 'the same statement, 2 copies:' "$WORK/report.txt")" 1
"$BUILD/demarche" -d "$DB" report --since 2020-03-01 --until 2020-04-01 --format json >"$WORK/report.json" 2>&1
check "report JSON: totals" \
	"$(/usr/bin/python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["totals"]; print(t["posts"], t["statements"], t["copies"])' "$WORK/report.json")" "6 3 3"

"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run2.log" 2>&1
check "second run exits 0" "$?" 0
check "a second poll changes nothing" \
	"$(copies)" "2001>mfa-t1/text 2002>mfa_tg/3/url mfa_tg/2>mfa-t1/text "
finish
