#!/usr/bin/env python3
"""Writes Tests/Fixtures/causal-lm/sampler.json: score vectors before and after transformers'
logits processors, for the golden tests of `TokenSampler` (Tests/TrainingTests/TokenSamplerTests).

Each case is a float32 score vector over a vocabulary of 50 (some with ties, some with -inf),
a token history, and generation settings. The processors are the ones `generate` builds for
those settings, in its order (RepetitionPenaltyLogitsProcessor, then TemperatureLogitsWarper,
TopKLogitsWarper, TopPLogitsWarper); the script checks the order against the tiny GPT-2's own
`_get_logits_processor` when that private method is there. Saved per case: the scores after the
repetition penalty ("penalized") and after every processor ("processed"); -inf is written as
null. Top-p cases are drawn so that no cumulative probability lies within 1e-4 of the
threshold, so float rounding cannot move a token across it, and so that no group of tied scores
straddles it: transformers sorts with torch's default unstable sort, whose order of equal
values is arbitrary beyond 16 entries, so there no implementation could match it (TokenSampler
orders ties by index, as a stable sort does).

Run with the reference environment: .venv-ref/bin/python tools/make_sampler_fixtures.py
"""

import json
import math
import pathlib

import torch
import transformers
from transformers import (
    GenerationConfig,
    LogitsProcessorList,
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/Fixtures/causal-lm/sampler.json"
VOCAB = 50
HISTORY = [3, 3, 7, 10, 7, 49, 0, 21, 21, 21]


def processors(penalty, sampling):
    """The processors `generate` applies for these settings, in its order."""
    chain = []
    if penalty != 1.0:
        chain.append(RepetitionPenaltyLogitsProcessor(penalty=penalty))
    if sampling is not None:
        if sampling["temperature"] != 1.0:
            chain.append(TemperatureLogitsWarper(sampling["temperature"]))
        if sampling["top_k"] != 0:
            chain.append(TopKLogitsWarper(top_k=sampling["top_k"]))
        if sampling["top_p"] < 1.0:
            chain.append(TopPLogitsWarper(top_p=sampling["top_p"]))
    return chain


def generate_order(penalty, sampling):
    """Class names of the processors the tiny GPT-2's `generate` builds, or None."""
    try:
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained(ROOT / "Tests/Fixtures/causal-lm/tiny-lm")
        config = GenerationConfig(
            do_sample=sampling is not None,
            repetition_penalty=penalty,
            **({"temperature": sampling["temperature"], "top_k": sampling["top_k"], "top_p": sampling["top_p"]}
               if sampling else {}),
        )
        built = model._get_logits_processor(
            generation_config=config, input_ids_seq_length=len(HISTORY),
            encoder_input_ids=torch.zeros(1, len(HISTORY), dtype=torch.long),
            prefix_allowed_tokens_fn=None, logits_processor=LogitsProcessorList())
        return [type(p).__name__ for p in built]
    except (AttributeError, TypeError) as error:
        print(f"note: cannot read generate's processor order ({error}); using the documented one")
        return None


def scores(generator, kind):
    s = torch.randn(VOCAB, generator=generator, dtype=torch.float32) * 2.5
    if kind == "ties":
        top = torch.argsort(s, descending=True)
        s[top[3:8]] = s[top[3]].item()  # the 4th to 8th largest equal: ties across a top-5 cut
        s[top[20:30]] = s[top[20]].item()
    elif kind == "neginf":
        s[torch.randperm(VOCAB, generator=generator)[:12]] = -math.inf
    elif kind == "flat":
        s = torch.zeros(VOCAB)
        s[:5] = torch.tensor([2.0, 1.5, 1.0, 0.5, 0.25])
    elif kind == "zeros":
        s[[3, 7, 21]] = 0.0
    return s


def top_p_removed_stably(x, top_p):
    """The tokens top-p removes when ties sort by index (`torch.sort(stable=True)`)."""
    values, indices = torch.sort(x, stable=True)
    remove = values.softmax(-1).cumsum(-1) <= (1 - top_p)
    remove[-1] = False
    return set(indices[remove].tolist())


def top_p_margin(x, top_p):
    """Smallest distance of a cumulative probability (ascending sort) from 1 - top_p."""
    probabilities = torch.sort(x.double()).values.softmax(-1).cumsum(-1)
    finite = probabilities[probabilities > 0]
    return (finite - (1 - top_p)).abs().min().item() if len(finite) else 1.0


CASES = [
    # name, score kind, repetition penalty, sampling (temperature, top_k, top_p) or None (greedy)
    ("penalty 1.3", "plain", 1.3, None),
    ("penalty 1.3 on zeros and -inf", "neginf", 1.3, None),
    ("penalty 0.8", "zeros", 0.8, None),
    ("temperature 0.7", "plain", 1.0, (0.7, 0, 1.0)),
    ("top_k 5", "plain", 1.0, (1.0, 5, 1.0)),
    ("top_k 5, ties at the 5th score", "ties", 1.0, (1.0, 5, 1.0)),
    ("top_k 1", "plain", 1.0, (1.0, 1, 1.0)),
    ("top_p 0.8", "plain", 1.0, (1.0, 0, 0.8)),
    ("top_p 0.999", "plain", 1.0, (1.0, 0, 0.999)),
    ("top_p 0.05 keeps the best", "plain", 1.0, (1.0, 0, 0.05)),
    ("top_p 0.9 with -inf", "neginf", 1.0, (1.0, 0, 0.9)),
    ("top_p 0.27 removes a tied tail", "flat", 1.0, (1.0, 0, 0.27)),
    ("defaults: temperature 1, top_k 50, top_p 1", "plain", 1.0, (1.0, 50, 1.0)),
    ("all: penalty 1.3, temperature 0.7, top_k 5, top_p 0.8", "plain", 1.3, (0.7, 5, 0.8)),
    ("temperature 1.5, top_k 20, top_p 0.95, ties", "ties", 1.0, (1.5, 20, 0.95)),
    ("penalty 1.3, top_k 10, top_p 0.9, -inf", "neginf", 1.3, (1.0, 10, 0.9)),
]


def main():
    generator = torch.Generator().manual_seed(20240610)
    cases = []
    for name, kind, penalty, setting in CASES:
        sampling = None if setting is None else dict(zip(("temperature", "top_k", "top_p"), setting))
        chain = processors(penalty, sampling)
        order = generate_order(penalty, sampling)
        assert order is None or order == [type(p).__name__ for p in chain], (name, order)
        history = HISTORY + ([55] if "penalty" in name else [])  # an id past the vocabulary: ignored
        ids = torch.tensor([history])
        for _ in range(100):
            x = scores(generator, kind)
            penalized = chain[0](ids, x.clone()[None])[0] if penalty != 1.0 else x.clone()
            warped = penalized.clone()
            for processor in chain[1 if penalty != 1.0 else 0:]:
                if sampling and sampling["top_p"] < 1.0 and isinstance(processor, TopPLogitsWarper):
                    margin = top_p_margin(warped, sampling["top_p"])
                    stable = top_p_removed_stably(warped, sampling["top_p"])
                    before = set(torch.nonzero(warped == -math.inf).flatten().tolist())
                warped = processor(ids, warped[None])[0]
                if isinstance(processor, TopPLogitsWarper):
                    after = set(torch.nonzero(warped == -math.inf).flatten().tolist())
                    # The order of tied scores in torch's default (unstable) sort is arbitrary
                    # beyond 16 entries; keep only cases where it cannot matter.
                    if after - before != stable - before:
                        margin = 0.0
            if not (sampling and sampling["top_p"] < 1.0) or margin > 1e-4:
                break
        else:
            raise SystemExit(f"{name}: no draw clear of the top-p threshold")

        def listed(t):
            return [None if v == -math.inf else float(v) for v in t.tolist()]

        kept = sum(v != -math.inf for v in warped.tolist())
        print(f"{name}: {kept} of {VOCAB} kept")
        cases.append({
            "name": name, "scores": listed(x), "history": history, "repetition_penalty": penalty,
            "sampling": sampling, "penalized": listed(penalized), "processed": listed(warped),
        })
    document = {
        "generator": "tools/make_sampler_fixtures.py",
        "transformers": transformers.__version__, "torch": torch.__version__, "cases": cases,
    }
    OUT.write_text(json.dumps(document, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
