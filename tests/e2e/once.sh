# backends: sqlite postgresql
# End to end: the real demarched --once against the local feed server.
# Checks the database row by row, that a second run adds no duplicate and
# uses conditional GET, that an edited post is recorded as an edit, and that
# broken, failing and gone feeds are recorded without stopping the others.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start

mkdir "$WORK/feeds"
cp "$TESTS/fixtures/e2e/spokesperson.xml" "$TESTS/fixtures/e2e/embassy.atom" \
	"$TESTS/fixtures/e2e/broken.xml" "$WORK/feeds/"
start_server "$WORK/feeds"

cat >"$WORK/test.conf" <<CONF
[storage]
database = $DB

[poll]
interval = 1m
timeout = 10s
allow_private_addresses = yes

[classifier]
rules = $SRC/config/rules

[account "spokesperson"]
name = Test Spokesperson
role = spokesperson
country = CN
created = 2019-10-01
feed = $BASE/spokesperson.xml

[account "embassy"]
role = mission
country = CN
feed = $BASE/embassy.atom

[account "broken"]
role = other
feed = $BASE/broken.xml
feed = $BASE/fails.xml?status=500
feed = $BASE/gone.xml?status=410
CONF

"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run1.log" 2>&1
# Three feeds fail (broken, 500, 410): the run says so and exits 75.
check "first run with failed feeds exits 75" "$?" 75
check "summary says some feeds failed" \
	"$(grep -c 'polled 5 feeds once: 5 polls, 3 failed, .*: some feeds failed$' "$WORK/run1.log")" 1

if on_pg; then
	check "schema is migrated" "$(sql 'SELECT max(version) FROM schema_version' | awk '$1>0{print "yes"}')" yes
else
	check "schema is migrated" "$(sql 'PRAGMA user_version' | awk '$1>0{print "yes"}')" yes
	check "journal is WAL" "$(sql 'PRAGMA journal_mode')" wal
fi
check_db_sound
check "views answer" "$(sql "SELECT count(*) FROM feed_health WHERE status='ok'")" 2
check "three accounts" "$(sql 'SELECT count(*) FROM accounts')" 3
check "account role and country" \
	"$(sql "SELECT role||'|'||country FROM accounts WHERE handle='spokesperson'")" "spokesperson|CN"
check "five feeds" "$(sql 'SELECT count(*) FROM feeds')" 5
check "five posts" "$(sql 'SELECT count(*) FROM posts')" 5
check "post key, link and time" \
	"$(sql "SELECT url||'|'||published FROM posts WHERE stable_key='sp-0001'")" \
	"http://127.0.0.1/spokesperson/0001|1584020220"
check "timezone converted to UTC" \
	"$(sql "SELECT published FROM posts WHERE stable_key='sp-0002'")" 1584057600
check "SQL metacharacters stored verbatim" \
	"$(sql "SELECT title FROM posts WHERE stable_key='sp-0003'")" "SQL's \"quote\" test; DROP TABLE posts;--"
check "HTML stripped from text" \
	"$(sql "SELECT count(*) FROM posts WHERE stable_key='sp-0001' AND text LIKE '%<p>%'")" 0
check "Chinese text kept" \
	"$(sql "SELECT count(*) FROM posts WHERE stable_key='urn:demarche:test:embassy:1' AND text LIKE '%葡萄酒%'")" 1
check "origin narrative classified" \
	"$(sql "SELECT count(*) FROM post_categories pc JOIN posts p ON p.id=pc.post_id WHERE p.stable_key='sp-0001' AND pc.category='origin_narrative'")" 1
check "evidence kept" \
	"$(sql "SELECT CASE WHEN pc.evidence<>'' AND pc.rules_version<>'' THEN 1 ELSE 0 END FROM post_categories pc JOIN posts p ON p.id=pc.post_id WHERE p.stable_key='sp-0001' AND pc.category='origin_narrative'")" 1
