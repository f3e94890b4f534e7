# Shared helpers of the end-to-end tests (POSIX sh).  A test sources this,
# calls e2e_setup, and uses the functions below; everything lives in a
# fresh temporary folder that is removed when the test passes.
set -u

BUILD=${DEMARCHE_BUILD_DIR:?run through ctest}
SRC=${DEMARCHE_SOURCE_DIR:?run through ctest}
TESTS=${DEMARCHE_TESTS_DIR:?run through ctest}
FAILS=0
SERVER_PID=""
DAEMON_PID=""

e2e_setup() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/demarche-e2e-XXXXXX")
	trap e2e_cleanup EXIT
	trap 'exit 1' INT TERM
}

# Every exit path ends here (a script's own EXIT trap calls it too), so
# this is also where a test's PostgreSQL server is stopped (lib/pg.sh).
e2e_cleanup() {
	[ -n "$DAEMON_PID" ] && kill -KILL "$DAEMON_PID" 2>/dev/null
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
	wait 2>/dev/null
	[ -n "${PG_DIR:-}" ] && pg_stop
	if [ "$FAILS" -eq 0 ]; then
		rm -rf "$WORK"
	else
		echo "kept $WORK for inspection"
	fi
}

fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

pass() {
	echo "ok   $*"
}

# check DESCRIPTION ACTUAL EXPECTED
check() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1: got '$2', expected '$3'"
	fi
}

# Starts the feed server on a random port over folder $1; sets PORT, BASE.
start_server() {
	rm -f "$WORK/port"
	"$BUILD/tests/feedserver" -d "$1" -P "$WORK/port" -l "$WORK/requests.log" \
		>"$WORK/server.out" 2>&1 &
	SERVER_PID=$!
	wait_for '[ -s "$WORK/port" ]' 300 ||
		{ fail "feed server did not start"; exit 1; }
	PORT=$(cat "$WORK/port")
	BASE="http://127.0.0.1:$PORT"
}

# ---- the database, on either backend ----
# CTest runs a script listing "# backends: sqlite postgresql" once per
# backend, naming it in E2E_BACKEND.  A script calls db_start and then
# writes "database = $DB" and queries with sql(); checks are written in
# the SQL both dialects share (CASE WHEN rather than bare booleans, LIKE
# rather than instr/strpos) or branch on on_pg.

on_pg() {
	[ "${E2E_BACKEND:-sqlite}" = postgresql ]
}

# db_start: the test's main database; sets DB (the `database =` value and
# the CLI's -d argument).  On PostgreSQL a throw-away server (lib/pg.sh).
db_start() {
	if on_pg; then
		. "$TESTS/e2e/lib/pg.sh"
		pg_start
		DB=$PGURL
	else
		DB="$WORK/test.db"
	fi
}

# db_new NAME: prints the target of another, empty database of the test.
db_new() {
	if on_pg; then
		psql -X -q -h 127.0.0.1 -p "$PGPORT" -U demarche -d postgres \
			-c "CREATE DATABASE $1" >/dev/null || fail "create database $1"
		echo "postgresql://demarche@127.0.0.1:$PGPORT/$1"
	else
		echo "$WORK/$1.db"
	fi
}

# sql_in TARGET QUERY: one row per line, columns separated by '|'.
sql_in() {
	case "$1" in
	postgresql://* | postgres://*) psql -X -A -t -q -d "$1" -c "$2" ;;
	*) sqlite3 -batch -noheader "$1" "$2" ;;
	esac
}

# sql QUERY: a query on the test's main database.
sql() {
	sql_in "${DB:-$WORK/test.db}" "$1"
}

# check_db_sound: the database is whole and consistent.  SQLite checks
# its file and foreign keys; PostgreSQL enforces both itself, so there it
# is the leases (none left once no daemon runs).  On both, the copies
# post_categories keeps of its post's report time and account match.
check_db_sound() {
	if on_pg; then
		check "no lease left behind" \
			"$(sql 'SELECT count(*) FROM feeds WHERE lease_owner IS NOT NULL')" 0
	else
		check "integrity_check" "$(sql 'PRAGMA integrity_check')" ok
		check "foreign keys hold" "$(sql 'PRAGMA foreign_key_check' | wc -l)" 0
	fi
	check "category copies match their posts" \
		"$(sql 'SELECT count(*) FROM post_categories c JOIN posts p ON p.id = c.post_id WHERE c.report_time <> p.report_time OR c.account_id <> p.account_id')" 0
}

# Milliseconds since the epoch (GNU date).
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# wait_for CONDITION TENTHS: evaluates CONDITION every 0.1 s until it is
# true (0) or TENTHS tenths of a second of wall time have passed (1).  The
# deadline is the clock's, not a count of tries: a try that takes long
# (a psql call on a loaded machine) does not stretch the wait.  A
# condition true at the deadline still counts.
wait_for() {
	wait_until=$(($(now_ms) + $2 * 100))
	while ! eval "$1"; do
		[ "$(now_ms)" -ge "$wait_until" ] && { eval "$1"; return; }
		sleep 0.1
	done
	return 0
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}
