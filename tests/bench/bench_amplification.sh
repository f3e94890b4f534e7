#!/bin/sh
# Benchmark of `demarche amplification` (not part of the test run): builds
# an SQLite log of N tracked posts (default 10,000) with R reposters each
# (default 100; 1,000,000 reposts rows, 20,000 distinct reposting actors,
# three in four rows with a display name) and post_metrics rows, directly in SQL on the schema demarched creates,
# then times the command in JSON and text.  The issue's bound: under 1 s.
#
# With PG=1 it also copies the log (`demarche migrate`, a minute or two)
# into a private PostgreSQL server (initdb in the work folder, 127.0.0.1 on
# a free port, stopped on exit), times the same commands there beside
# SQLite's and checks that both print the same bytes (exit 1 if not).
# Each figure is the fastest of RUNS runs (default 3): the machine's other
# load only ever adds time.  The period is fixed (all the posts).
#
# Usage: [PG=1] [RUNS=n] [KEEP=1] tests/bench/bench_amplification.sh [BUILD_DIR] [N] [R]
#   defaults: build-release, 10000, 100.  Needs sqlite3 and GNU time; PG=1
#   needs the server binaries (Debian postgresql) and psql.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build-release}
N=${2:-10000}
R=${3:-100}
RUNS=${RUNS:-3}
[ -x "$BUILD/demarche" ] || {
	echo "build first: cmake -S $SRC -B $BUILD -DCMAKE_BUILD_TYPE=Release && cmake --build $BUILD -j" >&2
	exit 1
}
W=$(mktemp -d "${TMPDIR:-/tmp}/demarche-bench-amp-XXXXXX")
PGBIN=""
PG_AS=""
# PostgreSQL refuses to run as root: a root caller runs it as nobody.
[ "$(id -u)" != 0 ] || PG_AS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
cleanup() {
	if [ -n "$PGBIN" ] && [ -f "$W/pg/data/postmaster.pid" ]; then
		$PG_AS "$PGBIN/pg_ctl" -D "$W/pg/data" -m immediate stop >/dev/null 2>&1 || true
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
printf '[storage]\ndatabase = %s/big.db\n' "$W" >"$W/b.conf"
"$BUILD/demarched" -c "$W/b.conf" --once >/dev/null 2>&1 || true
NOW=$(date +%s)
sqlite3 "$W/big.db" <<SQL
INSERT INTO accounts (id, handle, role, country, first_seen) VALUES
 (1, 'a1', 'diplomat', 'CN', 0), (2, 'a2', 'mission', 'JP', 0),
 (3, 'a3', 'state_media', 'CN', 0);
INSERT INTO feeds (id, account_id, configured_url, url, kind, added) VALUES
 (1, 1, 'a1.bsky.social', 'a1.bsky.social', 'bluesky', 0),
 (2, 2, 'https://m.example/@a2', 'https://m.example/@a2', 'mastodon', 0),
 (3, 3, 'a3.bsky.social', 'a3.bsky.social', 'bluesky', 0);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO posts (id, account_id, feed_id, stable_key, text, published,
 first_seen, report_time, content_hash)
SELECT i, 1 + i % 3, 1 + i % 3, 'k' || i, 'post ' || i,
 $NOW - 86400 + i, $NOW - 86400 + i, $NOW - 86400 + i, 'h' FROM n;
WITH RECURSIVE r(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM r WHERE j < $R)
INSERT INTO reposts (post_id, actor, actor_name, actor_created,
 actor_followers, first_seen)
SELECT p.id, 'actor' || ((p.id * 7 + r.j * 13) % 20000) || '.bsky.social',
 CASE WHEN r.j % 4 = 0 THEN NULL ELSE 'Name ' || (p.id % 7) END,
 $NOW - (r.j % 7) * 40 * 86400, r.j, p.report_time + r.j * 60
FROM posts p, r;
INSERT INTO post_metrics (post_id, seen, reposts, likes, replies)
SELECT id, report_time + 600, 10, 20, 1 FROM posts;
INSERT INTO post_metrics (post_id, seen, reposts, likes, replies)
SELECT id, report_time + 1200, CASE WHEN id % 100 = 0 THEN 200 ELSE 11 END,
 20, 1 FROM posts;
SQL
echo "== $(sqlite3 "$W/big.db" 'SELECT count(*) FROM reposts') reposts rows over $N posts"
T="/usr/bin/time -f"
# A fixed period (all the posts), so that both backends' output compares.
UNTIL=$(date -u -d "@$((NOW + 3600))" +%Y-%m-%dT%H:%M:%SZ)
F="%e s wall, %U s user, %S s sys, %M KB peak"
if [ -n "${KEEP:-}" ] && [ -z "${PG:-}" ]; then
	echo "kept: $W"
	exit 0
fi

# Starts a throw-away server on 127.0.0.1 (and a socket in $W/pg only);
# sets PGURL.
pg_start() {
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] || ! command -v psql >/dev/null; then
		echo "PG=1: PostgreSQL server binaries (Debian postgresql) not installed" >&2
		exit 1
	fi
	mkdir "$W/pg"
	[ -z "$PG_AS" ] || chown nobody "$W" "$W/pg"
	$PG_AS "$PGBIN/initdb" -D "$W/pg/data" -U demarche -A trust -E UTF8 \
		--locale=C --no-sync >"$W/pg/initdb.log" 2>&1 || {
		cat "$W/pg/initdb.log" >&2
		exit 1
	}
	tries=0
	while :; do
		PGPORT=$(awk -v s="$$" -v t="$tries" 'BEGIN{srand(s + systime() + 7919 * t); printf "%d", 20000 + rand() * 30000}')
		$PG_AS "$PGBIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/server.log" -w -t 30 \
			-o "-p $PGPORT -k $W/pg -c listen_addresses=127.0.0.1 -c fsync=off" \
			start >/dev/null 2>&1 && break
		tries=$((tries + 1))
		[ $tries -lt 5 ] || {
			cat "$W/pg/server.log" >&2
			exit 1
		}
	done
	PGURL="postgresql://demarche@127.0.0.1:$PGPORT/demarche"
	psql -X -q -h 127.0.0.1 -p "$PGPORT" -U demarche -d postgres \
		-c 'CREATE DATABASE demarche' >/dev/null
}

