# backends: sqlite postgresql
# End to end: `demarche -c FILE report --deliver` through every channel
# against real peers — a file in output_dir, a mail to a real SMTP server
# on 127.0.0.1 (Debian's python3-aiosmtpd, with AUTH and a password file),
# parsed back with Python's email package (MIME structure, both
# alternatives, the Chinese/Japanese subject decoded, no injected header).
# Also: a second delivery never overwrites the first file, a refused login
# or an unreachable server gives exit 75 while the other channels still
# deliver, and candidates are listed from the posts' mentions.
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

mkdir "$WORK/feeds" "$WORK/mail" "$WORK/reports"
cp "$TESTS/fixtures/reports/desk.xml" "$TESTS/fixtures/e2e/spokesperson.xml" "$WORK/feeds/"
start_server "$WORK/feeds"
"$PY" "$TESTS/e2e/lib/smtp_sink.py" "$WORK/mail" >"$WORK/smtp.log" 2>&1 &
SMTP_PID=$!
wait_for '[ -s "$WORK/mail/port" ]' 100 || { fail "SMTP server did not start"; exit 1; }
SPORT=$(cat "$WORK/mail/port")
printf 's3cret\n' >"$WORK/smtp.pw"
SUBJECT='外交官週報 デマルシュ'

cat >"$WORK/test.conf" <<CONF
[storage]
database = $DB

[poll]
allow_private_addresses = yes

[classifier]
rules = $SRC/config/rules

[report]
format = html
since = 3000d
output_dir = reports
smtp_url = smtp://127.0.0.1:$SPORT
smtp_starttls = no
smtp_user = demarche
smtp_password_file = smtp.pw
mail_from = demarche@example.org
mail_to = desk@example.org, analyst@example.jp
subject = $SUBJECT

[account "desk"]
role = spokesperson
country = CN
created = 2019-08-01
feed = $BASE/desk.xml

[account "spokesperson"]
role = spokesperson
created = 2019-10-01
feed = $BASE/spokesperson.xml
CONF

"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/poll.log" 2>&1
check "poll exits 0" "$?" 0
check "seven posts stored" "$(sql 'SELECT count(*) FROM posts')" 7

"$BUILD/demarche" -c "$WORK/test.conf" report --deliver >"$WORK/d1.out" 2>"$WORK/d1.err"
check "deliver exits 0" "$?" 0
check "one report file" "$(ls "$WORK/reports" | wc -l | tr -d ' ')" 1
F1=$(ls "$WORK/reports"/demarche-report-*.html 2>/dev/null | head -1)
[ -n "$F1" ] && pass "file named demarche-report-FROM-TO.html" || fail "no html report file: $(ls "$WORK/reports")"
grep -q "report written to $F1" "$WORK/d1.out" && pass "says where the file is" || fail "no path in output: $(cat "$WORK/d1.out")"
check "file is HTML with charts" "$(grep -c '<svg' "$F1" | awk '$1>=2{print "yes"}')" yes
check "post text escaped in the file" "$(grep -c '<script' "$F1")" 0
check "escaped script text present" "$(grep -c '&#60;script&#62;alert' "$F1" | awk '$1>0{print "yes"}')" yes
check "javascript: link not a link" "$(grep -c 'href=\"javascript' "$F1")" 0
check "one mail received" "$(ls "$WORK/mail" | grep -c '\.eml$')" 1
check "envelope sender" "$(grep '^from' "$WORK/mail/0.env")" "from demarche@example.org"
check "envelope recipients" "$(grep '^to' "$WORK/mail/0.env" | tr '\n' ' ')" "to desk@example.org to analyst@example.jp "
check "logged in with the password file" "$(grep -c 'demarche' "$WORK/mail/0.env" | awk '$1>0{print "yes"}')" yes
if "$PY" "$TESTS/e2e/lib/check_mail.py" "$WORK/mail/0.eml" "$SUBJECT" \
	desk@example.org,analyst@example.jp; then
	pass "mail parses: MIME, alternatives, subject, headers"
else
	fail "mail checks"
fi

# A second delivery of the same period never replaces the first file.
cp "$F1" "$WORK/first.html"
"$BUILD/demarche" -c "$WORK/test.conf" report --deliver --until "$(date +%s)" >"$WORK/d2.out" 2>&1
check "second deliver exits 0" "$?" 0
check "two report files" "$(ls "$WORK/reports" | wc -l | tr -d ' ')" 2
cmp -s "$F1" "$WORK/first.html" && pass "first file untouched" || fail "first file changed"

# A refused login: exit 75 (try again later), the file still written.
printf 'wrong\n' >"$WORK/smtp.pw"
"$BUILD/demarche" -c "$WORK/test.conf" report --deliver >"$WORK/d3.out" 2>"$WORK/d3.err"
check "refused login exits 75" "$?" 75
check "file channel still delivered" "$(ls "$WORK/reports" | wc -l | tr -d ' ')" 3
grep -q "channel(s) failed" "$WORK/d3.err" && pass "failure logged" || fail "no failure line: $(cat "$WORK/d3.err")"
check "no mail for the refused login" "$(ls "$WORK/mail" | grep -c '\.eml$')" 2

# Nobody listening.
sed "s|^smtp_url = .*|smtp_url = smtp://127.0.0.1:1|" "$WORK/test.conf" >"$WORK/closed.conf"
"$BUILD/demarche" -c "$WORK/closed.conf" report --deliver >/dev/null 2>"$WORK/d4.err"
check "unreachable server exits 75" "$?" 75

# No channel at all is a config problem.
sed -e '/^output_dir/d' -e '/^smtp_/d' -e '/^mail_/d' "$WORK/test.conf" >"$WORK/none.conf"
"$BUILD/demarche" -c "$WORK/none.conf" report --deliver >/dev/null 2>&1
check "no channel exits 78" "$?" 78

# Candidates: mentioned accounts whose handles mark them as diplomatic.
"$BUILD/demarche" -d "$DB" candidates >"$WORK/cand.txt" 2>&1
check "candidates exits 0" "$?" 0
check "MFA_China listed" "$(grep -c '^MFA_China ' "$WORK/cand.txt")" 1
check "ChineseEmbinUS listed" "$(grep -c '^ChineseEmbinUS ' "$WORK/cand.txt")" 1
check "ordinary user not listed" "$(grep -c someuser "$WORK/cand.txt")" 0
check "candidates as JSON" \
	"$("$BUILD/demarche" -d "$DB" candidates --format json | grep -c '"marker"')" 2
finish
