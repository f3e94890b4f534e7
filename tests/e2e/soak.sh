# backends: sqlite postgresql
# Soak: the daemon polls a mix of healthy and faulty feeds (every fault of
# the fetch issue) every second or two for SOAK_SECONDS (default 40), while
# its resident memory and open file descriptors are sampled.  After
# warm-up neither may grow; under the sanitizer build LeakSanitizer checks
# for leaks at exit.  Longer by hand: SOAK_SECONDS=3600 sh tests/e2e/soak.sh
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
mkdir "$WORK/feeds"
cp "$TESTS/fixtures/e2e/spokesperson.xml" "$TESTS/fixtures/e2e/broken.xml" "$WORK/feeds/"
start_server "$WORK/feeds"
SECONDS_TOTAL=${SOAK_SECONDS:-40}

{
	printf '[storage]\ndatabase = %s\n' "$DB"
	printf '[poll]\ninterval = 1s\ntimeout = 2s\nmax_body = 256KiB\nallow_private_addresses = yes\n'
	printf '[classifier]\nrules = %s/config/rules\n' "$SRC"
	i=0
	while [ $i -lt 20 ]; do
		printf '[account "grow%d"]\nfeed = %s/gen/g%d.xml?items=5&grow=1&cap=100000\n' $i "$BASE" $i
		i=$((i + 1))
	done
	cat <<CONF
[account "faults"]
feed = $BASE/spokesperson.xml
feed = $BASE/broken.xml
feed = $BASE/gen/e500.xml?status=500
feed = $BASE/gen/e429.xml?status=429&retry_after=1
feed = $BASE/gen/e503.xml?status=503
feed = $BASE/gen/e404missing
feed = $BASE/gen/moved.xml?redirect=/gen/target.xml&code=302
feed = $BASE/loop/a
feed = $BASE/gen/drip.xml?items=50&drip=100
feed = $BASE/gen/stall.xml?stall=1
feed = $BASE/gen/bomb.xml?bomb=8
feed = $BASE/gen/big.xml?size=400000
feed = $BASE/spokesperson.xml?truncate=1
feed = $BASE/gen/gz.xml?items=30&gzip=1
CONF
} >"$WORK/test.conf"

# Keep ASan's quarantine small so resident memory means something.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=1:malloc_context_size=5" \
	"$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
start=$(date +%s)
: >"$WORK/curve"
while [ $(($(date +%s) - start)) -lt "$SECONDS_TOTAL" ]; do
	sleep 2
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	rss=$(awk '/^VmRSS/{print $2}' "/proc/$DAEMON_PID/status")
	fds=$(ls "/proc/$DAEMON_PID/fd" | wc -l)
	echo "$(($(date +%s) - start)) $rss $fds" >>"$WORK/curve"
done
echo "seconds rss_kib fds"
cat "$WORK/curve"
kill -0 "$DAEMON_PID" 2>/dev/null && pass "alive after ${SECONDS_TOTAL} s" || fail "died during the soak"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
check "exit 0 (and no leak report)" "$?" 0
DAEMON_PID=""
grep -E "LeakSanitizer|AddressSanitizer|runtime error" "$WORK/daemon.log" && fail "sanitizer report"

# After warm-up (the first third), compare the middle with the end.
n=$(wc -l <"$WORK/curve")
mid=$(awk -v n="$n" 'NR == int(n / 2) + 1' "$WORK/curve")
end=$(tail -1 "$WORK/curve")
warm_fds=$(awk -v n="$n" 'NR > n / 3 {print $3}' "$WORK/curve" | sort -n | tail -1)
first_fds=$(awk -v n="$n" 'NR > n / 3 {print $3}' "$WORK/curve" | sort -n | head -1)
echo "middle: $mid   end: $end"
check "no file-descriptor growth after warm-up" \
	"$(echo "$first_fds $warm_fds" | awk '{print ($2 - $1 <= 6) ? "yes" : "no"}')" yes
check "no memory growth after warm-up" \
	"$(echo "$mid $end" | awk '{print ($5 <= $2 * 1.25 + 2048) ? "yes" : "no"}')" yes
check "polls kept succeeding" \
	"$(sql "SELECT CASE WHEN count(*) > 0 THEN 1 ELSE 0 END FROM fetches WHERE error IS NULL AND started > $(($(date +%s) - 10))")" 1
echo "polls: $(sql 'SELECT count(*) FROM fetches'), failed: $(sql 'SELECT count(*) FROM fetches WHERE error IS NOT NULL'), posts: $(sql 'SELECT count(*) FROM posts')"
finish
