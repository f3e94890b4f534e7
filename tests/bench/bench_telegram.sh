#!/bin/sh
# Benchmark of a first poll of Telegram channels (issue 14; not part of
# the test run): the feed server plays N channels of K messages each (20
# a page, older ones behind ?before=), and `demarched --once` polls them
# all with telegram_delay = 0 and backfill B, so each first poll pages
# back to B messages.  Prints the wall time, the daemon's CPU time and
# peak RSS, the requests served and the posts stored.  In production the
# delay (default 1 s a request to t.me), not the daemon, sets the pace.
#
# Usage: tests/bench/bench_telegram.sh [BUILD_DIR] [N] [K] [B]
#   defaults: build-release, 200 channels, 120 messages, backfill 100.
#   Needs sqlite3 and GNU time.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build-release}
N=${2:-200}
K=${3:-120}
B=${4:-100}
for bin in demarched tests/feedserver; do
	[ -x "$BUILD/$bin" ] || {
		echo "build first: cmake -S $SRC -B $BUILD -DCMAKE_BUILD_TYPE=Release && cmake --build $BUILD --target demarched feedserver" >&2
		exit 1
	}
done
W=$(mktemp -d "${TMPDIR:-/tmp}/demarche-bench-tg-XXXXXX")
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$W"' EXIT
mkdir "$W/site"
"$BUILD/tests/feedserver" -d "$W/site" -P "$W/port" -l "$W/requests.log" \
	>"$W/server.out" 2>&1 &
SERVER=$!
i=0
while [ ! -s "$W/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
BASE="http://127.0.0.1:$(cat "$W/port")"
{
	printf '[storage]\ndatabase = %s/tg.db\n' "$W"
	printf '[poll]\ninterval = 1h\nallow_private_addresses = yes\n'
	printf 'telegram_base = %s/tg\ntelegram_delay = 0\nbackfill = %s\n' "$BASE" "$B"
	i=1
	while [ $i -le "$N" ]; do
		# The digits that end a channel's name are its message count.
		printf '[account "ch%s"]\nfeed = telegram:b%sc%s\n' "$i" "$i" "$K"
		i=$((i + 1))
	done
} >"$W/tg.conf"
/usr/bin/time -f '%e s wall, %U s user, %S s system, %M KB peak RSS' \
	-o "$W/time" "$BUILD/demarched" -c "$W/tg.conf" --once >"$W/run.log" 2>&1 ||
	{ tail -5 "$W/run.log" >&2; exit 1; }
echo "first poll of $N Telegram channels of $K messages, backfill $B:"
echo "  $(cat "$W/time")"
echo "  $(wc -l <"$W/requests.log") requests, $(sqlite3 "$W/tg.db" 'SELECT count(*) FROM posts') posts stored"
