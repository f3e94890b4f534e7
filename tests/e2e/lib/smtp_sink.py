"""A real SMTP server for the delivery tests (Debian's python3-aiosmtpd).

Run with /usr/bin/python3 smtp_sink.py DIR [FAIL_FIRST]: listens on a free
127.0.0.1 port, writes the port to DIR/port, accepts AUTH LOGIN/PLAIN
without TLS (user "demarche", password "s3cret"), and saves every message
as DIR/N.eml with its envelope in DIR/N.env.  With FAIL_FIRST=1 the first
message is refused with a temporary error (451), to exercise retries.
With MODE=starttls CERT KEY it requires STARTTLS before AUTH and MAIL;
with MODE=smtps CERT KEY it speaks TLS from the first byte.
"""
import os
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

OUT = sys.argv[1]
FAIL_FIRST = len(sys.argv) > 2 and sys.argv[2] == "1"
MODE = sys.argv[3] if len(sys.argv) > 3 else "plain"


class Sink:
    def __init__(self):
        self.seen = 0

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if FAIL_FIRST and self.seen == 1:
            return "451 4.3.0 try again later"
        n = len([f for f in os.listdir(OUT) if f.endswith(".eml")])
        with open(os.path.join(OUT, "%d.eml" % n), "wb") as f:
            f.write(envelope.original_content)
        with open(os.path.join(OUT, "%d.env" % n), "w") as f:
            auth = getattr(session, "auth_data", None)
            if auth is not None and hasattr(auth, "login"):
                user = auth.login.decode()
            else:
                user = session.login_data.decode() if isinstance(
                    session.login_data, bytes) else str(session.login_data)
            f.write("from %s\n" % envelope.mail_from)
            for r in envelope.rcpt_tos:
                f.write("to %s\n" % r)
            f.write("login %s\n" % user)
        return "250 OK"


def check_login(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"demarche" and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


port = free_port()
tls = None
if MODE in ("starttls", "smtps"):
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(sys.argv[4], sys.argv[5])
if MODE == "starttls":
    ctl = Controller(Sink(), hostname="127.0.0.1", port=port,
                     authenticator=check_login, tls_context=tls,
                     require_starttls=True, auth_require_tls=True)
elif MODE == "smtps":
    ctl = Controller(Sink(), hostname="127.0.0.1", port=port,
                     authenticator=check_login, ssl_context=tls,
                     auth_require_tls=False)
else:
    ctl = Controller(Sink(), hostname="127.0.0.1", port=port,
                     authenticator=check_login, auth_require_tls=False)
ctl.start()
with open(os.path.join(OUT, "port.tmp"), "w") as f:
    f.write(str(port))
os.rename(os.path.join(OUT, "port.tmp"), os.path.join(OUT, "port"))
try:
    while True:
        time.sleep(1)
finally:
    ctl.stop()
