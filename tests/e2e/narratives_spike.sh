# backends: sqlite postgresql
# Spike alerts end to end: a narrative with `alert = spike` and the
# origin_narrative category in `[report] alert_categories` are stated
# once a day for two weeks, then four times in one day.  The day that
# passes spike_factor × its trailing 28-day mean (and spike_min) files
# exactly one alert per narrative, however many of its posts are stored,
# sent once (a line in output_dir/alerts.log); the quiet days, the old
# posts of the first poll and a second poll file none.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
mkdir "$WORK/feeds" "$WORK/out"

# rfc822 EPOCH: the RSS date of a time.
rfc822() { date -u -R -d "@$1"; }
# item GUID EPOCH TEXT: one RSS item.
item() {
	printf '<item><title>%s</title><link>https://ex.invalid/%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>\n' \
		"$1" "$1" "$1" "$(rfc822 "$2")" "$3"
}

# Today's posts are up to five minutes old, so they stay in today (UTC)
# unless the test starts in the day's first five minutes: then wait.
NOW=$(date +%s)
if [ $((NOW % 86400)) -lt 310 ]; then
	sleep $((310 - NOW % 86400))
	NOW=$(date +%s)
fi
TODAY=$((NOW - NOW % 86400))
DAY=$(date -u -d "@$TODAY" +%Y-%m-%d)
# Texts under 12 words are never copies of each other (post_clusters),
# so each post is a statement of its own.
TEXT='What happened at Fort Detrick? Day'
# Two weeks of one statement a day: a trailing mean of 14/28 = 0.5.
OLD=""
k=2
while [ $k -le 15 ]; do
	OLD="$OLD$(item "old$k" $((TODAY - k * 86400 + 3600)) "$TEXT $k.")
"
	k=$((k + 1))
done
old_items() { printf '%s' "$OLD"; }
write_feed() {
	{
		printf '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>sp</title><link>https://ex.invalid/sp</link>\n'
		old_items
		for i in "$@"; do printf '%s\n' "$i"; done
		printf '</channel></rss>\n'
	} >"$WORK/feeds/.sp.tmp"
	mv "$WORK/feeds/.sp.tmp" "$WORK/feeds/sp.xml"
}
# First poll: the old days and one statement today (under spike_min).
T1=$(item today1 $((NOW - 300)) "$TEXT one.")
write_feed "$T1"
start_server "$WORK/feeds"

conf() {
	printf '[storage]\ndatabase = %s\n' "$DB"
	printf '[poll]\ninterval = 2s\ntimeout = 10s\nallow_private_addresses = yes\n'
	printf '[classifier]\nrules = %s/config/rules\n' "$SRC"
	printf '[report]\noutput_dir = %s/out\nretry_delay = 1s\n' "$WORK"
	printf 'alert_window = 48h\nspike_factor = 3\nspike_min = 3\n'
	printf 'alert_categories = origin_narrative:spike\n'
	printf '[account "sp"]\nrole = spokesperson\nfeed = %s/sp.xml\n' "$BASE"
	printf '[narrative "army"]\nterms = US Army | Fort Detrick\nalert = spike\n'
}
conf >"$WORK/test.conf"
polls() { sql "SELECT count(*) FROM fetches"; }
alerts() { sql "SELECT count(*) FROM narrative_alerts"; }
lines() { if [ -f "$WORK/out/alerts.log" ]; then wc -l <"$WORK/out/alerts.log" | tr -d ' '; else echo 0; fi; }

"$BUILD/demarched" -c "$WORK/test.conf" --foreground -v >>"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_for '[ "$(sql "SELECT count(*) FROM posts" 2>/dev/null)" -ge 15 ] 2>/dev/null' 600 || fail "posts not stored"
check "every post states the narrative" "$(sql "SELECT count(*) FROM post_narratives WHERE narrative = 'army'")" 15
check "and is origin_narrative" "$(sql "SELECT count(*) FROM post_categories WHERE category = 'origin_narrative'")" 15
n=$(polls)
wait_for '[ "$(polls)" -ge $((n + 2)) ]' 600 || fail "no second poll"
check "quiet days: no alert" "$(alerts)" 0

# Three more statements today: four in the day against a mean of 0.5.
write_feed "$T1" "$(item today2 $((NOW - 240)) "$TEXT two.")" \
	"$(item today3 $((NOW - 180)) "$TEXT three.")" \
	"$(item today4 $((NOW - 120)) "$TEXT four.")"
wait_for '[ "$(sql "SELECT count(*) FROM narrative_alerts WHERE status = '"'delivered'"'")" -ge 2 ]' 600 ||
	fail "the spike alerts were not delivered"
check "one spike alert per narrative and category" \
	"$(sql "SELECT kind || ' ' || narrative || ' ' || day FROM narrative_alerts ORDER BY narrative")" \
	"spike army $DAY
spike category:origin_narrative $DAY"
check "the day's count passed spike_min" "$(sql "SELECT count(*) FROM narrative_alerts WHERE day_count >= 3")" 2
check "the trailing mean is 14/28" "$(sql "SELECT DISTINCT CAST(mean * 100 AS INTEGER) FROM narrative_alerts")" 50
check "two lines in alerts.log" "$(lines)" 2
check "the lines say spike" "$(grep -c " spike " "$WORK/out/alerts.log")" 2

# Another poll of the same day: nothing more.
n=$(polls)
wait_for '[ "$(polls)" -ge $((n + 2)) ]' 600 || fail "no later poll"
# Whatever alert is due goes out now, not at the sender's next look.
"$BUILD/demarche" -c "$WORK/test.conf" narrative --send-alerts >>"$WORK/send.log" 2>&1
check "the sender finds nothing left to fail" "$?" 0
check "still two alerts" "$(alerts)" 2
check "still two lines" "$(lines)" 2
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"
check "daemon stops cleanly" "$?" 0
DAEMON_PID=""
check_db_sound
finish
