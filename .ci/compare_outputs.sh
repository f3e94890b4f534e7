#!/bin/sh
# compare_outputs.sh BASE_BUILD NEW_BUILD — checks that a refactoring
# changed no output: builds the demo database with BASE_BUILD's daemon
# (the offline demo feeds, one poll), then runs the same commands with both
# builds' `demarche` (report in every format, trends, candidates, classify,
# eval, parse over every fixture feed, check-config, reclassify, version)
# and compares stdout, stderr and exit status byte for byte.  Prints one
# line per command that differs and exits 1 when any does.
set -eu
base=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
shared=${DEMARCHE_SHARED_DIR:-$src/../shared}
tmp=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT INT TERM
port=$((20000 + $$ % 10000))

sed -e "s|^database = .*|database = $tmp/demo.db|" \
    -e "s|^output_dir = .*|output_dir = $tmp/reports|" \
    -e "s|^feeds = .*|feeds = $src/config/demo/feeds|" \
    -e "s|^port = .*|port = $port|" \
    -e "s|127.0.0.1:8765|127.0.0.1:$port|g" \
    "$src/config/demo.conf" > "$tmp/demo.conf"
"$base/demarched" -c "$tmp/demo.conf" --once --demo > "$tmp/daemon.log" 2>&1 || {
	echo "compare_outputs: the demo poll failed:" >&2
	cat "$tmp/daemon.log" >&2
	exit 2
}
# The period ends at a fixed instant so both runs see the same one.
until=1700000000
# The demo feeds carry no follower counts: a copy with a few snapshots
# (three accounts over ten days, one with a single point) draws the
# follower curves too.
cp "$tmp/demo.db" "$tmp/snap.db"
python3 - "$tmp/snap.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ids = [r[0] for r in db.execute("SELECT id FROM accounts ORDER BY id LIMIT 3")]
t0 = 1584000000
for n, acc in enumerate(ids):
    days = range(1) if n == 2 else range(0, 10, 3)
    for d in days:
        db.execute("INSERT INTO account_snapshots (account_id, observed,"
                   " followers, following, posts_count) VALUES (?,?,?,?,?)",
                   (acc, t0 + d * 86400, 1000 * (n + 1) + 37 * d, 10, 100 + d))
db.execute("INSERT INTO candidates (handle, name, marker, kind, first_seen,"
           " last_seen, refs, via_account_id) VALUES"
           " ('ChinaEmbJapan', NULL, 'embassy', 'mention', ?, ?, 3, ?),"
           " ('spox@mastodon.example', '外交部发言人', '发言人', 'repost', ?, ?, 1,"
           " NULL), ('x\x1b[31mbad', NULL, 'ministry', 'mention', ?, ?, 1, ?)",
           (t0, t0 + 86400, ids[0], t0, t0, t0, t0 + 5, ids[1]))
db.commit()
PY
printf '[storage]\ndatabase = %s\n[poll]\ninterval = 10x\n' "$tmp/x.db" > "$tmp/bad.conf"
python3 - "$shared/eval/dev.tsv" > "$tmp/dev.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        cols = line.rstrip("\n").split("\t")
        if len(cols) >= 4 and cols[0] != "id":
            print(json.dumps({"id": cols[0], "lang": cols[2],
                              "text": cols[3]}, ensure_ascii=False))
PY

