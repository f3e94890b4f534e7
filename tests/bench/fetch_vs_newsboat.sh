#!/bin/sh
# Benchmark of the fetch engine (not part of the test run): nginx serves N
# static RSS feeds (20 items, about 10 KB each) on 127.0.0.1; we time
# `demarched --once` on a first poll (all new) and a second one (all 304),
# and newsboat's `-x reload` over the same feeds (its 2.21 stores a new
# feed's validators only after the second fetch, so its all-304 figure is
# its third reload).  Prints wall time, CPU time and peak RSS, and ratios.
#
# Usage: tests/bench/fetch_vs_newsboat.sh [BUILD_DIR] [N ...]
#   defaults: build-release, N = 1000 10000 (newsboat only at 1000)
# Needs: nginx-light newsboat time (Debian); run as any user.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build-release}
shift || true
SIZES=${*:-1000 10000}
[ -x "$BUILD/demarched" ] || {
	echo "build first: cmake -S $SRC -B $BUILD -DCMAKE_BUILD_TYPE=Release && cmake --build $BUILD -j" >&2
	exit 1
}
for tool in nginx newsboat /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install nginx-light newsboat time)" >&2; exit 1; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/demarche-bench-XXXXXX")
NGINX_PID=""
cleanup() {
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(( 20000 + $$ % 20000 ))
mkdir -p "$WORK/www" "$WORK/nginx"
# nginx workers may run as another user (www-data when started as root).
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
	server {
		listen 127.0.0.1:$PORT;
		root $WORK/www;
		etag on;
	}
}
CONF

# One feed: 20 items of about 500 bytes each.
make_feed() {
	awk -v n="$1" 'BEGIN {
		printf "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Feed %d</title><link>http://example.org/%d</link><description>bench</description>\n", n, n
		for (i = 0; i < 20; i++) {
			printf "<item><guid>feed%d-item%d</guid><title>Statement %d of account %d</title><link>http://example.org/%d/%d</link>", n, i, i, n, n, i
			printf "<description>The spokesperson said today that cooperation on trade, culture and public health continues, and that the two sides will keep in close touch on matters of mutual concern; number %d of %d, with a few more words to reach a realistic length for a post.</description>", i, n
			printf "<pubDate>Mon, 02 Mar 2020 %02d:%02d:00 GMT</pubDate></item>\n", i, n % 60
		}
		print "</channel></rss>"
	}'
}

max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done
i=0
while [ $i -lt "$max" ]; do
	make_feed $i >"$WORK/www/f$i.xml"
	i=$((i + 1))
done
echo "generated $max feeds of $(wc -c <"$WORK/www/f0.xml") bytes"
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
sleep 0.5

# measure LABEL CMD...: prints "LABEL wall_s cpu_s rss_mb"
measure() {
	label=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$WORK/time.out" "$@" >"$WORK/cmd.out" 2>&1 || {
		echo "$label failed:" >&2
		tail -5 "$WORK/cmd.out" >&2
	}
	read -r wall user sys rss <"$WORK/time.out"
	cpu=$(echo "$user $sys" | awk '{printf "%.2f", $1 + $2}')
	rssmb=$(echo "$rss" | awk '{printf "%.1f", $1 / 1024}')
	printf "%-34s %8s s wall %8s s cpu %8s MB peak RSS\n" "$label" "$wall" "$cpu" "$rssmb"
	echo "$wall" >"$WORK/last.wall"
}

for n in $SIZES; do
	conf="$WORK/demarche-$n.conf"
	{
		printf '[storage]\ndatabase = %s/bench-%d.db\n' "$WORK" "$n"
		printf '[poll]\ninterval = 1h\nconcurrency = 32\nper_host = 32\ntimeout = 60s\nallow_private_addresses = yes\n'
		i=0
		while [ $i -lt "$n" ]; do
			printf '[account "a%d"]\nrole = mission\nfeed = http://127.0.0.1:%d/f%d.xml\n' $i "$PORT" $i
			i=$((i + 1))
		done
	} >"$conf"
	echo "== $n feeds =="
	measure "demarched --once, first poll" "$BUILD/demarched" -c "$conf" --once
	d_cold=$(cat "$WORK/last.wall")
	measure "demarched --once, all 304" "$BUILD/demarched" -c "$conf" --once
	d_304=$(cat "$WORK/last.wall")
	echo "   posts stored: $(sqlite3 "$WORK/bench-$n.db" 'SELECT count(*) FROM posts') ," \
		"304s: $(sqlite3 "$WORK/bench-$n.db" 'SELECT count(*) FROM fetches WHERE not_modified=1')"
	[ "$n" -le 1000 ] || continue
	mkdir -p "$WORK/nb-$n"
	i=0
	while [ $i -lt "$n" ]; do
		echo "http://127.0.0.1:$PORT/f$i.xml"
		i=$((i + 1))
	done >"$WORK/nb-$n/urls"
	: >"$WORK/nb-$n/config"
	set -- newsboat -u "$WORK/nb-$n/urls" -c "$WORK/nb-$n/cache.db" -C "$WORK/nb-$n/config" -x reload
	measure "newsboat -x reload, first" "$@"
	n_cold=$(cat "$WORK/last.wall")
	measure "newsboat -x reload, second" "$@"
	measure "newsboat -x reload, third (all 304)" "$@"
	n_304=$(cat "$WORK/last.wall")
	echo "$n_cold $d_cold $n_304 $d_304" | awk '{
		printf "   ratio newsboat/demarched: first poll %.1fx, all-304 %.1fx\n",
			$1 / ($2 > 0 ? $2 : 0.01), $3 / ($4 > 0 ? $4 : 0.01) }'
done
