# A test that is killed mid-run (run by reaper.sh, never by CTest itself):
# it starts what a real end-to-end test starts, on PostgreSQL (the feed
# server, the daemon, a PostgreSQL server), says where, and waits to die.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
E2E_BACKEND=postgresql
e2e_setup
db_start
mkdir "$WORK/feeds"
cp "$TESTS/fixtures/e2e/spokesperson.xml" "$WORK/feeds/"
start_server "$WORK/feeds"
printf '[storage]\ndatabase = %s\n[poll]\ninterval = 1s\nallow_private_addresses = yes\n[classifier]\nrules = %s/config/rules\n[account "sp"]\nfeed = %s/spokesperson.xml\n' \
	"$DB" "$SRC" "$BASE" >"$WORK/test.conf"
"$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
echo "$PG_DIR $WORK $DAEMON_PID $SERVER_PID" >"$KILLED_TEST_STATE"
sleep 600
