# backends: sqlite postgresql
# demarched --once with nothing due at start must still finish, and must
# poll every active feed.  Two ways to have nothing due, both of which
# hung for ever (the stop came before the event loop ran and was lost):
# every feed disabled by a 410, and (on a shared PostgreSQL database) a
# run starting in the same wall-clock second as the previous poll, which
# the feed's claim took for another instance's poll made for this run.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
mkdir "$WORK/feeds"
cp "$TESTS/fixtures/e2e/spokesperson.xml" "$WORK/feeds/"
start_server "$WORK/feeds"

conf() {
	printf '[storage]\ndatabase = %s\n' "$DB"
	printf '[poll]\ninterval = 1h\ntimeout = 10s\nallow_private_addresses = yes\n'
	printf '[classifier]\nrules = %s/config/rules\n' "$SRC"
	printf '[account "sp"]\nrole = spokesperson\nfeed = %s\n' "$1"
}

# once LOG: runs --once with a 120 s guard (124 means it hung).
once() {
	timeout 120 "$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/$1" 2>&1
}

# --- every feed disabled: the second run has nothing to poll ---
conf "$BASE/gone.xml?status=410" >"$WORK/test.conf"
once gone1.log
check "410 run exits 75" "$?" 75
check "feed disabled" "$(sql "SELECT disabled FROM feeds WHERE url LIKE '%status=410'")" 1
once gone2.log
check "run with every feed disabled exits 0, not a hang" "$?" 0
check "summary logged once" "$(grep -c 'polled 1 feed once' "$WORK/gone2.log")" 1
check "summary after the polling line" \
	"$(grep -n -e 'polling 1 feed' -e 'polled 1 feed once' "$WORK/gone2.log" | cut -d: -f1 | tr '\n' ' ')" \
	"$(grep -n 'polling 1 feed' "$WORK/gone2.log" | cut -d: -f1) $(grep -n 'polled 1 feed once' "$WORK/gone2.log" | cut -d: -f1) "
check "summary names the disabled feed" \
	"$(grep -c '0 polls, 0 failed, .* 1 disabled skipped: every feed polled' "$WORK/gone2.log")" 1
check "gone feed not requested again" "$(grep -c 'status=410' "$WORK/requests.log")" 1

# --- a healthy feed polled by runs back to back ---
if on_pg; then
	sql "DELETE FROM fetches; DELETE FROM feeds" >/dev/null
else
	rm -f "$DB" "$DB-wal" "$DB-shm"
fi
conf "$BASE/spokesperson.xml" >"$WORK/test.conf"
fetches() { sql "SELECT count(*) FROM fetches f JOIN feeds d ON d.id = f.feed_id WHERE d.url LIKE '%spokesperson.xml'"; }
n=0
while [ $n -lt 4 ]; do
	once "run$n.log"
	check "back-to-back run $n exits 0" "$?" 0
	n=$((n + 1))
	check "back-to-back run $n polled the feed" "$(fetches)" $n
done

# The same second, made certain: the last poll is recorded in the second
# the next run begins, and the feed is not due for an hour.  Wait for the
# start of a second so that the run begins within it.
while [ "$(( $(date +%s%N) / 1000000 % 1000 ))" -gt 100 ]; do sleep 0.02; done
sql "UPDATE feeds SET last_poll = $(date +%s), next_poll = $(( $(date +%s) + 3600 )) WHERE url LIKE '%spokesperson.xml'" >/dev/null
once same.log
check "run in the last poll's second exits 0" "$?" 0
check "run in the last poll's second polled the feed" "$(fetches)" $((n + 1))
check "that run logged its summary once" "$(grep -c 'polled 1 feed once: 1 poll' "$WORK/same.log")" 1
check_db_sound
finish
