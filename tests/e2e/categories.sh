# backends: sqlite postgresql
# End to end: a category added by a rules file.  The shipped rules plus
# config/rules/extra/sovereignty_threat.rules.example (copied in as
# sovereignty_threat.rules) in a folder of the test's own; the real daemon
# classifies a local feed with it; the new category shows in `classify`,
# the bash completion, `posts --category`, `label`, `eval`, `train`,
# `report` (json, text, the HTML chart, --deliver), `trends` (csv, json,
# text) and after the file is removed (the
# stored labels are still reported, never dropped, until `reclassify`
# is asked to relabel the posts); the running service names the added
# categories and takes a new file on SIGHUP.  Then the errors: an
# invalid key and a 17th category stop the daemon, classify and label with
# FILE:LINE (78); report warns with FILE:LINE and shows the log's keys.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
D="$BUILD/demarche"
PY=/usr/bin/python3

mkdir "$WORK/feeds" "$WORK/rules"
cp "$TESTS/fixtures/e2e/categories.xml" "$WORK/feeds/sp.xml"
start_server "$WORK/feeds"
cp "$SRC"/config/rules/*.rules "$WORK/rules/"
cp "$SRC/config/rules/extra/sovereignty_threat.rules.example" \
	"$WORK/rules/sovereignty_threat.rules"

cat >"$WORK/test.conf" <<CONF
[storage]
database = $DB

[poll]
interval = 1m
timeout = 10s
allow_private_addresses = yes

[classifier]
rules = rules

[report]
format = json
output_dir = reports

[account "sp"]
role = spokesperson
country = CN
feed = $BASE/sp.xml
CONF
C="-c $WORK/test.conf"
PERIOD="--since 2020-03-01 --until 2020-04-01"

# --- classify: the new category from the folder given ---
printf '%s\n' '{"id": "x", "text": "Stop interfering in China'"'"'s internal affairs: Taiwan is a red line.", "lang": "en"}' |
	"$D" classify --rules "$WORK/rules" >"$WORK/cls.out"
check "classify --rules: the added category" \
	"$($PY -c 'import json,sys; print(",".join(c["key"] for c in json.loads(sys.stdin.read())["categories"]))' <"$WORK/cls.out")" \
	sovereignty_threat
printf '%s\n' '{"id": "x", "text": "Taiwan is a red line.", "lang": "en"}' |
	"$D" $C classify >"$WORK/cls.out"
check "classify -c: the config's rules folder" "$(grep -c sovereignty_threat "$WORK/cls.out")" 1
printf '%s\n' '{"id": "x", "text": "Taiwan is a red line.", "lang": "en"}' |
	"$D" classify --rules "$SRC/config/rules" >"$WORK/cls.out"
check "classify with the shipped rules: no such category" "$(grep -c sovereignty_threat "$WORK/cls.out")" 0

# --- the bash completion offers it ---
check "completion of categories" \
	"$(SRC=$SRC CONF=$WORK/test.conf bash -c '. "$SRC/daemon/completion/demarche.bash"; _demarche_categories "$CONF"' | tr '\n' ' ')" \
	"blame_rebuttal western_failure economic_coercion origin_narrative sovereignty_threat none "

# --- the daemon stores it ---
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run.log" 2>&1
check "daemon run" "$?" 0
check "four posts stored" "$(sql 'SELECT count(*) FROM posts')" 4
check "stored under the added key" \
	"$(sql "SELECT count(*) FROM post_categories WHERE category = 'sovereignty_threat'")" 2

# --- posts --category ---
urls() {
	"$D" $C posts --format jsonl "$@" |
		$PY -c 'import json,sys; print(" ".join(json.loads(l)["url"].split("127.0.0.1/")[1] for l in sys.stdin))'
}
check "posts --category sovereignty_threat" "$(urls --category sovereignty_threat)" "sp/2 sp/1"
check "posts --category origin_narrative" "$(urls --category origin_narrative)" "sp/3"
check "posts --category none" "$(urls --category none)" "sp/4"
"$D" $C posts --category sovereignty 2>"$WORK/err" >/dev/null
check "posts: an unknown category exits 64" "$?" 64
check "posts: the known ones include the added one" \
	"$(grep -c "known: blame_rebuttal, western_failure, economic_coercion, origin_narrative, sovereignty_threat, none" "$WORK/err")" 1

# --- label and eval ---
"$D" $C label http://127.0.0.1/sp/4 sovereignty_threat,blame_rebuttal >/dev/null 2>"$WORK/err"
check "label with the added category" "$?" 0
check "label stored in the configured order" \
	"$(sql 'SELECT labels FROM post_labels')" "blame_rebuttal,sovereignty_threat"
"$D" $C label http://127.0.0.1/sp/4 sovereign_threat 2>"$WORK/err" >/dev/null
check "label: an unknown category exits 65" "$?" 65
check "label: the known ones are listed" \
	"$(grep -c "origin_narrative or sovereignty_threat, or none" "$WORK/err")" 1
printf 'a\tsovereignty_threat\ten\tTaiwan is a red line of core interests.\nb\tnone\ten\tA quiet day at the library.\n' >"$WORK/labels.tsv"
"$D" $C eval --labels "$WORK/labels.tsv" >"$WORK/eval.out" 2>&1
check "eval: scores the added category" \
	"$(awk '$1 == "sovereignty_threat" {print $4}' "$WORK/eval.out" | head -n 1)" "1.000"
check "eval: macro-F1 over the five" "$(tail -n 1 "$WORK/eval.out")" "macro-F1: 0.200"

# --- train: the model records the keys it was trained on; a model is
# matched to the rules by key ---
printf 'c\torigin_narrative\ten\tFort Detrick must open its doors.\n' >>"$WORK/labels.tsv"
"$D" $C train --labels "$WORK/labels.tsv" -o "$WORK/five.model" --epochs 3 \
	--buckets 256 >/dev/null 2>&1
check "train with the added category" "$?" 0
check "the model records the five keys" "$(grep -a '^categories ' "$WORK/five.model")" \
	"categories blame_rebuttal western_failure economic_coercion origin_narrative sovereignty_threat"
printf '%s\n' '{"id": "x", "text": "Taiwan is a red line.", "lang": "en"}' >"$WORK/one.jsonl"
"$D" classify --rules "$SRC/config/rules" --model "$WORK/five.model" <"$WORK/one.jsonl" >"$WORK/cls.out" 2>&1
check "a five-category model with the shipped rules: its extra category unused" \
	"$?:$(grep -c sovereignty_threat "$WORK/cls.out")" "0:0"
grep -v sovereignty "$WORK/labels.tsv" >"$WORK/four.tsv"
"$D" train --rules "$SRC/config/rules" --labels "$WORK/four.tsv" -o "$WORK/four.model" \
	--epochs 3 --buckets 256 >/dev/null 2>&1
"$D" $C classify --model "$WORK/four.model" <"$WORK/one.jsonl" >"$WORK/cls.out" 2>&1
check "a four-category model: the added category is the rules' alone" \
	"$($PY -c 'import json,sys; c = json.loads(sys.stdin.read())["categories"][0]; print(c["key"], "model_p" in c)' <"$WORK/cls.out")" \
	"sovereignty_threat False"

# --- report: json, text, html ---
"$D" $C report $PERIOD --format json >"$WORK/report.json"
check "report json: the categories in order" \
	"$($PY -c 'import json,sys; print(" ".join(json.load(sys.stdin)["categories"]))' <"$WORK/report.json")" \
	"blame_rebuttal western_failure economic_coercion origin_narrative sovereignty_threat"
check "report json: the added category's count and name" \
	"$($PY -c 'import json,sys; c = json.load(sys.stdin)["categories"]["sovereignty_threat"]; print(c["count"], c["name"])' <"$WORK/report.json")" \
	"2 Sovereignty threat"
COLUMNS=300 "$D" $C report $PERIOD --format text >"$WORK/report.txt"
check "report text: the added category's row" \
	"$(grep -c '^ *sovereignty_threat (Sovereignty threat) *2 ' "$WORK/report.txt")" 1
"$D" $C report $PERIOD --format html -o "$WORK/report.html"
check "report html: a chart bar for the added category" \
	"$(grep -c '<title>sovereignty_threat: 2 (previous period 0)</title>' "$WORK/report.html")" 1
check "report html: its own colour" \
	"$(grep -o 'fill="#[0-9a-f]*"><title>[a-z_]*: ' "$WORK/report.html" | sort -u | cut -d'"' -f2 | sort -u | wc -l)" 5

mkdir "$WORK/reports"
"$D" $C report --deliver $PERIOD >/dev/null 2>&1
check "report --deliver" "$?" 0
check "the delivered report counts the added category" \
	"$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["categories"]["sovereignty_threat"]["count"])' "$WORK"/reports/*.json)" 2

# --- trends: csv, json, text ---
"$D" $C trends --since 2020-03-01 --format csv >"$WORK/trends.csv"
check "trends csv: the added category's series" \
	"$($PY -c '
import csv, sys
rows = [r for r in csv.DictReader(sys.stdin) if r["category"] == "sovereignty_threat"]
print(sorted(set(r["series"] for r in rows)), sum(int(r["value"] or 0) for r in rows if r["series"] == "category_count_per_week"))
' <"$WORK/trends.csv")" \
	"$($PY -c '
import csv, sys
rows = [r for r in csv.DictReader(sys.stdin) if r["category"] == "origin_narrative"]
print(sorted(set(r["series"] for r in rows)), 2)
' <"$WORK/trends.csv")"
"$D" $C trends --since 2020-03-01 --format json >"$WORK/trends.json"
check "trends json: the added category per week" \
	"$($PY -c 'import json,sys; t = json.load(sys.stdin); print(sum(w["categories"].get("sovereignty_threat", {}).get("count", 0) for w in t["category_share_per_week"]))' <"$WORK/trends.json")" 2
COLUMNS=300 "$D" $C trends --since 2020-03-01 >"$WORK/trends.txt"
check "trends text: a column for the added category" \
	"$(grep -c 'origin_narrative.*sovereignty_threat' "$WORK/trends.txt")" 2

# --- the file removed: stored labels are still reported ---
rm "$WORK/rules/sovereignty_threat.rules"
"$D" $C report $PERIOD --format json >"$WORK/report.json"
check "report json without the file: still counted" \
	"$($PY -c 'import json,sys; print(json.load(sys.stdin)["categories"]["sovereignty_threat"]["count"])' <"$WORK/report.json")" 2
check "posts --category of a key only the log holds" "$(urls --category sovereignty_threat)" "sp/2 sp/1"
COLUMNS=300 "$D" $C trends --since 2020-03-01 >"$WORK/trends.txt"
check "trends text without the file: no column of its own" \
	"$(grep -c 'origin_narrative *sovereignty_threat' "$WORK/trends.txt")" 0
check "trends text without the file: under other categories" \
	"$(grep -c '%) *sovereignty_thr' "$WORK/trends.txt")" 1

# --- reclassify follows the folder: without the file, then with it ---
"$D" $C reclassify >/dev/null 2>&1
check "reclassify without the file" "$?" 0
check "reclassify without the file: the category is gone" \
	"$(sql "SELECT count(*) FROM post_categories WHERE category = 'sovereignty_threat'")" 0
cp "$SRC/config/rules/extra/sovereignty_threat.rules.example" \
	"$WORK/rules/sovereignty_threat.rules"
"$D" $C reclassify >/dev/null 2>&1
check "reclassify with the file: the category is back" \
	"$(sql "SELECT count(*) FROM post_categories WHERE category = 'sovereignty_threat'")" 2

# --- the service names the added categories, and takes a new one on
# SIGHUP ---
# READY=1 (a stand-in for systemd's notify socket) says the signal
# handlers are in place.
$PY "$TESTS/e2e/lib/notify_listener.py" "$WORK/notify.sock" "$WORK/notify.log" &
NOTIFY_PID=$!
wait_for '[ -S "$WORK/notify.sock" ]' 50 || fail "notify listener did not start"
NOTIFY_SOCKET="$WORK/notify.sock" "$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_for 'grep -q "^READY=1" "$WORK/notify.log" 2>/dev/null' 100 || fail "no READY=1"
check "the daemon names the added category" \
	"$(grep -c "categories: the codebook's 4 and 1 added: sovereignty_threat" "$WORK/daemon.log")" 1
printf 'version 1\ncategory reload_test\nthreshold 1\nterm 1 zzyzx\n' >"$WORK/rules/zz_reload.rules"
kill -HUP "$DAEMON_PID"
wait_for 'grep -q "2 added: sovereignty_threat reload_test" "$WORK/daemon.log"' 100 &&
	pass "SIGHUP takes a new category file" || fail "no reload line: $(tail -3 "$WORK/daemon.log")"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
check "the daemon stops cleanly" "$?" 0
DAEMON_PID=""
kill "$NOTIFY_PID" 2>/dev/null
wait "$NOTIFY_PID" 2>/dev/null
rm "$WORK/rules/zz_reload.rules"

# --- errors: FILE:LINE; 78 where input is in the categories, a warning
# where the log is only read ---
printf 'version 1\ncategory Sovereignty-Threat\n' >"$WORK/rules/zz.rules"
"$D" $C label http://127.0.0.1/sp/4 none >/dev/null 2>"$WORK/err"
check "label: an invalid key in the folder exits 78" "$?" 78
check "an invalid key names file and line" \
	"$(grep -c "zz.rules:2: invalid category key 'Sovereignty-Threat'" "$WORK/err")" 1
"$D" $C report $PERIOD --format json >"$WORK/report.json" 2>"$WORK/err"
check "report over a broken folder: exit 0" "$?" 0
check "report over a broken folder: warns with file and line" \
	"$(grep -c "zz.rules:2: invalid category key .*listing the codebook's categories and those the log holds" "$WORK/err")" 1
check "report over a broken folder: the log's categories all shown" \
	"$($PY -c 'import json,sys; print(" ".join(json.load(sys.stdin)["categories"]))' <"$WORK/report.json")" \
	"blame_rebuttal western_failure economic_coercion origin_narrative sovereignty_threat"
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run.log" 2>&1
check "the daemon refuses it" "$?" 78
"$D" $C classify <"$WORK/one.jsonl" >/dev/null 2>&1
check "classify refuses it" "$?" 78
{
	echo "version 1"
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do echo "category extra_$i"; done
} >"$WORK/rules/zz.rules"
"$D" $C label http://127.0.0.1/sp/4 none >/dev/null 2>"$WORK/err"
check "a 17th category exits 78" "$?" 78
check "a 17th category names file and line" \
	"$(grep -c "zz.rules:13: category 'extra_12' is one too many: a rules folder defines at most 16" "$WORK/err")" 1
rm "$WORK/rules/zz.rules"

check_db_sound
finish
