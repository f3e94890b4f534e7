# backends: sqlite postgresql
# End to end: the daemon's report schedule.  demarched runs with
# "daily HH:MM" set to the coming minute in Asia/Tokyo; at that minute it
# starts `demarche report --deliver` as a child.  The SMTP server refuses
# the first message (451), so the delivery fails once and is retried after
# retry_delay; the run is then recorded as delivered in report_deliveries,
# and a restart does not send it again.  Takes about a minute.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
PY=/usr/bin/python3
SMTP_PID=""
trap '[ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null; e2e_cleanup' EXIT
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
	echo "SKIP: /usr/bin/python3 has no aiosmtpd (Debian python3-aiosmtpd)"
	exit 77
fi
if [ ! -e /usr/share/zoneinfo/Asia/Tokyo ]; then
	echo "SKIP: no tz database (Debian tzdata)"
	exit 77
fi

mkdir "$WORK/feeds" "$WORK/mail" "$WORK/reports"
cp "$TESTS/fixtures/reports/desk.xml" "$WORK/feeds/"
start_server "$WORK/feeds"
"$PY" "$TESTS/e2e/lib/smtp_sink.py" "$WORK/mail" 1 >"$WORK/smtp.log" 2>&1 &
SMTP_PID=$!
wait_for '[ -s "$WORK/mail/port" ]' 100 || { fail "SMTP server did not start"; exit 1; }
SPORT=$(cat "$WORK/mail/port")
printf 's3cret\n' >"$WORK/smtp.pw"

# The coming minute in Tokyo, with at least 15 s to spare.
if [ "$(date +%S)" -ge 45 ]; then AHEAD=2; else AHEAD=1; fi
AT=$(TZ=Asia/Tokyo date -d "+$AHEAD min" +%H:%M)

cat >"$WORK/test.conf" <<CONF
[storage]
database = $DB

[poll]
interval = 1h
allow_private_addresses = yes

[classifier]
rules = $SRC/config/rules

[report]
schedule = daily $AT
timezone = Asia/Tokyo
format = md
since = 3000d
retries = 2
retry_delay = 1s
output_dir = reports
smtp_url = smtp://127.0.0.1:$SPORT
smtp_starttls = no
smtp_user = demarche
smtp_password_file = smtp.pw
mail_from = demarche@example.org
mail_to = desk@example.org

[account "desk"]
role = spokesperson
feed = $BASE/desk.xml
CONF

"$BUILD/demarche" check-config -c "$WORK/test.conf" >/dev/null 2>&1
check "config with timezone is valid" "$?" 0
"$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_for "grep -q 'next report at' '$WORK/daemon.log'" 100 || fail "no next-run line"
# (On PostgreSQL the row exists from the moment the slot is claimed.)
wait_for "[ \"\$(sql \"SELECT count(*) FROM report_deliveries WHERE status = 'delivered'\" 2>/dev/null)\" = 1 ]" 1500 \
	|| fail "no delivery recorded: $(cat "$WORK/daemon.log")"
check "recorded as delivered after one retry" \
	"$(sql "SELECT status||'|'||attempts FROM report_deliveries")" "delivered|2"
check "slot is the scheduled minute in Tokyo" \
	"$(TZ=Asia/Tokyo date -d "@$(sql 'SELECT slot FROM report_deliveries')" +%H:%M)" "$AT"
check "period is since before the slot" \
	"$(sql "SELECT CASE WHEN period_to - period_from = 3000*86400 AND period_to = slot THEN 1 ELSE 0 END FROM report_deliveries")" 1
grep -q "retrying in 1s" "$WORK/daemon.log" && pass "failed try logged with backoff" \
	|| fail "no retry line: $(cat "$WORK/daemon.log")"
check "one mail accepted" "$(ls "$WORK/mail" | grep -c '\.eml$')" 1
check "a report file per try" "$(ls "$WORK/reports" | grep -c '\.md$')" 2
check "daemon still polling" "$(kill -0 "$DAEMON_PID" 2>/dev/null && echo yes)" yes
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
DAEMON_PID=""

# A restart: the run is recorded, so nothing is sent again.
"$BUILD/demarched" -c "$WORK/test.conf" --foreground >"$WORK/daemon2.log" 2>&1 &
DAEMON_PID=$!
wait_for "grep -q 'next report at' '$WORK/daemon2.log'" 100 || fail "restart: no next-run line"
sleep 2
check "restart sends nothing" "$(sql 'SELECT count(*) FROM report_deliveries')|$(ls "$WORK/mail" | grep -c '\.eml$')" "1|1"
grep -q "was missed" "$WORK/daemon2.log" && fail "restart thought a run was missed" || pass "no catch-up after a delivered run"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
DAEMON_PID=""
finish
