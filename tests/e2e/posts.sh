# backends: sqlite postgresql
# End to end: `demarche posts` on a log the real daemon wrote from the
# local feed server: every filter, the three formats (CSV read back with
# python's csv module, JSON Lines with its json module), search in
# Chinese, Japanese and English, the one time grammar in posts and report
# (absolute dates, half-open periods), -c FILE for every command that
# reads the log, global options after the command, and the errors for
# bad input (unknown values listed, a broken query located, 64 / 66).
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
D="$BUILD/demarche"
PY=/usr/bin/python3

mkdir "$WORK/feeds"
cp "$TESTS/fixtures/e2e/posts/mfa.xml" "$TESTS/fixtures/e2e/posts/jpemb.xml" \
	"$WORK/feeds/"
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

[account "mfa"]
role = spokesperson
country = CN
feed = $BASE/mfa.xml

[account "jpemb"]
role = mission
country = JP
feed = $BASE/jpemb.xml
CONF
C="-c $WORK/test.conf"

"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run.log" 2>&1
check "daemon run" "$?" 0
check "five posts stored" "$(sql 'SELECT count(*) FROM posts')" 5

# urls ARGS...: the posts' URL tails ("mfa/1 jpemb/1"), newest first.
urls() {
	"$D" $C posts --format jsonl "$@" |
		$PY -c 'import json,sys; print(" ".join(json.loads(l)["url"].split("127.0.0.1/")[1] for l in sys.stdin))'
}

# --- search: zh, ja, en; phrases; OR ---
check "search 德特里克" "$(urls --search 德特里克)" "mfa/1"
check "search 米軍 (two characters)" "$(urls --search 米軍)" "jpemb/1"
check "search 美军 (two characters, simplified)" "$(urls --search 美军)" "mfa/1"
check "search wuhan" "$(urls --search wuhan)" "mfa/2"
check "search WUHAN" "$(urls --search WUHAN)" "mfa/2"
check "search 武漢" "$(urls --search 武漢)" "jpemb/2"
check "search phrase" "$(urls --search '"fort detrick"')" "mfa/2"
check "search phrase in wrong order" "$(urls --search '"detrick fort"')" ""
check "search words (AND)" "$(urls --search 'detrick army')" "mfa/2"
check "search OR" "$(urls --search 'wuhan OR 米軍')" "jpemb/1 mfa/2"
check "search OR across scripts" "$(urls --search '德特里克 OR 武漢 OR chile')" "jpemb/2 mfa/1 mfa/3"

# --- filters ---
check "all, newest first" "$(urls)" "jpemb/2 jpemb/1 mfa/2 mfa/1 mfa/3"
check "--account" "$(urls --account jpemb)" "jpemb/2 jpemb/1"
check "--account twice" "$(urls --account jpemb --account mfa --limit 3)" "jpemb/2 jpemb/1 mfa/2"
check "--role" "$(urls --role spokesperson)" "mfa/2 mfa/1 mfa/3"
check "--country (any case)" "$(urls --country jp)" "jpemb/2 jpemb/1"
check "--lang" "$(urls --lang ja)" "jpemb/2 jpemb/1"
check "--limit" "$(urls --limit 1)" "jpemb/2"
check "--since/--until dates, half-open" \
	"$(urls --since 2020-03-13 --until 2020-03-15)" "jpemb/1 mfa/2"
check "--since is inclusive" "$(urls --since 2020-03-13T02:00 --until 2020-03-14)" "mfa/2"
check "--until is exclusive" "$(urls --since 2020-03-12 --until 2020-03-13T02:00)" "mfa/1"
check "--since RFC 3339 with offset" "$(urls --since 2020-03-15T09:30:00+09:00)" "jpemb/2"
check "--since a duration back from --until" "$(urls --since 1d --until 2020-03-15T01:00)" "jpemb/2 jpemb/1"
check "--edited" "$(urls --edited)" ""
check "--reposts" "$(urls --reposts)" ""
check "--no-reposts" "$(urls --no-reposts | wc -w)" 5
n_origin=$(sql "SELECT count(DISTINCT post_id) FROM post_categories WHERE category = 'origin_narrative'")
check "--category" "$(urls --category origin_narrative | wc -w)" "$n_origin"
n_none=$(sql "SELECT count(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM post_categories c WHERE c.post_id = p.id)")
check "--category none" "$(urls --category none | wc -w)" "$n_none"
check "--category X --category none" "$(urls --category origin_narrative --category none | wc -w)" $((n_origin + n_none))
check "filters combine" "$(urls --account mfa --search detrick --since 2020-03-13)" "mfa/2"

