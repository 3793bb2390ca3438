#!/usr/bin/env python3
"""Holds N idle Server-Sent Event streams open on the engine bench server (GET /events) and
reports what they cost the server in memory, then broadcasts one event (POST /events) and checks
that every stream receives it.

usage: idle_streams.py PORT SERVER_PID [N=500]
Needs `ulimit -n` above N in this shell."""
import socket
import sys
import time

port, pid = int(sys.argv[1]), int(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 500


def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


def read_until(s, marker):
    data = b""
    while marker not in data:
        more = s.recv(65536)
        if not more:
            raise SystemExit("stream closed")
        data += more
    return data


# Warm up the allocator and the loops with a few streams that are closed again.
for _ in range(20):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /events HTTP/1.1\r\nHost: bench\r\n\r\n")
    read_until(s, b"\r\n\r\n")
    s.close()
time.sleep(1)
before = rss_kib()
streams = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /events HTTP/1.1\r\nHost: bench\r\n\r\n")
    streams.append(s)
for s in streams:
    head = read_until(s, b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"text/event-stream" in head, head
time.sleep(1)
after = rss_kib()
print(f"{n} idle streams: server RSS {before} KiB -> {after} KiB, "
      f"{(after - before) * 1024 / n:.0f} bytes per stream")

post = socket.create_connection(("127.0.0.1", port))
post.sendall(b"POST /events HTTP/1.1\r\nHost: bench\r\nContent-Length: 5\r\n\r\nhello")
reply = read_until(post, b"}")
received = sum(1 for s in streams if b"data: hello" in read_until(s, b"data: hello\n\n"))
answer = reply.split(b"\r\n\r\n")[-1].decode()
print(f"broadcast: {answer}, received by {received}/{n}")
