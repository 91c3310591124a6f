#!/usr/bin/env python3
"""Golden values for the GPT-2 tests, computed by the reference (PyTorch + transformers).

    $(tools/reference-env.sh) tools/make_gpt2_fixtures.py

Writes, under Tests/Fixtures/gpt2/:
  tiny-gpt2/              a randomly initialised GPT2LMHeadModel (2 layers, n_embd 32, 4 heads,
                          n_inner 64, n_positions 64, vocab 101, tied embeddings, dropout 0),
                          saved by save_pretrained: keys with the "transformer." prefix and no
                          lm_head.weight (tied)
  tiny-golden.safetensors for a padded batch of 3 sequences (lengths 7, 5, 9): inputs (ids and
                          lengths as F32), "logits" [3, 9, V], the causal-LM "loss" (next-token
                          cross-entropy, mean over the 18 predicted tokens), "grad.<name>" for
                          every parameter (wte's is the sum of its two uses); 5 AdamW steps
                          (lr 1e-3, linear schedule with 2 warm-up steps, weight decay 0.01 on
                          all but biases and ln_* weights as the HF Trainer groups them,
                          clipping at 0.5): "loss.trajectory", "gradnorm.trajectory" and
                          "adamw5.<name>" for a few tensors; the sequence-classification head
                          (GPT2ForSequenceClassification on the same body, 3 labels, score at
                          each sequence's last token): "seq.param.score.weight", "seq.logits",
                          "seq.loss", "seq.grad.<name>" for a few tensors
  tiny-bare/              a GPT2Model (no head, keys without prefix; 1 layer, n_embd 16, 2 heads,
                          vocab 50, n_positions 16, activation "gelu") and
  tiny-bare-golden.safetensors
                          its last hidden state for one sequence
  tiny-untied/            a GPT2LMHeadModel with tie_word_embeddings false (own lm_head.weight;
                          1 layer, n_embd 16, 2 heads, vocab 50) and
  tiny-untied-golden.safetensors
                          its logits and the gradients of lm_head.weight and wte for one sequence
Every file carries the command and library versions in its safetensors __metadata__.
"""
import os

import torch
import transformers
from safetensors.torch import save_file
from transformers import GPT2Config, GPT2ForSequenceClassification, GPT2LMHeadModel, GPT2Model

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "gpt2")
META = {"command": "tools/make_gpt2_fixtures.py", "torch": torch.__version__,
        "transformers": transformers.__version__}
LENGTHS = [7, 5, 9]
# A few tensors of each kind (the fixtures stay under 300 kB): the tied wte, a Conv1D
# weight, LayerNorm and bias parameters, from both blocks.
ADAMW_KEPT = ["transformer.wte.weight", "transformer.h.0.attn.c_proj.weight", "transformer.h.1.ln_2.weight",
              "transformer.h.1.mlp.c_proj.bias", "transformer.ln_f.bias"]
SEQ_KEPT = ["score.weight", "transformer.ln_f.weight", "transformer.h.1.mlp.c_fc.weight",
            "transformer.h.0.ln_1.weight", "transformer.h.0.attn.c_attn.bias"]


def perturb(model, scale=0.1):
    # Random init leaves LayerNorm at γ = 1, β = 0 and biases at 0: perturb every parameter so
    # each one's gradient path is exercised.
    with torch.no_grad():
        for p in model.parameters():
            p.add_(scale * torch.randn_like(p))


def padded_batch(vocab, lengths, seed):
    g = torch.Generator().manual_seed(seed)
    ids = torch.zeros(len(lengths), max(lengths), dtype=torch.long)   # 0 is the padding id
    mask = torch.zeros_like(ids)
    for b, n in enumerate(lengths):
        ids[b, :n] = torch.randint(1, vocab, (n,), generator=g)
        mask[b, :n] = 1
    labels = ids.masked_fill(mask == 0, -100)
    return ids, mask, labels


def decay_groups(model):
    # The HF Trainer: no decay for biases and LayerNorm parameters (ln_1, ln_2, ln_f).
    no_decay = [n for n, m in model.named_modules() if isinstance(m, torch.nn.LayerNorm)]
    decays = lambda n: not (n.endswith(".bias") or any(n.startswith(m + ".") for m in no_decay))
    params = dict(model.named_parameters())
    return [{"params": [p for n, p in params.items() if decays(n)], "weight_decay": 0.01},
            {"params": [p for n, p in params.items() if not decays(n)], "weight_decay": 0.0}]