# --- formats ---
"$D" $C posts --format csv >"$WORK/posts.csv"
check "csv exits 0" "$?" 0
$PY - "$WORK/posts.csv" "$DB" >"$WORK/csv.out" 2>&1 <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
head, body = rows[0], rows[1:]
assert head == ["id", "account", "role", "country", "published", "first_seen",
                "lang", "categories", "edit_count", "deleted_seen",
                "is_repost", "url", "text"], head
assert len(body) == 5, len(body)
assert all(len(r) == len(head) for r in body)
by = {r[11].split("127.0.0.1/")[1]: dict(zip(head, r)) for r in body}
assert by["mfa/3"]["text"].startswith('Glad to meet the new ambassador of Chile, "a good friend", today;'), by["mfa/3"]["text"]
assert "\n" in by["jpemb/2"]["text"] or "二行目" in by["jpemb/2"]["text"]
assert by["mfa/1"]["published"] == "2020-03-12T13:37:00Z"
assert by["jpemb/1"]["country"] == "JP" and by["jpemb/1"]["role"] == "mission"
assert "德特里克" in by["mfa/1"]["text"]
for r in body:
    for c in r[7].split(";") if r[7] else []:
        assert c in ("blame_rebuttal", "western_failure", "economic_coercion", "origin_narrative"), c
print("csv ok")
PY
check "CSV parses back" "$(tail -1 "$WORK/csv.out")" "csv ok"

"$D" $C posts --format jsonl >"$WORK/posts.jsonl"
$PY - "$WORK/posts.jsonl" >"$WORK/jsonl.out" 2>&1 <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(objs) == 5
for o in objs:
    for k in ("id", "account", "url", "published", "first_seen", "text",
              "lang", "categories", "edit_count", "deleted_seen"):
        assert k in o, k
    for c in o["categories"]:
        assert set(c) == {"key", "score"} and c["score"] > 0
print("jsonl ok")
PY
check "JSON Lines parse back" "$(tail -1 "$WORK/jsonl.out")" "jsonl ok"
check "CSV and JSONL list the same ids" \
	"$($PY -c 'import csv,sys; print(" ".join(r[0] for r in list(csv.reader(open(sys.argv[1])))[1:]))' "$WORK/posts.csv")" \
	"$($PY -c 'import json,sys; print(" ".join(str(json.loads(l)["id"]) for l in open(sys.argv[1])))' "$WORK/posts.jsonl")"

