"""Parses a message the SMTP sink saved and checks it, for the delivery
tests: /usr/bin/python3 check_mail.py FILE.eml SUBJECT_PREFIX TO1,TO2
Prints one line per failed check and exits 1 if any failed."""
import email
import email.policy
import sys

path, prefix, rcpts = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
with open(path, "rb") as f:
    raw = f.read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
fails = []


def check(what, ok):
    if not ok:
        fails.append(what)


subject = str(msg["Subject"])
check("subject decodes to the configured prefix: %r" % subject,
      subject.startswith(prefix + " "))
check("subject has the counts", "posts" in subject)
check("raw subject is RFC 2047 encoded",
      b"Subject: =?UTF-8?B?" in raw)
check("From", str(msg["From"]) == "demarche@example.org")
check("To", [a.addr_spec for a in msg["To"].addresses] == rcpts)
check("Date", msg["Date"] is not None and msg["Date"].datetime is not None)
check("Message-ID", str(msg["Message-ID"]).endswith("@example.org>"))
check("MIME-Version", str(msg["MIME-Version"]) == "1.0")
check("multipart/alternative", msg.get_content_type() ==
      "multipart/alternative")
parts = list(msg.iter_parts())
check("two alternatives", [p.get_content_type() for p in parts] ==
      ["text/plain", "text/html"])
if len(parts) == 2:
    text, html = parts[0].get_content(), parts[1].get_content()
    check("text part is the report", "posts from" in text and
          "Categories" in text)
    check("text keeps Chinese", "葡萄酒" in text or "中国" in text or
          "origin_narrative" in text)
    check("html part is the page", html.startswith("<!DOCTYPE html>") and
          "<svg" in html)
    check("html escapes post text", "<script" not in html.lower())
    for p in parts:
        check("charset utf-8", p.get_content_charset() == "utf-8")
        check("base64", p["Content-Transfer-Encoding"] == "base64")
for line in raw.split(b"\r\n"):
    check("line length <= 998", len(line) <= 998)
check("no injected header", msg["X-Injected"] is None and
      msg["Bcc"] is None)
for f in fails:
    print("mail check failed:", f)
sys.exit(1 if fails else 0)
