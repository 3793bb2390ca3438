#!/usr/bin/env python3
"""Writes a store data directory holding one snapshot with N synthetic workforce rows
(10,000 synthetic councils x 100 years for 1M), in the store's own snapshot format, to
measure start-up time and memory. The data is made up and not committed.
Usage: make_synthetic.py DIR ROWS"""
import json, os, sys, zlib

directory, rows = sys.argv[1], int(sys.argv[2])
years = 100
councils = max(1, rows // years)
os.makedirs(directory, mode=0o700, exist_ok=True)
regions = ["North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
           "East of England", "London", "South East", "South West"]
parts = ['{"generation":1,"councils":[']
for i in range(councils):
    # la_code must be unique in real data; synthetic councils reuse the 900 valid values
    # (only lookups by la_code are affected, and the benchmark does none).
    parts.append(("," if i else "") + json.dumps({"code": "E06%06d" % i, "la_code": 100 + i % 900, "slug": "synthetic-%d" % i,
        "name": "Synthetic %d" % i, "region": regions[i % 9], "kind": "unitary", "former_codes": [],
        "updated_at": "2026-11-23T10:00:00Z", "version": 1}, separators=(",", ":")))
parts.append('],"inspections":[],"workforce":[')
n = 0
for i in range(councils):
    for y in range(years):
        if n == rows: break
        e = 100 + (i * 7 + y) % 400 + 0.5
        a = (i + y) % 60 + 0.25
        parts.append(("," if n else "") + json.dumps({"council": "E06%06d" % i, "year": 2000 + y, "employed_fte": e, "agency_fte": a,
            "agency_rate": round(a / (a + e) * 100, 1), "vacancy_fte": 12.0, "vacancy_rate": round(12.0 / (12.0 + e) * 100, 1),
            "leavers_fte": 20.1, "turnover_rate": round(20.1 / e * 100, 1), "caseload": 17.9, "absence_rate": 3.1, "asye_share": None,
            "source": "synthetic", "version": 1}, separators=(",", ":")))
        n += 1
parts.append("]}")
body = "".join(parts).encode()
header = f"carewatch-snapshot 1 generation=1 committed_at=1763892000 length={len(body)} crc32={zlib.crc32(body):08x}\n".encode()
with open(os.path.join(directory, "snapshot-%020d.json" % 1), "wb") as f:
    f.write(header + body)
print(f"wrote {n} workforce rows for {councils} councils, {len(body) / 1e6:.0f} MB")
