# backends: sqlite postgresql
# End to end: report mail over TLS, as a real mail server would have it.
# A certificate for 127.0.0.1 is made for the test; aiosmtpd requires
# STARTTLS before AUTH (smtp://) and then speaks TLS from the first byte
# (smtps://).  The mail arrives with smtp_ca_file naming the test CA; without
# it the certificate is refused (exit 75), since TLS is always verified.
. "$DEMARCHE_TESTS_DIR/e2e/lib/common.sh"
e2e_setup
db_start
PY=/usr/bin/python3
SMTP_PID=""
trap '[ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null; e2e_cleanup' EXIT
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null || ! command -v openssl >/dev/null; then
	echo "SKIP: needs /usr/bin/python3 with aiosmtpd and openssl"
	exit 77
fi

mkdir "$WORK/feeds"
cp "$TESTS/fixtures/e2e/spokesperson.xml" "$WORK/feeds/"
start_server "$WORK/feeds"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" \
	-keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1 ||
	{ fail "openssl could not make a certificate"; exit 1; }
printf 's3cret\n' >"$WORK/smtp.pw"

write_conf() { # $1 = smtp URL, $2 = extra [report] lines
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
smtp_url = $1
smtp_user = demarche
smtp_password_file = smtp.pw
mail_from = demarche@example.org
mail_to = desk@example.org
$2
[account "spokesperson"]
feed = $BASE/spokesperson.xml
CONF
}

start_smtp() { # $1 = mode
	rm -rf "$WORK/mail"
	mkdir "$WORK/mail"
	"$PY" "$TESTS/e2e/lib/smtp_sink.py" "$WORK/mail" 0 "$1" "$WORK/cert.pem" "$WORK/key.pem" \
		>"$WORK/smtp-$1.log" 2>&1 &
	SMTP_PID=$!
	wait_for '[ -s "$WORK/mail/port" ]' 100 || { fail "SMTP server ($1) did not start"; exit 1; }
	SPORT=$(cat "$WORK/mail/port")
}
stop_smtp() { kill "$SMTP_PID" 2>/dev/null; wait "$SMTP_PID" 2>/dev/null; SMTP_PID=""; }

write_conf "smtp://127.0.0.1:1" ""
"$BUILD/demarched" -c "$WORK/test.conf" --once >"$WORK/poll.log" 2>&1
check "poll exits 0" "$?" 0

# STARTTLS, verified against the test CA.
start_smtp starttls
write_conf "smtp://127.0.0.1:$SPORT" "smtp_ca_file = cert.pem"
"$BUILD/demarche" -c "$WORK/test.conf" report --deliver >"$WORK/d1.log" 2>&1
check "STARTTLS delivery exits 0" "$?" 0
check "mail arrived over STARTTLS" "$(ls "$WORK/mail" | grep -c '\.eml$')" 1
check "logged in after STARTTLS" "$(grep -c '^login .*demarche' "$WORK/mail/0.env")" 1

# The same server without the CA: the certificate is refused.
write_conf "smtp://127.0.0.1:$SPORT" ""
"$BUILD/demarche" -c "$WORK/test.conf" report --deliver >"$WORK/d2.log" 2>&1
check "unknown CA refused (exit 75)" "$?" 75
check "no mail without verification" "$(ls "$WORK/mail" | grep -c '\.eml$')" 1
grep -i "certificate\|SSL" "$WORK/d2.log" | head -2
stop_smtp

# Implicit TLS.
start_smtp smtps
write_conf "smtps://127.0.0.1:$SPORT" "smtp_ca_file = cert.pem"
"$BUILD/demarche" -c "$WORK/test.conf" report --deliver >"$WORK/d3.log" 2>&1
check "SMTPS delivery exits 0" "$?" 0
check "mail arrived over SMTPS" "$(ls "$WORK/mail" | grep -c '\.eml$')" 1
grep -q '^Content-Type: multipart/alternative' "$WORK/mail/0.eml" &&
	pass "MIME alternatives over SMTPS" || fail "no multipart/alternative"
stop_smtp
finish
