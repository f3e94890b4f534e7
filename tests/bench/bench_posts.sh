#!/bin/sh
# Benchmark of `demarche posts` (not part of the test run): builds an
# SQLite log of N posts (default 1,000,000; English, Chinese and Japanese
# texts, half of them categorised, every one with its wording in
# post_versions and one in a hundred with an earlier wording as well) the
# way bench_report.c does — directly in SQL, on the schema demarched
# creates as it was at 0008 — then times the migrations that build the
# search indexes of such a log (0009 the posts, 0016 the wordings), the
# exports (CSV, JSON Lines, text) and searches, with peak RSS.
#
# Usage: tests/bench/bench_posts.sh [BUILD_DIR] [N]
#   defaults: build-release, 1000000.  Needs sqlite3 and GNU time.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build-release}
N=${2:-1000000}
[ -x "$BUILD/demarche" ] || {
	echo "build first: cmake -S $SRC -B $BUILD -DCMAKE_BUILD_TYPE=Release && cmake --build $BUILD -j" >&2
	exit 1
}
W=$(mktemp -d "${TMPDIR:-/tmp}/demarche-bench-posts-XXXXXX")
trap 'rm -rf "$W"' EXIT
printf '[storage]\ndatabase = %s/big.db\n' "$W" >"$W/b.conf"
"$BUILD/demarched" -c "$W/b.conf" --once >/dev/null 2>&1 || true

# The log as it was before 0009 (no indexes, no triggers), then N posts.
sqlite3 "$W/big.db" <<SQL
DROP TRIGGER posts_fts_insert; DROP TRIGGER posts_fts_delete;
DROP TRIGGER posts_fts_update; DROP TABLE posts_fts;
DROP TABLE IF EXISTS post_clusters; DROP TABLE IF EXISTS reposts;
DROP TABLE IF EXISTS post_metrics;
DROP TRIGGER post_versions_fts_insert; DROP TRIGGER post_versions_fts_delete;
DROP TRIGGER post_versions_fts_update; DROP TABLE post_versions_fts;
DROP VIEW post_versions_fts_source;
DROP TABLE IF EXISTS html_pages; DROP TABLE IF EXISTS post_links;
DROP TABLE IF EXISTS post_bands; DROP TABLE IF EXISTS post_signatures;
DROP TABLE IF EXISTS narrative_alerts; DROP TABLE IF EXISTS post_narratives;
DROP TABLE IF EXISTS narratives;
DROP VIEW deleted_posts; DROP VIEW feed_health;
ALTER TABLE feeds DROP COLUMN source;
ALTER TABLE posts DROP COLUMN published_us;
ALTER TABLE posts DROP COLUMN upstream_edited;
ALTER TABLE post_deletions DROP COLUMN confirmed;
ALTER TABLE post_deletions DROP COLUMN checked;
CREATE VIEW deleted_posts AS SELECT 1 AS post_id;
CREATE VIEW feed_health AS SELECT 1 AS feed_id;
PRAGMA user_version = 8;
INSERT INTO accounts (id, handle, role, country, first_seen) VALUES
 (1, 'a1', 'diplomat', 'CN', 0), (2, 'a2', 'mission', 'JP', 0),
 (3, 'a3', 'state_media', 'CN', 0);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO posts (id, account_id, stable_key, text, lang, published,
 first_seen, report_time, content_hash)
SELECT i, 1 + i % 3, 'k' || i, CASE i % 4
 WHEN 0 THEN 'The US Army may have brought the epidemic to Wuhan, post '
  || i || '. Fort Detrick must explain, "quoted", and more text.'
 WHEN 1 THEN '美方应当公开德特里克堡生物实验室关闭的真实原因 第' || i || '条'
 WHEN 2 THEN '在日米軍の感染者数について、米側は情報を公開すべきだ。' || i
 ELSE 'Glad to meet the new ambassador, a routine note, number ' || i END,
 CASE i % 4 WHEN 1 THEN 'zh' WHEN 2 THEN 'ja' ELSE 'en' END,
 1500000000 + i * 60, 1500000000 + i * 60, 1500000000 + i * 60, 'h'
FROM n;
INSERT INTO post_categories (post_id, category, score, evidence,
 rules_version, classified_at, report_time, account_id)
SELECT id, 'origin_narrative', 2.5, '[]', 'v', 0, report_time, account_id
FROM posts WHERE id % 4 IN (0, 1);
INSERT INTO post_versions (post_id, version, title, text, content_hash, seen)
SELECT id, 1, NULL, CASE WHEN id % 100 = 7 THEN
 'An earlier wording, withdrawn since: oldterm number ' || id ELSE text END,
 'h', report_time FROM posts;
INSERT INTO post_versions (post_id, version, title, text, content_hash, seen)
SELECT id, 2, NULL, text, 'h', report_time + 60 FROM posts WHERE id % 100 = 7;
SQL

T="/usr/bin/time -f"
echo "== the 0009 and 0016 migrations: search indexes of $N posts and their wordings"
$T "%e s wall, %U s user, %M KB peak" "$BUILD/demarched" -c "$W/b.conf" --once >/dev/null
for f in csv jsonl text; do
	echo "== posts --format $f ($N posts)"
	$T "%e s wall, %U s user, %M KB peak" "$BUILD/demarche" -d "$W/big.db" posts --format $f >/dev/null
done
echo "== posts --format csv --limit 1000 (memory baseline)"
$T "%e s wall, %U s user, %M KB peak" "$BUILD/demarche" -d "$W/big.db" posts --format csv --limit 1000 >/dev/null
for q in 德特里克 米軍 '"post 999999"' oldterm; do
	echo "== posts --search $q"
	$T "%e s wall, %U s user, %M KB peak" "$BUILD/demarche" -d "$W/big.db" posts --search "$q" --format csv | wc -l
done
