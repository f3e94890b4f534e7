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

e2e_cleanup() {
	[ -n "$DAEMON_PID" ] && kill -KILL "$DAEMON_PID" 2>/dev/null
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
	wait 2>/dev/null
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
	i=0
	while [ ! -s "$WORK/port" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { fail "feed server did not start"; exit 1; }
		sleep 0.05
	done
	PORT=$(cat "$WORK/port")
	BASE="http://127.0.0.1:$PORT"
}

# sql QUERY: runs a query on the test database, one row per line.
sql() {
	sqlite3 -batch -noheader "${DB:-$WORK/test.db}" "$1"
}

# Polls until $1 evaluates true or $2 tenths of a second pass.
wait_for() {
	i=0
	while ! eval "$1"; do
		i=$((i + 1))
		[ $i -gt "$2" ] && return 1
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
