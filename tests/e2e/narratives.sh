# backends: sqlite postgresql
# Narratives end to end: the daemon polls the local server, matches the
# posts against a [narrative] as it stores them, and `demarche narrative
# KEY` shows the first use and each follower's delay exactly.  A fresh
# post that is an account's first use files exactly one alert, sent once
# (a line in output_dir/alerts.log, one webhook POST): none for the old
# posts of the first poll, none again after a second poll or a restart,
# and on PostgreSQL one across three daemons sharing the database.  A
# narrative added by a reload is applied to the stored posts; a copy of a
# statement (post_clusters) counts once; a config error names FILE:LINE.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
mkdir "$WORK/feeds" "$WORK/out"

# item GUID DATE TEXT: one RSS item.
item() {
	printf '<item><title>%s</title><link>https://ex.invalid/%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>\n' \
		"$1" "$1" "$1" "$2" "$3"
}
# feed NAME ITEMS...: writes feeds/NAME.xml at once (a rename).
feed() {
	name=$1
	shift
	{
		printf '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>%s</title><link>https://ex.invalid/%s</link>\n' "$name" "$name"
		for i in "$@"; do printf '%s\n' "$i"; done
		printf '</channel></rss>\n'
	} >"$WORK/feeds/.$name.tmp"
	mv "$WORK/feeds/.$name.tmp" "$WORK/feeds/$name.xml"
}
OLD_SP=$(item sp1 'Thu, 12 Mar 2020 13:37:00 GMT' 'Could the US Army have brought the epidemic to Wuhan?')
OLD_EMB=$(item emb1 'Thu, 12 Mar 2020 14:37:00 GMT' '美军人员的健康状况应当公开')
OLD_MEDIA=$(item media1 'Fri, 13 Mar 2020 15:38:01 GMT' 'What happened at FORT DETRICK last summer?')
OLD_MEDIA2=$(item media2 'Sat, 14 Mar 2020 09:00:00 GMT' 'Fort Detrick, again: the questions stay.')
OLD_NEW=$(item new1 'Sun, 15 Mar 2020 09:00:00 GMT' 'China bought the world precious time.')
feed sp "$OLD_SP"
feed emb "$OLD_EMB"
feed media "$OLD_MEDIA" "$OLD_MEDIA2"
feed newbie "$OLD_NEW"
start_server "$WORK/feeds"
# The webhook: its first try fails, so the alert is retried, through the
# webhook only (the file took it the first time).
/usr/bin/python3 "$TESTS/e2e/lib/webhook_sink.py" "$WORK/hook.port" "$WORK/hook.log" 1 &
HOOK_PID=$!
trap 'kill $HOOK_PID 2>/dev/null; e2e_cleanup' EXIT
wait_for '[ -s "$WORK/hook.port" ]' 300 || { fail "webhook sink did not start"; exit 1; }
HOOK="http://127.0.0.1:$(cat "$WORK/hook.port")/hook"

conf() {
	printf '[storage]\ndatabase = %s\n' "$DB"
	printf '[poll]\ninterval = 2s\ntimeout = 10s\nallow_private_addresses = yes\n'
	printf '[classifier]\nrules = %s/config/rules\n' "$SRC"
	printf '[report]\noutput_dir = %s/out\nwebhook = %s\nretry_delay = 1s\n' "$WORK" "$HOOK"
	printf '[account "sp"]\nrole = spokesperson\nfeed = %s/sp.xml\n' "$BASE"
	printf '[account "emb"]\nrole = mission\nfeed = %s/emb.xml\n' "$BASE"
	printf '[account "media"]\nrole = state_media\nfeed = %s/media.xml\n' "$BASE"
	printf '[account "newbie"]\nrole = diplomat\nfeed = %s/newbie.xml\n' "$BASE"
	printf '[narrative "army"]\nname = The US Army did it\n'
	printf 'terms = US Army | 美军 | Fort Detrick\nalert = first\n'
}
conf >"$WORK/test.conf"

# --- config errors name FILE:LINE ---
{ conf; printf '[narrative "bad"]\nterms = a | | b\n[narrative "none"]\nname = x\n'; } >"$WORK/bad.conf"
"$BUILD/demarche" check-config -c "$WORK/bad.conf" >"$WORK/bad.out" 2>&1
check "bad narratives: exit 78" "$?" 78
check "empty term named by FILE:LINE" "$(grep -c "^$WORK/bad.conf:30: terms: empty term" "$WORK/bad.out")" 1
check "no terms named by FILE:LINE" "$(grep -c "^$WORK/bad.conf:31: narrative 'none' has no terms" "$WORK/bad.out")" 1

