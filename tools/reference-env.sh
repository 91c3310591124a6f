#!/usr/bin/env bash
# Makes (once) the Python virtual environment with the reference implementation
# (PyTorch + transformers) that the fixture generators in tools/ and the benchmarks use.
# Never needed to build, test or run ddp-train: fixtures are committed.
#
#   tools/reference-env.sh            # creates $DDP_REF_VENV (default .venv-ref) and prints its python
#
# Site settings:
#   DDP_REF_VENV   where the environment lives (default: .venv-ref in the repository)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${DDP_REF_VENV:-$root/.venv-ref}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch, transformers, safetensors, tokenizers, scipy, sklearn, seqeval, sentence_transformers" 2>/dev/null; then
    echo "+ python3 -m venv $venv" >&2
    python3 -m venv "$venv"
    echo "+ $venv/bin/pip install torch transformers safetensors tokenizers numpy psutil scipy scikit-learn seqeval peft sentence-transformers" >&2
    "$venv/bin/pip" install --quiet torch transformers safetensors tokenizers numpy psutil scipy scikit-learn seqeval peft sentence-transformers >&2
fi
echo "$venv/bin/python"
