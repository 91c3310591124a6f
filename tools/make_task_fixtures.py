#!/usr/bin/env python3
"""Writes the golden files for the fine-tuning task building blocks into Tests/Fixtures/tasks/.

    python3 tools/make_task_fixtures.py \
        --model ~/.cache/ddp-train/all-MiniLM-L6-v2

Run with any python3: when the reference libraries are not importable it re-executes itself
with the python of the reference environment (tools/reference-env.sh, $DDP_REF_VENV). Besides
torch and transformers this script needs scipy, scikit-learn and seqeval in that environment
(`$DDP_REF_VENV/bin/pip install scipy scikit-learn seqeval`).

Files written (each records the command that wrote it and the library versions):

  word-alignment.json  transformers' `tokenizer(words, is_split_into_words=True, truncation=True,
                       max_length=L)`: ids, `word_ids()` (None as -1) and the labels of the
                       token-classification recipe (the word's label on its first sub-word,
                       -100 elsewhere) for sentences with multi-piece words, words that vanish
                       in normalization, added tokens and truncation.
  entities.json        seqeval (default mode, conlleval-compatible): `get_entities` of every
                       sentence, and `classification_report(output_dict=True)` + `accuracy_score`
                       for each case (lists of sentences, gold and predicted).
  regression.json      scikit-learn `mean_squared_error`, scipy.stats `pearsonr`, `spearmanr`
                       and `rankdata` (average ties); NaN (constant input) written as null.
  losses.json          torch `MSELoss` and `BCEWithLogitsLoss` (reduction sum and mean): loss and
                       the gradient with respect to the predictions / logits.
  multilabel.json      scikit-learn `precision_recall_fscore_support` (per label, micro, macro;
                       zero_division=0), `accuracy_score` (subset accuracy) and `hamming_loss`
                       of predictions `sigmoid(logits) >= 0.5`.
"""
import argparse
import importlib.metadata
import json
import os
import shlex
import subprocess
import sys
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tasks")

try:
    import numpy as np
    import scipy
    import scipy.stats
    import seqeval
    import sklearn
    import sklearn.metrics
    import torch
    import transformers
    from seqeval.metrics import accuracy_score as seqeval_accuracy
    from seqeval.metrics import classification_report as seqeval_report
    from seqeval.metrics.sequence_labeling import get_entities
    from transformers import AutoTokenizer
except ImportError as missing:
    if os.environ.get("DDP_FIXTURES_REEXEC"):
        sys.exit(f"{missing}: install scipy scikit-learn seqeval into the reference environment "
                 "($DDP_REF_VENV/bin/pip install scipy scikit-learn seqeval)")
    python = subprocess.check_output([os.path.join(ROOT, "tools", "reference-env.sh")], text=True).strip()
    print(f"+ {python} {' '.join(map(shlex.quote, sys.argv))}", file=sys.stderr)
    os.environ["DDP_FIXTURES_REEXEC"] = "1"
    os.execv(python, [python] + sys.argv)

transformers.logging.set_verbosity_error()
# seqeval warns about tags it does not recognise and sklearn about zero divisions: both are
# exercised on purpose.
warnings.filterwarnings("ignore")


def header(command):
    return {
        "command": command,
        "versions": {
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "sklearn": sklearn.__version__,
            "seqeval": importlib.metadata.version("seqeval"),  # the module has no __version__
        },
    }


def finite_or_none(x):
    x = float(x)
    return None if x != x else x


# ---------------------------------------------------------------------------------------------
# Word → word-piece alignment

