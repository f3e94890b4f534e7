# backends: postgresql
# The PostgreSQL server restarts under a running daemon: polls that could
# not be stored meanwhile are retried, the daemon connects again by itself
# (lib/pg.sh; db_pg.c never reconnects inside a transaction), and in the
# end every post is stored exactly once.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
. "$DEMARCHE_TESTS_DIR/e2e/lib/pg.sh"
e2e_setup
pg_start
FEEDS=50
GROW=2
CAP=6
ITEMS=$((3 + CAP))
mkdir "$WORK/feeds"
start_server "$WORK/feeds"
STARTED=$(date +%s)
{
	printf '[storage]\ndatabase = %s\n' "$PGURL"
	printf '[poll]\ninterval = 2s\ntimeout = 5s\nallow_private_addresses = yes\n'
	i=0
	while [ $i -lt "$FEEDS" ]; do
		printf '[account "r%d"]\nfeed = %s/gen/r%d.xml?items=3&grow=%d&cap=%d\n' $i "$BASE" $i $GROW $CAP
		i=$((i + 1))
	done
} >"$WORK/test.conf"
"$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_for "[ \"\$(sql 'SELECT count(*) FROM fetches' 2>/dev/null || echo 0)\" -gt $FEEDS ]" 300 || fail "no polls stored"
$PG_AS "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 \
	|| { fail "stop"; exit 1; }
# Down for three seconds at least, and until polls have met the outage
# (failing to claim a feed or to store its poll): on a loaded machine a
# fixed pause may fall between two polls.
sleep 3
wait_for "grep -Eq 'could not store|cannot claim' '$WORK/daemon.log'" 600 \
	|| fail "no poll met the outage within 60 s"
$PG_AS "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
	-o "-p $PGPORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1 \
	|| { fail "restart"; exit 1; }
RESTARTED=$(date +%s)
pass "server restarted"
while [ "$(( $(date +%s) - STARTED ))" -le $((GROW * CAP + 4)) ]; do sleep 0.5; done
wait_for "[ \"\$(sql 'SELECT count(*) FROM posts')\" -eq $((FEEDS * ITEMS)) ]" 400 || true
kill -0 "$DAEMON_PID" 2>/dev/null && pass "daemon still running" || fail "daemon died"
check "polls stored after the restart" \
	"$(sql "SELECT (count(*) > 0)::int FROM fetches WHERE started >= $RESTARTED")" 1
check "every post stored" "$(sql 'SELECT count(*) FROM posts')" $((FEEDS * ITEMS))
check "fetch rows count each post once" \
	"$(sql "SELECT count(*) FROM (SELECT feed_id, sum(new_posts) n FROM fetches GROUP BY feed_id) x WHERE x.n <> $ITEMS")" 0
finish
