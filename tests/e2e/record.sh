# backends: sqlite postgresql
# End to end: the statement record.  One feed served from the local
# server changes between polls of demarched --once: an edit keeps both
# wordings (post_versions, post_edits, the categories of the first), a post
# removed from the middle is marked deleted and kept, a document cut inside
# a new item records a fault (fetches.warning, the log) and edits and
# deletes nothing, the next whole document stores the item whole with no
# edit and brings the deleted post back; `demarche show` lists it all.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
mkdir "$WORK/feeds"

# item KEY DAY TEXT: one RSS item of March DAY 2020.
item() {
	printf '<item><title>%s</title><guid isPermaLink="false">%s</guid>' "$1" "$1"
	printf '<link>http://127.0.0.1/p/%s</link>' "$1"
	printf '<pubDate>%s, %s Mar 2020 09:00:00 GMT</pubDate>' "$2" "$3"
	printf '<description>%s</description></item>\n' "$4"
}
# feed ITEMS...: the whole document around the items on stdin.
feed() {
	printf '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Spokesperson</title><link>http://127.0.0.1/</link>\n'
	cat
	printf '</channel></rss>\n'
}
A1="Could the US Army have brought the epidemic to Wuhan? Be transparent!"
A2="The origin of the virus is a matter for scientists, not politicians."
{
	item a Sat 14 "$A1"
	item b Fri 13 "Routine notice: the embassy is closed on Monday."
	item c Thu 12 "We welcome the delegation to Beijing."
} | feed >"$WORK/feeds/sp.xml"
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
role = spokesperson
country = CN
feed = $BASE/sp.xml?noetag=1
CONF

run() {
	"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run$1.log" 2>&1
	check "run $1 exits 0" "$?" 0
}
key_sql() { # key_sql KEY COLUMN
	sql "SELECT $2 FROM posts WHERE stable_key='$1'"
}

run 1
check "three posts, one version each" \
	"$(sql 'SELECT count(*) FROM post_versions')" 3
check "version 1 is the text stored" \
	"$(sql "SELECT CASE WHEN v.text = p.text AND v.version = 1 THEN 1 ELSE 0 END FROM post_versions v JOIN posts p ON p.id = v.post_id WHERE p.stable_key = 'a'")" 1
check "first wording classified" \
	"$(sql "SELECT count(*) FROM post_categories c JOIN posts p ON p.id = c.post_id WHERE p.stable_key = 'a' AND c.category = 'origin_narrative'")" 1

# Poll 2: a is edited, b is gone from the middle, c stays.
{
	item a Sat 14 "$A2"
	item c Thu 12 "We welcome the delegation to Beijing."
} | feed >"$WORK/feeds/sp.xml"
run 2
check "edit counted once" "$(key_sql a edit_count)" 1
check "posts keeps the newest wording" \
	"$(sql "SELECT CASE WHEN text LIKE 'The origin of the virus%' THEN 1 ELSE 0 END FROM posts WHERE stable_key = 'a'")" 1
check "both wordings kept" \
	"$(sql "SELECT count(*) FROM post_versions v JOIN posts p ON p.id = v.post_id WHERE p.stable_key = 'a' AND ((v.version = 1 AND v.text LIKE 'Could the US Army%') OR (v.version = 2 AND v.text LIKE 'The origin%'))")" 2
check "post_edits shows before and after" \
	"$(sql "SELECT CASE WHEN text_before LIKE 'Could%' AND text_after LIKE 'The origin%' THEN 1 ELSE 0 END FROM post_edits WHERE handle = 'spokesperson'")" 1
check "the first wording keeps its categories" \
	"$(sql "SELECT count(*) FROM post_version_categories c JOIN posts p ON p.id = c.post_id WHERE p.stable_key = 'a' AND c.version = 1 AND c.category = 'origin_narrative'")" 1
check "a post gone from the middle is marked deleted" \
	"$(sql "SELECT CASE WHEN deleted_seen IS NOT NULL THEN 1 ELSE 0 END FROM posts WHERE stable_key = 'b'")" 1
check "and kept" "$(sql 'SELECT count(*) FROM posts')" 3
check "the deletion is recorded" \
	"$(sql "SELECT count(*) FROM post_deletions d JOIN posts p ON p.id = d.post_id WHERE p.stable_key = 'b' AND d.returned_seen IS NULL")" 1
