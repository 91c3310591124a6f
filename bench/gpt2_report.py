#!/usr/bin/env python3
"""The RESULT lines of one bench/gpt2.sh run as a Markdown section: per shape, ddp-train's
and PyTorch's tokens/s (each the mean over its two interleaved runs, A B B A), the ratio,
the ratio of each adjacent pair (A1/B1, A2/B2: the spread drift leaves), and ddp-train's
GFLOP/s as a share of the sgemm peak measured in its own processes (the best 0.25-s window).
"best-step ratio" compares the fastest timed step of each side over all its runs: on a
machine other jobs share, the least disturbed step is the steadiest estimate."""
import datetime
import json
import subprocess
import sys


def main():
    lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
    rs = [json.loads(l[len("RESULT "):]) for l in lines if l.startswith("RESULT ")]
    loads = [float(l.split()[1]) for l in lines if l.startswith("LOAD ")]
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next((l.split(":", 1)[1].strip() for l in cpu.splitlines() if l.startswith("Model name")), "?")
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(f"\n## {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC — GPT-2 124M causal LM, "
          f"{model}, {cores} cores\n")
    print("Command: `bench/gpt2.sh` (GPT-2 small from a config, random weights, tied head, dropout 0.1, "
          "AdamW; ddp-train `ddp-bench gpt2` 1 rank × 2 threads vs transformers `GPT2LMHeadModel` "
          "(`bench/torch_gpt2.py`, 2 threads), interleaved A B B A per shape; median step of each run).\n")
    print("| B × T | ddp-train tok/s | fwd+loss / bwd / opt s | PyTorch tok/s | fwd+loss / bwd / opt s | ratio "
          "| pair ratios | best-step ratio | ddp-train GFLOP/s | % of sgemm peak (median, best step) | PyTorch % of peak (median, best step) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    shapes = []
    for r in rs:
        if (r["batch"], r["seq"]) not in shapes:
            shapes.append((r["batch"], r["seq"]))
    for b, t in shapes:
        ours = [r for r in rs if r.get("mode") == "gpt2" and (r["batch"], r["seq"]) == (b, t)]
        theirs = [r for r in rs if r.get("label") == "pytorch-gpt2" and (r["batch"], r["seq"]) == (b, t)]
        if not ours or not theirs:
            continue
        mean = lambda xs: sum(xs) / len(xs)
        o = mean([r["tokens_per_s"] for r in ours])
        p = mean([r["tokens_per_s"] for r in theirs])
        pairs = [ours[0]["tokens_per_s"] / theirs[0]["tokens_per_s"]]
        if len(ours) > 1 and len(theirs) > 1:
            pairs.append(ours[-1]["tokens_per_s"] / theirs[-1]["tokens_per_s"])
        peak = max(r["sgemm_peak_GFLOPs"] for r in ours)
        ours_best = min(min(r["step_s_all"]) for r in ours)
        theirs_best = min(min(r["step_s_all"]) for r in theirs)
        best = theirs_best / ours_best
        ob = ours[0]["flops_per_step"] / ours_best / 1e9
        pb = theirs[0]["flops_per_step"] / theirs_best / 1e9
        og = mean([r["achieved_GFLOPs"] for r in ours])
        pg = mean([r["achieved_GFLOPs"] for r in theirs])
        parts = lambda rr: " / ".join(f"{mean([r[k] for r in rr]):.2f}" for k in ("fwd_s_median", "bwd_s_median", "opt_s_median"))
        print(f"| {b} × {t} | {o:.0f} | {parts(ours)} | {p:.0f} | {parts(theirs)} | **{o / p:.2f}×** | "
              f"{', '.join(f'{x:.2f}' for x in pairs)} | {best:.2f}× | {og:.0f} | {100 * og / peak:.0f}%, "
              f"{100 * ob / peak:.0f}% of {peak:.0f} | {100 * pg / peak:.0f}%, {100 * pb / peak:.0f}% |")
    if loads:
        print(f"\n1-minute load average before each run: {', '.join(f'{x:.1f}' for x in loads)} "
              f"(2 cores; above ~2 other jobs were running).")
    print("\nFLOPs per step: 6 × (block GEMM weights + the tied head's V·C) × tokens + 12·L·C·T × tokens "
          "(attention over the full T × T square); element-wise work, the loss and AdamW not counted.")


if __name__ == "__main__":
    main()
