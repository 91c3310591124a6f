#!/usr/bin/env python3
"""Writes the golden files for sentence embeddings into Tests/Fixtures/embedding/.

    python3 tools/make_embedding_fixtures.py --model ~/.cache/ddp-train/all-MiniLM-L6-v2

Run with any python3: when the reference libraries are not importable it re-executes itself
with the python of the reference environment (tools/reference-env.sh, $DDP_REF_VENV), which
needs sentence-transformers besides torch (`$DDP_REF_VENV/bin/pip install sentence-transformers`).

Files written (each records the command that wrote it and the library versions):

  pooling.json  sentence-transformers' `Pooling` (each mode alone, and several concatenated)
                and `Normalize` on random token states of a right-padded batch (lengths 5, 1, 3;
                padding filled with large values that must not leak in): the sentence
                embeddings, and the gradient of sum(r * embedding) with respect to the real
                tokens' states (torch autograd), packed row after row.
  minilm.json   `SentenceTransformer(model).encode(sentences)` of the unmodified model for a
                handful of sentences (one longer than its max_seq_length of 256 tokens, so
                truncation is exercised): what `ddp-train embed` must reproduce.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "embedding")

try:
    import numpy as np
    import sentence_transformers
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Normalize, Pooling
except ImportError as missing:
    if os.environ.get("DDP_FIXTURES_REEXEC"):
        sys.exit(f"{missing}: install sentence-transformers into the reference environment "
                 "($DDP_REF_VENV/bin/pip install sentence-transformers)")
    python = subprocess.check_output([os.path.join(ROOT, "tools", "reference-env.sh")], text=True).strip()
    print(f"+ {python} {' '.join(map(shlex.quote, sys.argv))}", file=sys.stderr)
    os.environ["DDP_FIXTURES_REEXEC"] = "1"
    os.execv(python, [python] + sys.argv)

warnings.filterwarnings("ignore")
transformers.logging.set_verbosity_error()

SENTENCES = [
    "A man is playing a guitar.",
    "The new movie is awesome!",
    "Café au lait, naïve résumé — ÅNGSTRÖM.",
    "it 's a charming and often affecting journey .",
    "x",
    "Data parallelism changes the answer when negatives come only from a rank's own share.",
    "東京タワーは高い。 🙂",
    " ".join(["the harbour master logged every ship that came in before dawn"] * 30),
]

POOLING_CASES = [
    (["mean"], True),
    (["mean"], False),
    (["cls"], False),
    (["max"], True),
    (["mean_sqrt_len_tokens"], False),
    (["cls", "max", "mean", "mean_sqrt_len_tokens"], True),
    (["mean", "cls"], False),
]


def header(command):
    return {
        "command": command,
        "versions": {
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "sentence_transformers": sentence_transformers.__version__,
        },
    }


def floats(values):
    """float32 values in 9 significant digits, which read back to the same float32."""
    values = values.detach().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
    return [float("%.9g" % x) for x in values.astype(np.float32).reshape(-1)]


def pooling_fixture(command):
    generator = torch.Generator().manual_seed(11)
    lengths, width = [5, 1, 3], 6
    longest = max(lengths)
    states = torch.randn(len(lengths), longest, width, generator=generator)
    mask = torch.zeros(len(lengths), longest, dtype=torch.int64)
    for b, n in enumerate(lengths):
        mask[b, :n] = 1
        states[b, n:] = 1e4  # padding: must reach neither the output nor the gradient
    cases = []
    for modes, normalize in POOLING_CASES:
        hidden = states.clone().requires_grad_(True)
        pooling = Pooling(width, pooling_mode=tuple(modes) if len(modes) > 1 else modes[0])
        features = pooling({"token_embeddings": hidden, "attention_mask": mask})
        if normalize:
            features = Normalize()(features)
        embedding = features["sentence_embedding"]
        weights = torch.randn(embedding.shape, generator=generator)
        (embedding * weights).sum().backward()
        grad = hidden.grad
        assert all(float(grad[b, n:].abs().sum()) == 0 for b, n in enumerate(lengths))
        cases.append({
            "modes": modes,
            "normalize": normalize,
            "embedding": floats(embedding),
            "weights": floats(weights),
            "hidden_grad": [x for b, n in enumerate(lengths) for x in floats(grad[b, :n])],
        })
    hidden_rows = [x for b, n in enumerate(lengths) for x in floats(states[b, :n])]
    return {**header(command), "lengths": lengths, "width": width, "hidden": hidden_rows, "cases": cases}


def minilm_fixture(model_dir, command):
    model = SentenceTransformer(model_dir, device="cpu")
    embeddings = model.encode(SENTENCES, convert_to_numpy=True, batch_size=4)
    tokens = [len(model.tokenize([s])["input_ids"][0]) for s in SENTENCES]
    return {
        **header(command),
        "max_seq_length": model.max_seq_length,
        "sentences": SENTENCES,
        "tokens": tokens,
        "dimension": int(embeddings.shape[1]),
        "embeddings": floats(embeddings),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=os.path.expanduser("~/.cache/ddp-train/all-MiniLM-L6-v2"))
    args = parser.parse_args()
    command = "python3 tools/make_embedding_fixtures.py --model " + shlex.quote(args.model)
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    for name, value in [("pooling.json", pooling_fixture(command)),
                        ("minilm.json", minilm_fixture(args.model, command))]:
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(value, f)
            f.write("\n")
        print(f"wrote {os.path.join(OUT, name)}")


if __name__ == "__main__":
    main()
