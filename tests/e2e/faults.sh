# backends: sqlite postgresql
# End to end: every fault the fetch engine must survive, each on its own
# feed of one --once run against the fault-injecting server, while healthy
# feeds are still polled and stored.  Then a second run (permanent redirect
# remembered), a run that refuses private addresses, and a running daemon
# whose request log shows backoff, Retry-After and a host pause in time.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start

mkdir "$WORK/feeds"
cp "$TESTS/fixtures/e2e/spokesperson.xml" "$TESTS/fixtures/e2e/embassy.atom" \
	"$TESTS/fixtures/e2e/broken.xml" "$WORK/feeds/"
start_server "$WORK/feeds"
UA="demarche-faults-test/1.0 (+http://127.0.0.1/contact)"

cat >"$WORK/test.conf" <<CONF
[storage]
database = $DB
[poll]
interval = 1h
# Short enough that the stalled and dripping feeds end the run soon, long
# enough that a healthy transfer (five redirects, a gzip bomb cut at
# max_body) finishes on a loaded machine.
timeout = 6s
connect_timeout = 3s
max_body = 1MiB
concurrency = 8
per_host = 8
user_agent = $UA
allow_private_addresses = yes
[classifier]
rules = $SRC/config/rules
[account "healthy"]
feed = $BASE/spokesperson.xml
feed = $BASE/embassy.atom?ctype=application/octet-stream
[account "redirects"]
feed = $BASE/moved.xml?redirect=/gen/moved.xml&code=301
feed = $BASE/temp.xml?redirect=/gen/temp.xml&code=302
feed = $BASE/temp7.xml?redirect=/gen/temp7.xml&code=307
feed = $BASE/hop/4/gen/hop4.xml
feed = $BASE/hop/5/gen/hop5.xml
feed = $BASE/loop/a
feed = $BASE/tofile.xml?redirect=file:///etc/passwd&code=302
feed = $BASE/togopher.xml?redirect=gopher://127.0.0.1/&code=301
[account "statuses"]
feed = $BASE/missing.xml
feed = $BASE/gen/gone.xml?status=410
feed = $BASE/gen/busy.xml?status=429&retry_after=120
feed = $BASE/gen/later.xml?status=503&retry_after=Wed,%2021%20Oct%202099%2007:28:00%20GMT
feed = $BASE/gen/err.xml?status=500
[account "limits"]
feed = $BASE/gen/stall.xml?stall=1
feed = $BASE/gen/drip.xml?items=20&drip=20
feed = $BASE/gen/big.xml?size=3000000
feed = $BASE/gen/bomb.xml?bomb=64
feed = $BASE/spokesperson.xml?truncate=1
feed = $BASE/broken.xml
feed = $BASE/gen/gz.xml?items=7&gzip=1
CONF

t0=$(date +%s)
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run1.log" 2>&1
check "--once with every fault exits 75 (some polls failed)" "$?" 75
t1=$(date +%s)
[ $((t1 - t0)) -le 30 ] && pass "faults cost bounded time ($((t1 - t0)) s)" ||
	fail "run took $((t1 - t0)) s"

# feed URL pattern -> column
feed() { sql "SELECT $2 FROM feeds WHERE configured_url LIKE '%$1%'"; }
# feed URL pattern, condition -> 1 or 0
feed_is() { feed "$1" "CASE WHEN $2 THEN 1 ELSE 0 END"; }
posts_of() {
	sql "SELECT count(*) FROM posts p JOIN feeds f ON f.id=p.feed_id WHERE f.configured_url LIKE '%$1%'"
}
now=$(date +%s)

