#!/usr/bin/env python3
"""Integrated-gradients reference values for the explanation tests, computed by Captum.

    DDP_REF_VENV=/path/to/venv tools/make_ig_fixtures.py      # or: $(tools/reference-env.sh) tools/make_ig_fixtures.py

Reads the tiny golden BertForSequenceClassification (Tests/Fixtures/model/tiny-bert, 3 labels,
pad_token_id 0; made by tools/make_model_fixtures.py) and writes
Tests/Fixtures/model/tiny-ig.safetensors: for a few sequences ("ids.<k>", "types.<k>" as F32),
the explained label ("target.<k>": the predicted one, or another for the last sequence), and
Captum's LayerIntegratedGradients on bert.embeddings.word_embeddings with the [PAD] baseline
at every position (position and token-type embeddings unchanged), method riemann_trapezoid,
n_steps 50, summed over the embedding dimension ("captum.<k>"), with f(x) ("score.<k>") and
f(baseline) ("baseline_score.<k>") in eval mode.

Captum's riemann_trapezoid puts its n points at alpha = linspace(0, 1, n) but weighs them 1/n
(halved at both ends), which sums to (n - 1)/n: "captum.<k>" is stored as Captum returns it,
and the test scales it by n/(n - 1), the weights of the trapezoid rule over [0, 1].
Every file carries the command and library versions in its safetensors __metadata__.
"""
import os

import captum
import torch
import transformers
from captum.attr import LayerIntegratedGradients
from safetensors.torch import save_file
from transformers import BertForSequenceClassification

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
MODEL = os.path.join(ROOT, "Tests", "Fixtures", "model", "tiny-bert")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "model", "tiny-ig.safetensors")
STEPS = 50
META = {"command": "tools/make_ig_fixtures.py", "torch": torch.__version__,
        "transformers": transformers.__version__, "captum": captum.__version__, "n_steps": str(STEPS),
        "method": "riemann_trapezoid"}


def main():
    torch.manual_seed(0)
    model = BertForSequenceClassification.from_pretrained(MODEL).eval()
    pad = model.config.pad_token_id

    def forward(ids, types):
        return model(input_ids=ids, token_type_ids=types).logits

    lig = LayerIntegratedGradients(forward, model.bert.embeddings.word_embeddings)
    g = torch.Generator().manual_seed(11)
    tensors = {}
    lengths = [6, 9, 4, 11]
    for k, n in enumerate(lengths):
        ids = torch.randint(1, model.config.vocab_size, (1, n), generator=g)
        types = torch.zeros(1, n, dtype=torch.long)
        types[0, n // 2:] = 1
        with torch.no_grad():
            logits = forward(ids, types)[0]
        target = int(logits.argmax()) if k < len(lengths) - 1 else int(logits.argmin())
        baseline = torch.full_like(ids, pad)
        attributions = lig.attribute(inputs=ids, baselines=baseline, additional_forward_args=(types,),
                                     target=target, n_steps=STEPS, method="riemann_trapezoid")
        with torch.no_grad():
            base_logits = forward(baseline, types)[0]
        tensors[f"ids.{k}"] = ids[0].float()
        tensors[f"types.{k}"] = types[0].float()
        tensors[f"target.{k}"] = torch.tensor([float(target)])
        tensors[f"captum.{k}"] = attributions.sum(dim=-1)[0].detach()
        tensors[f"score.{k}"] = logits[target].reshape(1)
        tensors[f"baseline_score.{k}"] = base_logits[target].reshape(1)
    save_file({k: v.contiguous().float() for k, v in tensors.items()}, OUT, metadata=META)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