COLUMNS=60 "$D" $C posts >"$WORK/posts.txt"
check "text exits 0" "$?" 0
check "text states the period" "$(head -1 "$WORK/posts.txt" | grep -c '^# posts \[the beginning, .*)$')" 1
check "text: one line per post" "$(grep -vc '^#' "$WORK/posts.txt")" 5
check "text fits 60 columns" "$($PY -c '
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(max(w(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$WORK/posts.txt" | awk '{print ($1 <= 60) ? "yes" : $1}')" yes

# --- global options on either side; the config is enough ---
check "-d after the command" "$("$D" posts -d "$DB" --limit 1 --format csv | wc -l)" 2
check "--database= after the command" "$("$D" posts --limit 1 --database="$DB" --format csv | wc -l)" 2
check "-c after the command" "$("$D" posts --limit 1 -c "$WORK/test.conf" --format csv | wc -l)" 2
"$D" $C report --since 2020-03-01 --until 2020-03-16 --format json >"$WORK/report.json"
check "-c report exits 0" "$?" 0
check "report with absolute dates" \
	"$($PY -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["period"]["from"], r["period"]["to"], r["totals"]["posts"])' "$WORK/report.json")" \
	"2020-03-01T00:00:00Z 2020-03-16T00:00:00Z 5"
"$D" report -c "$WORK/test.conf" --since 2020-03-13T02:00 --until 2020-03-15 --format json >"$WORK/report2.json"
check "report period is half-open" \
	"$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["posts"])' "$WORK/report2.json")" 2
"$D" $C trends --since 2019-01-01 >/dev/null
check "-c trends" "$?" 0
"$D" $C candidates >/dev/null
check "-c candidates" "$?" 0
"$D" $C reclassify --since 2020-03-13 >"$WORK/reclassify.out" 2>&1
check "-c reclassify with a date" "$(grep -c '^re-labelled 3 posts' "$WORK/reclassify.out")" 1
# --until for trends and reclassify: the same half-open period as posts.
n=$("$D" $C posts --since 2020-03-01 --until 2020-03-13 --format csv | $PY -c 'import csv,sys; print(len(list(csv.reader(sys.stdin))) - 1)')
"$D" $C reclassify --since 2020-03-01 --until 2020-03-13 >"$WORK/reclassify.out" 2>&1
check "reclassify --until: the posts of the period" "$(grep -c "^re-labelled $n post" "$WORK/reclassify.out")" 1
check "reclassify states the period" "$(grep -c '^period \[2020-03-01T00:00:00Z, 2020-03-13T00:00:00Z): from --since up to but not including --until$' "$WORK/reclassify.out")" 1
"$D" $C trends --since 2020-03-01 --until 2020-03-13 --format csv >"$WORK/trends.csv"
check "trends --until exits 0" "$?" 0
check "trends CSV: the period row" "$(sed -n 2p "$WORK/trends.csv")" "period,2020-03-01T00:00:00Z,2020-03-13T00:00:00Z,,,,12"
check "trends CSV: posts per week sum to the period's posts" \
	"$($PY -c 'import csv,sys; print(sum(int(r["value"]) for r in csv.DictReader(open(sys.argv[1])) if r["series"] == "posts_per_week"))' "$WORK/trends.csv")" "$n"
"$D" $C trends --since 2020-03-01 --until 2020-03-13 --format json >"$WORK/trends.json"
check "trends JSON states the half-open period" \
	"$($PY -c 'import json,sys; p=json.load(open(sys.argv[1]))["period"]; print(p["from"], p["to"], p["half_open"])' "$WORK/trends.json")" \
	"2020-03-01T00:00:00Z 2020-03-13T00:00:00Z True"
check "trends text states the period" "$("$D" $C trends --until 2020-03-13 | tr '\n' ' ' | grep -c 'up to but not including 2020-03-13T00:00:00Z')" 1
"$D" $C trends --until 7 2>/dev/null >/dev/null
check "trends: a bare number is no duration" "$?" 64
"$D" $C migrate --to "$(db_new copied)" >/dev/null 2>&1
check "-c migrate" "$?" 0

# --- bad input ---
"$D" $C posts --category origin 2>"$WORK/err" >/dev/null
check "unknown category exits 64" "$?" 64
check "unknown category lists the known ones" "$(cat "$WORK/err")" \
	"demarche posts: unknown category 'origin'; known: blame_rebuttal, western_failure, economic_coercion, origin_narrative, none"
"$D" $C posts --account jpembb 2>"$WORK/err" >/dev/null
check "unknown account exits 64" "$?" 64
check "unknown account lists the known ones" "$(cat "$WORK/err")" \
	"demarche posts: unknown account 'jpembb' (did you mean 'jpemb'?); known: jpemb, mfa"
"$D" $C posts --lang xx 2>"$WORK/err" >/dev/null
check "unknown language exits 64" "$?" 64
check "unknown language lists the known ones" "$(grep -c 'known: .*ja' "$WORK/err")" 1
"$D" $C posts --role envoy 2>/dev/null >/dev/null
check "unknown role exits 64" "$?" 64
"$D" $C posts --search 'wuhan "fort detrick' 2>"$WORK/err" >/dev/null
check "broken query exits 64" "$?" 64
check "broken query says where" "$(grep -c 'unterminated quote at character 7' "$WORK/err")" 1
"$D" $C posts --search 'wuhan OR' 2>"$WORK/err" >/dev/null
check "dangling OR exits 64" "$?" 64
"$D" $C posts --since 7 2>"$WORK/err" >/dev/null
check "a bare number is no duration" "$?" 64
"$D" $C report --since 7 2>/dev/null >/dev/null
check "report: a bare number is no duration" "$?" 64
"$D" $C posts --since 2020-03-15 --until 2020-03-01 2>/dev/null >/dev/null
check "an empty period exits 64" "$?" 64
"$D" $C posts --format xml 2>/dev/null >/dev/null
check "unknown format exits 64" "$?" 64
"$D" posts 2>"$WORK/err" >/dev/null
check "no database exits 64" "$?" 64
check "no database says how to give one" "$(grep -c -- '-c FILE' "$WORK/err")" 1
if ! on_pg; then
	"$D" -d "$WORK/nonexistent.db" posts 2>"$WORK/err" >/dev/null
	check "missing database exits 66" "$?" 66
	check "missing database says so" "$(grep -c 'no such database' "$WORK/err")" 1
	: >"$WORK/empty.db"
	"$D" -d "$WORK/empty.db" posts 2>"$WORK/err" >/dev/null
	check "a file that is not a log exits 65" "$?" 65
fi
if [ "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'posts' AND column_name = 'deleted_seen'" 2>/dev/null)" != 1 ] && ! sql "SELECT deleted_seen FROM posts LIMIT 1" >/dev/null 2>&1; then
	"$D" $C posts --deleted 2>"$WORK/err" >/dev/null
	check "--deleted on a log without deletions exits 64" "$?" 64
	check "--deleted says why" "$(grep -c 'deleted_seen' "$WORK/err")" 1
else
	check "--deleted" "$(urls --deleted)" ""
fi
EMPTY=$(db_new emptylog)
printf '[storage]\ndatabase = %s\n' "$EMPTY" >"$WORK/empty.conf"
"$BUILD/demarched" -c "$WORK/empty.conf" --once >/dev/null 2>&1
"$D" -c "$WORK/empty.conf" posts --format csv >"$WORK/out" 2>"$WORK/err"
check "an empty log exits 0" "$?" 0
check "an empty log says so" "$(cat "$WORK/err")" "demarche posts: the log holds no posts yet"
check "an empty log: the CSV header alone" "$(wc -l <"$WORK/out")" 1

# --- an export to a file: progress and a summary on a terminal's stderr,
# nothing when stderr is not a terminal ---
"$D" $C posts --format csv >"$WORK/export.csv" 2>"$WORK/export.err"
check "export: silent off a terminal" "$(wc -c <"$WORK/export.err" | tr -d ' ')" 0
if command -v script >/dev/null 2>&1; then
	script -qec "'$D' $C posts --format csv >'$WORK/export2.csv'" /dev/null >"$WORK/export.tty" 2>&1
	check "export on a terminal: a summary" "$(tr '\r' '\n' <"$WORK/export.tty" | grep -c '^posts: 5 posts in ')" 1
	check "export on a terminal: the same rows" "$(cmp -s "$WORK/export.csv" "$WORK/export2.csv" && echo same)" same
fi

# --- search covers earlier wordings: mfa/3 edited upstream, then found by
# what it first said, the output saying which wording matched ---
sed -i 's/the new ambassador of Chile/the new envoy of Peru/' "$WORK/feeds/mfa.xml"
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run2.log" 2>&1
check "second run" "$?" 0
check "mfa/3 edited" "$(urls --edited)" "mfa/3"
check "search finds the earlier wording" "$(urls --search chile)" "mfa/3"
check "search finds the current wording" "$(urls --search peru)" "mfa/3"
check "a group in one wording only" "$(urls --search 'chile peru')" ""
check "JSONL says which wording matched" \
	"$("$D" $C posts --search chile --format jsonl | $PY -c 'import json,sys; m=json.loads(sys.stdin.readline())["matched"]; print(m["current"], m["versions"])')" \
	"False [1]"
check "JSONL: the current text matched" \
	"$("$D" $C posts --search peru --format jsonl | $PY -c 'import json,sys; m=json.loads(sys.stdin.readline())["matched"]; print(m["current"], m["versions"])')" \
	"True [2]"
check "CSV says which wording matched" \
	"$("$D" $C posts --search 'chile OR peru' --format csv | $PY -c 'import csv,sys; r=list(csv.DictReader(sys.stdin)); print(len(r), r[0]["matched_current"], r[0]["matched_versions"])')" \
	"1 1 1,2"
check "text says an earlier wording matched" \
	"$(COLUMNS=100 "$D" $C posts --search chile | grep -c '(wording 1 matched) Glad to meet the new envoy of Peru')" 1
check "no search: no matched columns" "$("$D" $C posts --format csv | head -1 | grep -c matched)" 0

finish
