#!/usr/bin/env python3
"""Holds N idle keep-alive connections to a server and reports its memory, to check that idle
connections cost little (no thread or big buffer per connection).

usage: idle_connections.py PORT SERVER_PID [N=10000]
Needs `ulimit -n` above N in this shell."""
import socket
import sys
import time

port, pid = int(sys.argv[1]), int(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000


def status(field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return line.split(":", 1)[1].strip()


before = status("VmRSS")
request = b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"
conns = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(request)
    conns.append(s)
ok = sum(1 for s in conns if s.recv(4096).startswith(b"HTTP/1.1 200"))
time.sleep(1)
print(f"{ok}/{n} answered and held idle; server RSS {before} -> {status('VmRSS')}, threads {status('Threads')}")
again = 0
for s in conns[:: max(1, n // 100)]:
    s.sendall(request)
    again += s.recv(4096).startswith(b"HTTP/1.1 200")
print(f"{again} sampled idle connections still answer")
