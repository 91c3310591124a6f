#!/usr/bin/env bash
# What a benchmark's instruction-set setting means, in one place (bench/run.sh's ISA=,
# bench/trainer_speed.py's --isa):
#   (empty)  ddp-train built for this CPU (-target-cpu native, or DDP_TRAIN_TARGET_CPU), OpenBLAS as the environment has
#            it (OPENBLAS_CORETYPE honoured), PyTorch unrestricted;
#   avx512   the same build, OPENBLAS_CORETYPE dropped so OpenBLAS picks its kernels for this CPU
#            (an environment may force an older core: README);
#   avx2     an AVX2 node (Zen 3, Haswell) on a newer CPU: built for `haswell` (AVX2 + FMA) in
#            .build/isa-avx2, OpenBLAS's Haswell kernels, PyTorch held to AVX2 (ATEN_CPU_CAPABILITY,
#            MKL_ENABLE_INSTRUCTIONS, ONEDNN_MAX_CPU_ISA). The core is still this CPU's.
#
#   bench/isa.sh ISA PRODUCT
#
# builds PRODUCT (release) for ISA and prints, one per line, `unset NAME`, `export NAME=VALUE`
# and `binary=PATH`: bench/run.sh evaluates them, bench/trainer_speed.py applies them.
set -euo pipefail
cd "$(dirname "$0")/.."
isa=$1
product=$2
scratch=.build
target_cpu=${DDP_TRAIN_TARGET_CPU:-native}
case $isa in
    "") ;;
    avx512) echo "unset OPENBLAS_CORETYPE" ;;
    avx2)
        for setting in OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 \
            ONEDNN_MAX_CPU_ISA=AVX2; do
            echo "export $setting"
        done
        scratch=.build/isa-avx2
        target_cpu=haswell
        ;;
    *) echo "bench/isa.sh: ISA must be avx2 or avx512 (or empty), not '$isa'" >&2; exit 2 ;;
esac
echo "+ DDP_TRAIN_TARGET_CPU=$target_cpu swift build -c release --product $product --scratch-path $scratch" >&2
DDP_TRAIN_TARGET_CPU=$target_cpu swift build -c release --product "$product" --scratch-path "$scratch" >&2
echo "binary=$PWD/$scratch/release/$product"
