# backends: postgresql
# Several daemons, one database: three demarched share the feeds of one
# PostgreSQL database (lib/pg.sh) with no per-instance configuration.  The
# feeds grow while they run; afterwards every post must be stored exactly
# once, each feed's fetches must account for each of its posts once, no
# feed may have been polled twice within one interval (the lease), every
# instance must have done part of the work, and a daemon killed with
# SIGKILL must lose its feeds only until its leases run out.
# Longer by hand: SHARED_FEEDS=2000 SHARED_SECONDS=60 sh tests/e2e/pg_shared.sh
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
. "$DEMARCHE_TESTS_DIR/e2e/lib/pg.sh"
e2e_setup
pg_start

FEEDS=${SHARED_FEEDS:-300}
RUN=${SHARED_SECONDS:-25}
INTERVAL=5
# Three items at first, one more every GROW seconds, CAP more at most.
GROW=3
CAP=5
ITEMS=$((3 + CAP))
mkdir "$WORK/feeds"
start_server "$WORK/feeds"
STARTED=$(date +%s)
{
	printf '[storage]\ndatabase = %s\n' "$PGURL"
	printf '[poll]\ninterval = %ds\nconcurrency = 8\nper_host = 8\ntimeout = 10s\nallow_private_addresses = yes\n' $INTERVAL
	printf '[classifier]\nrules = %s/config/rules\n' "$SRC"
	i=0
	while [ $i -lt "$FEEDS" ]; do
		printf '[account "s%d"]\nfeed = %s/gen/s%d.xml?items=3&grow=%d&cap=%d\n' $i "$BASE" $i $GROW $CAP
		i=$((i + 1))
	done
} >"$WORK/test.conf"

PIDS=""
for n in 1 2 3; do
	"$BUILD/demarched" -c "$WORK/test.conf" --foreground -v >"$WORK/daemon$n.log" 2>&1 &
	PIDS="$PIDS $!"
done
DAEMON_PID=$(echo $PIDS | cut -d' ' -f1)
# A fourth instance dies with its leases held: they must come back.
"$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/victim.log" 2>&1 &
VICTIM=$!
# Killed once it holds leases (owner host:pid:start), whenever that is.
wait_for "[ \"\$(sql \"SELECT count(*) FROM feeds WHERE lease_owner LIKE '%:$VICTIM:%'\")\" -gt 0 ]" 600 ||
	echo "the victim took no lease before its kill"
kill -KILL $VICTIM 2>/dev/null
wait $VICTIM 2>/dev/null

while [ "$(( $(date +%s) - STARTED ))" -lt "$RUN" ]; do sleep 1; done
for pid in $PIDS; do kill -TERM "$pid" 2>/dev/null; done
for pid in $PIDS; do wait "$pid"; check "daemon $pid stops cleanly" "$?" 0; done
DAEMON_PID=""

# The feeds have reached their size; a final run claims what is left.
while [ "$(( $(date +%s) - STARTED ))" -le $((GROW * CAP + 1)) ]; do sleep 0.5; done
FINAL=$(date +%s)
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/final.log" 2>&1
check "final --once exits 0" "$?" 0

check "every post stored" "$(sql 'SELECT count(*) FROM posts')" $((FEEDS * ITEMS))
check "no post stored twice" \
	"$(sql 'SELECT count(*) FROM (SELECT stable_key FROM posts GROUP BY stable_key HAVING count(*) > 1) x')" 0
check "fetch rows count each post once" \
	"$(sql "SELECT count(*) FROM (SELECT feed_id, sum(new_posts) n FROM fetches GROUP BY feed_id) x WHERE x.n <> $ITEMS")" 0
# Success polls are INTERVAL apart with 10% jitter; started is in whole
# seconds.  Two instances polling one feed would leave a gap near 0.
# The final --once run is left out: it polls everything at once.
gap=$(sql "SELECT COALESCE(min(started - prev), 99) FROM (SELECT started, lag(started) OVER (PARTITION BY feed_id ORDER BY started, id) AS prev FROM fetches WHERE error IS NULL AND started < $FINAL) x WHERE prev IS NOT NULL")
[ "$gap" -ge $((INTERVAL * 9 / 10 - 1)) ] && pass "no feed polled twice within an interval (smallest gap ${gap}s)" \
	|| fail "a feed was polled twice within an interval (gap ${gap}s)"
check "no leases left behind" "$(sql 'SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL')" 0
check "no store errors" "$(cat "$WORK"/daemon*.log | grep -c 'could not store\|cannot claim')" 0
for n in 1 2 3; do
	polls=$(grep -c 'new, ' "$WORK/daemon$n.log")
	[ "$polls" -gt 0 ] && pass "instance $n stored posts ($polls polls with news)" \
		|| fail "instance $n did no work"
done
echo "fetches: $(sql 'SELECT count(*) FROM fetches'), feeds: $FEEDS"
finish
