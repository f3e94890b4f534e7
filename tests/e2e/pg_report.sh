# backends: postgresql
# Reports and the CLI on PostgreSQL, and `demarche migrate`: a log polled
# into SQLite is copied to a throw-away PostgreSQL server (lib/pg.sh) and
# back to a new SQLite file; the copies must verify (counts, checksums),
# and `report` (every format), `trends` and `candidates` must print the
# same bytes from either backend.  Then reclassify and a daemon run work on
# the copy: no duplicate, new posts get new ids.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
. "$DEMARCHE_TESTS_DIR/e2e/lib/pg.sh"
e2e_setup
pg_start

mkdir "$WORK/feeds"
cp "$TESTS/fixtures/e2e/spokesperson.xml" "$TESTS/fixtures/e2e/embassy.atom" \
	"$TESTS/fixtures/e2e/broken.xml" "$WORK/feeds/"
start_server "$WORK/feeds"
conf() {
	cat <<CONF
[storage]
database = $1

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
CONF
}
conf "$WORK/test.db" >"$WORK/lite.conf"
conf "$PGURL" >"$WORK/pg.conf"
"$BUILD/demarched" -c "$WORK/lite.conf" --once >"$WORK/run1.log" 2>&1
check "SQLite log written (exit 75: broken and 500 feeds)" "$?" 75

"$BUILD/demarche" migrate --from "sqlite:$WORK/test.db" --to "$PGURL" >"$WORK/to-pg.out" 2>"$WORK/to-pg.err"
check "migrate to PostgreSQL exits 0" "$?" 0
check "migrate verified" "$(grep -c '^verified' "$WORK/to-pg.out")" 1
check "posts copied" "$(awk '$1=="posts"{print $2}' "$WORK/to-pg.out")" 5
check "PostgreSQL holds the posts" "$(sql 'SELECT count(*) FROM posts')" 5
check "ids kept" "$(sql "SELECT string_agg(id::text, ',' ORDER BY id) FROM posts")" \
	"$(sqlite3 "$WORK/test.db" 'SELECT group_concat(id) FROM (SELECT id FROM posts ORDER BY id)')"

"$BUILD/demarche" migrate --from "sqlite:$WORK/test.db" --to "$PGURL" >/dev/null 2>"$WORK/again.err"
check "a second migrate into a full database is refused (EX_CANTCREAT)" "$?" 73
check "it says why" "$(grep -c 'not empty' "$WORK/again.err")" 1
check "and copied nothing more" "$(sql 'SELECT count(*) FROM posts')" 5

"$BUILD/demarche" migrate --from "$PGURL" --to "$WORK/back.db" >"$WORK/back.out" 2>&1
check "migrate back to SQLite exits 0" "$?" 0
check "checksums equal both ways" "$(cat "$WORK/back.out")" "$(cat "$WORK/to-pg.out")"

# The same bytes from both backends.
UNTIL=1585000000
for fmt in json text md html; do
	"$BUILD/demarche" -d "$WORK/test.db" report --since 4w --until $UNTIL --format $fmt -o "$WORK/lite.$fmt" 2>"$WORK/lite.err"
	r1=$?
	"$BUILD/demarche" -d "$PGURL" report --since 4w --until $UNTIL --format $fmt -o "$WORK/pg.$fmt" 2>"$WORK/pg.err"
	r2=$?
	check "report --format $fmt exits 0 on both" "$r1 $r2" "0 0"
	if cmp -s "$WORK/lite.$fmt" "$WORK/pg.$fmt"; then
		pass "report --format $fmt identical on both backends"
	else
		fail "report --format $fmt differs: $(diff "$WORK/lite.$fmt" "$WORK/pg.$fmt" | head -5)"
	fi
done
check "the report has the posts" "$(grep -c '"origin_narrative"' "$WORK/pg.json" | awk '{print ($1>0)}')" 1
# One --until for both runs: the trends state their period, which ends now
# by default.
TU=$(date -u +%Y-%m-%dT%H:%M)
for cmd in "trends --format json --since 520w --until $TU" "trends --format csv --since 520w --until $TU" "candidates --format json"; do
	# shellcheck disable=SC2086
	"$BUILD/demarche" -d "$WORK/test.db" $cmd >"$WORK/lite.out" 2>&1
	r1=$?
	# shellcheck disable=SC2086
	"$BUILD/demarche" -d "$PGURL" $cmd >"$WORK/pg.out" 2>&1
	r2=$?
	check "$cmd exits 0 on both" "$r1 $r2" "0 0"
	cmp -s "$WORK/lite.out" "$WORK/pg.out" && pass "$cmd identical on both backends" \
		|| fail "$cmd differs: $(diff "$WORK/lite.out" "$WORK/pg.out" | head -5)"
done

"$BUILD/demarche" -d "$PGURL" reclassify >"$WORK/reclassify.log" 2>&1
check "reclassify on PostgreSQL exits 0" "$?" 0
"$BUILD/demarche" -d "$WORK/test.db" reclassify >>"$WORK/reclassify.log" 2>&1
check "reclassify on SQLite exits 0" "$?" 0
check "same categories after reclassify" \
	"$(sql "SELECT string_agg(post_id || ':' || category, ',' ORDER BY post_id, category COLLATE \"C\") FROM post_categories")" \
	"$(sqlite3 "$WORK/test.db" "SELECT group_concat(x, ',') FROM (SELECT post_id || ':' || category AS x FROM post_categories ORDER BY post_id, category)")"

# The daemon carries on with the copy: nothing stored twice, and a new
# post gets an id after the copied ones.
sed -e 's|</channel>|<item><guid>sp-0009</guid><title>New</title><description>Another routine note.</description><pubDate>Sun, 15 Mar 2020 10:00:00 GMT</pubDate></item></channel>|' \
	"$TESTS/fixtures/e2e/spokesperson.xml" >"$WORK/feeds/spokesperson.xml"
"$BUILD/demarched" -c "$WORK/pg.conf" --once >"$WORK/run2.log" 2>&1
check "daemon on the copy exits 75 (broken and 500 feeds)" "$?" 75
check "one new post, no duplicate" "$(sql 'SELECT count(*) FROM posts')" 6
check "new id after the copied ones" \
	"$(sql "SELECT (id > (SELECT max(id) FROM posts WHERE stable_key <> 'sp-0009'))::int FROM posts WHERE stable_key = 'sp-0009'")" 1
finish
