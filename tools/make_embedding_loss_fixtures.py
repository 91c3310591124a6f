#!/usr/bin/env python3
"""Writes Tests/Fixtures/embedding/losses.json: golden values of the embedding losses.

    DDP_REF_VENV=/path/to/.venv-ref python3 tools/make_embedding_loss_fixtures.py

Run with any python3: when sentence-transformers is not importable it re-executes itself with
the python of the reference environment (tools/reference-env.sh, $DDP_REF_VENV), which needs
`$DDP_REF_VENV/bin/pip install sentence-transformers`.

For each case, fixed random embeddings (float32, seeded, a few rows of a small dimension)
go through sentence-transformers' own loss class, `compute_loss_from_embeddings(embeddings,
labels)` (the part of `forward` after the model has embedded the columns), and torch's
autograd gives the gradient of the loss with respect to every embedding. Written per case:
the loss's class and arguments, the embeddings as [columns][rows * dim] (row-major), the
labels or scores, the loss and the gradients in the same layout.
"""
import json
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "embedding", "losses.json")

try:
    import numpy as np
    import sentence_transformers
    import torch
    from sentence_transformers.sentence_transformer import losses
except ImportError as missing:
    if os.environ.get("DDP_FIXTURES_REEXEC"):
        sys.exit(f"{missing}: install sentence-transformers into the reference environment")
    python = subprocess.check_output([os.path.join(ROOT, "tools", "reference-env.sh")], text=True).strip()
    print(f"+ {python} {' '.join(map(shlex.quote, sys.argv))}", file=sys.stderr)
    os.environ["DDP_FIXTURES_REEXEC"] = "1"
    os.execv(python, [python] + sys.argv)


def embeddings(generator, columns, rows, dim, spread=1.0):
    """Random rows; each column after the first is near the first (so the cosines spread
    over positive and negative values and hinges are both active and inactive)."""
    anchor = generator.standard_normal((rows, dim)).astype(np.float32)
    out = [anchor]
    for _ in range(columns - 1):
        noise = generator.standard_normal((rows, dim)).astype(np.float32)
        out.append((anchor + spread * noise).astype(np.float32))
    return out


def run(loss, arrays, labels):
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    label_tensor = torch.tensor(labels, dtype=torch.float32) if labels is not None else None
    value = loss.compute_loss_from_embeddings(tensors, label_tensor)
    value.backward()
    return float(value.item()), [t.grad.numpy().reshape(-1).tolist() for t in tensors]


def case(name, loss_name, arguments, loss, arrays, labels=None):
    value, grads = run(loss, arrays, labels)
    rows, dim = arrays[0].shape
    return {
        "name": name,
        "loss": loss_name,
        "arguments": arguments,
        "class": f"{type(loss).__name__}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})",
        "rows": int(rows),
        "dim": int(dim),
        "embeddings": [a.reshape(-1).tolist() for a in arrays],
        "scores": None if labels is None else [float(x) for x in labels],
        "value": value,
        "gradients": grads,
    }


def main():
    g = np.random.default_rng(20261202)
    cases = []
    mnrl = losses.MultipleNegativesRankingLoss(None)
    cases.append(case("mnrl pairs", "multiple-negatives-ranking", {"scale": 20.0}, mnrl,
                      embeddings(g, 2, 6, 8, spread=1.5)))
    cases.append(case("mnrl two hard negatives", "multiple-negatives-ranking", {"scale": 20.0}, mnrl,
                      embeddings(g, 4, 5, 8, spread=1.2)))
    cases.append(case("mnrl scale 5", "multiple-negatives-ranking", {"scale": 5.0},
                      losses.MultipleNegativesRankingLoss(None, scale=5.0), embeddings(g, 3, 7, 6)))
    # MultipleNegativesSymmetricRankingLoss, in the form its deprecation message names.
    symmetric = losses.MultipleNegativesRankingLoss(None, directions=("query_to_doc", "doc_to_query"),
                                                    partition_mode="per_direction")
    cases.append(case("symmetric pairs", "multiple-negatives-symmetric-ranking", {"scale": 20.0}, symmetric,
                      embeddings(g, 2, 6, 8, spread=1.5)))
    cases.append(case("symmetric with a hard negative", "multiple-negatives-symmetric-ranking",
                      {"scale": 20.0}, symmetric, embeddings(g, 3, 5, 8, spread=1.2)))

    pairs = embeddings(g, 2, 10, 8, spread=1.0)
    scores = g.uniform(0, 1, 10).astype(np.float32)
    cases.append(case("cosine similarity", "cosine-similarity", {}, losses.CosineSimilarityLoss(None), pairs,
                      scores))
    labels = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 0], dtype=np.float32)
    pairs = embeddings(g, 2, 10, 8, spread=0.9)
    cases.append(case("contrastive", "contrastive", {"margin": 0.5}, losses.ContrastiveLoss(None), pairs, labels))
    cases.append(case("contrastive margin 1.2", "contrastive", {"margin": 1.2},
                      losses.ContrastiveLoss(None, margin=1.2), pairs, labels))
    cases.append(case("online contrastive", "online-contrastive", {"margin": 0.5},
                      losses.OnlineContrastiveLoss(None), pairs, labels))
    cases.append(case("online contrastive margin 1.2", "online-contrastive", {"margin": 1.2},
                      losses.OnlineContrastiveLoss(None, margin=1.2), pairs, labels))
    only_positive = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], dtype=np.float32)
    cases.append(case("online contrastive, positives only", "online-contrastive", {"margin": 0.5},
                      losses.OnlineContrastiveLoss(None), pairs, only_positive))
    triplets = embeddings(g, 3, 8, 8, spread=0.7)
    cases.append(case("triplet", "triplet", {"margin": 5.0}, losses.TripletLoss(None), triplets))
    cases.append(case("triplet margin 1", "triplet", {"margin": 1.0},
                      losses.TripletLoss(None, triplet_margin=1.0), triplets))

    command = "python3 tools/make_embedding_loss_fixtures.py"
    document = {
        "command": command,
        "versions": {
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "sentence_transformers": sentence_transformers.__version__,
            "numpy": np.__version__,
        },
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(document, f)
        f.write("\n")
    for c in cases:
        print(f"{c['name']}: {c['value']:.6f}")
    print(f"wrote {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
