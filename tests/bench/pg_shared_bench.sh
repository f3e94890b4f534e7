#!/bin/sh
# Benchmark of several daemons sharing one PostgreSQL database (not part of
# the test run).  nginx serves N static RSS feeds (20 items each, as in
# fetch_vs_newsboat.sh); a throw-away PostgreSQL (tests/e2e/lib/pg.sh) gets
# a fresh database per run.  For 1, 2 and 3 instances started together
# (`demarched --foreground`, one config), it prints the wall time until
# every feed has been polled, feeds per second, the polls made (each feed
# must be polled exactly once in all), the CPU time of the daemons and of
# the PostgreSQL server; then `demarched --once` on SQLite, for comparison.
#
# Usage: tests/bench/pg_shared_bench.sh [BUILD_DIR] [N]
#   defaults: build-release, N = 10000
# Needs: nginx-light postgresql time (Debian).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build-release}
N=${2:-10000}
INSTANCES=${INSTANCES:-1 2 3}
[ -x "$BUILD/demarched" ] || { echo "build first: $BUILD/demarched" >&2; exit 1; }
command -v nginx >/dev/null || { echo "missing nginx (apt-get install nginx-light)" >&2; exit 1; }
export DEMARCHE_BUILD_DIR=$BUILD DEMARCHE_SOURCE_DIR=$SRC DEMARCHE_TESTS_DIR=$SRC/tests
. "$SRC/tests/e2e/lib/common.sh"
. "$SRC/tests/e2e/lib/pg.sh"
e2e_setup
PG_MAX_CONNECTIONS=100
pg_start
NGINX_PID=""
trap '[ -n "$NGINX_PID" ] && kill $NGINX_PID; pg_stop; e2e_cleanup' EXIT

PORT=$(( 20000 + $$ % 20000 ))
mkdir -p "$WORK/www" "$WORK/nginx"
chmod 0755 "$WORK" "$WORK/www"
cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	keepalive_requests 100000;
	client_body_temp_path $WORK/nginx;
	proxy_temp_path $WORK/nginx;
	fastcgi_temp_path $WORK/nginx;
	uwsgi_temp_path $WORK/nginx;
	scgi_temp_path $WORK/nginx;
	types { application/rss+xml xml; }
	server { listen 127.0.0.1:$PORT; root $WORK/www; etag on; }
}
CONF
awk -v max="$N" -v dir="$WORK/www" 'BEGIN {
	for (n = 0; n < max; n++) {
		f = dir "/f" n ".xml"
		printf "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Feed %d</title><link>http://example.org/%d</link><description>bench</description>\n", n, n > f
		for (i = 0; i < 20; i++) {
			printf "<item><guid>feed%d-item%d</guid><title>Statement %d of account %d</title><link>http://example.org/%d/%d</link>", n, i, i, n, n, i > f
			printf "<description>The spokesperson said today that cooperation on trade, culture and public health continues, and that the two sides will keep in close touch on matters of mutual concern; number %d of %d, with a few more words to reach a realistic length for a post.</description>", i, n > f
			printf "<pubDate>Mon, 02 Mar 2020 %02d:%02d:00 GMT</pubDate></item>\n", i, n % 60 > f
		}
		print "</channel></rss>" > f
		close(f)
	}
}'
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
sleep 0.5

conf() {
	printf '[storage]\ndatabase = %s\n' "$1"
	printf '[poll]\ninterval = 1h\nconcurrency = 32\nper_host = 32\ntimeout = 60s\nallow_private_addresses = yes\n'
	i=0
	while [ $i -lt "$N" ]; do
		printf '[account "a%d"]\nrole = mission\nfeed = http://127.0.0.1:%d/f%d.xml\n' $i "$PORT" $i
		i=$((i + 1))
	done
}
# CPU seconds of the PostgreSQL server: the postmaster and every backend
# it has reaped (utime, stime, cutime, cstime of /proc/PID/stat).
pg_cpu() {
	pid=$(head -n 1 "$PG_DIR/data/postmaster.pid")
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15 + $16 + $17) / hz }' "/proc/$pid/stat"
}
psql_admin() {
	psql -X -q -h 127.0.0.1 -p "$PGPORT" -U demarche -d postgres -c "$1" >/dev/null
}

echo "== $N feeds of 20 items, first poll (every post new) =="
for k in $INSTANCES; do
	psql_admin 'DROP DATABASE IF EXISTS demarche'
	psql_admin 'CREATE DATABASE demarche'
	conf "$PGURL" >"$WORK/pg.conf"
	cpu0=$(pg_cpu)
	start=$(date +%s.%N)
	pids=""
	j=1
	while [ $j -le "$k" ]; do
		"$BUILD/demarched" -c "$WORK/pg.conf" --foreground >"$WORK/run.$j" 2>&1 &
		pids="$pids $!"
		j=$((j + 1))
	done
	# The daemons share the feeds (interval 1h: one poll each); the run
	# ends when every feed has been polled.  The time includes start-up:
	# migrations and the config sync of N accounts, one instance after
	# the other.
	while [ "$(sql 'SELECT count(*) FROM feeds WHERE last_poll IS NOT NULL' 2>/dev/null || echo 0)" -lt "$N" ]; do
		sleep 0.2
	done
	end=$(date +%s.%N)
	dcpu=0
	for pid in $pids; do
		c=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$pid/stat")
		dcpu=$(echo "$dcpu $c" | awk '{ print $1 + $2 }')
	done
	for pid in $pids; do kill -TERM "$pid"; done
	for pid in $pids; do wait "$pid"; done
	# Read once the daemons' backends have exited and been reaped.
	sleep 0.5
	cpu1=$(pg_cpu)
	polls=$(sql 'SELECT count(*) FROM fetches')
	posts=$(sql 'SELECT count(*) FROM posts')
	echo "$k $start $end $polls $posts $dcpu $cpu0 $cpu1" | awk -v n="$N" '{
		w = $3 - $2
		printf "PostgreSQL, %d daemon(s): %6.1f s wall, %6.0f feeds/s, %d polls, %d posts, daemons %s s cpu, server %.1f s cpu\n", $1, w, n / w, $4, $5, $6, $8 - $7 }'
done
conf "$WORK/bench.db" >"$WORK/lite.conf"
start=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$WORK/time.lite" "$BUILD/demarched" -c "$WORK/lite.conf" --once >"$WORK/run.lite" 2>&1
end=$(date +%s.%N)
echo "$start $end $(sqlite3 "$WORK/bench.db" 'SELECT count(*) FROM fetches') $(sqlite3 "$WORK/bench.db" 'SELECT count(*) FROM posts') $(awk '{printf "%.1f", $1 + $2}' "$WORK/time.lite")" | awk -v n="$N" '{
	w = $2 - $1
	printf "SQLite,     1 daemon:    %6.1f s wall, %6.0f feeds/s, %d polls, %d posts, daemon %s s cpu\n", w, n / w, $3, $4, $5 }'
FAILS=0
