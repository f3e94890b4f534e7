# backends: sqlite postgresql
# End to end: an `html:` source (issue 14), with the China MFA example of
# config/sources/ pointed at the feed server: an index page of two press
# conference transcripts of four paragraphs each becomes eight posts, one
# per question and answer, dated from the page and each classified.  A
# second poll asks the index and each article conditionally and fetches
# nothing whole; an edit within html_refetch becomes a version, a 404
# confirms a deletion, and past html_refetch an article is never asked.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
cp -R "$TESTS/fixtures/e2e/sources" "$WORK/sources"
start_server "$WORK/sources/site"

{
	cat <<CONF
[storage]
database = $DB
[poll]
interval = 1h
allow_private_addresses = yes
[classifier]
rules = $SRC/config/rules
CONF
	# The shipped example, its sites replaced by the server's copies.
	sed -e "s|https://www.fmprc.gov.cn/eng/xw/fyrbt/lxjzh/|$BASE/eng/xw/fyrbt/lxjzh/index.html|" \
		-e "s|https://www.mfa.gov.cn/web/fyrbt/|$BASE/web/fyrbt/index.html|" \
		"$SRC/config/sources/china_mfa.conf"
} >"$WORK/test.conf"

"$BUILD/demarche" check-config -c "$WORK/test.conf" >"$WORK/check.out" 2>&1
check "the example config is valid" "$?" 0
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run1.log" 2>&1
check "first run exits 0" "$?" 0
check "index, then each article once" \
	"$(grep -c -e 'GET /eng/xw/fyrbt/lxjzh/index.html 200' -e 'GET /eng/xw/fyrbt/lxjzh/202003/t2020031[23]_001.html 200' "$WORK/requests.log")" 3
posts_of() { sql "SELECT count(*) FROM posts p JOIN accounts a ON a.id=p.account_id WHERE a.handle='$1'"; }
check "eight English posts, one per paragraph" "$(posts_of mfa_china_pressconf_en)" 8
check "four Chinese posts" "$(posts_of mfa_china_pressconf_zh)" 4
U="$BASE/eng/xw/fyrbt/lxjzh/202003/t20200312_001.html"
check "keyed URL#N" "$(sql "SELECT count(*) FROM posts WHERE stable_key IN ('$U#1','$U#2','$U#3','$U#4')")" 4
check "dated from the page" \
	"$(sql "SELECT count(*) FROM posts WHERE stable_key = '$U#2' AND published = 1584047100")" 1
check "each answer classified on its own" \
	"$(sql "SELECT p.stable_key||':'||pc.category FROM post_categories pc JOIN posts p ON p.id=pc.post_id WHERE p.stable_key LIKE '$U#%' ORDER BY p.stable_key, pc.category" | sed "s|$U||" | paste -sd' ')" \
	"#2:blame_rebuttal #4:origin_narrative"
check "a Chinese answer classified" \
	"$(sql "SELECT count(*) FROM post_categories pc JOIN posts p ON p.id=pc.post_id WHERE p.stable_key LIKE '%t20200312_001.shtml#4' AND pc.category='origin_narrative'")" 1

# The requests of the last run only.
mark() { wc -l <"$WORK/requests.log"; }
since() { tail -n +$(($1 + 1)) "$WORK/requests.log"; }
ART='GET /eng/xw/fyrbt/lxjzh/202003/'

n0=$(mark)
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run2.log" 2>&1
check "second run exits 0" "$?" 0
check "index asked conditionally" \
	"$(since "$n0" | grep -c 'GET /eng/xw/fyrbt/lxjzh/index.html 304 inm="')" 1
check "each article asked again, conditionally (within html_refetch)" \
	"$(since "$n0" | grep -c "$ART[^ ]* 304 inm=\"")" 2
check "no article page fetched unconditionally" \
	"$(since "$n0" | grep -v 'index.html' | grep -c 'inm=- ims=-')" 0
check "second poll adds nothing" "$(sql 'SELECT count(*) FROM posts')" 12
check "no edit counted" "$(sql 'SELECT count(*) FROM post_versions WHERE version > 1')" 0
check "each article page kept with its validators" \
	"$(sql "SELECT count(*) FROM html_pages WHERE etag IS NOT NULL AND status = 304")" 3