start_daemon() {
	"$BUILD/demarched" -c "$WORK/test.conf" --foreground -v >>"$WORK/daemon$1.log" 2>&1 &
	eval "PID$1=\$!"
}
polls_of() { sql "SELECT count(*) FROM fetches f JOIN feeds d ON d.id = f.feed_id WHERE d.url LIKE '%/$1.xml'"; }
alerts() { sql "SELECT count(*) FROM narrative_alerts"; }
lines() { if [ -f "$WORK/out/alerts.log" ]; then wc -l <"$WORK/out/alerts.log" | tr -d ' '; else echo 0; fi; }
posts_hook() { if [ -f "$WORK/hook.log" ]; then wc -l <"$WORK/hook.log" | tr -d ' '; else echo 0; fi; }

start_daemon 1
DAEMON_PID=$PID1
wait_for '[ "$(sql "SELECT count(*) FROM posts" 2>/dev/null)" -ge 5 ] 2>/dev/null' 600 || fail "old posts not stored"
check "old posts matched" "$(sql "SELECT count(*) FROM post_narratives WHERE narrative = 'army'")" 4
check "no alert for old posts" "$(alerts)" 0

# --- the timeline: first use, each follower's delay exactly ---
"$BUILD/demarche" -d "$DB" narrative army --format json >"$WORK/army.json"
check "narrative army exits 0" "$?" 0
j() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$WORK/army.json')); print($1)"; }
check "key" "$(j "d['key']")" army
check "posts" "$(j "d['posts']")" 4
check "first account" "$(j "d['first']['account']")" sp
check "first time" "$(j "d['first']['time']")" 2020-03-12T13:37:00Z
check "first url" "$(j "d['first']['url']")" https://ex.invalid/sp1
check "first text" "$(j "d['first']['text']")" 'Could the US Army have brought the epidemic to Wuhan?'
check "accounts by first use" "$(j "' '.join(a['handle'] for a in d['accounts'])")" "sp emb media"
check "delays exactly" "$(j "' '.join(str(a['delay_s']) for a in d['accounts'])")" "0 3600 93661"
check "posts per account" "$(j "' '.join(str(a['posts']) for a in d['accounts'])")" "1 1 2"
check "roles" "$(j "' '.join(r['role'] + ':' + r['account'] for r in d['roles'])")" "spokesperson:sp mission:emb state_media:media"
check "daily" "$(j "' '.join('%s/%d/%d' % (x['day'], x['posts'], x['accounts']) for x in d['daily'])")" \
	"2020-03-12/2/2 2020-03-13/1/1 2020-03-14/1/1"
"$BUILD/demarche" -d "$DB" narrative army --since 2020-03-13 --until 2020-03-14 --format json >"$WORK/army.json"
check "period is half-open" "$(j "d['posts'], d['period']['from'], d['period']['to']")" \
	"1 2020-03-13T00:00:00Z 2020-03-14T00:00:00Z"
check "list" "$("$BUILD/demarche" -d "$DB" narrative | awk '$1 == "army" {print $2, $4}')" "4 3"
"$BUILD/demarche" -d "$DB" narrative armyy >/dev/null 2>"$WORK/unknown.err"
check "unknown narrative: exit 64" "$?" 64
check "unknown narrative: nearest named" "$(grep -c "did you mean 'army'" "$WORK/unknown.err")" 1

# --- a fresh first use: exactly one alert ---
FRESH=$(date -u -R -d '-5 min')
feed newbie "$OLD_NEW" "$(item new2 "$FRESH" 'Maybe the US Army knows more.')"
feed emb "$OLD_EMB" "$(item emb2 "$FRESH" 'Again: what did the US Army bring?')"
wait_for '[ "$(sql "SELECT count(*) FROM narrative_alerts WHERE status = '"'delivered'"'")" -ge 1 ]' 600 ||
	fail "the alert was not delivered"
check "one alert, for the newbie's first use" \
	"$(sql "SELECT a.kind || ' ' || a.narrative || ' ' || p.stable_key FROM narrative_alerts a JOIN posts p ON p.id = a.post_id")" "first army new2"
check "one line in alerts.log" "$(lines)" 1
check "the line names the post" "$(grep -c ' first army @newbie https://ex.invalid/new2 Maybe the US Army' "$WORK/out/alerts.log")" 1
check "one webhook POST" "$(posts_hook)" 1
h() { /usr/bin/python3 -c "import json; d=json.loads(open('$WORK/hook.log').readline()); print($1)"; }
check "webhook JSON" "$(h "d['type'], d['narrative'], d['post']['account'], d['post']['url'], d['post']['text']")" \
	"first army newbie https://ex.invalid/new2 Maybe the US Army knows more."
check "webhook time is the post's" "$(h "d['post']['time']")" "$(date -u -d "$FRESH" +%Y-%m-%dT%H:%M:%SZ)"
check "the failed webhook was retried: two tries" "$(sql "SELECT attempts FROM narrative_alerts")" 2

