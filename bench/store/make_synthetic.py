#!/usr/bin/env python3
"""Writes a store data directory holding one snapshot with N synthetic workforce rows
(10,000 synthetic councils x 100 years for 1M), in the store's own snapshot format, to
measure start-up time and memory. The data is made up and not committed.

With HISTORY (default 0), the snapshot also holds that many history entries, as a store
that took API writes keeps them (one write changing one figure of a row each; the server
keeps 100,000 by default, `--history-retention`), so that start-up is measured with the
history a running store carries.
Usage: make_synthetic.py DIR ROWS [HISTORY]"""
import json, os, sys, zlib

directory, rows = sys.argv[1], int(sys.argv[2])
history = int(sys.argv[3]) if len(sys.argv) > 3 else 0
years = 100
councils = max(1, rows // years)
os.makedirs(directory, mode=0o700, exist_ok=True)
regions = ["North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
           "East of England", "London", "South East", "South West"]
# Each history entry is one write after the rows were loaded at generation 1.
generation = 1 + history
parts = ['{"generation":%d,' % generation + ('"change_sequence":%d,"history_floor":0,' % history if history else "") + '"councils":[']
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
parts.append("]")
if history:
    parts.append(',"history":[')
    for h in range(history):
        i, y = h % councils, (h // councils) % years
        origin = '{"kind":"write","key_id":"b0962662e937","request":"PUT /v1/councils/E06%06d/workforce/%d"}' % (i, 2000 + y)
        parts.append(("," if h else "") + '{"version":%d,"at":1763892000,"origin":%s,"first":%d,"changes":[{"key":{"kind":"workforce","council":"E06%06d","year":%d},"action":"updated","fields":[{"field":"caseload","old":%.2f,"new":17.9}]}]}'
                     % (h + 2, origin, h + 1, i, 2000 + y, 10 + h % 1000 / 100))
    parts.append("]")
parts.append("}")
body = "".join(parts).encode()
changes = f" changes={history}" if history else ""
header = f"carewatch-snapshot 1 generation={generation} committed_at=1763892000{changes} length={len(body)} crc32={zlib.crc32(body):08x}\n".encode()
with open(os.path.join(directory, "snapshot-%020d.json" % generation), "wb") as f:
    f.write(header + body)
print(f"wrote {n} workforce rows for {councils} councils and {history} history entries, {len(body) / 1e6:.0f} MB")
