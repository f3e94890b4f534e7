# backends: sqlite postgresql
# End to end: `mastodon:` and `bluesky:` feeds.  The feed server plays both
# APIs from fixture files; a poll asks for the profile (counters) and then
# the posts, and the database gets the posts, their categories and an
# account snapshot; a second poll is conditional and adds nothing.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
cp -R "$TESTS/fixtures/e2e/api" "$WORK/api"
start_server "$WORK/api"

cat >"$WORK/test.conf" <<CONF
[storage]
database = $DB
[poll]
interval = 1h
allow_private_addresses = yes
bluesky_api = $BASE
[classifier]
rules = $SRC/config/rules
[account "embassy"]
role = mission
feed = mastodon:$BASE/@embassy
[account "ministry"]
role = ministry
feed = bluesky:ministry.test
CONF

"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run1.log" 2>&1
check "first run exits 0" "$?" 0
check "Mastodon lookup, then statuses by id" \
	"$(grep -c -e 'GET /api/v1/accounts/lookup?acct=embassy 200' -e 'GET /api/v1/accounts/42/statuses?limit=40 200' "$WORK/requests.log")" 2
check "Bluesky profile, then author feed" \
	"$(grep -c -e 'GET /xrpc/app.bsky.actor.getProfile?actor=ministry.test 200' -e 'GET /xrpc/app.bsky.feed.getAuthorFeed?actor=ministry.test&limit=50 200' "$WORK/requests.log")" 2
posts_of() { sql "SELECT count(*) FROM posts p JOIN accounts a ON a.id=p.account_id WHERE a.handle='$1'"; }
check "Mastodon posts stored" "$(posts_of embassy)" 2
check "Bluesky posts stored" "$(posts_of ministry)" 2
check "Mastodon status id is the key" \
	"$(sql "SELECT stable_key||'|'||url FROM posts WHERE stable_key='1001'")" "1001|http://127.0.0.1/@embassy/1001"
check "a reply is marked as one" \
	"$(sql "SELECT stable_key FROM posts WHERE is_reply = 1")" 1002
check "origin narrative found in a toot" \
	"$(sql "SELECT count(*) FROM post_categories pc JOIN posts p ON p.id=pc.post_id WHERE p.stable_key='1001' AND pc.category='origin_narrative'")" 1
check "credit claim found in a skeet" \
	"$(sql "SELECT count(*) FROM post_categories pc JOIN posts p ON p.id=pc.post_id WHERE p.stable_key LIKE 'at://%/3kabc' AND pc.category='blame_rebuttal'")" 1
check "Mastodon counters snapshotted" \
	"$(sql "SELECT followers||'|'||following||'|'||posts_count FROM account_snapshots s JOIN accounts a ON a.id=s.account_id WHERE a.handle='embassy'")" "1200|30|345"
check "Bluesky counters snapshotted" \
	"$(sql "SELECT followers||'|'||following||'|'||posts_count FROM account_snapshots s JOIN accounts a ON a.id=s.account_id WHERE a.handle='ministry'")" "500|10|77"
check "platform creation dates kept" \
	"$(sql "SELECT count(*) FROM accounts WHERE created_platform IS NOT NULL")" 2

"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run2.log" 2>&1
check "second run exits 0" "$?" 0
check "posts asked conditionally the second time" \
	"$(grep -c -e 'statuses?limit=40 304 inm="' -e 'getAuthorFeed?actor=ministry.test&limit=50 304 inm="' "$WORK/requests.log")" 2
check "no duplicate posts" "$(sql 'SELECT count(*) FROM posts')" 4
check "unchanged counters add no snapshot" "$(sql 'SELECT count(*) FROM account_snapshots')" 2

# New followers but no new posts: the posts answer 304, the profile's
# counters still make a snapshot.
sed -i 's/"followers_count": 1200/"followers_count": 1250/' \
	"$WORK/api/api/v1/accounts/lookup"
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run3.log" 2>&1
check "third run exits 0" "$?" 0
check "counters recorded with a 304" \
	"$(sql "SELECT followers FROM account_snapshots s JOIN accounts a ON a.id=s.account_id WHERE a.handle='embassy' ORDER BY observed, s.id" | paste -sd,)" "1200,1250"
finish
