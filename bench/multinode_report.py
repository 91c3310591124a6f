#!/usr/bin/env python3
"""The table of bench/multinode.sh: measured efficiency across 2 namespace "nodes" beside
bench/scaling.py's prediction for the same inputs.

    python3 bench/multinode_report.py LOG

LOG holds ddp-bench RESULT lines, each with a "run" of "alone/-" (one rank, half the global
batch) or "<Mbit/s>/<overlap>". Per model: T = the median step of the runs alone, Tb its
backward part; per link and reduction the median over runs of the 2-node step (the maximum
over ranks of each step, median over steps). Efficiency = T / step. The prediction is
scaling.py's model at W = 2 with the bytes actually reduced (S) and B = 70 % of the cap:
flat T / (T + t), overlapped (bound) T / (T − Tb + max(Tb, t − t/16) + t/16), t = S/B + 2α.
"Compute" is forward + backward + optimizer of the 2-node step, "wait" the time spent waiting
for the reduction after backward (all of the allreduce when flat); compute / step is the
efficiency the network alone leaves (the 2 ranks also slow each other's compute on 2 shared
cores). "Link used" is S over the flat runs' wait (each direction of a link carries S at
W = 2), in Gbit/s.
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scaling import allreduce_seconds  # noqa: E402

LATENCY = 20e-6  # Ethernet, as scaling.py


def main():
    runs = {}
    for line in open(sys.argv[1]):
        if line.startswith("load"):
            print(line.strip())
        if not line.startswith("RESULT "):
            continue
        result = json.loads(line[len("RESULT "):])
        runs.setdefault((result["model"], result["run"]), []).append(result)
    models = sorted({model for model, _ in runs}, key=lambda m: m != "minilm")
    print()
    print("| model, per rank | link | reduction | 2-node step s (runs) | compute s | wait s | link used | "
          "efficiency, measured | predicted | compute / step |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for model in models:
        alone = runs.get((model, "alone/-"), [])
        if not alone:
            continue
        t_alone = statistics.median(r["step_s_median"] for r in alone)
        backward = statistics.median(r["bwd_s_median"] for r in alone)
        shape = f"{alone[0]['batch']} × {alone[0]['seq']}"
        label = f"{model}, {shape} (alone {t_alone:.2f} s, {len(alone)} runs)"
        rates = sorted({int(run.split("/")[0]) for m, run in runs if m == model and run != "alone/-"})
        for rate in rates:
            flat_runs = runs.get((model, f"{rate}/false"), [])
            link = None
            if flat_runs:
                seconds = statistics.median(r["comm_wait_s_median"] for r in flat_runs)
                link = flat_runs[0]["reduced_bytes_per_step"] * 8 / seconds / 1e9 if seconds > 0 else None
            for overlap in ("false", "true"):
                group = runs.get((model, f"{rate}/{overlap}"), [])
                if not group:
                    continue
                step = statistics.median(r["step_s_median"] for r in group)
                reduced = group[0]["reduced_bytes_per_step"]
                t = allreduce_seconds(reduced, 2, rate * 1e6 / 8 * 0.7, LATENCY)
                if overlap == "false":
                    predicted = t_alone / (t_alone + t)
                else:
                    last = t / 16
                    predicted = t_alone / (t_alone - backward + max(backward, t - last) + last)
                compute = statistics.median(r["fwd_s_median"] + r["bwd_s_median"] + r["opt_s_median"] for r in group)
                wait = statistics.median(r["comm_wait_s_median"] for r in group)
                steps = ", ".join(f"{r['step_s_median']:.2f}" for r in group)
                used = "" if link is None or overlap == "true" else f"{link:.2f} Gb/s"
                print(f"| {label} | {rate / 1000:g} Gb/s | {'overlapped' if overlap == 'true' else 'flat'} | "
                      f"{step:.2f} ({steps}) | {compute:.2f} | {wait:.2f} | {used} | "
                      f"{100 * t_alone / step:.0f} % | {100 * predicted:.0f} % | {100 * compute / step:.0f} % |")
                label = ""
    print()
    print("Reduced per step: " + ", ".join(
        f"{model} {runs[(model, run)][0]['reduced_bytes_per_step'] / 1e6:.1f} MB"
        for model in models for run in ["1000/false"] if (model, run) in runs))


if __name__ == "__main__":
    main()
