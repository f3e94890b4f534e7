#!/bin/sh
# Benchmark of `demarche amplification` (not part of the test run): builds
# an SQLite log of N tracked posts (default 10,000) with R reposters each
# (default 100; 1,000,000 reposts rows, 20,000 distinct reposting actors)
# and post_metrics rows, directly in SQL on the schema demarched creates,
# then times the command in JSON and text.  The issue's bound: under 1 s.
#
# Usage: tests/bench/bench_amplification.sh [BUILD_DIR] [N] [R]
#   defaults: build-release, 10000, 100.  Needs sqlite3 and GNU time.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build-release}
N=${2:-10000}
R=${3:-100}
[ -x "$BUILD/demarche" ] || {
	echo "build first: cmake -S $SRC -B $BUILD -DCMAKE_BUILD_TYPE=Release && cmake --build $BUILD -j" >&2
	exit 1
}
W=$(mktemp -d "${TMPDIR:-/tmp}/demarche-bench-amp-XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$W"' EXIT
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
 NULL, $NOW - (r.j % 7) * 40 * 86400, r.j, p.report_time + r.j * 60
FROM posts p, r;
INSERT INTO post_metrics (post_id, seen, reposts, likes, replies)
SELECT id, report_time + 600, 10, 20, 1 FROM posts;
INSERT INTO post_metrics (post_id, seen, reposts, likes, replies)
SELECT id, report_time + 1200, CASE WHEN id % 100 = 0 THEN 200 ELSE 11 END,
 20, 1 FROM posts;
SQL
echo "== $(sqlite3 "$W/big.db" 'SELECT count(*) FROM reposts') reposts rows over $N posts"
T="/usr/bin/time -f"
[ -n "${KEEP:-}" ] && echo "kept: $W" && exit 0
for f in json text; do
	echo "== amplification --since 2d --format $f"
	$T "%e s wall, %U s user, %M KB peak" "$BUILD/demarche" -d "$W/big.db" amplification --since 2d --format $f >/dev/null
done
echo "== report --since 2d --format json (Amplification section included)"
$T "%e s wall, %U s user, %M KB peak" "$BUILD/demarche" -d "$W/big.db" report --since 2d --format json >/dev/null
