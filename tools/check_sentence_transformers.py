#!/usr/bin/env python3
"""Checks `ddp-train embed` against sentence-transformers, both ways.

    python3 tools/check_sentence_transformers.py [--model DIR] [--binary PATH] [--np N]

For each case it runs `ddp-train embed` (under `mpirun -np N`, or alone with --np 0) on the
demo validation sentences plus a few hard ones (accents, CJK, emoji, a text beyond
max_seq_length), and compares every row with `SentenceTransformer(path).encode` of the same
texts: the cosine similarity of each row must be at least 0.99999.

  pretrained     the unmodified model (--model; all-MiniLM-L6-v2: mean pooling + Normalize)
  written        the directory `embed --save-model` writes from it: sentence-transformers
                 must load it and give the same vectors
  plain          the same weights without modules.json (a plain transformers model:
                 sentence-transformers and ddp-train both use mean pooling, no Normalize)
  plain+written  the plain model saved by `embed --normalize --save-model`

Run with any python3: it re-executes itself with the reference environment's python
(tools/reference-env.sh, $DDP_REF_VENV), which needs sentence-transformers
(`$DDP_REF_VENV/bin/pip install sentence-transformers`). The binary is a release build
(`swift build -c release --product ddp-train`, in $DDP_TRAIN_BUILD_PATH or .build).
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    import numpy as np
    import sentence_transformers
    import transformers
    from sentence_transformers import SentenceTransformer
except ImportError as missing:
    if os.environ.get("DDP_CHECK_REEXEC"):
        sys.exit(f"{missing}: install sentence-transformers into the reference environment")
    python = subprocess.check_output([os.path.join(ROOT, "tools", "reference-env.sh")], text=True).strip()
    print(f"+ {python} {' '.join(map(shlex.quote, sys.argv))}", file=sys.stderr)
    os.environ["DDP_CHECK_REEXEC"] = "1"
    os.execv(python, [python] + sys.argv)

warnings.filterwarnings("ignore")
transformers.logging.set_verbosity_error()

HARD = [
    "Café au lait, naïve résumé — ÅNGSTRÖM.",
    "東京タワーは高い。 🙂",
    "x",
    " ".join(["the harbour master logged every ship that came in before dawn"] * 30),
]
PLAIN_FILES = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
               "special_tokens_map.json", "vocab.txt"]


def sentences():
    texts = []
    with open(os.path.join(ROOT, "data", "demo", "validation.tsv"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i > 0 and line.strip():
                texts.append(line.rstrip("\n").split("\t")[0])
    return texts + HARD


def embed(args, model, texts, work, name, extra=()):
    data = os.path.join(work, "input.jsonl")
    with open(data, "w", encoding="utf-8") as f:
        for text in texts:
            f.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    output = os.path.join(work, name + ".npy")
    command = [args.binary, "embed", "--model", model, "--input", data, "--output", output, *extra]
    if args.np > 0:
        launcher = ["mpirun", "--np", str(args.np), "--oversubscribe", "--bind-to", "none"]
        if os.geteuid() == 0:
            launcher.append("--allow-run-as-root")
        command = launcher + command
    print("+ " + " ".join(map(shlex.quote, command)), file=sys.stderr)
    subprocess.run(command, check=True, env={**os.environ, "DDP_TRAIN_THREADS": "1"}, stdout=subprocess.DEVNULL)
    return np.load(output)


def compare(name, path, ours, texts):
    reference = SentenceTransformer(path, device="cpu").encode(texts, convert_to_numpy=True, batch_size=16)
    if reference.shape != ours.shape:
        print(f"FAIL {name}: shape {ours.shape}, sentence-transformers {reference.shape}")
        return False
    ours64, reference64 = ours.astype(np.float64), reference.astype(np.float64)
    cosine = (ours64 * reference64).sum(1) / (np.linalg.norm(ours64, axis=1) * np.linalg.norm(reference64, axis=1))
    worst = float(cosine.min())
    difference = float(np.abs(ours - reference).max())
    ok = worst >= 0.99999
    norms = np.linalg.norm(ours, axis=1)
    print(f"{'PASS' if ok else 'FAIL'} {name}: {len(texts)} rows × {ours.shape[1]}, smallest cosine "
          f"{worst:.9f} (1 − cosine ≤ {max(1 - worst, 0):.1e}), largest |difference| {difference:.1e}, "
          f"norms {norms.min():.4f}–{norms.max():.4f}")
    return ok


def main():
    build = os.environ.get("DDP_TRAIN_BUILD_PATH", os.path.join(ROOT, ".build"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=os.path.expanduser("~/.cache/ddp-train/all-MiniLM-L6-v2"))
    parser.add_argument("--binary", default=os.path.join(build, "release", "ddp-train"))
    parser.add_argument("--np", type=int, default=2, help="ranks (0: the binary alone)")
    args = parser.parse_args()
    print(f"sentence-transformers {sentence_transformers.__version__}, transformers {transformers.__version__}")
    texts = sentences()
    work = tempfile.mkdtemp(prefix="ddp-train-st-check-")
    ok = True
    try:
        written = os.path.join(work, "written")
        ours = embed(args, args.model, texts, work, "pretrained", ["--save-model", written])
        ok &= compare("pretrained", args.model, ours, texts)
        ok &= compare("written", written, embed(args, written, texts, work, "written"), texts)
        plain = os.path.join(work, "plain")
        os.makedirs(plain)
        for name in PLAIN_FILES:
            if os.path.exists(os.path.join(args.model, name)):
                shutil.copy(os.path.join(args.model, name), plain)
        ok &= compare("plain", plain, embed(args, plain, texts, work, "plain"), texts)
        normalized = os.path.join(work, "plain-written")
        embed(args, plain, texts, work, "plain-normalized", ["--normalize", "--save-model", normalized])
        ok &= compare("plain+written", normalized, embed(args, normalized, texts, work, "plain-written"), texts)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("all sentence-transformers checks passed" if ok else "some sentence-transformers checks FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
