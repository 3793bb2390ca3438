#!/usr/bin/env python3
"""Durable writes/s for the same workload in SQLite: WAL mode, synchronous=FULL, one
connection per client thread, one committed transaction per write (an upsert of one
workforce row). Usage: sqlite_writes.py DB CLIENTS SECONDS"""
import sqlite3, sys, threading, time

path, clients, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
setup = sqlite3.connect(path)
setup.execute("PRAGMA journal_mode=WAL")
setup.execute("CREATE TABLE IF NOT EXISTS workforce (council TEXT, year INTEGER, employed_fte REAL, agency_fte REAL, PRIMARY KEY (council, year))")
setup.commit()
setup.close()
deadline = time.time() + seconds
latencies, lock = [], threading.Lock()

def client(number):
    db = sqlite3.connect(path, timeout=60, isolation_level=None)
    db.execute("PRAGMA synchronous=FULL")
    mine, index = [], 0
    while time.time() < deadline:
        t0 = time.time()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO workforce VALUES (?, ?, ?, ?) ON CONFLICT(council, year) DO UPDATE SET employed_fte=excluded.employed_fte, agency_fte=excluded.agency_fte",
                   ("E06000001", 2000 + (number * 7 + index) % 101, index % 500 + 0.5, 10.0))
        db.execute("COMMIT")
        mine.append(time.time() - t0)
        index += 1
    with lock:
        latencies.extend(mine)

start = time.time()
threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.time() - start
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000
print(f"sqlite WAL synchronous=FULL: clients={clients} writes={len(latencies)} seconds={elapsed:.2f} writes/s={len(latencies)/elapsed:.0f} p50={pct(0.5):.2f}ms p99={pct(0.99):.2f}ms")
