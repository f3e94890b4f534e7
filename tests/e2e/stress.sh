# backends: sqlite postgresql
# Graceful stop and reload under load: while the daemon polls a thousand
# growing feeds every second, SIGHUP arrives again and again (alternating a
# good config, a broken one and one with more feeds), then SIGTERM twice.
# It must not crash, must exit 0 within its stop deadline, and a final
# clean poll must find every post stored exactly once.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
mkdir "$WORK/feeds"
start_server "$WORK/feeds"

FEEDS=${STRESS_FEEDS:-1000}
write_conf() { # $1 = number of feeds, $2 = extra text
	{
		printf '[storage]\ndatabase = %s\n' "$DB"
		printf '[poll]\ninterval = 1s\nconcurrency = 32\nper_host = 32\ntimeout = 10s\nstop_timeout = 4s\nallow_private_addresses = yes\n'
		printf '[classifier]\nrules = %s/config/rules\n' "$SRC"
		i=0
		while [ $i -lt "$1" ]; do
			printf '[account "a%d"]\nfeed = %s/gen/f%d.xml?items=2&grow=1&cap=6\n' $i "$BASE" $i
			i=$((i + 1))
		done
		printf '%s\n' "$2"
	} >"$WORK/test.conf"
}
alive() { kill -0 "$DAEMON_PID" 2>/dev/null; }

write_conf "$FEEDS" ""
"$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_for 'grep -q "polling $FEEDS feed" "$WORK/daemon.log"' 300 || fail "daemon did not start"
k=0
while [ $k -lt 12 ]; do
	case $((k % 3)) in
	0) write_conf "$FEEDS" "" ;;
	1) write_conf "$FEEDS" "[poll]
interval = never" ;;
	2) write_conf $((FEEDS + 50)) "" ;;
	esac
	kill -HUP "$DAEMON_PID"
	sleep 0.4
	k=$((k + 1))
done
alive && pass "alive after 12 reloads under load" || fail "died during reloads"
# Signals that arrive during a reload are merged, and a reload reads the
# file as it is then, so the storm above may never have met the broken
# variant: one more broken reload, waited for, then a good one.
write_conf $((FEEDS + 50)) "[poll]
interval = never"
refused=$(grep -c 'keeping the running configuration' "$WORK/daemon.log")
kill -HUP "$DAEMON_PID"
wait_for '[ "$(grep -c "keeping the running configuration" "$WORK/daemon.log")" -gt "$refused" ]' 300 &&
	pass "a broken reload under load is refused" || fail "broken reload not refused"
write_conf $((FEEDS + 50)) ""
reloaded=$(grep -c 'reloaded:' "$WORK/daemon.log")
kill -HUP "$DAEMON_PID"
# A reload syncs every account with the database before the loop goes on
# (seconds on a loaded machine with PostgreSQL): wait for it, so that the
# stop below meets polling, not the reload.
wait_for '[ "$(grep -c "reloaded:" "$WORK/daemon.log")" -gt "$reloaded" ]' 1200 ||
	fail "the last reload did not finish"
alive && pass "alive after the reloads" || fail "died after the broken reload"
# The stop deadline runs from when the daemon takes the signal, which may
# wait for a reload in progress (under a second each, more on a loaded
# sanitizer build): measure from its "stopping" line.
t0=$(date +%s)
kill -TERM "$DAEMON_PID"
sleep 0.2
kill -TERM "$DAEMON_PID" 2>/dev/null
# It ends with its "stopped" line; freeing memory and the sanitizer's leak
# scan after that may take a few more seconds on a loaded machine.
wait_for 'grep -q "SIGTERM: stopping" "$WORK/daemon.log"' 600 || fail "SIGTERM not taken"
t1=$(date +%s)
wait_for 'grep -Eq "(: |>)stopped$" "$WORK/daemon.log"' 200 || fail "no stopped line"
t2=$(date +%s)
wait_for '! alive' 300 || { fail "did not exit"; kill -KILL "$DAEMON_PID"; }
wait "$DAEMON_PID"
rc=$?
t3=$(date +%s)
DAEMON_PID=""
check "exit 0 after SIGTERM twice" "$rc" 0
# stop_timeout is 4 s; the margin is for the abandoned transfers' lease
# releases and the teardown on a loaded machine.
[ $((t2 - t1)) -le 10 ] && pass "stopped within the 4 s deadline (+ margin): $((t2 - t1)) s after taking SIGTERM, $((t2 - t0)) s after sending it, exited $((t3 - t0)) s after" ||
	fail "stop took $((t2 - t1)) s"
grep -E "AddressSanitizer|runtime error" "$WORK/daemon.log" && fail "sanitizer report"
check_db_sound

# Every feed has reached its final size (2 items, then one a second up
# to 6 more): ask the server for one.
wait_for '[ "$(curl -s "$BASE/gen/f0.xml?items=2&grow=1&cap=6" | grep -o "<item>" | wc -l)" -ge 8 ]' 300 ||
	fail "the feeds did not reach their final size"
write_conf $((FEEDS + 50)) ""
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/final.log" 2>&1
check "final poll exits 0" "$?" 0
check "every post exactly once" "$(sql 'SELECT count(*) FROM posts')" $(((FEEDS + 50) * 8))
check "every feed complete" \
	"$(sql 'SELECT count(*) FROM feeds f WHERE (SELECT count(*) FROM posts p WHERE p.feed_id=f.id) <> 8')" 0
finish