# time_cmd LABEL DB ARGS...: RUNS timed runs, the fastest (by wall time)
# printed; the output is kept in $W/out.LABEL.
time_cmd() {
	label=$1
	db=$2
	shift 2
	: >"$W/times"
	i=0
	while [ $i -lt "$RUNS" ]; do
		$T "$F" -o "$W/time" "$BUILD/demarche" -d "$db" "$@" >"$W/out.$label" || {
			echo "failed: $BUILD/demarche -d $db $*" >&2
			exit 1
		}
		cat "$W/time" >>"$W/times"
		i=$((i + 1))
	done
	printf '  %-10s %s (best of %d)\n' "$label" "$(sort -n "$W/times" | head -n 1)" "$RUNS"
}

if [ -n "${PG:-}" ]; then
	pg_start
	echo "== migrate to PostgreSQL"
	$T "$F" "$BUILD/demarche" migrate --from "$W/big.db" --to "$PGURL" >/dev/null
fi
DIFFERENT=0
run() {
	time_cmd sqlite "$W/big.db" "$@"
	[ -z "${PG:-}" ] || {
		time_cmd postgresql "$PGURL" "$@"
		cmp -s "$W/out.sqlite" "$W/out.postgresql" || {
			echo "  DIFFERENT output on the two backends" >&2
			DIFFERENT=1
		}
	}
}
for f in json text; do
	echo "== amplification --since 2d --until $UNTIL --format $f"
	run amplification --since 2d --until "$UNTIL" --format $f
done
echo "== report --since 2d --until $UNTIL --format json (Amplification section included)"
run report --since 2d --until "$UNTIL" --format json
if [ -n "${KEEP:-}" ]; then
	echo "kept: $W${PG:+ (server still running: $PGURL; stop it with $PGBIN/pg_ctl -D $W/pg/data stop)}"
	trap - EXIT
fi
exit $DIFFERENT
