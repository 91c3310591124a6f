#!/usr/bin/env python3
"""Model quality of ddp-train against the Hugging Face Trainer, paired over seeds, with the
random draws taken out one at a time (issue: "Model quality equal to the Hugging Face
Trainer's").

    $(tools/reference-env.sh) bench/quality.py run    [--seeds 1-8] [--rows 8000] [--modes ...]
    $(tools/reference-env.sh) bench/quality.py report [--work DIR]          # the tables, as Markdown

Both sides train all-MiniLM-L6-v2 on the same fixed subset of SST-2's training file (`--rows`
rows drawn once with Python's random.Random(0), kept in file order) for one epoch, batch 32,
lr 5e-5, max length 64, 10 % linear warm-up, weight decay 0.01, and are evaluated on the
whole dev file (872 sentences). The Hugging Face side is `transformers.Trainer` (not a hand
loop: it is what users compare with), seeded with `set_seed(seed)` before the model is made,
as `run_glue.py` does. Modes, each over the same seeds:

  plain       both sides as a user runs them;
  no-dropout  dropout off in both (hidden, attention, classifier);
  same-head   ddp-train starts from the Trainer's freshly initialised model of that seed
              (its classifier saved before training); the Trainer run is the plain one;
  same-order  ddp-train reads the subset in the order the Trainer's sampler visited it
              (recorded in the dataset's __getitem__) with --no-shuffle; Trainer run = plain.

Results go to WORK/results.jsonl, one line per (mode, side, seed); runs already there are
skipped, so an interrupted experiment continues where it stopped.
"""
import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODES = ["plain", "no-dropout", "same-head", "same-order"]
RECIPE = dict(batch_size=32, learning_rate=5e-5, max_length=64, warmup=0.1, weight_decay=0.01, epochs=1)


def seed_list(text):
    seeds = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            seeds += list(range(int(lo), int(hi) + 1))
        else:
            seeds.append(int(part))
    return seeds


def read_tsv(path):
    """(text, label) rows of a GLUE TSV file: header line, text TAB label."""
    rows = []
    with open(path, encoding="utf-8") as f:
        f.readline()
        for line in f:
            if line.strip():
                text, label = line.rstrip("\n").rsplit("\t", 1)
                rows.append((text.strip(), label.strip()))
    return rows


def write_tsv(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("sentence\tlabel\n")
        for text, label in rows:
            f.write(f"{text}\t{label}\n")


def make_subset(a):
    path = os.path.join(a.work, f"train-{a.rows}.tsv")
    if not os.path.exists(path):
        rows = read_tsv(os.path.join(a.data, "train.tsv"))
        chosen = sorted(random.Random(0).sample(range(len(rows)), a.rows))
        write_tsv(path + ".partial", [rows[i] for i in chosen])
        os.replace(path + ".partial", path)
    return path


# MARK: the Hugging Face side (runs in its own process: one seed, one set of options)

def hf_main(a):
    import numpy as np
    import torch
    import transformers
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                              TrainingArguments, set_seed)

    torch.set_num_threads(a.threads)
    set_seed(a.seed)
    tokenizer = AutoTokenizer.from_pretrained(a.model)
    overrides = {} if a.dropout else dict(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                                          classifier_dropout=0.0)
    model = AutoModelForSequenceClassification.from_pretrained(
        a.model, num_labels=2, id2label={0: "0", 1: "1"}, label2id={"0": 0, "1": 1}, **overrides)
    if a.save_start:
        model.save_pretrained(a.save_start)
        tokenizer.save_pretrained(a.save_start)

    class Rows(torch.utils.data.Dataset):
        def __init__(self, rows, log=None):
            self.encoded = tokenizer([t for t, _ in rows], truncation=True, max_length=RECIPE["max_length"])
            self.labels = [int(l) for _, l in rows]
            self.log = log

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, i):
            if self.log is not None:
                self.log.append(int(i))
            item = {k: v[i] for k, v in self.encoded.items()}
            item["labels"] = self.labels[i]
            return item

    order = []
    train = Rows(read_tsv(a.train), log=order)
    dev = Rows(read_tsv(a.dev))
    warmup = ({"warmup_steps": RECIPE["warmup"]} if int(transformers.__version__.split(".")[0]) >= 5
              else {"warmup_ratio": RECIPE["warmup"]})
    args = TrainingArguments(
        output_dir=a.out, per_device_train_batch_size=RECIPE["batch_size"], per_device_eval_batch_size=64,
        learning_rate=RECIPE["learning_rate"], num_train_epochs=RECIPE["epochs"], weight_decay=RECIPE["weight_decay"],
        lr_scheduler_type="linear", seed=a.seed, logging_steps=50, save_strategy="no", eval_strategy="no",
        report_to="none", use_cpu=True, dataloader_num_workers=0, disable_tqdm=True, **warmup)

    def accuracy(prediction):
        return {"accuracy": float((np.argmax(prediction.predictions, axis=-1) == prediction.label_ids).mean())}

    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=dev,
                      data_collator=DataCollatorWithPadding(tokenizer), compute_metrics=accuracy)
    started = time.monotonic()
    trained = trainer.train()
    seconds = time.monotonic() - started
    metrics = trainer.evaluate()
    if len(order) != len(train):
        sys.exit(f"recorded {len(order)} sample visits for {len(train)} rows: the order log is incomplete")
    if a.save_order:
        with open(a.save_order, "w") as f:
            json.dump(order, f)
    print(json.dumps({"accuracy": metrics["eval_accuracy"], "eval_loss": metrics["eval_loss"],
                      "train_loss": trained.training_loss, "seconds": seconds,
                      "versions": {"torch": torch.__version__, "transformers": transformers.__version__}}))


