# PostgreSQL for the end-to-end tests (POSIX sh), sourced after common.sh
# and e2e_setup.  pg_start initialises a throw-away cluster in a temporary
# folder, starts it on 127.0.0.1 on a free port and creates the database
# 'demarche'; it exits 77 (CTest: skipped) when the server binaries are not
# installed.  PostgreSQL refuses to run as root, so a root test runs the
# server as 'nobody' (setpriv); the daemon connects over TCP either way.
# Sets PGPORT, PGURL and DB (common.sh's sql() then queries the server).

PG_DIR=""
PGPORT=""
PG_AS=""

pg_start() {
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] || ! command -v psql >/dev/null; then
		echo "SKIP: PostgreSQL server binaries (Debian postgresql) not installed"
		exit 77
	fi
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/demarche-pg-XXXXXX")
	if [ "$(id -u)" = 0 ]; then
		PG_AS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
		chown nobody "$PG_DIR"
	fi
	if ! $PG_AS "$PGBIN/initdb" -D "$PG_DIR/data" -U demarche -A trust \
		-E UTF8 --locale=C --no-sync >"$PG_DIR/initdb.log" 2>&1; then
		cat "$PG_DIR/initdb.log"
		fail "initdb failed"
		exit 1
	fi
	tries=0
	while :; do
		PGPORT=$(awk -v s="$$" -v t="$tries" 'BEGIN{srand(s + systime() + 7919 * t); printf "%d", 20000 + rand() * 30000}')
		if $PG_AS "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
			-o "-p $PGPORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=${PG_MAX_CONNECTIONS:-50}" \
			start >/dev/null 2>&1; then
			break
		fi
		tries=$((tries + 1))
		if [ $tries -ge 5 ]; then
			cat "$PG_DIR/server.log"
			fail "PostgreSQL did not start"
			exit 1
		fi
	done
	pg_watchdog
	PGURL="postgresql://demarche@127.0.0.1:$PGPORT/demarche"
	DB=$PGURL
	psql -X -q -h 127.0.0.1 -p "$PGPORT" -U demarche -d postgres \
		-c 'CREATE DATABASE demarche' >/dev/null || { fail "createdb"; exit 1; }
}

# The server outlives a test that CTest kills on its timeout (pg_ctl
# detaches it, so CTest's kill of the test's process tree misses it).  A
# watchdog, detached the same way, stops it when the test's shell is gone,
# whichever way that happened; after a normal pg_stop it finds nothing.
pg_watchdog() {
	# setsid: a process group and session of its own, out of reach of a
	# kill aimed at the test's group (timeout(1)) or tree (CTest).
	(setsid sh -c '
		trap "" HUP INT TERM
		while kill -0 "$1" 2>/dev/null; do sleep 1; done
		[ -f "$2/postmaster.pid" ] && $3 "$4/pg_ctl" -D "$2" -m immediate stop
	' pg_watchdog "$$" "$PG_DIR/data" "$PG_AS" "$PGBIN" \
		</dev/null >/dev/null 2>&1 &)
}

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	$PG_AS "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
	if [ "$FAILS" -eq 0 ]; then
		rm -rf "$PG_DIR"
	else
		echo "kept $PG_DIR (server log: $PG_DIR/server.log)"
	fi
	PG_DIR=""
}
