#!/usr/bin/env python3
"""Sends exactly N requests over C keep-alive connections (one in flight per connection, as wrk
does) and checks every status, so that a server run under callgrind or `perf stat` can be
charged a known number of requests.

usage: fixed_requests.py PORT PATH N [C=8] [--method M] [--body FILE] [--header 'Name: value']... [--vary]
--vary replaces `{n}` in the body with a different number for every request (a write that
really changes something each time). Exits non-zero if any answer is not 2xx."""
import argparse
import socket
import sys

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("path")
ap.add_argument("n", type=int)
ap.add_argument("c", type=int, nargs="?", default=8)
ap.add_argument("--method", default="GET")
ap.add_argument("--body")
ap.add_argument("--header", action="append", default=[])
ap.add_argument("--vary", action="store_true")
a = ap.parse_args()

template = open(a.body, "rb").read() if a.body else b""
counter = 0


def request():
    global counter
    counter += 1
    body = template.replace(b"{n}", f"{10 + counter % 100000 / 10000:.4f}".encode()) if a.vary else template
    head = f"{a.method} {a.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for h in a.header:
        head += h + "\r\n"
    if a.body:
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


fixed = None if a.vary else request()


class Conn:
    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", a.port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def read_response(self):
        while b"\r\n\r\n" not in self.buf:
            more = self.s.recv(65536)
            if not more:
                raise SystemExit("connection closed by the server")
            self.buf += more
        end = self.buf.index(b"\r\n\r\n") + 4
        head = self.buf[:end].decode("latin-1")
        status = int(head.split(" ", 2)[1])
        length = 0
        for line in head.split("\r\n"):
            if line.lower().startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        while len(self.buf) < end + length:
            more = self.s.recv(65536)
            if not more:
                raise SystemExit("connection closed mid-body")
            self.buf += more
        self.buf = self.buf[end + length:]
        return status


conns = [Conn() for _ in range(a.c)]
sent = 0
bad = 0
while sent < a.n:
    batch = conns[: min(a.c, a.n - sent)]
    for c in batch:
        c.s.sendall(fixed or request())
    for c in batch:
        if not 200 <= c.read_response() < 300:
            bad += 1
    sent += len(batch)
print(f"{sent} requests, {bad} not 2xx", file=sys.stderr)
sys.exit(1 if bad else 0)
