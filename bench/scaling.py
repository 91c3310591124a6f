#!/usr/bin/env python3
"""Predicted data-parallel efficiency of ddp-train at more ranks, from what one machine can
measure: the compute time of a step per rank and the gradient bytes it reduces.

    python3 bench/scaling.py --model MiniLM --compute 1.45 --bytes 90.9e6 [--backward-share 0.63]

Model (weak scaling: each rank keeps its per-rank batch): a ring allreduce of S bytes over W
ranks moves 2·(W−1)/W·S bytes through each rank's link of bandwidth B and takes 2·(W−1)
latency steps α, so t(W) = 2·(W−1)/W·S/B + 2·(W−1)·α. Without overlap a step takes
T + t; with the bucketed overlap at best T − Tb + max(Tb, t − t_last) + t_last, where Tb is
the backward share of the compute (only backward can hide a reduction) and t_last the last
bucket's reduction, which starts when backward ends (≈ 1/16 of t here: the embeddings and
the first layer). Efficiency = T / step time. The overlapped column is that bound; on one
shared-memory machine ddp-train hides less (bench/RESULTS.md, bench/SCALING.md). S is the dense gradient
size: the sparse word-embedding reduction saves up to half of it at small rank counts, but a
global batch of thousands of sequences touches most of the vocabulary, so the dense size is
the honest bound at 64 and 512 ranks. Links: 10 Gb/s Ethernet
(1.25 GB/s, α = 20 µs) and 100 Gb/s InfiniBand/RoCE (12.5 GB/s, α = 3 µs), with 70 % of
line rate achieved, a typical figure for MPI over TCP and verbs.

Corrections from the measured multi-node runs (bench/multinode.sh, bench/SCALING.md): over TCP
the achieved share of the line rate depends on the CPU left for the kernel's copies
(--link-efficiency; 0.44–0.64 measured at 1 Gb/s on 2 shared cores), and Open MPI without a
progress thread moves a nonblocking reduction's bytes only inside MPI calls, which ddp-train
makes between layers: over TCP the overlap then hides little of t (--overlap-hides, the share
of the hideable part really hidden; 1 is the bound, about 0 was measured over TCP).
"""
import argparse

LINKS = [("10 Gb/s", 1.25e9 * 0.7, 20e-6), ("100 Gb/s", 12.5e9 * 0.7, 3e-6)]


def allreduce_seconds(size_bytes, ranks, bandwidth, latency):
    if ranks == 1:
        return 0.0
    return 2 * (ranks - 1) / ranks * size_bytes / bandwidth + 2 * (ranks - 1) * latency


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--compute", type=float, required=True, help="seconds of compute per step per rank")
    p.add_argument("--bytes", type=float, required=True, help="bytes of all gradients (reduced per step)")
    p.add_argument("--backward-share", type=float, default=0.63, help="share of the compute spent in backward")
    p.add_argument("--link-efficiency", type=float, default=0.7, help="share of the line rate achieved")
    p.add_argument("--overlap-hides", type=float, default=1.0, help="share of the hideable allreduce hidden")
    a = p.parse_args()
    links = [(name, bandwidth / 0.7 * a.link_efficiency, latency) for name, bandwidth, latency in LINKS]
    print(f"| {a.model} ({a.bytes / 1e6:.0f} MB, {a.compute:.2f} s compute) | link | ranks | allreduce s | efficiency, flat | efficiency, overlapped |")
    print("|---|---|---|---|---|---|")
    for name, bandwidth, latency in links:
        for ranks in (8, 64, 512):
            t = allreduce_seconds(a.bytes, ranks, bandwidth, latency)
            flat = a.compute / (a.compute + t)
            backward, last = a.compute * a.backward_share, t / 16
            # The bound hides min(backward, t − last); a share of it when progress is limited.
            overlapped = a.compute / (a.compute + t - a.overlap_hides * min(backward, t - last))
            print(f"| | {name} | {ranks} | {t:.3f} | {100 * flat:.0f} % | {100 * overlapped:.0f} % |")


if __name__ == "__main__":
    main()
