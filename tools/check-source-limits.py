#!/usr/bin/env python3
"""Checks the size limits of the Swift sources: lines of at most --line-limit characters
(characters, not bytes) and files of at most --file-limit lines. Lists each excess; exit
status 1 if there is any.

    tools/check-source-limits.py [--line-limit 120] [--file-limit 350] [paths ...]
                                 (default paths: Sources Tests bench)
"""
import argparse
import os
import sys

p = argparse.ArgumentParser()
p.add_argument("--line-limit", type=int, default=120)
p.add_argument("--file-limit", type=int, default=350)
p.add_argument("paths", nargs="*", default=["Sources", "Tests", "bench"])
a = p.parse_args()
excesses = 0
for root in a.paths:
    for directory, _, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith(".swift"):
                continue
            path = os.path.join(directory, name)
            lines = open(path, encoding="utf-8").read().split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            if len(lines) > a.file_limit:
                print(f"{path}: {len(lines)} lines (at most {a.file_limit})")
                excesses += 1
            for number, line in enumerate(lines, 1):
                if len(line) > a.line_limit:
                    print(f"{path}:{number}: {len(line)} characters (at most {a.line_limit})")
                    excesses += 1
sys.exit(1 if excesses else 0)
