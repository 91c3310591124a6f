#!/usr/bin/env python3
"""Interoperability check for GPT-2: models saved by ddp-train load in transformers
(AutoModelForCausalLM) with the same logits.

    DDP_TRAIN_GPT2_EXPORT=/tmp/gpt2-export swift test --filter GPT2CheckpointTests
    $(tools/reference-env.sh) tools/check_gpt2_interop.py /tmp/gpt2-export [--tolerance 1e-5]

Each subdirectory holds config.json + model.safetensors as ddp-train saves them and
ddp-logits.safetensors (the packed probe ids, their lengths and ddp-train's logits). Exit
status 1 when a model does not load as a GPT2LMHeadModel or a logit differs by more than
the tolerance.
"""
import argparse
import os
import sys

import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

parser = argparse.ArgumentParser()
parser.add_argument("export")
parser.add_argument("--tolerance", type=float, default=1e-5)
args = parser.parse_args()
failed = False
for name in sorted(os.listdir(args.export)):
    directory = os.path.join(args.export, name)
    probe = load_file(os.path.join(directory, "ddp-logits.safetensors"))
    model = AutoModelForCausalLM.from_pretrained(directory).eval()
    ids, lengths, ours = probe["ids"].long(), probe["lengths"].long().tolist(), probe["logits"]
    theirs, start = [], 0
    with torch.no_grad():
        for n in lengths:
            theirs.append(model(input_ids=ids[start:start + n].unsqueeze(0)).logits[0])
            start += n
    difference = (torch.cat(theirs) - ours).abs().max().item()
    ok = type(model).__name__ == "GPT2LMHeadModel" and difference <= args.tolerance
    failed |= not ok
    print(f"{name}: {type(model).__name__}, max |logit difference| {difference:.2e} {'ok' if ok else 'FAILED'}")
sys.exit(1 if failed else 0)
