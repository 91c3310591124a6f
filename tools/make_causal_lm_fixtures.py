#!/usr/bin/env python3
"""Writes the causal-LM fixtures under Tests/Fixtures/causal-lm/ from transformers and tokenizers.

    python3 tools/make_causal_lm_fixtures.py

Run with any python3: without torch/transformers it re-executes itself with the python of the
reference environment (tools/reference-env.sh, $DDP_REF_VENV).

  tiny-lm/             a GPT-2 (2 blocks, n_embd 32, 4 heads, 64 positions, random weights from
                       a fixed seed) with a byte-level BPE tokenizer trained here on
                       data/demo-lm/train.txt (no outside vocabulary): config.json,
                       model.safetensors, tokenizer.json, tokenizer_config.json
  trajectory.json      12 optimizer steps of PyTorch on data/demo-lm/train.txt as `ddp-train train
                       --task causal-lm` reads it (documents + EOS, blocks of 32 tokens, file order),
                       global batch 4, AdamW (lr 1e-3, weight decay 0.01 on all but biases and
                       ln_* weights, as the HF Trainer groups them), linear decay without warm-up,
                       clipping at 1.0, dropout off: the options and each step's loss
  generation.json      greedy continuations of the tiny model by transformers' `generate` for 10
                       prompts (ids), to compare token for token
"""
import json
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "causal-lm")
BLOCK, BATCH, STEPS, LR, DECAY = 32, 4, 12, 1e-3, 0.01

try:
    import torch
    import transformers
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
except ImportError:
    python = subprocess.check_output([os.path.join(ROOT, "tools", "reference-env.sh")], text=True).strip()
    os.execv(python, [python] + sys.argv)


def documents(path):
    """Documents of a .txt file as ddp-train reads them: blank-line separated, lines joined by \\n."""
    docs, current = [], []
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.strip(" \t") == "":
            if current:
                docs.append("\n".join(current))
            current = []
        else:
            current.append(line)
    if current:
        docs.append("\n".join(current))
    return docs


def make_tokenizer(corpus):
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False)
    tokenizer.train_from_iterator(corpus, trainer)
    return tokenizer


def main():
    os.makedirs(os.path.join(OUT, "tiny-lm"), exist_ok=True)
    train_docs = documents(os.path.join(ROOT, "data", "demo-lm", "train.txt"))
    tokenizer = make_tokenizer(train_docs)
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, eos_token="<|endoftext|>", bos_token="<|endoftext|>",
        unk_token="<|endoftext|>")
    eos = tokenizer.token_to_id("<|endoftext|>")

    torch.manual_seed(20261202)
    config = transformers.GPT2Config(
        vocab_size=tokenizer.get_vocab_size(), n_positions=64, n_embd=32, n_layer=2, n_head=4,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=eos, eos_token_id=eos,
        initializer_range=0.2)
    model = transformers.GPT2LMHeadModel(config)
    model.save_pretrained(os.path.join(OUT, "tiny-lm"))
    fast.save_pretrained(os.path.join(OUT, "tiny-lm"))
    for extra in ["generation_config.json", "special_tokens_map.json", "chat_template.jinja"]:
        path = os.path.join(OUT, "tiny-lm", extra)
        if os.path.exists(path):
            os.remove(path)

    # The blocks ddp-train makes: each document's ids, then EOS, concatenated, cut into blocks.
    stream = []
    for doc in train_docs:
        stream += tokenizer.encode(doc, add_special_tokens=False).ids + [eos]
    blocks = [stream[i:i + BLOCK] for i in range(0, len(stream) - BLOCK + 1, BLOCK)]
    model.train()
    decay = [p for n, p in model.named_parameters() if not (n.endswith(".bias") or ".ln_" in n or "ln_f" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith(".bias") or ".ln_" in n or "ln_f" in n]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": DECAY}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=LR, betas=(0.9, 0.999), eps=1e-8)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: max(0.0, (STEPS - step) / STEPS))
    losses = []
    for step in range(STEPS):
        batch = torch.tensor(blocks[step * BATCH:(step + 1) * BATCH])
        loss = model(input_ids=batch, labels=batch).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    with open(os.path.join(OUT, "trajectory.json"), "w") as f:
        json.dump({"train": "data/demo-lm/train.txt", "block_size": BLOCK, "batch_size": BATCH, "steps": STEPS,
                   "learning_rate": LR, "weight_decay": DECAY, "max_grad_norm": 1.0, "blocks": len(blocks),
                   "losses": losses}, f, indent=1)

    # Greedy continuations of the untrained model (reloaded, so the saved weights are used).
    model = transformers.GPT2LMHeadModel.from_pretrained(os.path.join(OUT, "tiny-lm")).eval()
    prompts = ["day 3: calm", "the ferry", "a tug moored at", "harbour motto:", "the opposite of hot is",
               "fog until", "day 12", "the lifeboat left", "x", "bright sun over still water.\nthe"]
    cases = []
    for prompt in prompts:
        ids = tokenizer.encode(prompt, add_special_tokens=False).ids
        out = model.generate(torch.tensor([ids]), max_new_tokens=12, do_sample=False, pad_token_id=eos)
        cases.append({"prompt": prompt, "prompt_ids": ids, "completion_ids": out[0, len(ids):].tolist()})
    with open(os.path.join(OUT, "generation.json"), "w") as f:
        json.dump({"max_new_tokens": 12, "eos_token_id": eos, "cases": cases}, f, indent=1)
    print("losses", [round(x, 4) for x in losses])


if __name__ == "__main__":
    main()
