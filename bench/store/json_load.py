#!/usr/bin/env python3
"""Reads a carewatch snapshot with Python's json.load (after its one header line): the
yardstick for the store's start-up. Usage: json_load.py SNAPSHOT_FILE"""
import json, sys

with open(sys.argv[1], "rb") as f:
    f.readline()
    document = json.load(f)
print(f"python json.load: {len(document['workforce'])} workforce rows")
