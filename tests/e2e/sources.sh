# backends: sqlite postgresql
# End to end: `telegram:` and `youtube:` feeds (issue 14).  The feed server
# plays a Telegram channel of 30 posts (20 on the newest page, 10 more
# behind ?before=) and a YouTube channel feed; a first poll pages back to
# the channel's start, a second one stops at the first known post and adds
# nothing.  A channel without a public preview is told once, not stored.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
cp -R "$TESTS/fixtures/e2e/sources" "$WORK/sources"
start_server "$WORK/sources"

cat >"$WORK/test.conf" <<CONF
[storage]
database = $DB
[poll]
interval = 1h
allow_private_addresses = yes
telegram_base = $BASE/tg
telegram_delay = 0
youtube_base = $BASE/yt
[classifier]
rules = $SRC/config/rules
[account "mfa_spox"]
role = spokesperson
feed = telegram:mfa_spox30
[account "mfa_video"]
role = ministry
feed = youtube:UCmfaChinaSpox0000000001
[account "hidden"]
feed = https://t.me/s/nopreview_chan
[account "yt_flaky"]
feed = youtube:UCnotfoundnotfoundnotfou
CONF

"$BUILD/demarche" check-config -c "$WORK/test.conf" >"$WORK/check.out" 2>&1
check "config with the new sources is valid" "$?" 0
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run1.log" 2>&1
check "first run ends (75: no preview, YouTube 404)" "$?" 75
check "newest page, then one page back" \
	"$(grep -c -e 'GET /tg/s/mfa_spox30 200' -e 'GET /tg/s/mfa_spox30?before=12 200' "$WORK/requests.log")" 2
posts_of() { sql "SELECT count(*) FROM posts p JOIN accounts a ON a.id=p.account_id WHERE a.handle='$1'"; }
check "30 Telegram posts stored, the service message not" "$(posts_of mfa_spox)" 30
check "post key and link" \
	"$(sql "SELECT stable_key||'|'||url FROM posts WHERE stable_key='mfa_spox30/2'")" "mfa_spox30/2|https://t.me/mfa_spox30/2"
check "the forward is a repost" \
	"$(sql "SELECT stable_key||'|'||author FROM posts WHERE is_repost = 1")" "mfa_spox30/5|china_embassy_xx"
check "the reply is marked" "$(sql "SELECT stable_key FROM posts WHERE is_reply = 1")" "mfa_spox30/12"
check "two lines kept" \
	"$(sql "SELECT count(*) FROM posts WHERE stable_key='mfa_spox30/10' AND text LIKE '%.' || char(10) || 'Second line.'" 2>/dev/null || sql "SELECT count(*) FROM posts WHERE stable_key='mfa_spox30/10' AND text LIKE '%.' || chr(10) || 'Second line.'")" 1
check "the forwarded claim is classified" \
	"$(sql "SELECT count(*) FROM post_categories pc JOIN posts p ON p.id=pc.post_id WHERE p.stable_key='mfa_spox30/5' AND pc.category='origin_narrative'")" 1
check "subscribers 1.23M snapshotted" \
	"$(sql "SELECT followers FROM account_snapshots s JOIN accounts a ON a.id=s.account_id WHERE a.handle='mfa_spox'")" 1230000
check "channel title names the account" \
	"$(sql "SELECT name FROM accounts WHERE handle='mfa_spox'")" "Channel mfa_spox30"
check "YouTube feed asked at the channel's address" \
	"$(grep -c 'GET /yt/feeds/videos.xml?channel_id=UCmfaChinaSpox0000000001 200' "$WORK/requests.log")" 1
check "YouTube videos stored" "$(posts_of mfa_video)" 2
check "a video's description is classified" \
	"$(sql "SELECT count(*) FROM post_categories pc JOIN posts p ON p.id=pc.post_id WHERE p.stable_key='yt:video:aaaaaaaaaa1' AND pc.category='origin_narrative'")" 1
check "no public preview told" "$(grep -c 'no public preview' "$WORK/run1.log")" 1
check "nothing stored for it" "$(posts_of hidden)" 0
check "a YouTube 404 is a failure, not a disabled feed" \
	"$(sql "SELECT consecutive_failures||'|'||disabled FROM feeds WHERE url='youtube:UCnotfoundnotfoundnotfou'")" "1|0"

"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/run2.log" 2>&1
check "second run ends" "$?" 75
check "second poll reads only the newest page" \
	"$(grep -c 'GET /tg/s/mfa_spox30' "$WORK/requests.log")" 3
check "YouTube asked conditionally" \
	"$(grep -c 'GET /yt/feeds/videos.xml?channel_id=UCmfaChinaSpox0000000001 304 inm="' "$WORK/requests.log")" 1
check "second poll adds nothing" "$(sql 'SELECT count(*) FROM posts')" 32
check "unchanged counters add no snapshot" \
	"$(sql "SELECT count(*) FROM account_snapshots s JOIN accounts a ON a.id=s.account_id WHERE a.handle='mfa_spox'")" 1
finish