check "routine post has no category" \
	"$(sql "SELECT count(*) FROM post_categories pc JOIN posts p ON p.id=pc.post_id WHERE p.stable_key='sp-0002'")" 0
check "one fetch per feed" "$(sql 'SELECT count(*) FROM fetches')" 5
check "validators kept" \
	"$(sql "SELECT CASE WHEN etag IS NOT NULL AND last_modified IS NOT NULL THEN 1 ELSE 0 END FROM feeds WHERE url LIKE '%spokesperson.xml'")" 1
check "broken feed recorded as failed" \
	"$(sql "SELECT CASE WHEN consecutive_failures>0 AND last_error LIKE '%parse%' THEN 1 ELSE 0 END FROM feeds WHERE url LIKE '%broken.xml'")" 1
check "HTTP 500 recorded" \
	"$(sql "SELECT http_status FROM fetches f JOIN feeds d ON d.id=f.feed_id WHERE d.url LIKE '%status=500'")" 500
check "410 disables the feed" \
	"$(sql "SELECT disabled FROM feeds WHERE url LIKE '%status=410'")" 1

# Second run: nothing new, conditional GET answered with 304.
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run2.log" 2>&1
check "second run exits 75 (broken and 500 again)" "$?" 75
check "second run skips the disabled feed" \
	"$(grep -c 'polled 5 feeds once: 4 polls, 2 failed, .* 1 disabled skipped: some feeds failed$' "$WORK/run2.log")" 1
check "no duplicates" "$(sql 'SELECT count(*) FROM posts')" 5
check "second run sent If-None-Match" \
	"$(grep -c 'spokesperson.xml 304 inm="' "$WORK/requests.log")" 1
check "gone feed not polled again" "$(grep -c 'status=410' "$WORK/requests.log")" 1
check "categories not duplicated" \
	"$(sql "SELECT count(*) FROM post_categories pc JOIN posts p ON p.id=pc.post_id WHERE p.stable_key='sp-0001'") " \
	"$(sql "SELECT count(DISTINCT category) FROM post_categories pc JOIN posts p ON p.id=pc.post_id WHERE p.stable_key='sp-0001'") "

# An edited post (same guid, new text) and a new one.
sed -e 's|nothing more.|nothing more, edited.|' \
    -e 's|</channel>|<item><guid>sp-0004</guid><title>New</title><description>Another routine note.</description><pubDate>Sun, 15 Mar 2020 10:00:00 GMT</pubDate></item></channel>|' \
	"$TESTS/fixtures/e2e/spokesperson.xml" >"$WORK/feeds/spokesperson.xml"
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run3.log" 2>&1
check "third run exits 75" "$?" 75
check "one new post" "$(sql 'SELECT count(*) FROM posts')" 6
check "edit recorded, not duplicated" \
	"$(sql "SELECT edit_count||'|'||CASE WHEN text LIKE '%edited%' THEN 1 ELSE 0 END FROM posts WHERE stable_key='sp-0003'")" "1|1"

# Only healthy feeds: every feed polled, exit 0.
grep -v -e 'broken.xml' -e 'fails.xml' "$WORK/test.conf" >"$WORK/good.conf"
"$BUILD/demarched" -c "$WORK/good.conf" --once >"$WORK/run-good.log" 2>&1
check "run with every feed polled exits 0" "$?" 0
check "summary says every feed polled" \
	"$(grep -c ': every feed polled$' "$WORK/run-good.log")" 1

# A database that cannot be written (SQLite) or reached (PostgreSQL)
# makes --once fail (not 0).
if on_pg; then
	BAD_DB=postgresql://demarche@127.0.0.1:1/demarche
else
	BAD_DB=/proc/demarche-cannot-exist/x.db
fi
sed "s|^database = .*|database = $BAD_DB|" "$WORK/test.conf" >"$WORK/bad-db.conf"
"$BUILD/demarched" -c "$WORK/bad-db.conf" --once >"$WORK/run4.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && pass "unusable database fails --once ($rc)" || fail "unusable database: exit 0"
finish
