#!/usr/bin/env python3
"""Golden values for the model tests, computed by the reference (PyTorch + transformers).

    DDP_REF_VENV=/path/to/venv tools/make_model_fixtures.py            # or: $(tools/reference-env.sh) tools/make_model_fixtures.py

Writes, under Tests/Fixtures/model/:
  tiny-bert/              a randomly initialised BertForSequenceClassification (2 layers,
                          hidden 32, 4 heads, FFN 64, vocab 50, 3 labels), saved by
                          save_pretrained: config.json + model.safetensors
  tiny-golden.safetensors for a fixed padded batch with dropout off:
                          inputs (ids, type ids, lengths, labels as F32), logits, loss,
                          "grad.<name>" for every parameter, and for 5 AdamW steps (warm-up 2,
                          linear decay, weight decay 0.01, clipping at 0.5, lr 1e-3):
                          "loss.trajectory" and "adamw5.<name>"
  tiny-token-golden.safetensors
                          a tiny BertForTokenClassification (same sizes, 5 tags, no pooler)
                          saved whole as "param.<name>", a padded batch with labels −100 on
                          some tokens: logits, loss and "grad.<name>"
  minilm-golden.safetensors
                          all-MiniLM-L6-v2 (from $DDP_TRAIN_MODEL or
                          ~/.cache/ddp-train/all-MiniLM-L6-v2): token ids of 24 sentences,
                          the encoder's last hidden state at their real tokens, and the
                          pooler output
Every file carries the command and library versions in its safetensors __metadata__.
"""
import json
import os
import sys

import torch
import transformers
from safetensors.torch import save_file
from transformers import AutoModel, AutoTokenizer, BertConfig, BertForSequenceClassification

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "model")
COMMAND = "tools/make_model_fixtures.py"
META = {"command": COMMAND, "torch": torch.__version__, "transformers": transformers.__version__}


