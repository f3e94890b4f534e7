"""webhook_sink.py PORTFILE LOG [FAIL_FIRST] — a webhook receiver for the
end-to-end tests: listens on 127.0.0.1 (a free port, written to PORTFILE),
appends each POSTed body to LOG as one line, and answers 204; the first
FAIL_FIRST requests are answered 500 instead (and not logged), to test
that a failed delivery is retried."""
import http.server
import sys

port_file, log_path = sys.argv[1], sys.argv[2]
fail_left = int(sys.argv[3]) if len(sys.argv) > 3 else 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global fail_left
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if fail_left > 0:
            fail_left -= 1
            self.send_response(500)
            self.end_headers()
            return
        with open(log_path, "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os

os.rename(port_file + ".tmp", port_file)
server.serve_forever()