check "healthy feed stored" "$(posts_of spokesperson.xml)" 3
check "wrong Content-Type still parsed" "$(posts_of 'embassy.atom?ctype')" 2
check "gzip body decoded" "$(posts_of 'gz.xml')" 7
check "301 remembered as the new URL" "$(feed moved.xml url)" "$BASE/gen/moved.xml"
check "301 target stored" "$(posts_of moved.xml)" 5
check "302 not remembered" "$(feed temp.xml url)" "$BASE/temp.xml?redirect=/gen/temp.xml&code=302"
check "302 target stored" "$(posts_of temp.xml)" 5
check "307 not remembered" "$(feed temp7.xml url | grep -c temp7.xml?redirect)" 1
check "5 hops followed" "$(posts_of hop/4)" 5
check "6 hops refused" "$(feed_is hop/5 "last_error LIKE '%more than 5 redirects%'")" 1
check "redirect loop cut" "$(feed loop/a last_error)" "redirect loop"
check "redirect to file:// refused" "$(feed_is tofile.xml "last_error LIKE '%non-http%'")" 1
check "redirect to gopher:// refused" "$(feed_is togopher.xml "last_error LIKE '%non-http%'")" 1
check "404 recorded" "$(feed missing.xml "last_error||'|'||consecutive_failures")" "HTTP 404|1"
check "404 in fetches" \
	"$(sql "SELECT http_status FROM fetches x JOIN feeds f ON f.id=x.feed_id WHERE f.configured_url LIKE '%missing.xml'")" 404
check "410 disables" "$(feed gone.xml disabled)" 1
check "429 Retry-After honoured" "$(feed_is busy.xml "next_poll >= $now + 110")" 1
check "503 Retry-After date honoured (capped at a week)" \
	"$(feed_is later.xml "next_poll >= $now + 6*86400 AND next_poll <= $now + 7*86400 + 60")" 1
check "500 recorded" "$(feed err.xml "last_error")" "HTTP 500"
check "stalled server cut off" "$(feed_is stall.xml "last_error LIKE 'timed out%'")" 1
check "dripping server cut off" "$(feed_is drip.xml "last_error LIKE 'timed out%'")" 1
check "oversized body refused" "$(feed_is big.xml "last_error LIKE '%larger than%'")" 1
check "gzip bomb stopped" "$(feed_is bomb.xml "last_error LIKE '%larger than 1048576%'")" 1
check "truncated body is an error" "$(feed_is truncate=1 "last_error IS NOT NULL AND consecutive_failures=1")" 1
check "broken feed is a parse error" "$(feed_is broken.xml "last_error LIKE 'parse error%'")" 1
check "no posts from failed feeds" \
	"$(sql "SELECT count(*) FROM posts p JOIN feeds f ON f.id=p.feed_id WHERE f.last_error IS NOT NULL")" 0
check "every request carries the User-Agent" \
	"$(grep -vc "ua=$UA" "$WORK/requests.log")" 0

# Second run: the moved feed goes straight to its new URL; the gone one
# is not asked again; the others send their validators.
before=$(grep -c 'moved.xml?redirect' "$WORK/requests.log")
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run2.log" 2>&1
check "second run exits 75 (faults again)" "$?" 75
check "moved feed not asked at its old URL" "$(grep -c 'moved.xml?redirect' "$WORK/requests.log")" "$before"
check "moved feed polled at its new URL, conditionally" \
	"$(grep -c 'GET /gen/moved.xml 304 inm="' "$WORK/requests.log")" 1
check "gone feed not polled again" "$(grep -c 'gone.xml' "$WORK/requests.log")" 1
check "validators sent after restart" \
	"$(grep -c 'GET /spokesperson.xml 304 inm="' "$WORK/requests.log")" 1

# Private addresses refused unless allowed (checked after resolution).
PRIVATE_DB=$(db_new private)
sed -e 's|^allow_private_addresses = yes|allow_private_addresses = no|' \
    -e "s|^database = .*|database = $PRIVATE_DB|" "$WORK/test.conf" >"$WORK/private.conf"
n_before=$(wc -l <"$WORK/requests.log")
"$BUILD/demarched" -c "$WORK/private.conf" --once >"$WORK/run3.log" 2>&1
check "private run exits 75 (refused addresses)" "$?" 75
check "no request reached the loopback server" "$(wc -l <"$WORK/requests.log")" "$n_before"
check "refusal recorded" \
	"$(sql_in "$PRIVATE_DB" "SELECT count(*) FROM feeds WHERE last_error LIKE 'refused to connect to private address 127.0.0.1%'")" \
	"$(sql_in "$PRIVATE_DB" "SELECT count(*) FROM feeds")"

