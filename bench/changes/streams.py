#!/usr/bin/env python3
"""What change streams (GET /v1/changes/stream) cost a running carewatch: holds N streams
open and reports the server's resident memory per stream, then makes one write and times
its arrival on every stream, then imports a release under a new name (every workforce row
and published row changes its source: ~1,450 changes in one write) and times that burst
reaching every stream, sampling the server's memory meanwhile.

usage: streams.py PORT SERVER_PID API_KEY RELEASE_CSV [N=500]
Needs `ulimit -n` above N in this shell. Every stream must receive every change, in order."""
import json
import os
import re
import selectors
import socket
import sys
import time

port, pid, key, release = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
n = int(sys.argv[5]) if len(sys.argv) > 5 else 500


def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


def cpu_seconds():
    """The server's user + system CPU time: on a shared machine, wall time is stretched by
    the queue for the CPUs; this is what the server itself spent."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def request(method, path, body=b"", headers=()):
    s = socket.create_connection(("127.0.0.1", port))
    head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
    for h in headers:
        head += h + "\r\n"
    s.sendall(head.encode() + b"\r\n" + body)
    data = b""
    while True:
        more = s.recv(65536)
        if not more:
            break
        data += more
    s.close()
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1]


class Stream:
    ID = re.compile(rb"^id: (\d+)\nevent: change\n", re.M)

    def __init__(self):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /v1/changes/stream HTTP/1.1\r\nHost: bench\r\n\r\n")
        self.buffer = b""
        self.last = None

    def feed(self):
        more = self.sock.recv(1 << 20)
        if not more:
            raise SystemExit("a stream was closed by the server")
        self.buffer += more
        # Complete events only; the unfinished tail waits for the rest.
        cut = self.buffer.rfind(b"\n\n")
        if cut < 0:
            return
        complete, self.buffer = self.buffer[:cut], self.buffer[cut + 2:]
        for value in Stream.ID.findall(complete):
            value = int(value)
            if self.last is not None and value != self.last + 1:
                raise SystemExit(f"a stream skipped from {self.last} to {value}")
            self.last = value


def wait_all(streams, target, sample=None):
    """Reads every stream until it has seen change `target`; returns seconds taken."""
    selector = selectors.DefaultSelector()
    waiting = 0
    for s in streams:
        if s.last != target:
            selector.register(s.sock, selectors.EVENT_READ, s)
            waiting += 1
    started = time.perf_counter()
    while waiting:
        for key_, _ in selector.select(timeout=60):
            s = key_.data
            s.feed()
            if s.last == target:
                selector.unregister(s.sock)
                waiting -= 1
        if sample:
            sample()
    return time.perf_counter() - started


status, body = request("GET", "/v1/changes?limit=1")
latest = json.loads(body)["latest"]

for _ in range(20):   # warm the allocator and the loops
    warm = Stream()
    warm.sock.recv(4096)
    warm.sock.close()
time.sleep(1)
before = rss_kib()
streams = [Stream() for _ in range(n)]
for s in streams:
    while b"event: ready" not in s.buffer:
        s.buffer += s.sock.recv(4096)
    s.buffer = b""
    s.last = latest
time.sleep(1)
after = rss_kib()
print(f"{n} idle change streams: server RSS {before} KiB -> {after} KiB, {(after - before) * 1024 / n:.0f} bytes per stream")

cpu = cpu_seconds()
auth = (f"Authorization: Bearer {key}", "Content-Type: application/json")
started = time.perf_counter()
# A caseload of its own each run, so that the write changes something (an unchanged row
# makes no change to stream) even when the script runs twice against one server.
status, _ = request("PUT", "/v1/councils/E08000028/workforce/2024", json.dumps({"employed_fte": 213.6, "caseload": 10 + latest % 1000 / 100}).encode(), auth)
assert status in (200, 201), status
took = wait_all(streams, latest + 1)
print(f"one write: answered and received by all {n} streams in {(time.perf_counter() - started) * 1000:.0f} ms "
      f"(after the answer: {took * 1000:.0f} ms; server CPU {(cpu_seconds() - cpu) * 1000:.0f} ms)")

peak = [rss_kib()]
cpu = cpu_seconds()
status, body = request("POST", "/v1/import?source=bench-release.csv", open(release, "rb").read(),
                       (f"Authorization: Bearer {key}", "Content-Type: text/csv"))
assert status == 200, body[:300]
status, body = request("GET", "/v1/changes?limit=1")
burst_end = json.loads(body)["latest"]
took = wait_all(streams, burst_end, sample=lambda: peak.append(rss_kib()))
print(f"burst of {burst_end - latest - 1} changes in one import: received in order by all {n} streams in {took:.2f} s; "
      f"server CPU {cpu_seconds() - cpu:.2f} s; server RSS peak {max(peak)} KiB ({(max(peak) - after) / 1024:.1f} MiB above the idle streams)")
for s in streams:
    s.sock.close()