check "the oldest post is not deleted" \
	"$(sql "SELECT count(*) FROM posts WHERE deleted_seen IS NOT NULL")" 1
check "deleted_posts view" "$(sql "SELECT handle FROM deleted_posts")" spokesperson

# Poll 3: a new item d, but the document is cut inside it.
{
	item d Sun 15 "Chinese consumers may reconsider buying wine and beef from a country that is so unfriendly."
	item a Sat 14 "$A2"
	item b Fri 13 "Routine notice: the embassy is closed on Monday."
	item c Thu 12 "We welcome the delegation to Beijing."
} | feed >"$WORK/whole.xml"
head -c 330 "$WORK/whole.xml" >"$WORK/feeds/sp.xml"
run 3
check "the cut item is not stored" "$(sql "SELECT count(*) FROM posts WHERE stable_key = 'd'")" 0
check "the fault is recorded on the fetch" \
	"$(sql "SELECT CASE WHEN warning LIKE 'not well-formed%' AND error IS NULL THEN 1 ELSE 0 END FROM fetches ORDER BY id DESC LIMIT 1")" 1
if grep -q "feed spokesperson ($BASE/sp.xml?noetag=1): damaged document" "$WORK/run3.log"; then
	pass "the log names account, feed and fault"
else
	fail "the log names account, feed and fault: $(cat "$WORK/run3.log")"
fi
check "nothing edited or deleted by a cut document" \
	"$(sql "SELECT sum(edit_count) FROM posts")|$(sql "SELECT count(*) FROM posts WHERE deleted_seen IS NOT NULL")" "1|1"

# Poll 4: the whole document.
cp "$WORK/whole.xml" "$WORK/feeds/sp.xml"
run 4
check "the item is stored whole" \
	"$(sql "SELECT CASE WHEN text LIKE '%so unfriendly.' THEN 1 ELSE 0 END FROM posts WHERE stable_key = 'd'")" 1
check "with no edit" "$(key_sql d edit_count)|$(sql "SELECT count(*) FROM post_versions v JOIN posts p ON p.id = v.post_id WHERE p.stable_key = 'd'")" "0|1"
check "no fault on a whole document" \
	"$(sql "SELECT CASE WHEN warning IS NULL THEN 1 ELSE 0 END FROM fetches ORDER BY id DESC LIMIT 1")" 1
check "the deleted post is back" \
	"$(sql "SELECT CASE WHEN deleted_seen IS NULL THEN 1 ELSE 0 END FROM posts WHERE stable_key = 'b'")" 1
check "its return is recorded" \
	"$(sql "SELECT count(*) FROM post_deletions WHERE returned_seen IS NOT NULL")" 1

# demarche show: the versions of a, by id and by URL.
ID=$(key_sql a id)
"$BUILD/demarche" -d "$DB" show "$ID" --format json >"$WORK/show.json"
check "show exits 0" "$?" 0
check "show lists the versions" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["id"], d["account"], len(d["versions"]), d["versions"][0]["version"], d["versions"][0]["text"][:5], d["versions"][1]["text"][:7], d["deleted_seen"], [c["category"] for c in d["categories"]])' "$WORK/show.json")" \
	"$ID spokesperson 2 1 Could The ori None []"
"$BUILD/demarche" -d "$DB" show "http://127.0.0.1/p/a" >"$WORK/show.txt"
check "show by URL exits 0" "$?" 0
if grep -q "version 2" "$WORK/show.txt" && grep -q '\[-Could' "$WORK/show.txt"; then
	pass "show prints versions with a word diff"
else
	fail "show text: $(cat "$WORK/show.txt")"
fi
check "show -c FILE reads the config's database" \
	"$("$BUILD/demarche" -c "$WORK/test.conf" show "$ID" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["versions"]))')" 2
"$BUILD/demarche" -d "$DB" show 999999 >/dev/null 2>&1
check "show of an unknown post exits 66" "$?" 66
check "show --help on stdout" "$("$BUILD/demarche" show --help 2>/dev/null | head -c 6)" "usage:"
check_db_sound
finish
