#!/usr/bin/env python3
"""Causal-LM interoperability with transformers and PEFT, on the tiny GPT-2 fixture:

1. `ddp-train train --task causal-lm` for the 12 steps of Tests/Fixtures/causal-lm/trajectory.json
   saves a model that `AutoModelForCausalLM` loads, with the logits of the same 12 steps run in
   PyTorch (to --tolerance);
2. a LoRA run's adapters (OUTPUT_LORA/adapter) load in PEFT on top of the base model and give
   the logits of the merged model saved beside them.

    B=.build/release/ddp-train M=Tests/Fixtures/causal-lm/tiny-lm D=data/demo-lm/train.txt
    $B train --task causal-lm --model $M --train $D --output /tmp/clm --block-size 32 --batch-size 4 \\
        --max-steps 12 --learning-rate 1e-3 --weight-decay 0.01 --no-shuffle --dropout 0 --save-steps 0
    $B train --task causal-lm --model $M --train $D --output /tmp/clm-lora --block-size 32 --batch-size 8 \\
        --max-steps 30 --learning-rate 3e-3 --lora-rank 4 --save-steps 0
    $(tools/reference-env.sh) tools/check_causal_lm_interop.py /tmp/clm /tmp/clm-lora

Exit status 1 when either disagrees by more than --tolerance (1e-4, absolute on logits).
"""
import argparse
import importlib.util
import json
import os
import sys

import torch
import transformers
from peft import PeftModel

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "causal-lm")


def fixture_module():
    spec = importlib.util.spec_from_file_location("fixtures", os.path.join(ROOT, "tools", "make_causal_lm_fixtures.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    p = argparse.ArgumentParser()
    p.add_argument("trained")
    p.add_argument("lora")
    p.add_argument("--tolerance", type=float, default=1e-4)
    args = p.parse_args()
    f = fixture_module()
    trajectory = json.load(open(os.path.join(FIXTURES, "trajectory.json")))
    tokenizer = transformers.AutoTokenizer.from_pretrained(os.path.join(FIXTURES, "tiny-lm"))
    eos = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    stream = []
    for doc in f.documents(os.path.join(ROOT, trajectory["train"])):
        stream += tokenizer.encode(doc, add_special_tokens=False) + [eos]
    block, batch = trajectory["block_size"], trajectory["batch_size"]
    blocks = [stream[i:i + block] for i in range(0, len(stream) - block + 1, block)]

    reference = transformers.GPT2LMHeadModel.from_pretrained(os.path.join(FIXTURES, "tiny-lm"))
    reference.train()
    named = list(reference.named_parameters())
    plain = [p for n, p in named if n.endswith(".bias") or ".ln_" in n or "ln_f" in n]
    decayed = [p for n, p in named if not (n.endswith(".bias") or ".ln_" in n or "ln_f" in n)]
    optimizer = torch.optim.AdamW([{"params": decayed, "weight_decay": trajectory["weight_decay"]},
                                   {"params": plain, "weight_decay": 0.0}], lr=trajectory["learning_rate"])
    steps = trajectory["steps"]
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, (steps - s) / steps))
    for step in range(steps):
        x = torch.tensor(blocks[step * batch:(step + 1) * batch])
        loss = reference(input_ids=x, labels=x).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(reference.parameters(), trajectory["max_grad_norm"])
        optimizer.step()
        schedule.step()
    reference.eval()
    trained = transformers.AutoModelForCausalLM.from_pretrained(args.trained).eval()
    x = torch.tensor(blocks[:4])
    with torch.no_grad():
        difference = (reference(x).logits - trained(x).logits).abs().max().item()
    print(f"{type(trained).__name__} from {args.trained}: logits within {difference:.2e} of PyTorch's 12 steps")

    base = transformers.AutoModelForCausalLM.from_pretrained(os.path.join(FIXTURES, "tiny-lm"))
    adapted = PeftModel.from_pretrained(base, os.path.join(args.lora, "adapter")).eval()
    merged = transformers.AutoModelForCausalLM.from_pretrained(args.lora).eval()
    with torch.no_grad():
        lora_difference = (adapted(x).logits - merged(x).logits).abs().max().item()
    print(f"PEFT adapters of {args.lora}: logits within {lora_difference:.2e} of the merged model")
    failed = difference > args.tolerance or lora_difference > args.tolerance
    print("FAIL" if failed else "PASS")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
