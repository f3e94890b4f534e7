# backends: sqlite postgresql
# End to end: an `html:` source (issue 14), with the China MFA example of
# config/sources/ pointed at the feed server: an index page of two press
# conference transcripts of four paragraphs each becomes eight posts, one
# per question and answer, dated from the page and each classified.  A
# second poll asks the index conditionally and fetches no article.
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

"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run2.log" 2>&1
check "second run exits 0" "$?" 0
check "index asked conditionally" \
	"$(grep -c 'GET /eng/xw/fyrbt/lxjzh/index.html 304 inm="' "$WORK/requests.log")" 1
check "no article fetched again" \
	"$(grep -c 'GET /eng/xw/fyrbt/lxjzh/202003/' "$WORK/requests.log")" 2
check "second poll adds nothing" "$(sql 'SELECT count(*) FROM posts')" 12

# A new transcript on the index: only it is fetched.
cp "$WORK/sources/site/eng/xw/fyrbt/lxjzh/202003/t20200313_001.html" \
	"$WORK/sources/site/eng/xw/fyrbt/lxjzh/202003/t20200316_001.html"
sed -i 's|<ul class="list1">|&<li><a href="./202003/t20200316_001.html">March 16</a></li>|' \
	"$WORK/sources/site/eng/xw/fyrbt/lxjzh/index.html"
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run3.log" 2>&1
check "third run exits 0" "$?" 0
check "only the new article fetched" \
	"$(grep -c 'GET /eng/xw/fyrbt/lxjzh/202003/' "$WORK/requests.log")" 3
check "its four paragraphs added" "$(posts_of mfa_china_pressconf_en)" 12
finish
