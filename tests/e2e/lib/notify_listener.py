"""Stands in for systemd's notify socket in the end-to-end tests: binds a
datagram socket at argv[1] and appends every message it receives to
argv[2], one per line (newlines inside a message become ' | ')."""
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
with open(out, "a", encoding="utf-8") as log:
    while True:
        data = sock.recv(4096)
        log.write(data.decode("utf-8", "replace").replace("\n", " | ") + "\n")
        log.flush()
