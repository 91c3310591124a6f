#!/usr/bin/env python3
"""PyTorch side of bench/gpt2.sh: full causal-LM training steps of transformers'
GPT2LMHeadModel with GPT-2 small's config (vocab 50257, n_positions 1024, n_embd 768,
12 layers, 12 heads, head tied to wte, dropout 0.1 as configured), random init, on
random token blocks of batch x seq, AdamW (weight decay 0.01 on all but biases and ln_*
weights), fp32 on CPU; as `ddp-bench gpt2` times ddp-train's step.

    torch_gpt2.py --threads 2 --batch 4 --seq 64 --warmup 2 --steps 5 [--profile]

Prints `RESULT {json}` (tokens_per_s from the median step); --profile adds the
torch.profiler top ops of one step.
"""
import argparse
import json
import resource
import statistics
import time


def flops(batch, seq, L=12, C=768, V=50257):
    """As GPT2Bench.flops: 6 x (block GEMM weights + tied head V.C) x tokens + 12.L.C.seq x tokens."""
    tokens = batch * seq
    weights = L * (4 * C * C + 2 * C * 4 * C) + V * C
    return 6 * weights * tokens + 12 * L * C * seq * tokens


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--seq", type=int, default=64)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--profile", action="store_true")
    a = p.parse_args()

    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    from transformers.utils import logging as hf_logging
    hf_logging.set_verbosity_error()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    config = GPT2Config(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                        tie_word_embeddings=True)
    model = GPT2LMHeadModel(config)
    model.train()
    decay, no_decay = [], []
    for n, q in model.named_parameters():
        (no_decay if (n.endswith(".bias") or ".ln_" in n) else decay).append(q)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": no_decay, "weight_decay": 0.0}], lr=1e-4)
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, config.vocab_size, (a.batch, a.seq), generator=g)

    def step():
        t0 = time.perf_counter()
        loss = model(input_ids=ids, labels=ids).loss
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        t3 = time.perf_counter()
        return {"fwd": t1 - t0, "bwd": t2 - t1, "opt": t3 - t2, "total": t3 - t0, "loss": float(loss.detach())}

    for _ in range(a.warmup):
        step()
    steps = [step() for _ in range(a.steps)]
    med = {k: statistics.median(s[k] for s in steps) for k in ("fwd", "bwd", "opt", "total")}
    fl = flops(a.batch, a.seq)
    res = {
        "label": "pytorch-gpt2", "batch": a.batch, "seq": a.seq, "threads": torch.get_num_threads(),
        "parameters": sum(q.numel() for q in model.parameters()),
        "attention": getattr(model.config, "_attn_implementation", None),
        "steps_timed": len(steps), "step_s_median": med["total"], "step_s_all": [s["total"] for s in steps],
        "fwd_s_median": med["fwd"], "bwd_s_median": med["bwd"], "opt_s_median": med["opt"],
        "tokens_per_s": a.batch * a.seq / med["total"], "flops_per_step": fl,
        "achieved_GFLOPs": fl / med["total"] / 1e9, "losses": [s["loss"] for s in steps],
        "peak_rss_MiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "torch": torch.__version__,
    }
    print("RESULT", json.dumps(res), flush=True)
    if a.profile:
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            step()
        ka = prof.key_averages()
        total = sum(e.self_cpu_time_total for e in ka)
        print(f"profiled 1 step, self CPU time {total / 1e6:.3f} s")
        for e in sorted(ka, key=lambda e: -e.self_cpu_time_total)[:20]:
            print(f"  {e.key:45s} {e.self_cpu_time_total / 1e6:8.3f} s {100 * e.self_cpu_time_total / total:5.1f}%")


if __name__ == "__main__":
    main()