# One command per line: NAME<TAB>ARGS (split by the shell; @DB@, @TMP@
# and @SRC@ substituted), optional stdin after a second tab.
commands() {
	for f in report_text report_md report_json report_html; do
		printf '%s\t-d @DB@ report --since 3000d --until %s --format %s\t\n' \
		    "$f" "$until" "${f#report_}"
	done
	for f in text md json html; do
		printf 'snap_%s\t-d @TMP@/snap.db report --since 3000d --until %s --format %s\t\n' \
		    "$f" "$until" "$f"
	done
	printf 'snap_candidates\t-d @TMP@/snap.db candidates\t\n'
	printf 'snap_candidates_json\t-d @TMP@/snap.db candidates --format json\t\n'
	for f in text json csv; do
		printf 'snap_trends_%s\t-d @TMP@/snap.db trends --since 3000d --format %s\t\n' "$f" "$f"
	done
	printf 'report_7d\t-d @DB@ report --since 7d --until %s\t\n' "$until"
	printf 'report_2w\t-d @DB@ report --since 2w --until %s --format json\t\n' "$until"
	printf 'report_bad_since\t-d @DB@ report --since soon\t\n'
	printf 'report_bad_until\t-d @DB@ report --until 12x\t\n'
	printf 'report_bad_format\t-d @DB@ report --format pdf\t\n'
	printf 'report_nodb\t-d @TMP@/nope.db report\t\n'
	for f in text json csv; do
		printf 'trends_%s\t-d @DB@ trends --since 3000d --format %s\t\n' "$f" "$f"
	done
	printf 'trends_default\t-d @DB@ trends\t\n'
	printf 'candidates_text\t-d @DB@ candidates\t\n'
	printf 'candidates_json\t-d @DB@ candidates --format json\t\n'
	# The rules are named explicitly: the rules version hashes the rules
	# files' paths, and each build defaults to its own source tree's.
	printf 'classify\tclassify --rules @SRC@/config/rules\t@TMP@/dev.jsonl\n'
	printf 'eval\teval --labels %s --rules @SRC@/config/rules\t\n' "$shared/eval/dev.tsv"
	printf 'eval_errors\teval --labels %s --errors --rules @SRC@/config/rules\t\n' "$shared/eval/dev.tsv"
	printf 'train\ttrain --labels %s -o @OUT@/model.txt\t\n' "$shared/eval/dev.tsv"
	printf 'train_bad\ttrain --labels %s --epochs x -o @OUT@/m2.txt\t\n' "$shared/eval/dev.tsv"
	printf 'eval_model\teval --labels %s --rules @SRC@/config/rules --model @OUT@/model.txt\t\n' "$shared/eval/dev.tsv"
	printf 'eval_missing\teval --labels @TMP@/none.tsv --rules @SRC@/config/rules\t\n'
	for f in "$src"/tests/fixtures/feeds/*; do
		case $f in *.sh) continue ;; esac
		printf 'parse_%s\tparse %s\t\n' "$(basename "$f")" "$f"
	done
	printf 'parse_rss_forced\tparse --format rss %s\t\n' "$src/tests/fixtures/feeds/atom10_basic.xml"
	for f in "$src"/config/demo/feeds/*; do
		printf 'parse_demo_%s\tparse %s\t\n' "$(basename "$f")" "$f"
	done
	printf 'check_demo\tcheck-config -c @TMP@/demo.conf\t\n'
	printf 'check_shipped\tcheck-config -c %s\t\n' "$src/config/demarche.conf"
	printf 'check_bad\tcheck-config -c @TMP@/bad.conf\t\n'
	printf 'version\tversion\t\n'
	printf 'usage\t-h\t\n'
	printf 'unknown\tnosuchcommand\t\n'
	printf 'misspelt\treprot\t\n'
	printf 'version_flag\t--version\t\n'
	for c in parse classify eval train reclassify report trends candidates migrate check-config; do
		printf 'help_%s\t%s --help\t\n' "$c" "$c"
	done
	printf 'check_none\tcheck-config\t\n'
	printf 'reclassify_bad_batch\t-d @DB@ reclassify --batch 0\t\n'
	printf 'reclassify_bad_weight\t-d @DB@ reclassify --model-weight 2\t\n'
	printf 'reclassify_nodb\treclassify\t\n'
	printf 'reclassify\t-d @DB@ reclassify --since 3000d --rules @SRC@/config/rules\t\n'
	printf 'report_after_reclassify\t-d @DB@ report --since 3000d --until %s --format json\t\n' "$until"
}

run_all() { # BUILD OUTDIR
	mkdir -p "$2"
	cp "$tmp/demo.db" "$2/demo.db"
	commands | while IFS='	' read -r name args input; do
		args=$(printf '%s' "$args" | sed -e "s|@DB@|$2/demo.db|g" \
		    -e "s|@OUT@|$2|g" \
		    -e "s|@TMP@|$tmp|g" -e "s|@SRC@|$src|g")
		input=$(printf '%s' "$input" | sed -e "s|@TMP@|$tmp|g")
		[ -n "$input" ] || input=/dev/null
		# shellcheck disable=SC2086
		( cd "$tmp" && "$1/demarche" $args < "$input" \
		    > "$2/$name.out" 2> "$2/$name.err"; echo $? > "$2/$name.rc" ) || true
		sed -i "s|$2/|OUT/|g" "$2/$name.err" "$2/$name.out"
	done
}

run_all "$base" "$tmp/base"
run_all "$new" "$tmp/new"
n=0
bad=0
for f in "$tmp"/base/*.rc; do
	name=$(basename "$f" .rc)
	n=$((n + 1))
	for ext in out err rc; do
		if ! cmp -s "$tmp/base/$name.$ext" "$tmp/new/$name.$ext"; then
			echo "differs: $name ($ext)"
			diff "$tmp/base/$name.$ext" "$tmp/new/$name.$ext" | head -5
			bad=1
		fi
	done
done
if [ $bad -eq 0 ]; then
	echo "compare_outputs: $n commands, stdout, stderr and exit status identical"
fi
exit $bad