# --- a second poll, then a restart: nothing more ---
n=$(polls_of newbie)
wait_for '[ "$(polls_of newbie)" -ge $((n + 2)) ]' 600 || fail "no second poll"
kill -TERM "$PID1"; wait "$PID1"
check "daemon stops cleanly" "$?" 0
start_daemon 2
DAEMON_PID=$PID2
n=$(polls_of newbie)
wait_for '[ "$(polls_of newbie)" -ge $((n + 2)) ]' 600 || fail "no poll after the restart"
# Whatever alert is due goes out now, not at the sender's next look.
"$BUILD/demarche" -c "$WORK/test.conf" narrative --send-alerts >>"$WORK/send.log" 2>&1
check "the sender finds nothing left to fail" "$?" 0
check "still one alert" "$(alerts)" 1
check "still one line" "$(lines)" 1
check "still one webhook POST" "$(posts_hook)" 1

# --- a narrative added by a reload is applied to the stored posts ---
{ conf; printf '[narrative "time"]\nterms = precious time\n'; } >"$WORK/test.conf"
kill -HUP "$PID2"
wait_for '[ "$(sql "SELECT count(*) FROM narratives WHERE narrative = '"'time'"' AND applied_hash = definition_hash")" -eq 1 ]' 600 ||
	fail "the reload's narrative was not applied"
check "reload: the stored post matched" "$(sql "SELECT count(*) FROM post_narratives WHERE narrative = 'time'")" 1
kill -TERM "$PID2"; wait "$PID2"
DAEMON_PID=""

# --- three daemons on one database: one alert (PostgreSQL) ---
if on_pg; then
	for k in 3 4 5; do start_daemon $k; done
	DAEMON_PID=$PID3
	wait_for '[ "$(grep -l "polling 4 feed" "$WORK"/daemon[345].log | wc -l)" -eq 3 ]' 600
	feed media "$OLD_MEDIA" "$OLD_MEDIA2" "$(item media3 "$FRESH" 'US Army, US Army.')"
	feed sp "$OLD_SP" "$(item sp2 "$FRESH" 'A first time for nothing.')"
	conf >"$WORK/test.conf"
	FRESH2=$(date -u -R -d '-1 min')
	feed newbie "$OLD_NEW" "$(item new2 "$FRESH" 'Maybe the US Army knows more.')" \
		"$(item new3 "$FRESH2" 'and 美军 too')"
	# A new account's first use, with three daemons polling.
	printf '[account "late"]\nrole = other\nfeed = %s/late.xml\n' "$BASE" >>"$WORK/test.conf"
	feed late "$(item late1 "$FRESH2" 'Late, but: Fort Detrick.')"
	for k in 3 4 5; do eval "kill -HUP \$PID$k"; done
	wait_for '[ "$(sql "SELECT count(*) FROM narrative_alerts WHERE status = '"'delivered'"'")" -ge 2 ]' 600 ||
		fail "the late account's alert was not delivered"
	n=$(polls_of late)
	wait_for '[ "$(polls_of late)" -ge $((n + 3)) ]' 600
	"$BUILD/demarche" -c "$WORK/test.conf" narrative --send-alerts >>"$WORK/send.log" 2>&1
	check "three daemons: two alerts in all" "$(alerts)" 2
	check "three daemons: the late one's" "$(sql "SELECT count(*) FROM narrative_alerts a JOIN posts p ON p.id = a.post_id WHERE p.stable_key = 'late1'")" 1
	check "three daemons: two lines" "$(lines)" 2
	check "three daemons: two webhook POSTs" "$(posts_hook)" 2
	for k in 3 4 5; do eval "kill -TERM \$PID$k; wait \$PID$k"; done
	DAEMON_PID=""
fi

# --- copies count once; --rescan from the log's own definitions ---
sql "INSERT INTO post_clusters (post_id, cluster_id, similarity, reason, clustered_at) SELECT e.id, s.id, 0.9, 'text', 0 FROM posts e, posts s WHERE e.stable_key = 'media2' AND s.stable_key = 'media1'" >/dev/null
"$BUILD/demarche" -d "$DB" narrative army --until 2020-04-01 --format json >"$WORK/army.json"
check "a copy counts once" "$(j "d['posts'], d['copies']")" "3 1"
check "media's statements" "$(j "[a['posts'] for a in d['accounts'] if a['handle'] == 'media'][0]")" 1
sql "DELETE FROM post_narratives" >/dev/null
"$BUILD/demarche" -d "$DB" narrative --rescan >"$WORK/rescan.out" 2>&1
check "rescan exits 0" "$?" 0
check "rescan restores the matches" "$(sql "SELECT count(*) FROM post_narratives WHERE narrative = 'army' AND post_id IN (SELECT id FROM posts WHERE published < 1600000000)")" 4
check "no alert from a rescan" "$(alerts)" "$(if on_pg; then echo 2; else echo 1; fi)"
check_db_sound
finish
