# backends: sqlite postgresql
# End to end: the service under signals.  SIGTERM during a poll exits 0
# within the stop deadline and leaves an intact database; SIGHUP with a
# broken config keeps the old one running; SIGHUP with a good one adds the
# new feed; SIGINT stops it like SIGTERM.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start

mkdir "$WORK/feeds"
cp "$TESTS/fixtures/e2e/spokesperson.xml" "$WORK/feeds/"
start_server "$WORK/feeds"

write_conf() { # $1 = extra account block
	cat >"$WORK/test.conf" <<CONF
[storage]
database = $DB
[poll]
interval = 2s
timeout = 20s
stop_timeout = 5s
allow_private_addresses = yes
[classifier]
rules = $SRC/config/rules
[account "fast"]
feed = $BASE/spokesperson.xml
[account "slow"]
feed = $BASE/gen/slow1.xml?items=3&delay_ms=4000
feed = $BASE/gen/slow2.xml?items=3&drip=50
$1
CONF
}
write_conf ""

alive() { kill -0 "$DAEMON_PID" 2>/dev/null; }

# --- reload, with a stand-in for systemd's notify socket ---
/usr/bin/python3 "$TESTS/e2e/lib/notify_listener.py" "$WORK/notify.sock" "$WORK/notify.log" &
NOTIFY_PID=$!
wait_for '[ -S "$WORK/notify.sock" ]' 50 || fail "notify listener did not start"
NOTIFY_SOCKET="$WORK/notify.sock" "$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_for 'grep -q "^READY=1 | STATUS=polling 3 feed" "$WORK/notify.log" 2>/dev/null' 100 &&
	pass "READY=1 sent with a status" || fail "no READY=1 notification"
wait_for 'grep -q "slow1" "$WORK/requests.log" 2>/dev/null' 100 ||
	fail "daemon never polled"
cp "$WORK/test.conf" "$WORK/good.conf"
printf '[poll]\ninterval = soon\n[bogus]\n' >>"$WORK/test.conf"
kill -HUP "$DAEMON_PID"
wait_for 'grep -q "keeping the running configuration" "$WORK/daemon.log"' 50 ||
	fail "broken reload not reported"
alive && pass "alive after SIGHUP with a broken config" || fail "died on broken reload"
grep -q "interval" "$WORK/daemon.log" && pass "reload error names the problem" ||
	fail "reload error does not say what is wrong"
write_conf "[account \"added\"]
feed = $BASE/gen/added.xml?items=2"
kill -HUP "$DAEMON_PID"
wait_for 'grep -q "gen/added.xml" "$WORK/requests.log"' 100 &&
	pass "reload with a good config polls the new feed" ||
	fail "new feed not polled after reload"
added_posts() {
	sql "SELECT count(*) FROM posts p JOIN accounts a ON a.id=p.account_id WHERE a.handle='added'" 2>/dev/null
}
wait_for '[ "$(added_posts)" = 2 ]' 100 &&
	pass "posts of the added account stored" || fail "added account's posts missing"

# --- SIGTERM while the slow feeds are in flight ---
wait_for '[ "$(grep -c "slow1" "$WORK/requests.log")" -ge 2 ]' 100
sleep 0.3
t0=$(date +%s)
kill -TERM "$DAEMON_PID"
wait_for '! alive' 150 || { fail "SIGTERM did not stop the daemon"; kill -KILL "$DAEMON_PID"; }
wait "$DAEMON_PID"
rc=$?
t1=$(date +%s)
DAEMON_PID=""
check "SIGTERM exit code" "$rc" 0
grep -q "^RELOADING=1 | MONOTONIC_USEC=" "$WORK/notify.log" && pass "RELOADING=1 sent" ||
	fail "no RELOADING=1 notification"
grep -q "^STOPPING=1" "$WORK/notify.log" && pass "STOPPING=1 sent" || fail "no STOPPING=1 notification"
kill "$NOTIFY_PID" 2>/dev/null
[ $((t1 - t0)) -le 10 ] && pass "stopped within 10 s ($((t1 - t0)) s)" ||
	fail "took $((t1 - t0)) s to stop"
check_db_sound
check "no duplicate posts" \
	"$(sql 'SELECT count(*) FROM (SELECT account_id, stable_key FROM posts GROUP BY 1,2 HAVING count(*)>1) x')" 0

# --- SIGINT on an idle daemon ---
"$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon2.log" 2>&1 &
DAEMON_PID=$!
# A shell without job control starts background jobs with SIGINT ignored
# until the daemon installs its handler: wait until it is up.
wait_for 'grep -q "polling 4 feed" "$WORK/daemon2.log"' 300 || fail "second daemon did not start"
kill -INT "$DAEMON_PID"
wait_for '! alive' 150 || { fail "SIGINT did not stop the daemon"; kill -KILL "$DAEMON_PID"; }
wait "$DAEMON_PID"
check "SIGINT exit code" "$?" 0
DAEMON_PID=""
finish
