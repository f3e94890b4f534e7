# backends: postgresql
# Database faults on PostgreSQL while the daemon polls growing feeds (the
# counterpart of dbfaults.sh, whose tmpfs and file modes are SQLite's):
# the database turns read-only (as a standby in recovery would be), an
# analyst's transaction holds an exclusive lock on posts for 10 s (polls
# give up after lock_timeout, 5 s, instead of stalling the daemon), and
# the daemon's connection is terminated by an administrator.  Each time
# the daemon logs the failure and keeps running, and in the end every
# post is stored exactly once.  (The server's restart is pg_restart.sh.)
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
mkdir "$WORK/feeds"
start_server "$WORK/feeds"

FEEDS=40
GROW=2
CAP=20
ITEMS=$((5 + CAP))
{
	printf '[storage]\ndatabase = %s\n' "$DB"
	printf '[poll]\ninterval = 1s\ntimeout = 10s\nstop_timeout = 5s\nallow_private_addresses = yes\n'
	printf '[classifier]\nrules = %s/config/rules\n' "$SRC"
	i=0
	while [ $i -lt $FEEDS ]; do
		printf '[account "a%d"]\nfeed = %s/gen/f%d.xml?items=5&grow=%d&cap=%d\n' $i "$BASE" $i $GROW $CAP
		i=$((i + 1))
	done
} >"$WORK/test.conf"

# Waits are deadlines in seconds, sized from the daemon's own retry: a
# failed claim or write is retried after POLLER_STORE_RETRY seconds, capped
# at the feed's interval (1 s here); after a fault clears, the polls of the
# next retry must land, so twice the retry and a transfer's timeout (10 s)
# bound each wait, with room for a loaded machine.
RETRY=$(sed -n 's/^#define POLLER_STORE_RETRY \([0-9]*\).*/\1/p' \
	$(grep -rl '^#define POLLER_STORE_RETRY' "$SRC/daemon"))
[ -n "$RETRY" ] || { fail "POLLER_STORE_RETRY not found in daemon/"; exit 1; }
INTERVAL=1
[ "$RETRY" -lt "$INTERVAL" ] || RETRY=$INTERVAL
WAIT=$((2 * RETRY + 10 + 30))  # seconds
echo "store retry ${RETRY}s: waits of ${WAIT}s"

alive() { kill -0 "$DAEMON_PID" 2>/dev/null; }
errors() { grep -Ec 'could not store|cannot claim' "$WORK/daemon.log"; }
# admin SQL, from the maintenance database (untouched by the faults)
admin() { psql -X -A -t -q -h 127.0.0.1 -p "$PGPORT" -U demarche -d postgres -c "$1"; }
kick() {
	admin "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'demarche' AND pid <> pg_backend_pid()"
}

STARTED=$(date +%s)
"$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_for '[ "$(sql "SELECT count(*) FROM fetches" 2>/dev/null || echo 0)" -ge $FEEDS ]' $((WAIT * 10)) ||
	fail "no polls stored"

# --- read-only: new sessions may not write; the daemon's is ended ---
before=$(errors)
admin "ALTER DATABASE demarche SET default_transaction_read_only = on" >/dev/null
echo "terminated sessions: $(kick)"
wait_for '[ "$(errors)" -gt "$before" ]' $((WAIT * 10)) &&
	pass "read-only database reported" || fail "read-only database not reported"
grep -E 'could not store|cannot claim' "$WORK/daemon.log" | tail -1
# Still polling: the next retry fails again (still read-only).
n=$(errors)
wait_for '[ "$(errors)" -gt "$n" ]' $((WAIT * 10)) || fail "no retry on a read-only database"
alive && pass "still running on a read-only database" || fail "died on a read-only database"
admin "ALTER DATABASE demarche RESET default_transaction_read_only" >/dev/null
kick >/dev/null
t0=$(date +%s)
wait_for '[ "$(sql "SELECT count(*) FROM fetches WHERE started > $t0 AND error IS NULL")" -ge 10 ]' $((WAIT * 10)) &&
	pass "polls stored again once writable" || fail "no poll stored after the read-only fault"

# --- an analyst locks posts for 8 s ---
# Only PostgreSQL's lock-timeout message counts here: a line left by the
# terminations above ("server closed the connection") must not let the
# HUP go out before a poll is really waiting on the lock.
lock_timeouts() { grep -c 'lock timeout' "$WORK/daemon.log"; }
before=$(lock_timeouts)
psql -X -q -d "$DB" -c "BEGIN; LOCK TABLE posts IN EXCLUSIVE MODE; SELECT pg_sleep(10); COMMIT;" \
	>"$WORK/lock.out" 2>&1 &
LOCK_PID=$!
# The first poll after the lock waits 5 s (lock_timeout) and fails: the
# 10 s lock leaves room for a slow start of psql and of that poll.
wait_for '[ "$(lock_timeouts)" -gt "$before" ]' 100 &&
	pass "lock timeout reported" || fail "locked table not reported"
grep 'lock timeout' "$WORK/daemon.log" | tail -1
# The loop is not stalled behind the lock: a poll gives up after
# lock_timeout, so a signal waits at most for the polls already blocked
# (the lock's remaining seconds), not for ever.
kill -HUP "$DAEMON_PID"
wait_for 'grep -q "reloaded:" "$WORK/daemon.log"' 150 &&
	pass "reload answered while the lock is held" || fail "daemon stalled behind the lock"
wait "$LOCK_PID"
alive && pass "still running after the lock" || fail "died on a locked table"

# --- the daemon's connection is terminated ---
sessions() {
	admin "SELECT count(*) FROM pg_stat_activity WHERE datname = 'demarche' AND application_name <> 'psql'"
}
wait_for '[ "$(sessions)" -ge 1 ]' $((WAIT * 10)) || fail "daemon has no session"
check "daemon's session terminated" "$([ "$(kick)" -ge 1 ] && echo yes)" yes
t0=$(date +%s)
wait_for '[ "$(sql "SELECT count(*) FROM fetches WHERE started > $t0 AND error IS NULL")" -ge 10 ]' $((WAIT * 10)) &&
	pass "polls stored again after the termination" || fail "no poll stored after the termination"

# Every feed reaches its final size, and the daemon catches up.
while [ "$(($(date +%s) - STARTED))" -le $((GROW * CAP + 2)) ]; do sleep 0.5; done
wait_for '[ "$(sql "SELECT count(*) FROM posts")" -eq $((FEEDS * ITEMS)) ]' 300 || true
kill -TERM "$DAEMON_PID"
wait_for '! alive' 150 || fail "did not stop"
wait "$DAEMON_PID"
check "exit code after the faults" "$?" 0
DAEMON_PID=""
check_db_sound
check "every post exactly once" "$(sql 'SELECT count(*) FROM posts')" $((FEEDS * ITEMS))
check "no duplicate keys" \
	"$(sql 'SELECT count(*) FROM (SELECT stable_key FROM posts GROUP BY stable_key HAVING count(*) > 1) x')" 0
check "fetch rows count each post once" \
	"$(sql "SELECT count(*) FROM (SELECT feed_id, sum(new_posts) n FROM fetches GROUP BY feed_id) x WHERE x.n <> $ITEMS")" 0
finish
