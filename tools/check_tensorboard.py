#!/usr/bin/env python3
"""Checks a run's TensorBoard event file with TensorBoard's own reader.

    .venv-ref/bin/python tools/check_tensorboard.py OUTPUT [--logdir DIR]

1. EventAccumulator lists the same scalars, under the Hugging Face tag names, at the same
   steps as OUTPUT/metrics.jsonl (values as the float32 the event holds);
2. the event file cut in the middle of its last record (a crash mid-write) still loads, up
   to its last whole event: every record but the last.

Needs the `tensorboard` package (the reference environment, not CI). Exits 1 on a mismatch.
"""
import argparse
import glob
import json
import math
import os
import shutil
import struct
import sys
import tempfile
from collections import defaultdict

from tensorboard.backend.event_processing import event_accumulator


def tag(key, evaluation):
    """TensorBoardTags.tag: HF rewrite_logs, with eval records' other keys under eval/."""
    if key == "step":
        return None
    for prefix in ("eval_", "test_"):
        if key.startswith(prefix):
            return prefix[:-1] + "/" + key[len(prefix):]
    return "eval/" + key if evaluation and key != "epoch" else "train/" + key


def f32(value):
    return float("nan") if value is None else struct.unpack("<f", struct.pack("<f", value))[0]


def expected(records):
    scalars = defaultdict(list)
    for record in records:
        evaluation = any(k.startswith("eval_") for k in record)
        for key, value in record.items():
            t = tag(key, evaluation)
            if t is not None:
                scalars[t].append((int(record["step"]), f32(value)))
    return scalars


def loaded(path):
    accumulator = event_accumulator.EventAccumulator(path, size_guidance={event_accumulator.SCALARS: 0})
    accumulator.Reload()
    return {t: [(e.step, e.value) for e in accumulator.Scalars(t)] for t in accumulator.Tags()["scalars"]}


def same(a, b):
    key = lambda p: (p[0], math.isnan(p[1]), 0 if math.isnan(p[1]) else p[1])
    return sorted(a, key=key) == sorted(b, key=key) or (
        len(a) == len(b) and all(x[0] == y[0] and (x[1] == y[1] or (math.isnan(x[1]) and math.isnan(y[1])))
                                 for x, y in zip(sorted(a, key=key), sorted(b, key=key))))


def compare(want, got, what):
    problems = []
    for t in sorted(set(want) | set(got)):
        if not same(want.get(t, []), got.get(t, [])):
            problems.append(f"{what}: {t}: metrics.jsonl {want.get(t, [])[:4]}… vs events {got.get(t, [])[:4]}…")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output")
    parser.add_argument("--logdir", help="default: OUTPUT/runs")
    args = parser.parse_args()
    with open(os.path.join(args.output, "metrics.jsonl")) as f:
        records = [json.loads(line) for line in f if line.strip()]
    files = sorted(glob.glob(os.path.join(args.logdir or os.path.join(args.output, "runs"), "events.out.tfevents.*")))
    if not files:
        sys.exit("no events.out.tfevents.* file")
    if len(files) > 1:
        # Each training invocation starts a file (as transformers); a fresh run's is the newest.
        print(f"note: {len(files)} event files, checking the newest")
        files = files[-1:]
    want, got = expected(records), loaded(files[0])
    problems = compare(want, got, "whole file")
    points = sum(len(v) for v in got.values())
    print(f"{files[0]}: {len(got)} tags, {points} scalars at {len({p[0] for v in got.values() for p in v})} steps; "
          f"metrics.jsonl: {len(records)} records")

    # A crash mid-write: cut the last record in the middle of its data.
    with open(files[0], "rb") as f:
        data = f.read()
    offset, last = 0, 0
    while offset + 12 <= len(data):
        (length,) = struct.unpack("<Q", data[offset:offset + 8])
        last, offset = offset, offset + 16 + length
    with tempfile.TemporaryDirectory() as directory:
        torn = os.path.join(directory, os.path.basename(files[0]))
        with open(torn, "wb") as f:
            f.write(data[:last + 12 + (len(data) - last - 16) // 2])
        got_torn = loaded(torn)
    problems += compare(expected(records[:-1]), got_torn, "file cut mid-record")
    print(f"cut at byte {last + 12 + (len(data) - last - 16) // 2} of {len(data)} (inside the last record): "
          f"{sum(len(v) for v in got_torn.values())} scalars load, those of the {len(records) - 1} whole records")
    for p in problems:
        print("MISMATCH", p)
    print("OK: TensorBoard's EventAccumulator reads the same scalars at the same steps as metrics.jsonl"
          if not problems else f"{len(problems)} mismatches")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