ALIGNMENT_SENTENCES = [
    ("conll", ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."], [None, 8, 5, 3]),
    ("multi-piece words", ["Unaffable", "Ångström", "U.S.", "naïve", "résumé", "3,000"], [None, 6, 4]),
    ("space inside a word", ["New York", "is", "big"], [None]),
    ("vanishing words", ["a", "\u200b", "", "b", "  ", "\u0301", "c", "\x00"], [None]),
    ("only vanishing words", ["", "\u200b"], [None]),
    ("added tokens", ["[MASK]", "foo", "[SEP]", "x[CLS]y"], [None]),
    ("long word", ["a" * 120, "b"], [None]),
    ("cjk and emoji", ["東京", "タワー", "🙂", "ok"], [None]),
    ("truncation budgets", ["Unaffable", "x", "wonderfully", "y"], [0, 1, 2, 3, 4, 5, 6, 7, 9]),
    ("empty sentence", [], [None, 2]),
]


def alignment_fixture(model_dir, command):
    tok = AutoTokenizer.from_pretrained(model_dir)
    cases = []
    for name, words, lengths in ALIGNMENT_SENTENCES:
        word_labels = [10 + i for i in range(len(words))]
        for max_length in lengths:
            kwargs = {} if max_length is None else {"truncation": True, "max_length": max_length}
            enc = tok(words, is_split_into_words=True, **kwargs)
            word_ids = enc.word_ids()
            # The Hugging Face token-classification recipe (run_ner.py, label_all_tokens=False).
            labels, previous = [], None
            for w in word_ids:
                if w is None:
                    labels.append(-100)
                elif w != previous:
                    labels.append(word_labels[w])
                else:
                    labels.append(-100)
                previous = w
            cases.append({
                "name": name,
                "words": words,
                "maxLength": max_length,
                "tokens": enc.tokens(),
                "ids": enc["input_ids"],
                "wordIds": [-1 if w is None else w for w in word_ids],
                "wordLabels": word_labels,
                "labels": labels,
            })
    return {**header(command), "tokenizer": os.path.basename(os.path.normpath(model_dir)), "cases": cases}


# ---------------------------------------------------------------------------------------------
# Entity-level metrics (seqeval)

def random_tagging(rng, sentences, types, max_length, prefixes=("B", "I")):
    tags = ["O"] + [f"{p}-{t}" for t in types for p in prefixes]
    return [[tags[rng.integers(len(tags))] for _ in range(rng.integers(0, max_length + 1))] for _ in range(sentences)]


def corrupt(rng, gold, rate, types):
    """A 'prediction': the gold tags with some replaced by random ones."""
    tags = ["O"] + [f"{p}-{t}" for t in types for p in ("B", "I")]
    return [[tags[rng.integers(len(tags))] if rng.random() < rate else t for t in s] for s in gold]


def entity_cases():
    rng = np.random.default_rng(20240601)
    cases = [
        ("perfect match",
         [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG", "I-ORG", "I-ORG"]],
         [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG", "I-ORG", "I-ORG"]]),
        ("I after O starts an entity",
         [["O", "B-PER", "I-PER", "O"], ["B-LOC", "O", "O"]],
         [["O", "I-PER", "I-PER", "O"], ["O", "I-LOC", "O"]]),
        ("I after another type starts an entity",
         [["B-PER", "I-PER", "I-PER"], ["B-PER", "B-LOC", "I-LOC"]],
         [["B-PER", "I-LOC", "I-LOC"], ["B-PER", "I-LOC", "I-LOC"]]),
        ("B after B of the same type",
         [["B-PER", "B-PER", "I-PER"], ["B-LOC", "I-LOC", "B-LOC"]],
         [["B-PER", "I-PER", "I-PER"], ["B-LOC", "B-LOC", "B-LOC"]]),
        ("entities end at the sentence end",
         [["O", "B-PER"], ["I-PER", "O"], ["B-MISC"], ["I-MISC"]],
         [["O", "B-PER"], ["I-PER", "O"], ["B-MISC"], ["B-MISC"]]),
        ("IOB1",
         [["I-PER", "I-PER", "B-PER", "O", "I-LOC"], ["I-ORG", "I-ORG", "O", "I-ORG"]],
         [["I-PER", "I-PER", "I-PER", "O", "I-LOC"], ["I-ORG", "B-ORG", "O", "B-ORG"]]),
        ("IOBES",
         [["B-PER", "E-PER", "S-LOC", "O", "B-ORG", "I-ORG", "E-ORG"], ["S-PER", "S-PER", "E-PER", "I-LOC", "E-LOC"]],
         [["B-PER", "I-PER", "S-LOC", "O", "B-ORG", "E-ORG", "E-ORG"], ["S-PER", "B-PER", "E-PER", "E-LOC", "S-LOC"]]),
        ("bare tags without a type",
         [["B", "I", "O", "B", "B", "I"], ["I", "I", "O"]],
         [["B", "I", "O", "I", "B", "O"], ["I", "B", "O"]]),
        ("hyphens inside the type",
         [["B-ORG-CORP", "I-ORG-CORP", "O", "B-geo-loc", "I-geo-loc"]],
         [["B-ORG-CORP", "I-ORG", "O", "B-geo-loc", "I-geo-loc"]]),
        ("no entities anywhere",
         [["O", "O"], ["O"]],
         [["O", "O"], ["O"]]),
        ("predicted types the gold lacks",
         [["B-PER", "O", "O"], ["O", "O"]],
         [["B-PER", "B-LOC", "I-LOC"], ["B-MISC", "O"]]),
        ("nothing predicted",
         [["B-PER", "I-PER", "O"], ["B-LOC"]],
         [["O", "O", "O"], ["O"]]),
        ("empty sentences",
         [[], ["B-PER"], [], ["O", "I-LOC"]],
         [[], ["B-PER"], [], ["O", "B-LOC"]]),
        ("single-token sentences",
         [["B-PER"], ["I-PER"], ["O"], ["B-LOC"], ["I-LOC"]],
         [["I-PER"], ["I-PER"], ["B-PER"], ["I-LOC"], ["B-LOC"]]),
        ("long entities and boundaries",
         [["B-LOC"] + ["I-LOC"] * 7 + ["B-LOC", "I-LOC", "O", "I-PER", "I-LOC", "B-PER"]],
         [["B-LOC"] + ["I-LOC"] * 6 + ["O", "B-LOC", "I-LOC", "O", "I-PER", "I-PER", "I-PER"]]),
    ]
    types = ["LOC", "MISC", "ORG", "PER"]
    gold = random_tagging(rng, 120, types, 25)
    cases.append(("random IOB tags, 120 sentences", gold, corrupt(rng, gold, 0.15, types)))
    gold = random_tagging(rng, 80, types, 30, prefixes=("B", "I", "E", "S"))
    pred = random_tagging(rng, 80, types, 30, prefixes=("B", "I", "E", "S"))
    pred = [p[: len(g)] + ["O"] * max(0, len(g) - len(p)) for g, p in zip(gold, pred)]
    cases.append(("random IOBES tags, 80 sentences", gold, pred))
    return cases


def entities_fixture(command):
    cases = []
    for name, gold, pred in entity_cases():
        assert [len(s) for s in gold] == [len(s) for s in pred], name
        report = seqeval_report(gold, pred, output_dict=True, zero_division=0)
        types = {}
        for key, value in report.items():
            if key.endswith(" avg"):
                continue
            types[key] = {"precision": float(value["precision"]), "recall": float(value["recall"]),
                          "f1": float(value["f1-score"]), "support": int(value["support"])}

        def avg(key):
            v = report[key]
            # The macro average over no entity types is NaN in seqeval (a mean of nothing): null.
            return {k: finite_or_none(v[r]) for k, r in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score"))}

        cases.append({
            "name": name,
            "gold": gold,
            "predicted": pred,
            # get_entities of each sentence alone: (type, first, last) with `last` inclusive.
            "goldEntities": [[list(e) for e in get_entities(s)] for s in gold],
            "predictedEntities": [[list(e) for e in get_entities(s)] for s in pred],
            "types": types,
            "micro": avg("micro avg"),
            "macro": avg("macro avg"),
            "accuracy": None if sum(map(len, gold)) == 0 else seqeval_accuracy(gold, pred),
        })
    return {**header(command), "cases": cases}


# ---------------------------------------------------------------------------------------------
# Regression metrics

def regression_fixture(command):
    rng = np.random.default_rng(7)
    f32 = lambda xs: [float(np.float32(x)) for x in xs]
    n = 300
    targets = rng.uniform(0, 5, n)
    noisy = targets + rng.normal(0, 0.8, n)
    raw = [
        ("small", [2.5, 0.0, 2.0, 8.0], [3.0, -0.5, 2.0, 7.0]),
        ("ties in both", [1, 2, 2, 3, 3, 3, 4], [1, 1, 2, 2, 3, 5, 5]),
        ("negative correlation with ties", [5, 4, 4, 2, 1, 1], [0.1, 0.2, 0.2, 0.2, 0.5, 0.9]),
        ("two points", [0.25, 0.75], [1.0, 3.0]),
        ("constant predictions", [2.0, 2.0, 2.0, 2.0], [1.0, 2.0, 3.0, 4.0]),
        ("constant targets", [1.0, 3.0, 2.0], [4.0, 4.0, 4.0]),
        ("large offset", [1000.1, 1000.2, 1000.4, 1000.3], [5.0, 6.0, 8.0, 7.5]),
        ("STS-B-like scores rounded to 0.2 (many ties)", np.round(noisy * 5) / 5, np.round(targets * 5) / 5),
        ("300 random", noisy, targets),
    ]
    cases = []
    for name, p, t in raw:
        p, t = f32(p), f32(t)
        pa, ta = np.array(p, dtype=np.float64), np.array(t, dtype=np.float64)
        with np.errstate(all="ignore"):
            pearson = scipy.stats.pearsonr(pa, ta)[0] if len(p) >= 2 else float("nan")
            spearman = scipy.stats.spearmanr(pa, ta)[0]
        cases.append({
            "name": name,
            "predictions": p,
            "targets": t,
            "mse": float(sklearn.metrics.mean_squared_error(ta, pa)),
            "pearson": finite_or_none(pearson),
            "spearman": finite_or_none(spearman),
            "predictionRanks": scipy.stats.rankdata(pa, method="average").tolist(),
        })
    return {**header(command), "cases": cases}


# ---------------------------------------------------------------------------------------------
# Losses

def loss_and_grad(loss_fn, inputs, targets):
    x = torch.tensor(inputs, dtype=torch.float32, requires_grad=True)
    y = torch.tensor(targets, dtype=torch.float32)
    loss = loss_fn(x, y)
    loss.backward()
    return float(loss), x.grad.reshape(-1).tolist()


def losses_fixture(command):
    rng = np.random.default_rng(11)
    f32 = lambda a: np.asarray(a, dtype=np.float32)
    mse_cases = [
        ("small", f32([2.5, 0.0, 2.0, 8.0]), f32([3.0, -0.5, 2.0, 7.0])),
        ("random 37", f32(rng.normal(2.5, 1.5, 37)), f32(rng.uniform(0, 5, 37))),
        ("large values", f32([1e3, -2e3, 5e2]), f32([1e3 + 0.5, -1.9e3, 0.0])),
    ]
    mse = []
    for name, p, t in mse_cases:
        loss_sum, grad_sum = loss_and_grad(torch.nn.MSELoss(reduction="sum"), p, t)
        loss_mean, grad_mean = loss_and_grad(torch.nn.MSELoss(reduction="mean"), p, t)
        mse.append({"name": name, "predictions": p.tolist(), "targets": t.tolist(),
                    "lossSum": loss_sum, "gradSum": grad_sum, "lossMean": loss_mean, "gradMean": grad_mean})

    bce_cases = [
        ("extremes", 3, f32([[-1e4, -100, -30], [-1, 0, 1], [30, 100, 1e4], [-17, 17, 88.7]]),
         f32([[1, 0, 1], [0.3, 1, 0], [0, 1, 0], [1, 0, 1]])),
        ("random 9x5 with soft targets", 5, f32(rng.normal(0, 3, (9, 5))),
         f32(np.where(rng.random((9, 5)) < 0.2, rng.random((9, 5)), rng.integers(0, 2, (9, 5))))),
        ("one label", 1, f32(rng.normal(0, 2, (6, 1))), f32(rng.integers(0, 2, (6, 1)))),
    ]
    bce = []
    for name, k, z, t in bce_cases:
        loss_sum, grad_sum = loss_and_grad(torch.nn.BCEWithLogitsLoss(reduction="sum"), z, t)
        loss_mean, grad_mean = loss_and_grad(torch.nn.BCEWithLogitsLoss(reduction="mean"), z, t)
        bce.append({"name": name, "labels": k, "logits": z.reshape(-1).tolist(), "targets": t.reshape(-1).tolist(),
                    "lossSum": loss_sum, "gradSum": grad_sum, "lossMean": loss_mean, "gradMean": grad_mean})
    return {**header(command), "meanSquaredError": mse, "binaryCrossEntropyWithLogits": bce}


# ---------------------------------------------------------------------------------------------
# Multi-label metrics

def multilabel_fixture(command):
    rng = np.random.default_rng(5)
    raw = [
        # label 3 is never true and never predicted: it counts in the macro average as 0.
        ("small", np.array([[2.0, -1.0, 0.0, -3.0], [-0.5, 0.7, 1e-6, -2.0], [1.5, 1.5, -1e-6, -9.0]]),
         np.array([[1, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0]])),
        ("nothing predicted", np.full((3, 2), -4.0), np.array([[1, 0], [0, 0], [1, 1]])),
        ("random 50x6", rng.normal(-0.5, 2.0, (50, 6)), (rng.random((50, 6)) < 0.3).astype(int)),
    ]
    cases = []
    for name, logits, targets in raw:
        logits = logits.astype(np.float32)
        predicted = (torch.sigmoid(torch.from_numpy(logits)) >= 0.5).numpy().astype(int)
        # Logits within 2e-7 of 0 are where torch's float32 sigmoid rounds to exactly 0.5; the
        # Swift side decides on the exact sigmoid (logit >= 0), so keep them out of the data.
        assert not np.any((np.abs(logits) < 2e-7) & (logits != 0)), name
        per = sklearn.metrics.precision_recall_fscore_support(targets, predicted, average=None, zero_division=0)
        micro = sklearn.metrics.precision_recall_fscore_support(targets, predicted, average="micro", zero_division=0)
        macro = sklearn.metrics.precision_recall_fscore_support(targets, predicted, average="macro", zero_division=0)
        cases.append({
            "name": name,
            "labels": int(logits.shape[1]),
            "logits": logits.reshape(-1).tolist(),
            "targets": targets.reshape(-1).astype(float).tolist(),
            "predicted": predicted.reshape(-1).tolist(),
            "precision": per[0].tolist(), "recall": per[1].tolist(), "f1": per[2].tolist(),
            "support": per[3].tolist(),
            "micro": {"precision": micro[0], "recall": micro[1], "f1": micro[2]},
            "macro": {"precision": macro[0], "recall": macro[1], "f1": macro[2]},
            "subsetAccuracy": sklearn.metrics.accuracy_score(targets, predicted),
            "hammingLoss": sklearn.metrics.hamming_loss(targets, predicted),
        })
    return {**header(command), "threshold": 0.5, "cases": cases}


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.environ.get("DDP_TRAIN_MODEL")
                        or os.path.expanduser("~/.cache/ddp-train/all-MiniLM-L6-v2"),
                        help="the pretrained model directory whose tokenizer.json is used")
    args = parser.parse_args()
    command = "python3 tools/make_task_fixtures.py --model " + args.model
    torch.manual_seed(0)
    write("word-alignment.json", alignment_fixture(args.model, command))
    write("entities.json", entities_fixture(command))
    write("regression.json", regression_fixture(command))
    write("losses.json", losses_fixture(command))
    write("multilabel.json", multilabel_fixture(command))


if __name__ == "__main__":
    main()
