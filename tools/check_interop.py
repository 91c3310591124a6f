#!/usr/bin/env python3
"""Interoperability check: a model saved by ddp-train loads in Hugging Face transformers
(AutoModelForSequenceClassification / AutoModelForTokenClassification, from config.json)
and gives the same logits as `ddp-train predict` on the same input.

    .build/release/ddp-train predict --model runs/x --input dev.tsv --output /tmp/pred.jsonl
    $(tools/reference-env.sh) tools/check_interop.py runs/x dev.tsv /tmp/pred.jsonl [--tolerance 1e-4]

Input formats as ddp-train reads them: TSV with a header (`sentence` or `sentence1` +
`sentence2` columns, else the first column), JSON lines with `text`, or CoNLL (one word per
line, blank lines between sentences) for token classification — whose logits are compared
at each word's first piece. Exit status 1 when any logit differs by more than the tolerance
or a predicted label differs.
"""
import argparse
import json
import sys

import torch
from transformers import AutoConfig, AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoTokenizer


def read_inputs(path):
    """List of (text, pair) or, for CoNLL, list of word lists."""
    if path.endswith(".conll") or path.endswith(".txt"):
        sentences, words = [], []
        for line in open(path, encoding="utf-8"):
            line = line.strip()
            if not line:
                if words:
                    sentences.append(words)
                words = []
            elif not line.startswith("-DOCSTART-"):
                words.append(line.split()[0])
        if words:
            sentences.append(words)
        return sentences
    if path.endswith(".jsonl"):
        return [(json.loads(line)["text"], None) for line in open(path, encoding="utf-8") if line.strip()]
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        first = header.index("sentence1") if "sentence1" in header else (header.index("sentence") if "sentence" in header else 0)
        second = header.index("sentence2") if "sentence2" in header else None
        rows = []
        for line in f:
            if not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            rows.append((fields[first].strip(), fields[second].strip() if second is not None else None))
        return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("input")
    p.add_argument("predictions")
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--max-length", type=int, default=128)
    a = p.parse_args()
    config = AutoConfig.from_pretrained(a.model)
    token_task = any(arch.endswith("ForTokenClassification") for arch in config.architectures)
    auto = AutoModelForTokenClassification if token_task else AutoModelForSequenceClassification
    model = auto.from_pretrained(a.model).eval()
    tokenizer = AutoTokenizer.from_pretrained(a.model)
    inputs = read_inputs(a.input)
    ours = [json.loads(line) for line in open(a.predictions, encoding="utf-8")]
    assert len(ours) == len(inputs), f"{len(ours)} predictions for {len(inputs)} inputs"
    worst, compared = 0.0, 0
    with torch.no_grad():
        for item, mine in zip(inputs, ours):
            if token_task:
                enc = tokenizer(item, is_split_into_words=True, truncation=True, max_length=a.max_length, return_tensors="pt")
                logits = model(**enc).logits[0]
                seen, rows = set(), []
                for t, w in enumerate(enc.word_ids()):
                    if w is not None and w not in seen:
                        seen.add(w)
                        rows.append(logits[t].tolist())
                theirs = rows
                mine_rows = mine["logits"]
            else:
                text, pair = item
                enc = tokenizer(text, pair, truncation=True, max_length=a.max_length, return_tensors="pt")
                theirs = [model(**enc).logits[0].tolist()]
                mine_rows = [mine["logits"]]
            assert len(theirs) == len(mine_rows), f"line {mine['line']}: {len(theirs)} rows vs {len(mine_rows)}"
            for x, y in zip(theirs, mine_rows):
                worst = max(worst, max(abs(u - v) for u, v in zip(x, y)))
                compared += len(x)
    architecture = config.architectures[0]
    print(f"{architecture} ({config.problem_type or 'token labels' if token_task else config.problem_type}): "
          f"{len(inputs)} inputs, {compared} logits, max |difference| {worst:.2e} (tolerance {a.tolerance})")
    sys.exit(0 if worst <= a.tolerance else 1)


if __name__ == "__main__":
    main()