def tiny():
    torch.manual_seed(2024)
    config = GPT2Config(vocab_size=101, n_embd=32, n_layer=2, n_head=4, n_inner=64, n_positions=64,
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, initializer_range=0.2,
                        bos_token_id=100, eos_token_id=100, attn_implementation="eager")
    model = GPT2LMHeadModel(config)
    perturb(model)
    model.save_pretrained(os.path.join(OUT, "tiny-gpt2"), safe_serialization=True)

    ids, mask, labels = padded_batch(101, LENGTHS, 7)
    model.train()  # dropout probabilities are 0, so train mode is deterministic
    out = model(input_ids=ids, attention_mask=mask, labels=labels)
    out.loss.backward()
    tensors = {"input.ids": ids.float(), "input.lengths": torch.tensor(LENGTHS).float(),
               "logits": out.logits.detach(), "loss": out.loss.detach().reshape(1)}
    for name, p in model.named_parameters():
        tensors["grad." + name] = p.grad.detach().clone()

    # The sequence-classification head on the same body (score initialised by its seed).
    torch.manual_seed(5)
    seq_dict = {k: v for k, v in config.to_dict().items() if k not in ("id2label", "label2id")}
    seq = GPT2ForSequenceClassification(GPT2Config(**{**seq_dict, "num_labels": 3, "pad_token_id": 0}))
    seq.transformer.load_state_dict(model.transformer.state_dict())
    with torch.no_grad():
        seq.score.weight.normal_(0, 0.3)
    seq.train()
    seq_labels = torch.tensor([2, 0, 1])
    seq_out = seq(input_ids=ids, attention_mask=mask, labels=seq_labels)
    seq_out.loss.backward()
    tensors["seq.param.score.weight"] = seq.score.weight.detach().clone()
    tensors["seq.labels"] = seq_labels.float()
    tensors["seq.logits"] = seq_out.logits.detach()
    tensors["seq.loss"] = seq_out.loss.detach().reshape(1)
    seq_params = dict(seq.named_parameters())
    for name in SEQ_KEPT:
        tensors["seq.grad." + name] = seq_params[name].grad.detach().clone()

    # Five steps of the Trainer's recipe on the same batch.
    model.zero_grad(set_to_none=True)
    opt = torch.optim.AdamW(decay_groups(model), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    sched = transformers.get_linear_schedule_with_warmup(opt, num_warmup_steps=2, num_training_steps=5)
    losses, norms = [], []
    for _ in range(5):
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)))
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        losses.append(float(loss.detach()))
    tensors["loss.trajectory"] = torch.tensor(losses)
    tensors["gradnorm.trajectory"] = torch.tensor(norms)
    params = dict(model.named_parameters())
    for name in ADAMW_KEPT:
        tensors["adamw5." + name] = params[name].detach().clone()
    save_file({k: v.contiguous().float() for k, v in tensors.items()}, os.path.join(OUT, "tiny-golden.safetensors"),
              metadata={**META, "tolerance": "see Tests/ModelTests/GPT2GoldenTests.swift"})
    print("tiny: loss", float(out.loss.detach()), "seq loss", float(seq_out.loss.detach()), "losses", losses)


def small(tied, seed):
    return GPT2Config(vocab_size=50, n_embd=16, n_layer=1, n_head=2, n_positions=16, resid_pdrop=0.0,
                      embd_pdrop=0.0, attn_pdrop=0.0, initializer_range=0.2, bos_token_id=49, eos_token_id=49,
                      activation_function="gelu" if tied else "gelu_pytorch_tanh",
                      tie_word_embeddings=tied, attn_implementation="eager")


def bare():
    torch.manual_seed(11)
    model = GPT2Model(small(True, 11))
    perturb(model)
    model.save_pretrained(os.path.join(OUT, "tiny-bare"), safe_serialization=True)
    ids = torch.tensor([[5, 17, 3, 44, 9, 9, 21]])
    hidden = model(input_ids=ids).last_hidden_state.detach()[0]
    save_file({"input.ids": ids[0].float(), "hidden": hidden.contiguous()},
              os.path.join(OUT, "tiny-bare-golden.safetensors"), metadata=META)
    print("bare: hidden", hidden.shape)


def untied():
    torch.manual_seed(12)
    model = GPT2LMHeadModel(small(False, 12))
    perturb(model)
    model.save_pretrained(os.path.join(OUT, "tiny-untied"), safe_serialization=True)
    ids = torch.tensor([[7, 1, 30, 30, 2, 48]])
    out = model(input_ids=ids, labels=ids)
    out.loss.backward()
    params = dict(model.named_parameters())
    tensors = {"input.ids": ids[0].float(), "logits": out.logits.detach()[0], "loss": out.loss.detach().reshape(1),
               "grad.lm_head.weight": params["lm_head.weight"].grad, "grad.transformer.wte.weight":
               params["transformer.wte.weight"].grad}
    save_file({k: v.contiguous().float() for k, v in tensors.items()},
              os.path.join(OUT, "tiny-untied-golden.safetensors"), metadata=META)
    print("untied: loss", float(out.loss))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    tiny()
    bare()
    untied()
