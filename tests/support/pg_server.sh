#!/bin/sh
# pg_server.sh — one throw-away PostgreSQL server for the unit tests (POSIX
# sh), run by CTest as the setup and cleanup tests of the fixture "pg".
#
#   pg_server.sh start STATE_DIR   initdb into a temporary folder, start the
#                                  server on 127.0.0.1 on a free port, write
#                                  STATE_DIR/url (postgresql://.../postgres)
#   pg_server.sh stop STATE_DIR    stop it and remove its folder
#
# The *_pg unit tests read STATE_DIR/url (DEMARCHE_TEST_PG_URL_FILE) and make
# a database of their own on that server per store they open.  Without the
# server binaries (Debian postgresql) start exits 77, which CTest reports as
# skipped, and writes no url, so the *_pg tests skip too.  DEMARCHE_PG_BINDIR
# names another folder of binaries (an empty or missing one tests the skip).
# PostgreSQL refuses to run as root: a root caller runs it as nobody.

set -u

usage() {
	echo "usage: $0 start|stop STATE_DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
ACTION=$1
STATE=$2

find_bindir() {
	if [ -n "${DEMARCHE_PG_BINDIR+x}" ]; then
		PGBIN=$DEMARCHE_PG_BINDIR
	else
		PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	fi
}

# The server runs as nobody when we are root (same as tests/e2e/lib/pg.sh).
as_server() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
	else
		"$@"
	fi
}

stop_server() {
	[ -f "$STATE/pgdir" ] || return 0
	dir=$(cat "$STATE/pgdir")
	rm -f "$STATE/url" "$STATE/pgdir"
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	find_bindir
	if [ -x "$PGBIN/pg_ctl" ] && [ -f "$dir/data/postmaster.pid" ]; then
		as_server "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 \
			stop >/dev/null 2>&1 ||
			as_server "$PGBIN/pg_ctl" -D "$dir/data" -m immediate \
				stop >/dev/null 2>&1
	fi
	rm -rf "$dir"
}

start_server() {
	mkdir -p "$STATE" || exit 1
	# A server left by an interrupted run goes first; a stale url must not
	# send the tests to a server that is gone.
	stop_server
	rm -f "$STATE/url" "$STATE/pgdir"
	find_bindir
	if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] ||
		[ ! -x "$PGBIN/pg_ctl" ]; then
		echo "SKIP: PostgreSQL server binaries (Debian postgresql) not installed"
		exit 77
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/demarche-unitpg-XXXXXX") || exit 1
	echo "$dir" >"$STATE/pgdir"
	if [ "$(id -u)" = 0 ]; then
		chown nobody "$dir" || exit 1
	fi
	if ! as_server "$PGBIN/initdb" -D "$dir/data" -U demarche -A trust \
		-E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log"
		echo "FAIL: initdb"
		stop_server
		exit 1
	fi
	tries=0
	while :; do
		port=$(awk -v s="$$" -v t="$tries" 'BEGIN { srand(s + systime() + 7919 * t);
			printf "%d", 20000 + rand() * 30000 }')
		opts="-p $port -k $dir -c listen_addresses=127.0.0.1"
		opts="$opts -c fsync=off -c synchronous_commit=off"
		opts="$opts -c full_page_writes=off -c max_connections=60"
		if as_server "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
			-w -t 30 -o "$opts" start >/dev/null 2>&1; then
			break
		fi
		tries=$((tries + 1))
		if [ $tries -ge 5 ]; then
			cat "$dir/server.log"
			echo "FAIL: PostgreSQL did not start"
			stop_server
			exit 1
		fi
	done
	# Written last and whole: a test that sees the file can connect.
	echo "postgresql://demarche@127.0.0.1:$port/postgres" >"$STATE/url.tmp" &&
		mv "$STATE/url.tmp" "$STATE/url" || exit 1
	echo "PostgreSQL $("$PGBIN/pg_ctl" --version | awk "{ print \$3 }") on port $port ($dir)"
}

case $ACTION in
start) start_server ;;
stop) stop_server ;;
*) usage ;;
esac
