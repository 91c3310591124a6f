#!/usr/bin/env python3
"""Training throughput of ddp-train against the Hugging Face Trainer on real rows, same recipe,
same machine, one after the other (issue: close to the hardware on every CPU).

    $(tools/reference-env.sh) bench/trainer_speed.py [--rows 2000] [--ranks 2] [--threads 2] [--isa avx2|avx512]

`--isa` holds both sides to one instruction set, as `ISA=` in bench/run.sh (bench/isa.sh
builds ddp-train for it and says what it sets): `avx2` is an AVX2 node such as Zen 3 emulated
on a newer CPU, `avx512` lets OpenBLAS pick its kernels for this CPU.

Two data sets from SST-2's training file (GLUE), written to WORK:
  single  the first ROWS sentences as they are (about 10 words, 13 tokens each on average);
  pairs   ROWS sentence pairs of two sentences of at least 20 words each (50+ tokens a pair),
          labelled 1 when both have the same sentiment — a stand-in for paraphrase/NLI data.

Recipe on both sides: all-MiniLM-L6-v2, one epoch, batch 32, learning rate 5e-5, 10 % linear
warm-up, weight decay 0.01, max length 128, dynamic padding (the Trainer pads each batch to
its longest row; ddp-train packs rows without padding), no evaluation, no checkpoints. Time is
the training steps alone: ddp-train's "done: N steps in S s" (its final checkpoint and model
files follow, timed apart) and the Trainer's `train_runtime` (which saves nothing here).
ddp-train runs `--ranks` ranks × (threads ÷ ranks) threads; the Trainer one process with
`--threads` torch threads. Prints a Markdown table of samples/s and the ratio.

The ceiling: before each pair of runs `ddp-bench peak` measures the sgemm rate of ddp-train's
configuration (ranks × threads), and the table gives each side's rate as a share of it — the
Trainer's on the FLOPs its rows need (padding not counted), ddp-train's on the FLOPs it runs
(its top layer skips the rows the head does not read) — and the ratio ddp-train would reach
running every FLOP at that peak. A target above that ceiling cannot be met on this CPU by
ddp-train's speed alone.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_sst2(path):
    with open(path, encoding="utf-8") as f:
        f.readline()
        return [tuple(line.rstrip("\n").rsplit("\t", 1)) for line in f if line.strip()]


def write_sets(sst2, rows, work):
    train = read_sst2(os.path.join(sst2, "train.tsv"))
    single = os.path.join(work, "single.tsv")
    with open(single, "w", encoding="utf-8") as f:
        f.write("sentence\tlabel\n")
        for text, label in train[:rows]:
            f.write(f"{text.strip()}\t{label}\n")
    long = [(t.strip(), l) for t, l in train if len(t.split()) >= 20]
    rng = random.Random(0)
    pairs = os.path.join(work, "pairs.tsv")
    with open(pairs, "w", encoding="utf-8") as f:
        f.write("sentence1\tsentence2\tlabel\n")
        for _ in range(rows):
            (a, la), (b, lb) = rng.sample(long, 2)
            f.write(f"{a}\t{b}\t{int(la == lb)}\n")
    return {"single": single, "pairs": pairs}


def hf_side(args):
    import torch
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding,
                              Trainer, TrainingArguments, set_seed)
    torch.set_num_threads(args.threads)
    set_seed(42)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    with open(args.data, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    if len(header) == 3:
        encoded = tokenizer([r[0] for r in rows], [r[1] for r in rows], truncation=True, max_length=128)
    else:
        encoded = tokenizer([r[0] for r in rows], truncation=True, max_length=128)
    labels = [int(r[-1]) for r in rows]
    items = [{"input_ids": encoded["input_ids"][i], "attention_mask": encoded["attention_mask"][i],
              "token_type_ids": encoded["token_type_ids"][i], "labels": labels[i]} for i in range(len(rows))]
    model = AutoModelForSequenceClassification.from_pretrained(args.model, num_labels=2)
    training = TrainingArguments(
        output_dir=args.out, per_device_train_batch_size=32, learning_rate=5e-5, num_train_epochs=1,
        warmup_steps=0.1, weight_decay=0.01, logging_steps=1000, save_strategy="no", report_to=[],
        use_cpu=True, dataloader_num_workers=0, seed=42)
    trainer = Trainer(model=model, args=training, train_dataset=items, data_collator=DataCollatorWithPadding(tokenizer))
    result = trainer.train()
    tokens = sum(len(x["input_ids"]) for x in items)
    pairs = sum(len(x["input_ids"]) ** 2 for x in items)
    print("RESULT " + json.dumps({"seconds": result.metrics["train_runtime"], "rows": len(items), "tokens": tokens,
                                  "attention_pairs": pairs}))


def training_flops(model, rows, tokens, attention_pairs):
    """One epoch's training FLOPs of a BERT sequence classifier over rows of these lengths (no
    padding), as ddp-bench counts them (`Measurements.flops` and `skippedByFirstTokenTopLayer`):
    (the model's count, what ddp-train runs with its top layer on the [CLS] rows only)."""
    with open(os.path.join(model, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    layers, hidden, ffn = config["num_hidden_layers"], config["hidden_size"], config["intermediate_size"]
    weights = layers * (4 * hidden * hidden + 2 * hidden * ffn)
    full = 6 * weights * tokens + 12 * layers * hidden * attention_pairs + 6 * (hidden * hidden + 2 * hidden) * rows
    skipped = 6 * (hidden * hidden + 2 * hidden * ffn) * (tokens - rows) + 12 * hidden * (attention_pairs - tokens)
    return full, full - skipped


def sgemm_peak(binary, ranks, threads):
    """GFLOP/s of OpenBLAS's sgemm on every rank at once, as ddp-bench measures its peak."""
    command = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", str(ranks),
               "-x", f"DDP_TRAIN_THREADS={max(1, threads // ranks)}", binary, "peak"]
    log = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(log.split("RESULT ", 1)[1].splitlines()[0])["sgemm_peak_GFLOPs"]


def ours(binary, model, data, ranks, threads, work):
    out = os.path.join(work, "ddp-out")
    command = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", str(ranks),
               "-x", f"DDP_TRAIN_THREADS={max(1, threads // ranks)}", binary, "train", "--model", model,
               "--train", data, "--output", out, "--epochs", "1", "--batch-size", "32", "--learning-rate", "5e-5",
               "--warmup-ratio", "0.1", "--weight-decay", "0.01", "--max-length", "128", "--save-steps", "0",
               "--report-to", "none"]
    log = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"done: (\d+) steps in ([0-9.]+) s", log)
    subprocess.run(["rm", "-rf", out])
    return float(match.group(2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=os.environ.get(
        "DDP_TRAIN_MODEL", os.path.expanduser("~/.cache/ddp-train/all-MiniLM-L6-v2")))
    parser.add_argument("--sst2", default=os.path.join(ROOT, "..", "shared", "data", "sst2"))
    parser.add_argument("--binary", help="a ddp-train binary to run instead of the one built for --isa")
    parser.add_argument("--work", default="/tmp/ddp-train-trainer-speed")
    parser.add_argument("--isa", choices=["avx2", "avx512"])
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure each data set this many times, the Trainer first in odd rounds and ddp-train "
                             "first in even ones (this machine drifts between consecutive runs)")
    parser.add_argument("--hf-side", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hf_side:
        return hf_side(args)
    # bench/isa.sh builds ddp-train (and ddp-bench, for the peak) for the instruction set and says
    # what both sides set.
    bench = subprocess.run([os.path.join(ROOT, "bench", "isa.sh"), args.isa or "", "ddp-bench"],
                           stdout=subprocess.PIPE, text=True, check=True).stdout.split("binary=", 1)[1].strip()
    settings = subprocess.run([os.path.join(ROOT, "bench", "isa.sh"), args.isa or "", "ddp-train"],
                              stdout=subprocess.PIPE, text=True, check=True).stdout
    for line in settings.splitlines():
        if line.startswith("unset "):
            os.environ.pop(line[len("unset "):], None)
        elif line.startswith("export "):
            name, value = line[len("export "):].split("=", 1)
            os.environ[name] = value
        elif line.startswith("binary="):
            args.binary = args.binary or line[len("binary="):]
    print(f"OpenBLAS core for ddp-train: {os.environ.get('OPENBLAS_CORETYPE', 'its own choice')}; "
          f"PyTorch CPU capability: {os.environ.get('ATEN_CPU_CAPABILITY', 'its own choice')}\n")
    os.makedirs(args.work, exist_ok=True)
    sets = write_sets(args.sst2, args.rows, args.work)
    print("| data | round | rows | mean tokens/row | ddp-train samples/s | Trainer samples/s | ratio "
          "| sgemm peak GFLOP/s | ddp-train % of peak | Trainer % of peak | ratio at 100 % of peak |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ratios = {name: [] for name in sets}
    for round in range(1, args.rounds + 1):
        for name, path in sets.items():
            def trainer():
                hf = subprocess.run([sys.executable, __file__, "--hf-side", "--data", path, "--model", args.model,
                                     "--out", os.path.join(args.work, "hf-out"), "--threads", str(args.threads)],
                                    capture_output=True, text=True, check=True).stdout
                return json.loads(hf.split("RESULT ", 1)[1].splitlines()[0])
            peak = sgemm_peak(bench, args.ranks, args.threads)
            if round % 2 == 1:
                result = trainer()
                seconds = ours(args.binary, args.model, path, args.ranks, args.threads, args.work)
            else:
                seconds = ours(args.binary, args.model, path, args.ranks, args.threads, args.work)
                result = trainer()
            rows = result["rows"]
            ratios[name].append(result["seconds"] / seconds)
            full, executed = training_flops(args.model, rows, result["tokens"], result["attention_pairs"])
            print(f"| {name} | {round} | {rows} | {result['tokens'] / rows:.1f} | {rows / seconds:.1f} | "
                  f"{rows / result['seconds']:.1f} | {result['seconds'] / seconds:.2f}× | {peak:.0f} | "
                  f"{100 * executed / seconds / 1e9 / peak:.0f} % | {100 * full / result['seconds'] / 1e9 / peak:.0f} % | "
                  f"{result['seconds'] * peak * 1e9 / executed:.2f}× |", flush=True)
    if args.rounds > 1:
        for name, values in ratios.items():
            print(f"\n{name}: mean ratio {sum(values) / len(values):.2f}× (rounds: "
                  + ", ".join(f"{v:.2f}×" for v in values) + ")", end="")
        print()


if __name__ == "__main__":
    main()
