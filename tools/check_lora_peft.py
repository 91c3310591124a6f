#!/usr/bin/env python3
"""LoRA interoperability: the adapters ddp-train saves load in PEFT on top of the base
model and give the same logits as the merged model it saves beside them (and as
`ddp-train predict`).

    .build/release/ddp-train predict --model runs/lora --input dev.tsv --output /tmp/pred.jsonl
    $(tools/reference-env.sh) tools/check_lora_peft.py BASE_MODEL runs/lora dev.tsv /tmp/pred.jsonl

The merged model is runs/lora itself; the adapters are in runs/lora/adapter.

Exit status 1 when the three disagree by more than --tolerance (1e-4).
"""
import argparse
import json
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from check_interop import read_inputs


def main():
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("tuned")
    p.add_argument("input")
    p.add_argument("predictions")
    p.add_argument("--tolerance", type=float, default=1e-4)
    a = p.parse_args()
    merged = AutoModelForSequenceClassification.from_pretrained(a.tuned).eval()
    base = AutoModelForSequenceClassification.from_pretrained(a.base, num_labels=merged.config.num_labels,
                                                              id2label=merged.config.id2label, label2id=merged.config.label2id)
    adapted = PeftModel.from_pretrained(base, a.tuned + "/adapter").eval()
    tokenizer = AutoTokenizer.from_pretrained(a.tuned)
    rows = read_inputs(a.input)
    ours = [json.loads(line)["logits"] for line in open(a.predictions, encoding="utf-8")]
    worst_peft, worst_ours = 0.0, 0.0
    with torch.no_grad():
        for (text, pair), mine in zip(rows, ours):
            enc = tokenizer(text, pair, truncation=True, max_length=128, return_tensors="pt")
            m = merged(**enc).logits[0]
            q = adapted(**enc).logits[0]
            worst_peft = max(worst_peft, float((m - q).abs().max()))
            worst_ours = max(worst_ours, max(abs(x - y) for x, y in zip(m.tolist(), mine)))
    print(f"{len(rows)} rows: merged vs PEFT adapters max |Δlogit| {worst_peft:.2e}; merged vs ddp-train predict {worst_ours:.2e}")
    sys.exit(0 if max(worst_peft, worst_ours) <= a.tolerance else 1)


if __name__ == "__main__":
    main()
