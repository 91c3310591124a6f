#!/usr/bin/env python3
"""Turns the RESULT lines of one bench/run.sh invocation into a Markdown section with
ratios (ddp-train over PyTorch, same machine, same run). Reads the log file given."""
import datetime
import json
import os
import platform
import subprocess
import sys


def results(path):
    out = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("RESULT "):
            out.append(json.loads(line[len("RESULT "):]))
    return out


def cpu_description():
    """Vendor family/model and the widest vector instruction set, from /proc/cpuinfo."""
    fields = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        return platform.processor()
    flags = set(fields.get("flags", "").split())
    isa = "AVX-512" if {"avx512f", "avx512bw"} <= flags else "AVX2" if "avx2" in flags else "SSE"
    names = {(25, 0x01): "Zen 3", (25, 0x21): "Zen 3", (25, 0x11): "Zen 4", (25, 0x61): "Zen 4", (26, 0x02): "Zen 5"}
    try:
        key = (int(fields.get("cpu family", "0")), int(fields.get("model", "0")))
    except ValueError:
        key = (0, 0)
    core = names.get(key, f"family {key[0]} model {key[1]}")
    return f"{fields.get('vendor_id', '?')} {core}, {isa}"


def openblas_core():
    """The core type OpenBLAS runs with (OPENBLAS_CORETYPE when set, else its own choice)."""
    import ctypes
    import ctypes.util
    forced = os.environ.get("OPENBLAS_CORETYPE")
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("openblas") or "libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        name = lib.openblas_get_corename().decode()
    except OSError:
        name = "unknown"
    return f"{name} (OPENBLAS_CORETYPE={forced})" if forced else f"{name} (its own choice)"


