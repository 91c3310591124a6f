#!/usr/bin/env python3
"""Few-shot SST-2: SetFit (`--task setfit`) against ordinary fine-tuning (`--task
classification`) on the same k examples per class, k in 8, 16, 32, 64, five seeds each.

    python3 bench/fewshot.py [--sizes 8,16,32,64] [--seeds 0,1,2,3,4] [--ranks 2] [--work DIR]

Each seed draws its k sentences per label from the SST-2 training file (Python's
random.Random(seed)); both methods train on exactly those and are scored on all of SST-2 dev
(872 sentences). Settings: SetFit as setfit's defaults (20 iterations, batch 16, body
learning rate 2e-5, one epoch, logistic regression C = 1); fine-tuning as a few-shot user
would (batch 8, learning rate 5e-5, 10 epochs, no warm-up, [CLS] pooler head). Results are
appended per run to WORK/results.jsonl (a rerun skips what is there) and printed as a
Markdown table: dev accuracy mean ± standard deviation over the seeds, and seconds per run.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SST2 = os.environ.get("DDP_TRAIN_SST2", os.path.join(ROOT, "..", "shared", "data", "sst2"))
MODEL = os.environ.get("DDP_TRAIN_MODEL", os.path.expanduser("~/.cache/ddp-train/all-MiniLM-L6-v2"))
BINARY = os.path.join(ROOT, ".build", "release", "ddp-train")

METHODS = {
    "setfit": ["--task", "setfit", "--batch-size", "16", "--learning-rate", "2e-5", "--epochs", "1",
               "--num-iterations", "20"],
    "fine-tuning": ["--task", "classification", "--batch-size", "8", "--learning-rate", "5e-5",
                    "--epochs", "10"],
}


def sample(k, seed, path):
    with open(os.path.join(SST2, "train.tsv"), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    rng = random.Random(seed)
    by_label = {}
    for sentence, label in rows:
        by_label.setdefault(label, []).append(sentence)
    chosen = [(s, label) for label in sorted(by_label) for s in rng.sample(by_label[label], k)]
    rng.shuffle(chosen)
    with open(path, "w", encoding="utf-8") as f:
        f.write("sentence\tlabel\n" + "".join(f"{s}\t{label}\n" for s, label in chosen))


def run(method, k, seed, ranks, work):
    data = os.path.join(work, f"train-{k}-{seed}.tsv")
    sample(k, seed, data)
    output = os.path.join(work, f"{method}-{k}-{seed}")
    command = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(ranks), BINARY, "train",
               "--model", MODEL, "--train", data, "--validation", os.path.join(SST2, "dev.tsv"),
               "--output", output, "--seed", str(seed), "--save-steps", "0", "--eval-steps", "1000000",
               "--max-length", "64", "--report-to", "jsonl"] + METHODS[method]
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    with open(os.path.join(output, "metrics.jsonl"), encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    accuracy = [r["eval_accuracy"] for r in records if "eval_accuracy" in r][-1]
    subprocess.run(["rm", "-rf", output])
    return {"method": method, "k": k, "seed": seed, "accuracy": accuracy, "seconds": seconds}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="8,16,32,64")
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--work", default="/tmp/ddp-train-fewshot")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    log = os.path.join(args.work, "results.jsonl")
    done = []
    if os.path.exists(log):
        with open(log, encoding="utf-8") as f:
            done = [json.loads(line) for line in f]
    sizes = [int(x) for x in args.sizes.split(",")]
    seeds = [int(x) for x in args.seeds.split(",")]
    for k in sizes:
        for seed in seeds:
            for method in METHODS:
                if any(r["method"] == method and r["k"] == k and r["seed"] == seed for r in done):
                    continue
                result = run(method, k, seed, args.ranks, args.work)
                done.append(result)
                with open(log, "a", encoding="utf-8") as f:
                    f.write(json.dumps(result) + "\n")
                print(json.dumps(result), flush=True)
    print("\n| examples per class | SetFit dev accuracy | fine-tuning dev accuracy | SetFit s/run | fine-tuning s/run |")
    print("|---|---|---|---|---|")
    for k in sizes:
        cells = []
        for method in METHODS:
            rows = [r for r in done if r["method"] == method and r["k"] == k and r["seed"] in seeds]
            acc = [100 * r["accuracy"] for r in rows]
            sd = statistics.stdev(acc) if len(acc) > 1 else 0.0
            cells.append((f"{statistics.mean(acc):.1f} ± {sd:.1f}", statistics.mean(r["seconds"] for r in rows)))
        print(f"| {k} | {cells[0][0]} | {cells[1][0]} | {cells[0][1]:.0f} | {cells[1][1]:.0f} |")


if __name__ == "__main__":
    main()
