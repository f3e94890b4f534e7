# backends: sqlite postgresql
# End to end: the HTML report renders in a real browser.  A database with
# known posts, categories, account creation dates and follower snapshots
# is reported as HTML; headless Chromium takes a screenshot, and the PNG is
# checked to hold the colours of each chart (posts per category, one
# colour each; posts per day, classified and not, on a date axis; the
# accounts-opened-per-year bars, the follower curves).  Skipped (77) only
# when Chromium is not installed (Debian package chromium).
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
PY=/usr/bin/python3
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "SKIP: chromium is not installed"
	exit 77
fi

mkdir "$WORK/feeds"
cp "$TESTS/fixtures/reports/desk.xml" "$TESTS/fixtures/e2e/spokesperson.xml" \
	"$TESTS/fixtures/e2e/embassy.atom" "$WORK/feeds/"
start_server "$WORK/feeds"
cat >"$WORK/test.conf" <<CONF
[storage]
database = $DB
[poll]
allow_private_addresses = yes
[classifier]
rules = $SRC/config/rules
[account "desk"]
role = spokesperson
created = 2019-08-01
feed = $BASE/desk.xml
[account "spokesperson"]
role = diplomat
created = 2017-10-01
feed = $BASE/spokesperson.xml
[account "embassy"]
role = mission
created = 2018-05-01
feed = $BASE/embassy.atom
CONF
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/poll.log" 2>&1
check "poll exits 0" "$?" 0
NOW=$(date +%s)
sql "INSERT INTO account_snapshots (account_id, observed, followers)
     SELECT a.id, $NOW - d.n * 86400, 1000 * a.id + (10 - d.n) * 40 * a.id
     FROM accounts a, (SELECT 1 AS n UNION SELECT 3 UNION SELECT 5
                       UNION SELECT 7 UNION SELECT 9) d"
"$BUILD/demarche" -d "$DB" report --since 3000d --format html \
	-o "$WORK/report.html"
check "report exits 0" "$?" 0
check "four charts in the page" "$(grep -c '<svg' "$WORK/report.html")" 4

"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$WORK/chrome" --screenshot="$WORK/out.png" \
	--window-size=1200,5000 "file://$WORK/report.html" >"$WORK/chrome.log" 2>&1
[ -s "$WORK/out.png" ] && pass "screenshot taken" || { fail "no screenshot: $(tail -5 "$WORK/chrome.log")"; finish; }

# Posts per day, classified and not; diplomat, spokesperson, mission
# bars; the first two follower curves.  Each legend swatch is at most
# 144 px, so 500 px means the chart itself was drawn.
"$PY" "$TESTS/e2e/lib/png_colors.py" "$WORK/out.png" \
	08519c bdd7e7 1f77b4 ff7f0e 2ca02c 0b7285 c92a2a >"$WORK/colors.txt"
while read -r colour count; do
	[ "$count" -ge 500 ] && pass "colour #$colour rendered ($count px)" \
		|| fail "colour #$colour: only $count pixels"
done <"$WORK/colors.txt"
check "seven colours measured" "$(wc -l <"$WORK/colors.txt" | tr -d ' ')" 7
# Posts per category: the longest bar (440 px by 12) in its category's
# colour, which no other chart uses.
TOP=$(grep -o 'width="440.0" height="12" fill="#[0-9a-f]*"' "$WORK/report.html" |
	head -n 1 | sed 's/.*#//; s/"//')
check "category chart has a longest bar" "$(echo "$TOP" | grep -c '^[0-9a-f]\{6\}$')" 1
"$PY" "$TESTS/e2e/lib/png_colors.py" "$WORK/out.png" "$TOP" >"$WORK/colors.txt"
read -r colour count <"$WORK/colors.txt"
[ "${count:-0}" -ge 4000 ] && pass "category bar #$colour rendered ($count px)" ||
	fail "category bar #$colour: only ${count:-0} pixels"
# The day chart counts posts on a date axis: ticks labelled, every font
# of the charts at least 12 px.
check "day chart counts posts" "$(grep -c 'aria-label="posts per day"' "$WORK/report.html")" 1
check "date ticks labelled" "$(grep -c 'class="ax" text-anchor="middle">20[0-9][0-9]-' "$WORK/report.html" | awk '$1>=2{print "yes"}')" yes
check "no chart text under 12 px" "$(grep -o 'svg \.[a-z]*{font-size:[0-9]*px' "$WORK/report.html" | sed 's/.*://; s/px//' | awk '$1<12' | wc -l | tr -d ' ')" 0
finish
