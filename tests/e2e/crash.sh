# backends: sqlite postgresql
# Crash safety: the daemon polls a few thousand generated feeds and is
# killed with SIGKILL at random moments, restarted each time; a final
# clean --once poll follows.  Then the database must be intact, every post
# the server served stored exactly once, none missing, and no feed may have
# validators saved without its posts (a poll is one transaction).
# On PostgreSQL a killed daemon also leaves its leases behind, which the
# final run must take over once they expire (--once claims a feed whatever
# its next-poll time, once no lease holds it).
# Longer by hand: CRASH_FEEDS=5000 CRASH_KILLS=100 sh tests/e2e/crash.sh
# (E2E_BACKEND=postgresql for the other backend).
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start

if on_pg; then
	# Fewer feeds: a PostgreSQL poll is a few round trips, and the
	# sanitizer build takes about 2.5 s to start and sync the config, so
	# the kills come from 1 to 5 s.  A short fetch timeout keeps the
	# leases the killed runs leave (timeout + 30 s) short.
	FEEDS=${CRASH_FEEDS:-1500}
	TIMEOUT=5s
	KILL_FROM=1
	KILL_SPAN=4
else
	FEEDS=${CRASH_FEEDS:-2500}
	TIMEOUT=20s
	KILL_FROM=0.05
	KILL_SPAN=1.5
fi
KILLS=${CRASH_KILLS:-20}
# Each feed starts with 3 items and gains one every GROW seconds, 8 more
# at most, so the daemon keeps finding new posts while it is killed.
GROW=2
CAP=8
ITEMS=$((3 + CAP))
mkdir "$WORK/feeds"
start_server "$WORK/feeds"
STARTED=$(date +%s)
{
	printf '[storage]\ndatabase = %s\n' "$DB"
	printf '[poll]\ninterval = 1s\nconcurrency = 16\nper_host = 16\ntimeout = %s\nallow_private_addresses = yes\n' "$TIMEOUT"
	printf '[classifier]\nrules = %s/config/rules\n' "$SRC"
	i=0
	while [ $i -lt "$FEEDS" ]; do
		printf '[account "a%d"]\nfeed = %s/gen/f%d.xml?items=3&grow=%d&cap=%d\n' $i "$BASE" $i $GROW $CAP
		i=$((i + 1))
	done
} >"$WORK/test.conf"

k=0
seed=$$
while [ $k -lt "$KILLS" ]; do
	"$BUILD/demarched" -c "$WORK/test.conf" --foreground >>"$WORK/daemon.log" 2>&1 &
	DAEMON_PID=$!
	# A random moment: during start-up, migrations, the config sync or
	# in the middle of polling.
	delay=$(awk -v s="$seed" -v k="$k" -v from="$KILL_FROM" -v span="$KILL_SPAN" \
		'BEGIN{srand(s + k); printf "%.2f", from + rand() * span}')
	sleep "$delay"
	kill -KILL "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=""
	k=$((k + 1))
done
pass "$KILLS SIGKILLs delivered"
# Let the feeds reach their final size before the clean poll.
while [ "$(( $(date +%s) - STARTED ))" -le $((GROW * CAP + 1)) ]; do sleep 0.5; done
stored_before=$(sql 'SELECT count(*) FROM posts' 2>/dev/null || echo 0)
echo "posts stored across the killed runs: $stored_before of $((FEEDS * ITEMS))"

"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/final.log" 2>&1
check "final clean poll exits 0" "$?" 0
check_db_sound
check "every post stored" "$(sql 'SELECT count(*) FROM posts')" $((FEEDS * ITEMS))
check "no post stored twice" \
	"$(sql 'SELECT count(*) FROM (SELECT stable_key FROM posts GROUP BY stable_key HAVING count(*) > 1) x')" 0
check "every feed has all its posts" \
	"$(sql "SELECT count(*) FROM feeds f WHERE (SELECT count(*) FROM posts p WHERE p.feed_id=f.id) <> $ITEMS")" 0
check "no validators without their posts" \
	"$(sql "SELECT count(*) FROM feeds f WHERE f.etag IS NOT NULL AND (SELECT count(*) FROM posts p WHERE p.feed_id=f.id) <> $ITEMS")" 0
check "fetch rows account for every post" \
	"$(sql "SELECT count(*) FROM (SELECT feed_id, sum(new_posts) n FROM fetches GROUP BY feed_id) x WHERE x.n <> $ITEMS")" 0
echo "polls recorded: $(sql 'SELECT count(*) FROM fetches')"
finish