def tiny():
    torch.manual_seed(1234)
    config = BertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=16, type_vocab_size=2,
                        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                        initializer_range=0.2, num_labels=3,
                        id2label={0: "neg", 1: "neu", 2: "pos"}, label2id={"neg": 0, "neu": 1, "pos": 2})
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        # Random init leaves LayerNorm at γ = 1, β = 0 and biases at 0: perturb every
        # parameter so each one's gradient path is exercised.
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    model.save_pretrained(os.path.join(OUT, "tiny-bert"), safe_serialization=True)

    lengths = [7, 5, 9]
    T = max(lengths)
    g = torch.Generator().manual_seed(7)
    ids = torch.zeros(len(lengths), T, dtype=torch.long)
    types = torch.zeros(len(lengths), T, dtype=torch.long)
    mask = torch.zeros(len(lengths), T, dtype=torch.long)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(1, 50, (n,), generator=g)
        types[b, n // 2:n] = 1          # second "segment" in the latter half
        mask[b, :n] = 1
    labels = torch.tensor([2, 0, 1])

    model.train()  # dropout probabilities are 0, so train mode is deterministic
    out = model(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=labels)
    out.loss.backward()
    tensors = {
        "input.ids": ids.float(), "input.types": types.float(), "input.lengths": torch.tensor(lengths).float(),
        "input.labels": labels.float(), "logits": out.logits.detach(), "loss": out.loss.detach().reshape(1),
    }
    for name, p in model.named_parameters():
        tensors["grad." + name] = p.grad.detach().clone()

    # Five steps of the Trainer's recipe on the same batch.
    model.zero_grad(set_to_none=True)
    decay = [p for n, p in model.named_parameters() if not (n.endswith(".bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith(".bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    sched = transformers.get_linear_schedule_with_warmup(opt, num_warmup_steps=2, num_training_steps=5)
    losses, norms = [], []
    for _ in range(5):
        loss = model(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=labels).loss
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)))
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        losses.append(float(loss.detach()))
    tensors["loss.trajectory"] = torch.tensor(losses)
    tensors["gradnorm.trajectory"] = torch.tensor(norms)
    for name, p in model.named_parameters():
        tensors["adamw5." + name] = p.detach().clone()
    save_file({k: v.contiguous().float() for k, v in tensors.items()}, os.path.join(OUT, "tiny-golden.safetensors"),
              metadata={**META, "tolerance": "see Tests/ModelTests/GoldenTests.swift"})
    print("tiny: loss", float(out.loss), "norms", norms)


def tiny_token():
    from transformers import BertForTokenClassification
    torch.manual_seed(99)
    config = BertConfig(vocab_size=50, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=16, type_vocab_size=2,
                        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, initializer_range=0.2, num_labels=5)
    model = BertForTokenClassification(config)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    lengths = [6, 9, 4]
    T = max(lengths)
    g = torch.Generator().manual_seed(8)
    ids = torch.zeros(len(lengths), T, dtype=torch.long)
    mask = torch.zeros(len(lengths), T, dtype=torch.long)
    labels = torch.full((len(lengths), T), -100, dtype=torch.long)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(1, 50, (n,), generator=g)
        mask[b, :n] = 1
        labels[b, 1:n - 1] = torch.randint(0, 5, (n - 2,), generator=g)   # [CLS], [SEP] unscored
        labels[b, 2] = -100                                               # a continuation piece
    model.train()
    out = model(input_ids=ids, attention_mask=mask, labels=labels)
    out.loss.backward()
    tensors = {"input.ids": ids.float(), "input.lengths": torch.tensor(lengths).float(), "input.labels": labels.float(),
               "logits": out.logits.detach(), "loss": out.loss.detach().reshape(1)}
    for name, p in model.named_parameters():
        tensors["param." + name] = p.detach().clone()
        tensors["grad." + name] = p.grad.detach().clone()
    save_file({k: v.contiguous().float() for k, v in tensors.items()}, os.path.join(OUT, "tiny-token-golden.safetensors"),
              metadata=META)
    print("tiny token: loss", float(out.loss))


SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "it 's a charming and often affecting journey .",
    "I absolutely loved this movie!",
    "Terrible. Just terrible.",
    "Distributed training over MPI scales to many nodes.",
    "Café naïve résumé — accents are stripped.",
    "Hello, world",
    "What time is it in Tokyo right now?",
    "東京は日本の首都です。",
    "The price rose 3.5% to $1,024.99 on 2024-01-31.",
    "Email me at someone@example.com or visit https://example.org/page?x=1.",
    "A",
    "unbelievably overwrought and self-indulgent",
    "Transformers use self-attention to mix information between tokens.",
    "Emoji 🙂 and symbols ∑ ≤ ≥ are rare in the vocabulary.",
    "She said: \"I'll be there at 5 o'clock.\"",
    "The cat sat on the mat. The dog sat on the log. Everyone was happy.",
    "Pneumonoultramicroscopicsilicovolcanoconiosis is a long word.",
    "Ich habe heute keine Zeit.",
    "Les modèles de langue sont utiles.",
    "one two three four five six seven eight nine ten eleven twelve",
    "?!?!",
    "The film's pacing drags in the second act, but the finale redeems it.",
    "CPU clusters can fine-tune BERT without a GPU.",
]


def minilm():
    model_dir = os.environ.get("DDP_TRAIN_MODEL", os.path.expanduser("~/.cache/ddp-train/all-MiniLM-L6-v2"))
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    tensors = {}
    pooled = []
    with torch.no_grad():
        for i, s in enumerate(SENTENCES):
            enc = tok(s, return_tensors="pt")
            out = model(**enc)
            tensors[f"ids.{i}"] = enc["input_ids"][0].float()
            tensors[f"hidden.{i}"] = out.last_hidden_state[0].contiguous()
            pooled.append(out.pooler_output[0])
    tensors["pooled"] = torch.stack(pooled)
    save_file(tensors, os.path.join(OUT, "minilm-golden.safetensors"),
              metadata={**META, "model": model_dir, "sentences": json.dumps(SENTENCES, ensure_ascii=False)})
    print("minilm:", len(SENTENCES), "sentences")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    tiny()
    tiny_token()
    minilm()