# MARK: the experiment

def result_key(mode, side, seed):
    return f"{mode}/{side}/{seed}"


def load_results(work):
    path = os.path.join(work, "results.jsonl")
    results = {}
    if os.path.exists(path):
        for line in open(path):
            r = json.loads(line)
            results[result_key(r["mode"], r["side"], r["seed"])] = r
    return results


def append_result(work, record):
    with open(os.path.join(work, "results.jsonl"), "a") as f:
        f.write(json.dumps(record) + "\n")


def run_hf(a, seed, dropout, out):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    command = [sys.executable, os.path.abspath(__file__), "hf", "--seed", str(seed), "--model", a.model,
               "--train", a.subset, "--dev", os.path.join(a.data, "dev.tsv"), "--out", os.path.join(out, "trainer"),
               "--threads", str(a.threads)]
    if dropout:
        command += ["--save-start", os.path.join(out, "start"), "--save-order", os.path.join(out, "order.json")]
    else:
        command += ["--no-dropout"]
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=open(os.path.join(out, "log"), "w"),
                          text=True)
    shutil.rmtree(os.path.join(out, "trainer"), ignore_errors=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_ddp(a, seed, out, extra, train):
    shutil.rmtree(out, ignore_errors=True)
    command = ["mpirun", "--np", str(a.ranks), "--bind-to", "none"]
    if os.geteuid() == 0:
        command += ["--allow-run-as-root", "--oversubscribe"]
    command += [a.binary, "train", "--model", a.model, "--train", train, "--validation",
                os.path.join(a.data, "dev.tsv"), "--output", out, "--seed", str(seed),
                "--epochs", str(RECIPE["epochs"]), "--batch-size", str(RECIPE["batch_size"]),
                "--learning-rate", str(RECIPE["learning_rate"]), "--max-length", str(RECIPE["max_length"]),
                "--warmup-ratio", str(RECIPE["warmup"]), "--weight-decay", str(RECIPE["weight_decay"]),
                "--logging-steps", "50", "--save-total-limit", "1", "--threads", str(max(1, a.threads // a.ranks))]
    command += extra
    env = dict(os.environ, DDP_TRAIN_PROGRESS="lines")
    started = time.monotonic()
    with open(out + ".log", "w") as log:
        subprocess.run(command, check=True, stdout=log, stderr=subprocess.STDOUT, env=env)
    seconds = time.monotonic() - started
    records = [json.loads(line) for line in open(os.path.join(out, "metrics.jsonl"))]
    final = [r for r in records if "eval_accuracy" in r][-1]
    losses = [r["loss"] for r in records if "loss" in r]
    result = {"accuracy": final["eval_accuracy"], "eval_loss": final["eval_loss"],
              "train_loss": sum(losses) / len(losses), "seconds": seconds}
    for name in os.listdir(out):
        if name.startswith("checkpoint-") or name.endswith(".safetensors"):
            path = os.path.join(out, name)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    return result


def experiment(a):
    os.makedirs(a.work, exist_ok=True)
    a.subset = make_subset(a)
    # A private copy of the binary: rebuilding the tree mid-experiment must not change it.
    binary = os.path.join(a.work, "ddp-train")
    if not os.path.exists(binary):
        shutil.copy2(a.binary, binary)
    elif open(binary, "rb").read() != open(a.binary, "rb").read():
        print(f"note: continuing with the binary this experiment started with ({binary}), not {a.binary};"
              " use a new --work to measure another build", flush=True)
    a.binary = binary
    modes = a.modes.split(",")
    done = load_results(a.work)
    for seed in seed_list(a.seeds):
        hf_plain = os.path.join(a.work, f"hf-plain-{seed}")
        for mode in modes:
            for side in ["hf", "ddp-train"]:
                if result_key(mode, side, seed) in done:
                    continue
                if side == "hf":
                    if mode in ("same-head", "same-order"):
                        continue  # the reference of these is the plain Trainer run
                    result = run_hf(a, seed, mode != "no-dropout",
                                    hf_plain if mode == "plain" else os.path.join(a.work, f"hf-{mode}-{seed}"))
                else:
                    needs_plain = mode in ("same-head", "same-order")
                    if needs_plain and not os.path.exists(os.path.join(hf_plain, "order.json")):
                        sys.exit(f"{mode} needs the plain Trainer run of seed {seed}: include 'plain' in --modes")
                    extra, train = [], a.subset
                    if mode == "no-dropout":
                        extra = ["--dropout", "0", "--classifier-dropout", "0"]
                    elif mode == "same-head":
                        extra = ["--model", os.path.join(hf_plain, "start")]
                    elif mode == "same-order":
                        rows = read_tsv(a.subset)
                        order = json.load(open(os.path.join(hf_plain, "order.json")))
                        train = os.path.join(a.work, f"train-hf-order-{seed}.tsv")
                        write_tsv(train, [rows[i] for i in order])
                        extra = ["--no-shuffle"]
                    result = run_ddp(a, seed, os.path.join(a.work, f"ddp-{mode}-{seed}"), extra, train)
                record = dict(mode=mode, side=side, seed=seed, rows=a.rows, **result)
                append_result(a.work, record)
                done[result_key(mode, side, seed)] = record
                print(f"{mode:11s} {side:9s} seed {seed:3d}: accuracy {100 * result['accuracy']:.2f} %"
                      f"  ({result['seconds']:.0f} s)", flush=True)


# MARK: statistics and the report

def paired(differences):
    """Mean, standard error, 95 % interval, and two-sided p-values (paired t, Wilcoxon)."""
    from scipy import stats
    n = len(differences)
    mean = sum(differences) / n
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / (n - 1)) if n > 1 else float("nan")
    se = sd / math.sqrt(n)
    half = stats.t.ppf(0.975, n - 1) * se if n > 1 else float("nan")
    t_p = stats.ttest_rel([d for d in differences], [0.0] * n).pvalue if n > 1 and sd > 0 else float("nan")
    w_p = stats.wilcoxon(differences).pvalue if n > 1 and any(differences) else float("nan")
    return dict(n=n, mean=mean, sd=sd, se=se, low=mean - half, high=mean + half, t_p=t_p, wilcoxon_p=w_p)


def report(a):
    results = load_results(a.work)
    lines = []
    for mode in MODES:
        reference_mode = "plain" if mode in ("same-head", "same-order") else mode
        seeds = sorted({r["seed"] for r in results.values() if r["mode"] == mode and r["side"] == "ddp-train"
                        and result_key(reference_mode, "hf", r["seed"]) in results})
        if not seeds:
            continue
        hf = [100 * results[result_key(reference_mode, "hf", s)]["accuracy"] for s in seeds]
        ours = [100 * results[result_key(mode, "ddp-train", s)]["accuracy"] for s in seeds]
        diffs = [o - h for o, h in zip(ours, hf)]
        s = paired(diffs)
        lines.append(f"### {mode} ({len(seeds)} seeds, {results[result_key(mode, 'ddp-train', seeds[0])]['rows']} rows)")
        lines.append("")
        lines.append("| seed | " + " | ".join(str(x) for x in seeds) + " | mean ± s.e. |")
        lines.append("|---|" + "---|" * (len(seeds) + 1))
        for name, values in (("HF Trainer", hf), ("ddp-train", ours), ("difference", diffs)):
            m = sum(values) / len(values)
            se = math.sqrt(sum((v - m) ** 2 for v in values) / max(1, len(values) - 1) / len(values))
            lines.append(f"| {name} | " + " | ".join(f"{v:+.2f}" if name == "difference" else f"{v:.2f}"
                                                  for v in values) + f" | {m:.2f} ± {se:.2f} |")
        lines.append("")
        lines.append(f"Mean difference {s['mean']:+.2f} points (s.e. {s['se']:.2f}, 95 % interval "
                     f"{s['low']:+.2f} to {s['high']:+.2f}); paired t-test p = {s['t_p']:.3f}, "
                     f"Wilcoxon signed-rank p = {s['wilcoxon_p']:.3f}.")
        lines.append("")
    print("\n".join(lines))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    model_default = os.environ.get("DDP_TRAIN_MODEL") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ddp-train", "all-MiniLM-L6-v2")
    run = sub.add_parser("run")
    run.add_argument("--seeds", default="1-8")
    run.add_argument("--rows", type=int, default=8000)
    run.add_argument("--modes", default=",".join(MODES))
    run.add_argument("--ranks", type=int, default=2)
    run.add_argument("--threads", type=int, default=2, help="threads of the Trainer; ddp-train: threads ÷ ranks each")
    run.add_argument("--model", default=model_default)
    run.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "sst2"))
    run.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "ddp-train"))
    run.add_argument("--work", default=os.path.join(ROOT, ".build", "quality"))
    rep = sub.add_parser("report")
    rep.add_argument("--work", default=os.path.join(ROOT, ".build", "quality"))
    hf = sub.add_parser("hf")
    hf.add_argument("--seed", type=int, required=True)
    hf.add_argument("--model", required=True)
    hf.add_argument("--train", required=True)
    hf.add_argument("--dev", required=True)
    hf.add_argument("--out", required=True)
    hf.add_argument("--threads", type=int, default=2)
    hf.add_argument("--no-dropout", dest="dropout", action="store_false")
    hf.add_argument("--save-start")
    hf.add_argument("--save-order")
    a = p.parse_args()
    {"run": experiment, "report": report, "hf": hf_main}[a.command](a)


if __name__ == "__main__":
    main()
