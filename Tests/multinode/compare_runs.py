#!/usr/bin/env python3
"""Compares two ddp-train runs as the equivalence check of the training checks does
(Tests/MultiRank/TrainingChecks/Checks.swift): the loss of every step in metrics.jsonl within
1e-6 relative of the reference, and the final model.safetensors within 1e-6 of the reference's
largest parameter magnitude (max |a - b| over all tensors / max |a|). Python's standard library
only, so the multi-node check needs nothing installed.

    compare_runs.py REFERENCE_DIR RUN_DIR [--steps N] [--tolerance 1e-6]

Prints PASS/FAIL lines; exit status 0 only if every comparison passed.
"""
import argparse
import array
import json
import struct
import sys


def losses(directory):
    result = {}
    with open(directory + "/metrics.jsonl") as f:
        for line in f:
            record = json.loads(line)
            if "loss" in record and "step" in record:
                result[record["step"]] = record["loss"]
    return result


def tensors(path):
    """name -> array('f') of every F32 tensor of a safetensors file."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    result = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise SystemExit(f"{path}: {name} is {entry['dtype']}, only F32 is compared")
        begin, end = entry["data_offsets"]
        values = array.array("f")
        values.frombytes(data[begin:end])
        if sys.byteorder != "little":
            values.byteswap()
        result[name] = values
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("reference")
    parser.add_argument("run")
    parser.add_argument("--steps", type=int, default=None, help="steps the reference must have logged")
    parser.add_argument("--tolerance", type=float, default=1e-6)
    a = parser.parse_args()
    failures = 0

    def check(ok, name, detail=""):
        nonlocal failures
        print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else "\n" + detail))
        failures += 0 if ok else 1

    reference, run = losses(a.reference), losses(a.run)
    if a.steps is not None:
        check(len(reference) == a.steps, f"reference logged {a.steps} losses", str(reference))
    worst = max((abs(run.get(step, float("inf")) - loss) / loss for step, loss in reference.items()),
                default=float("inf"))
    check(worst <= a.tolerance, f"loss trajectory equals the reference (worst relative difference {worst:.3g})",
          f"reference: {sorted(reference.items())}\nrun: {sorted(run.items())}")

    x, y = tensors(a.reference + "/model.safetensors"), tensors(a.run + "/model.safetensors")
    if sorted(x) != sorted(y):
        check(False, "same tensors in both models", f"{len(x)} vs {len(y)}: {sorted(set(x) ^ set(y))[:5]}")
    else:
        difference = scale = 0.0
        for name, values in x.items():
            other = y[name]
            if len(other) != len(values):
                check(False, f"{name}: same size", f"{len(values)} vs {len(other)}")
                continue
            difference = max(difference, max(map(lambda p, q: abs(p - q), values, other), default=0.0))
            scale = max(scale, max(map(abs, values), default=0.0))
        relative = difference / max(scale, 1e-30)
        check(relative <= a.tolerance,
              f"final parameters equal the reference (max difference {relative:.3g} of the largest magnitude, "
              f"{len(x)} tensors)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