check "the poll recorded as not modified" \
	"$(sql "SELECT not_modified FROM fetches f JOIN feeds d ON d.id = f.feed_id WHERE d.configured_url LIKE 'html:%/eng/%' ORDER BY f.id DESC LIMIT 1")" 1
check "the feeds' source is html" \
	"$(sql "SELECT count(*) FROM feeds WHERE source = 'html' AND kind = 'web'")" 2

# A new transcript on the index: it is fetched, the others only asked.
cp "$WORK/sources/site/eng/xw/fyrbt/lxjzh/202003/t20200313_001.html" \
	"$WORK/sources/site/eng/xw/fyrbt/lxjzh/202003/t20200316_001.html"
sed -i 's|<ul class="list1">|&<li><a href="./202003/t20200316_001.html">March 16</a></li>|' \
	"$WORK/sources/site/eng/xw/fyrbt/lxjzh/index.html"
n0=$(mark)
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run3.log" 2>&1
check "third run exits 0" "$?" 0
check "only the new article fetched whole" \
	"$(since "$n0" | grep "$ART" | grep -c ' 200 inm=- ')" 1
check "the new one is the March 16 transcript" \
	"$(since "$n0" | grep -c "${ART}t20200316_001.html 200")" 1
check "the older two asked conditionally" \
	"$(since "$n0" | grep -c "$ART[^ ]* 304 inm=\"")" 2
check "its four paragraphs added" "$(posts_of mfa_china_pressconf_en)" 12

# An edit of an article within html_refetch: a new version of the answer.
A13="$BASE/eng/xw/fyrbt/lxjzh/202003/t20200313_001.html"
sed -i 's|Some Western media spread fake news.|Some media were mistaken.|' \
	"$WORK/sources/site/eng/xw/fyrbt/lxjzh/202003/t20200313_001.html"
n0=$(mark)
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run4.log" 2>&1
check "fourth run exits 0" "$?" 0
check "the edited article fetched again" \
	"$(since "$n0" | grep -c "${ART}t20200313_001.html 200 inm=\"")" 1
check "the edit keeps both wordings" \
	"$(sql "SELECT v.version||':'||v.text FROM post_versions v JOIN posts p ON p.id = v.post_id WHERE p.stable_key = '$A13#2' ORDER BY v.version" | paste -sd'|')" \
	"1:A: Herd immunity means giving up on the elderly. Some Western media spread fake news.|2:A: Herd immunity means giving up on the elderly. Some media were mistaken."
check "no other post edited" "$(sql 'SELECT count(*) FROM post_versions WHERE version > 1')" 1

# An article that answers 404 within html_refetch: its posts are deleted,
# confirmed by the answer, and kept.
rm "$WORK/sources/site/eng/xw/fyrbt/lxjzh/202003/t20200312_001.html"
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run5.log" 2>&1
check "fifth run exits 0" "$?" 0
check "its four posts marked deleted and kept" \
	"$(sql "SELECT count(*) FROM posts WHERE stable_key LIKE '$U#%' AND deleted_seen IS NOT NULL")" 4
check "the deletions confirmed" \
	"$(sql "SELECT count(*) FROM post_deletions d JOIN posts p ON p.id = d.post_id WHERE p.stable_key LIKE '$U#%' AND d.confirmed = 1")" 4
check "show says so" \
	"$("$BUILD/demarche" -d "$DB" show "$U#2" --format json | grep -c '"confirmed": true')" 1
n0=$(mark)
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run6.log" 2>&1
check "a gone article is not asked again" \
	"$(since "$n0" | grep -c "${ART}t20200312_001.html")" 0

# Past html_refetch after its first fetch, an article is never fetched
# again.
sql "UPDATE html_pages SET first_fetched = first_fetched - 4 * 86400" >/dev/null
n0=$(mark)
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run7.log" 2>&1
check "seventh run exits 0" "$?" 0
check "no article asked past html_refetch" \
	"$(since "$n0" | grep -v 'index.html' | grep -c 'GET ')" 0
finish
