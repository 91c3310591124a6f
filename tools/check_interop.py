#!/usr/bin/env python3
"""Interoperability check: a model saved by ddp-train loads in Hugging Face transformers
and gives the same logits as `ddp-train predict`.

    .build/release/ddp-train predict --model runs/x --input dev.tsv --output /tmp/pred.jsonl
    $(tools/reference-env.sh) tools/check_interop.py runs/x dev.tsv /tmp/pred.jsonl [--tolerance 1e-4]

Reads the input's text column the way ddp-train does for GLUE-style files (header with
`sentence`, split at the last tab, surrounding spaces stripped), runs
AutoModelForSequenceClassification + AutoTokenizer (truncation at --max-length, default
128), and compares every logit. Exit status 1 when any differs by more than the tolerance.
"""
import argparse
import json
import sys

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer


def read_texts(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        column = header.index("sentence") if "sentence" in header else 0
        return [line.rstrip("\n").split("\t")[column].strip() for line in f if line.strip()]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("input")
    p.add_argument("predictions")
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--max-length", type=int, default=128)
    a = p.parse_args()
    tokenizer = AutoTokenizer.from_pretrained(a.model)
    model = AutoModelForSequenceClassification.from_pretrained(a.model).eval()
    texts = read_texts(a.input)
    ours = [json.loads(line) for line in open(a.predictions, encoding="utf-8")]
    assert len(ours) == len(texts), f"{len(ours)} predictions for {len(texts)} rows"
    worst, disagreements = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(texts), 64):
            enc = tokenizer(texts[start:start + 64], padding=True, truncation=True, max_length=a.max_length, return_tensors="pt")
            logits = model(**enc).logits
            for i, row in enumerate(logits.tolist()):
                mine = ours[start + i]
                worst = max(worst, max(abs(x - y) for x, y in zip(row, mine["logits"])))
                label = model.config.id2label[max(range(len(row)), key=row.__getitem__)]
                disagreements += label != mine["label"]
    print(f"{len(texts)} rows: max |logit difference| {worst:.2e}, label disagreements {disagreements}, "
          f"labels {model.config.id2label}")
    sys.exit(0 if worst <= a.tolerance and disagreements == 0 else 1)


if __name__ == "__main__":
    main()
