# Database faults while the daemon polls: the disk fills up, the file
# system turns read-only, and an analyst's transaction holds the write
# lock.  Each time the daemon logs the failure, keeps running, keeps no
# backlog in memory (the feed is simply fetched again), and once the fault
# clears every post is stored exactly once.
# Needs root to mount a small tmpfs; skipped (77) where that is refused.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup

mkdir "$WORK/db" "$WORK/feeds"
# 512 KiB: the schema's migrations (their WAL, before the first
# checkpoint) must fit, 2,400 posts must not.
if ! mount -t tmpfs -o size=1536k tmpfs "$WORK/db" 2>/dev/null; then
	echo "cannot mount a tmpfs here (not root?): skipped"
	exit 77
fi
DB="$WORK/db/test.db"
umount_db() { umount "$WORK/db" 2>/dev/null; }
trap 'umount_db; e2e_cleanup' EXIT
start_server "$WORK/feeds"

FEEDS=60
ITEMS=40
{
	printf '[storage]\ndatabase = db/test.db\n'
	printf '[poll]\ninterval = 1s\ntimeout = 10s\nallow_private_addresses = yes\n'
	printf '[classifier]\nrules = %s/config/rules\n' "$SRC"
	i=0
	while [ $i -lt $FEEDS ]; do
		printf '[account "a%d"]\nfeed = %s/gen/f%d.xml?items=%d\n' $i "$BASE" $i $ITEMS
		i=$((i + 1))
	done
} >"$WORK/test.conf"

alive() { kill -0 "$DAEMON_PID" 2>/dev/null; }
stored() { sql 'SELECT count(*) FROM posts' 2>/dev/null || echo -1; }

# --- disk full: 1.5 MiB (the empty log and its WAL fit) cannot hold 2,400 posts ---
"$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_for 'grep -q "could not store poll" "$WORK/daemon.log"' 200 &&
	pass "disk full reported" || fail "disk full not reported"
grep "could not store poll" "$WORK/daemon.log" | head -1
# Still polling: the next retry fails again (the disk is still full).
n=$(grep -c "could not store poll" "$WORK/daemon.log")
wait_for '[ "$(grep -c "could not store poll" "$WORK/daemon.log")" -gt "$n" ]' 300 ||
	fail "no retry on a full disk"
alive && pass "still running on a full disk" || fail "died on a full disk"
mount -o remount,size=64m "$WORK/db"
wait_for '[ "$(stored)" = $((FEEDS * ITEMS)) ]' 300 &&
	pass "all posts stored once space is back" || fail "posts missing after the disk-full fault: $(stored)"

# --- a database the daemon may not write (as an unprivileged user) ---
if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	mkdir "$WORK/ro"
	cp "$WORK/db/test.db" "$WORK/ro/test.db"
	chmod 0555 "$WORK/ro"
	chmod 0444 "$WORK/ro/test.db"
	chmod 0755 "$WORK"
	sed 's|^database = .*|database = ro/test.db|' "$WORK/test.conf" >"$WORK/ro.conf"
	chmod 0644 "$WORK/ro.conf"
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$BUILD/demarched" -c "$WORK/ro.conf" --once >"$WORK/ro.log" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] && pass "read-only database refused (exit $rc)" || fail "read-only database: exit 0"
	grep -q "ro/test.db" "$WORK/ro.log" && pass "the error names the database" ||
		{ fail "error does not name the database"; cat "$WORK/ro.log"; }
	head -3 "$WORK/ro.log"
fi

# --- an analyst holds the write lock for 10 s (busy timeout is 5 s) ---
grep -c "could not store poll" "$WORK/daemon.log" >"$WORK/before.count"
printf 'BEGIN IMMEDIATE;\nUPDATE accounts SET name = name;\n.system sleep 10\nCOMMIT;\n' |
	sqlite3 "$WORK/db/test.db" >"$WORK/lock.out" 2>&1 &
LOCK_PID=$!
wait_for '[ "$(grep -c "could not store poll" "$WORK/daemon.log")" -gt "$(cat "$WORK/before.count")" ]' 120 &&
	pass "locked database reported" || fail "locked database not reported"
wait "$LOCK_PID"
alive && pass "still running after the lock" || fail "died on a locked database"
t0=$(date +%s)
wait_for '[ "$(sql "SELECT count(*) FROM fetches WHERE started > $t0 AND error IS NULL")" -ge 10 ]' 100 &&
	pass "polls are stored again after the lock" || fail "no successful poll after the lock"

kill -TERM "$DAEMON_PID"
wait_for '! alive' 150 || fail "did not stop"
wait "$DAEMON_PID"
check "exit code after the faults" "$?" 0
DAEMON_PID=""
check "integrity at the end" "$(sql 'PRAGMA integrity_check')" ok
check "every post exactly once" "$(sql 'SELECT count(*) FROM posts')" $((FEEDS * ITEMS))
check "no duplicate keys" \
	"$(sql 'SELECT count(*) FROM (SELECT stable_key FROM posts GROUP BY stable_key HAVING count(*) > 1)')" 0
finish