# --- hostile sizes: 100 MB on one line, and 20,000 entries in one feed ---
SIZES_DB=$(db_new sizes)
cat >"$WORK/sizes.conf" <<CONF
[storage]
database = $SIZES_DB
[poll]
timeout = 20s
max_body = 8MiB
allow_private_addresses = yes
[classifier]
rules = $SRC/config/rules
[account "huge"]
feed = $BASE/gen/oneline.xml?size=104857600
feed = $BASE/gen/many.xml?items=20000
CONF
"$BUILD/demarched" -c "$WORK/sizes.conf" --once >"$WORK/sizes.log" 2>&1
check "hostile sizes: run exits 75 (the 100 MB body refused)" "$?" 75
check "100 MB body refused at max_body" \
	"$(sql_in "$SIZES_DB" "SELECT count(*) FROM feeds WHERE configured_url LIKE '%oneline%' AND last_error LIKE '%larger than 8388608%'")" 1
check "entries per feed capped at 10,000" \
	"$(sql_in "$SIZES_DB" "SELECT count(*) FROM posts")" 10000

# --- timing, from a running daemon's request log ---
TIMING_DB=$(db_new timing)
cat >"$WORK/timing.conf" <<CONF
[storage]
database = $TIMING_DB
[poll]
interval = 1s
timeout = 3s
allow_private_addresses = yes
[classifier]
rules = $SRC/config/rules
[account "backoff"]
feed = $BASE/gen/backoff.xml?status=500
[account "ip"]
feed = $BASE/gen/healthy-ip.xml
[account "busy"]
feed = http://localhost:$PORT/gen/t1.xml?status=429&retry_after=4
feed = http://localhost:$PORT/gen/t2.xml?status=429&retry_after=4
feed = http://localhost:$PORT/gen/t3.xml?status=429&retry_after=4
feed = http://localhost:$PORT/gen/healthy-name.xml
CONF
: >"$WORK/requests.log"
"$BUILD/demarched" -c "$WORK/timing.conf" --foreground >"$WORK/timing.log" 2>&1 &
DAEMON_PID=$!
# Run until the request log holds what the checks below read (enough
# backoff steps, three Retry-After waits, nine healthy polls), by the
# clock, however slow the machine: a fixed sleep would count fewer
# requests under load.
n_req() { grep -c -- "$1" "$WORK/requests.log"; }
wait_for '[ "$(n_req backoff.xml)" -ge 4 ] && [ "$(n_req t1.xml)" -ge 3 ] && [ "$(n_req healthy-ip.xml)" -ge 9 ] && [ "$(n_req healthy-name.xml)" -ge 3 ]' 600 ||
	fail "the timing run did not reach its requests in 60 s"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
check "timing daemon exits 0" "$?" 0
DAEMON_PID=""

# times (ms) of requests whose URI contains $1
req_times() { grep -- "$1" "$WORK/requests.log" | awk '{print $1}'; }
gaps() { req_times "$1" | awk 'NR>1{print $1-prev} {prev=$1}'; }
echo "backoff gaps (ms): $(gaps backoff.xml | tr '\n' ' ')"
check "backoff gaps grow" \
	"$(gaps backoff.xml | awk 'NR>1 && $1<=prev*1.2{bad=1} {prev=$1} END{print (NR>=3 && !bad)?"yes":"no"}')" yes
echo "t1 gaps (ms): $(gaps t1.xml | tr '\n' ' ')"
check "Retry-After 4 s respected" "$(gaps t1.xml | awk '$1<3900{bad=1} END{print bad?"no":"yes"}')" yes
echo "healthy-name gaps (ms): $(gaps healthy-name.xml | tr '\n' ' ')"
echo "healthy-ip gaps (ms): $(gaps healthy-ip.xml | tr '\n' ' ')"
check "a host told to slow down by 3 feeds is paused" \
	"$(gaps healthy-name.xml | awk '$1>=3500{p=1} END{print p?"yes":"no"}')" yes
# Interval 1 s (+-10 %); a pause would be the 4 s Retry-After: 3.4 s tells
# them apart with room for a loaded machine's delays.
check "other hosts go on meanwhile" \
	"$(gaps healthy-ip.xml | awk '$1>3400{bad=1} END{print (NR>=8 && !bad)?"yes":"no"}')" yes
finish