def main():
    rs = results(sys.argv[1])
    ours = [r for r in rs if "mode" in r]
    torch_fixed = {r["label"]: r for r in rs if "label" in r}
    torch_train = [r for r in rs if "dev_accuracy" in r]
    try:
        cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next((l.split(":", 1)[1].strip() for l in cpu.splitlines() if l.startswith("Model name")), platform.processor())
    except OSError:
        model = platform.processor()
    print(f"\n## {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC — {model}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores\n")
    print(f"CPU: {cpu_description()}; OpenBLAS kernels: {openblas_core()}.\n")
    isa = os.environ.get("ISA", "")
    if isa == "avx2":
        print("Both sides held to AVX2 (an AVX2 node on this CPU): ddp-bench built for `haswell`, OpenBLAS's "
              "Haswell kernels, PyTorch with ATEN_CPU_CAPABILITY=avx2, MKL_ENABLE_INSTRUCTIONS=AVX2, "
              "ONEDNN_MAX_CPU_ISA=AVX2.\n")
    command = f"ISA={isa} bench/run.sh" if isa else "bench/run.sh"
    print(f"Command: `{command}` (release build; PyTorch from `../shared/bench/torch_ref.py` in the same run).\n")
    torch_ddp = next((r for k, r in torch_fixed.items() if k.startswith("DDP")), None)
    torch_single = next((r for k, r in torch_fixed.items() if k.startswith("single")), None)
    fixed = [r for r in ours if r["mode"] == "fixed" and r.get("model") == "minilm" and not r.get("tag")
             and r["world"] * r["threads_per_rank"] <= 2]
    if fixed:
        print("### Fixed shape: all-MiniLM-L6-v2, batch 32 × 128 tokens\n")
        print("| run | step s | fwd | bwd | comm wait | opt | samples/s | GFLOP/s | % of sgemm peak | peak RSS/rank MiB | vs PyTorch DDP 2×1 | vs PyTorch 1×2 |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in fixed:
            a = r["samples_per_s"] / torch_ddp["samples_per_s"] if torch_ddp else float("nan")
            b = r["samples_per_s"] / torch_single["samples_per_s"] if torch_single else float("nan")
            print(f"| ddp-train {r['world']} rank × {r['threads_per_rank']} thread | {r['step_s_median']:.3f} | {r['fwd_s_median']:.3f} | "
                  f"{r['bwd_s_median']:.3f} | {r['comm_wait_s_median']:.3f} | {r['opt_s_median']:.3f} | {r['samples_per_s']:.2f} | "
                  f"{r['achieved_GFLOPs']:.0f} | {100 * r['fraction_of_sgemm_peak']:.0f}% of {r['sgemm_peak_GFLOPs']:.0f} | "
                  f"{max(r['per_rank_peak_rss_MiB']):.0f} | {a:.2f}× | {b:.2f}× |")
        for name, r in [("PyTorch DDP gloo 2×1", torch_ddp), ("PyTorch 1 process × 2 threads", torch_single)]:
            if r:
                rss = max(r.get("per_rank_peak_rss_MiB", [r.get("peak_rss_MiB", 0)]))
                print(f"| {name} | {r['step_s_median']:.3f} | {r['fwd_s_median']:.3f} | {r['bwd_s_median']:.3f} | – | "
                      f"{r['opt_s_median']:.3f} | {r['samples_per_s']:.2f} | {r['achieved_GFLOPs']:.0f} | – | {rss:.0f} | – | – |")
        skipped = [r for r in fixed if r.get("model_flops_per_step", r["flops_per_step"]) > r["flops_per_step"]]
        if skipped:
            r = skipped[0]
            print(f"\nGFLOP/s counts the FLOPs each side runs: ddp-train's top layer runs only the [CLS] rows the head "
                  f"reads, {100 * (1 - r['flops_per_step'] / r['model_flops_per_step']):.1f} % fewer than the model's "
                  f"count PyTorch runs; samples/s compare the same work.")
        if torch_single and fixed:
            ours_rss = max(max(r["per_rank_peak_rss_MiB"]) for r in fixed)
            print(f"\nPeak resident memory per rank: ddp-train {ours_rss:.0f} MiB = {ours_rss / torch_single['peak_rss_MiB']:.2f} × PyTorch's "
                  f"{torch_single['peak_rss_MiB']:.0f} MiB (1 process, same global batch).")
    sst2 = [r for r in ours if r["mode"] == "sst2"]
    if sst2 and torch_train:
        t = torch_train[0]
        print("\n### SST-2 slice: batch 32, max length 64, dynamic padding\n")
        print("| run | samples/s | tokens/s (real) | step s | ratio |")
        print("|---|---|---|---|---|")
        for r in sst2:
            print(f"| ddp-train {r['world']} × {r['threads_per_rank']} | {r['samples_per_s']:.1f} | {r['tokens_per_s']:.0f} | "
                  f"{r['step_s_median']:.3f} | {r['samples_per_s'] / t['samples_per_s']:.2f}× |")
        print(f"| PyTorch 1 × 2 threads ({t['train_rows']} rows) | {t['samples_per_s']:.1f} | {t['real_tokens_per_s']:.0f} | – | 1.00× |")
    scaling = [r for r in ours if r.get("tag") == "scaling"]
    if scaling:
        print("\n### Flat vs overlapped allreduce (4 and 8 ranks oversubscribe the 2 cores: communication, not speed)\n")
        print("Hidden behind backward: the share of the overlapped reductions' span (first bucket started to last "
              "completed) not spent blocked after backward. Wait saved: 1 − overlapped comm wait / flat comm wait "
              "(comm wait includes the word-embedding rows, reduced after backward either way).\n")
        print("| ranks | flat step s | flat comm wait s | overlapped step s | overlapped comm wait s | allreduce span s | hidden behind backward | wait saved | MB reduced/step |")
        print("|---|---|---|---|---|---|---|---|---|")
        for world in sorted({r["world"] for r in scaling}):
            flat = next((r for r in scaling if r["world"] == world and not r["overlap"]), None)
            over = next((r for r in scaling if r["world"] == world and r["overlap"]), None)
            if not (flat and over):
                continue
            saved = 1 - over["comm_wait_s_median"] / flat["comm_wait_s_median"] if flat["comm_wait_s_median"] > 0 else float("nan")
            print(f"| {world} | {flat['step_s_median']:.2f} | {flat['comm_wait_s_median']:.3f} | {over['step_s_median']:.2f} | "
                  f"{over['comm_wait_s_median']:.3f} | {over['allreduce_s_per_step']:.3f} | {100 * over['allreduce_hidden_fraction']:.0f}% | "
                  f"{100 * saved:.0f}% | {over['reduced_bytes_per_step'] / 1e6:.1f} |")
    base = [r for r in ours if r.get("model") == "bert-base"]
    for r in base:
        print(f"\nBERT-base-sized model ({r['parameters'] / 1e6:.0f} M parameters, random weights), {r['world']} ranks × "
              f"{r['threads_per_rank']}, batch 32 × 128: {r['step_s_median']:.2f} s/step (compute {r['fwd_s_median'] + r['bwd_s_median']:.2f} s), "
              f"{r['samples_per_s']:.2f} samples/s, {100 * r['fraction_of_sgemm_peak']:.0f}% of the sgemm peak, "
              f"{r['reduced_bytes_per_step'] / 1e6:.0f} MB reduced per step, peak {max(r['per_rank_peak_rss_MiB']):.0f} MiB per rank.")


if __name__ == "__main__":
    main()
