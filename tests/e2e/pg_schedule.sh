# backends: postgresql
# Several daemons, one scheduled report: three demarched share a
# PostgreSQL database (lib/pg.sh) with "daily HH:MM" set to the coming
# minute; exactly one of them claims the slot and delivers (one file in
# output_dir, one delivered row), the other two log that another instance
# sends it.  Takes about a minute.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
. "$DEMARCHE_TESTS_DIR/e2e/lib/pg.sh"
e2e_setup
if [ ! -e /usr/share/zoneinfo/UTC ]; then
	echo "SKIP: no tz database (Debian tzdata)"
	exit 77
fi
pg_start
mkdir "$WORK/feeds" "$WORK/reports"
cp "$TESTS/fixtures/reports/desk.xml" "$WORK/feeds/"
start_server "$WORK/feeds"
# The coming minute, with at least 15 s to spare.
if [ "$(date +%S)" -ge 45 ]; then AHEAD=2; else AHEAD=1; fi
AT=$(TZ=UTC date -d "+$AHEAD min" +%H:%M)
cat >"$WORK/test.conf" <<CONF
[storage]
database = $PGURL

[poll]
interval = 1h
allow_private_addresses = yes

[classifier]
rules = $SRC/config/rules

[report]
schedule = daily $AT
timezone = UTC
format = md
since = 3000d
output_dir = reports

[account "desk"]
role = spokesperson
feed = $BASE/desk.xml
CONF
PIDS=""
for n in 1 2 3; do
	"$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon$n.log" 2>&1 &
	PIDS="$PIDS $!"
done
DAEMON_PID=$(echo $PIDS | cut -d' ' -f1)
wait_for "[ \"\$(sql \"SELECT count(*) FROM report_deliveries WHERE status = 'delivered'\" 2>/dev/null)\" = 1 ]" 1500 \
	|| fail "no delivery recorded: $(cat "$WORK/daemon1.log")"
wait_for "[ \"\$(cat \"$WORK\"/daemon*.log | grep -c 'another instance sends')\" = 2 ]" 100 \
	|| fail "the other instances did not skip the slot"
sleep 2
for pid in $PIDS; do kill -TERM "$pid" 2>/dev/null; done
for pid in $PIDS; do wait "$pid"; done
DAEMON_PID=""
check "one delivery row" "$(sql "SELECT status||'|'||attempts FROM report_deliveries")" "delivered|1"
check "one report file" "$(ls "$WORK/reports" | wc -l | tr -d ' ')" 1
check "one instance started a delivery" "$(cat "$WORK"/daemon*.log | grep -c 'report: delivering')" 1
finish
