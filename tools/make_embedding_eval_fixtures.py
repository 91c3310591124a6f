#!/usr/bin/env python3
"""Writes Tests/Fixtures/embedding/evaluation.json and Tests/Fixtures/embedding/logistic.json:
golden values of the embedding evaluators and of SetFit's logistic-regression head.

    DDP_REF_VENV=/path/to/.venv-ref python3 tools/make_embedding_eval_fixtures.py

Run with any python3: without sentence-transformers and scikit-learn it re-executes itself with
the python of the reference environment (tools/reference-env.sh, $DDP_REF_VENV).

Evaluation: fixed random embeddings (float32, seeded) go through sentence-transformers' own
evaluators — EmbeddingSimilarityEvaluator, InformationRetrievalEvaluator and
BinaryClassificationEvaluator — by way of a stand-in model whose `encode` returns the
precomputed row of each text (texts are row names), so the evaluators compute every metric
themselves. Corpus ids are zero-padded so that their string order (the evaluator's tie-break)
is the row order. The retrieval case has duplicated corpus rows (exact score ties) and a query
without relevant documents (the evaluator leaves it out); the pair case has duplicated pairs.

Logistic regression: scikit-learn's LogisticRegression with its defaults (C=1, lbfgs, L2,
multinomial for 3+ classes) on separable-ish random clusters: its predictions, and the
coefficients and probabilities of the same model fitted to convergence (tol 1e-10, in float64),
since the default fit stops at a loose tolerance.
"""
import json
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "embedding")

try:
    import numpy as np
    import sentence_transformers
    import sklearn
    import torch
    from sentence_transformers.sentence_transformer.evaluation import (
        BinaryClassificationEvaluator,
        EmbeddingSimilarityEvaluator,
        InformationRetrievalEvaluator,
    )
    from sentence_transformers.util import cos_sim
    from sklearn.linear_model import LogisticRegression
except ImportError as missing:
    if os.environ.get("DDP_FIXTURES_REEXEC"):
        sys.exit(f"{missing}: install sentence-transformers and scikit-learn into the reference environment")
    python = subprocess.check_output([os.path.join(ROOT, "tools", "reference-env.sh")], text=True).strip()
    print(f"+ {python} {' '.join(map(shlex.quote, sys.argv))}", file=sys.stderr)
    os.environ["DDP_FIXTURES_REEXEC"] = "1"
    os.execv(python, [python] + sys.argv)


class Precomputed:
    """Stands in for a SentenceTransformer: each text is the name of a precomputed row."""

    similarity_fn_name = "cosine"

    class CardData:
        def set_evaluation_metrics(self, *_):
            pass

    def __init__(self, rows):
        self.rows = rows
        self.model_card_data = Precomputed.CardData()

    def encode(self, sentences, convert_to_tensor=False, normalize_embeddings=False, **_):
        if isinstance(sentences, str):
            sentences = [sentences]
        out = torch.tensor(np.stack([self.rows[s] for s in sentences]))
        if normalize_embeddings:
            out = torch.nn.functional.normalize(out, p=2, dim=1)
        return out if convert_to_tensor else out.numpy()

    encode_query = encode
    encode_document = encode


def flat(a):
    return [float(x) for x in np.asarray(a, dtype=np.float32).reshape(-1)]


def similarity_case(g, rows=40, dim=12):
    a = g.standard_normal((rows, dim)).astype(np.float32)
    b = (a + 1.3 * g.standard_normal((rows, dim))).astype(np.float32)
    # Gold scores on a 0-5 grid in steps of 0.5: many ties, as in STS-B.
    gold = np.clip(np.round((np.sum(a * b, 1) / dim + 1) * 2.5 * 2) / 2 + g.integers(-1, 2, rows) * 0.5, 0, 5)
    names = {f"a{i}": a[i] for i in range(rows)} | {f"b{i}": b[i] for i in range(rows)}
    evaluator = EmbeddingSimilarityEvaluator(
        [f"a{i}" for i in range(rows)], [f"b{i}" for i in range(rows)], gold.tolist(), similarity_fn_names=["cosine"])
    metrics = evaluator(Precomputed(names))
    return {
        "rows": rows, "dim": dim, "a": flat(a), "b": flat(b), "scores": [float(x) for x in gold],
        "pearson": float(metrics["pearson_cosine"]), "spearman": float(metrics["spearman_cosine"]),
    }


def retrieval_case(g, queries=14, corpus=80, dim=16):
    q = g.standard_normal((queries, dim)).astype(np.float32)
    c = g.standard_normal((corpus, dim)).astype(np.float32)
    relevant = {}
    for i in range(queries - 1):  # the last query has no relevant document
        docs = g.choice(corpus, size=int(g.integers(1, 4)), replace=False)
        for d in docs:
            c[d] = q[i] + g.uniform(0.6, 2.2) * g.standard_normal(dim).astype(np.float32)
        relevant[i] = sorted(int(d) for d in docs)
    # Exact ties: copy a relevant document of query 0 and of query 1 over unrelated rows.
    for source in (relevant[0][0], relevant[1][0]):
        taken = {d for docs in relevant.values() for d in docs}
        target = next(d for d in range(corpus - 1, -1, -1) if d not in taken)
        c[target] = c[source]
        relevant.setdefault(-1, []).append(target)  # marks it used; removed below
    relevant.pop(-1)
    names = {f"q{i:03d}": q[i] for i in range(queries)} | {f"d{j:03d}": c[j] for j in range(corpus)}
    evaluator = InformationRetrievalEvaluator(
        queries={f"q{i:03d}": f"q{i:03d}" for i in range(queries)},
        corpus={f"d{j:03d}": f"d{j:03d}" for j in range(corpus)},
        relevant_docs={f"q{i:03d}": {f"d{d:03d}" for d in docs} for i, docs in relevant.items()},
        mrr_at_k=[10], ndcg_at_k=[10], accuracy_at_k=[1, 3, 10], precision_recall_at_k=[1, 10], map_at_k=[100],
        score_functions={"cosine": cos_sim},
    )
    metrics = evaluator.compute_metrices(Precomputed(names))["cosine"]
    return {
        "queries": queries, "corpus": corpus, "dim": dim, "query_embeddings": flat(q),
        "corpus_embeddings": flat(c), "relevant": [relevant.get(i, []) for i in range(queries)],
        "mrr@10": float(metrics["mrr@k"][10]), "ndcg@10": float(metrics["ndcg@k"][10]),
        "recall@1": float(metrics["recall@k"][1]), "recall@10": float(metrics["recall@k"][10]),
        "precision@1": float(metrics["precision@k"][1]), "precision@10": float(metrics["precision@k"][10]),
        "accuracy@1": float(metrics["accuracy@k"][1]), "accuracy@3": float(metrics["accuracy@k"][3]),
        "accuracy@10": float(metrics["accuracy@k"][10]), "map@100": float(metrics["map@k"][100]),
    }


def pair_case(g, rows=60, dim=10):
    a = g.standard_normal((rows, dim)).astype(np.float32)
    labels = g.integers(0, 2, rows)
    spread = np.where(labels == 1, 1.0, 2.5)[:, None]
    b = (a + spread * g.standard_normal((rows, dim))).astype(np.float32)
    b[rows - 4:] = b[:4]  # duplicated pairs with different labels: tied scores
    a[rows - 4:] = a[:4]
    names = {f"a{i}": a[i] for i in range(rows)} | {f"b{i}": b[i] for i in range(rows)}
    evaluator = BinaryClassificationEvaluator(
        [f"a{i}" for i in range(rows)], [f"b{i}" for i in range(rows)], labels.tolist(),
        similarity_fn_names=["cosine"])
    m = evaluator.compute_metrics(Precomputed(names))["cosine"]
    out = {"rows": rows, "dim": dim, "a": flat(a), "b": flat(b), "labels": [int(x) for x in labels]}
    for key in ("accuracy", "accuracy_threshold", "f1", "f1_threshold", "precision", "recall", "ap"):
        out[key] = float(m[key])
    return out


def logistic_case(g, name, classes, per_class, dim):
    centres = 1.2 * g.standard_normal((classes, dim))
    x = np.concatenate([centres[k] + g.standard_normal((per_class, dim)) for k in range(classes)]).astype(np.float32)
    y = np.repeat(np.arange(classes), per_class)
    order = g.permutation(len(y))
    x, y = x[order], y[order]
    test = (centres[g.integers(0, classes, 30)] + 1.3 * g.standard_normal((30, dim))).astype(np.float32)
    default = LogisticRegression().fit(x, y)
    # float64: on float32 input scikit-learn computes the loss in float32, too coarse for a tight optimum.
    tight = LogisticRegression(tol=1e-10, max_iter=100_000).fit(x.astype(np.float64), y)
    return {
        "name": name, "classes": classes, "dim": dim, "train": flat(x), "labels": [int(v) for v in y],
        "test": flat(test), "default_predictions": [int(v) for v in default.predict(test)],
        "coef": tight.coef_.reshape(-1).tolist(), "coef_rows": int(tight.coef_.shape[0]),
        "intercept": tight.intercept_.tolist(),
        "probabilities": tight.predict_proba(test.astype(np.float64)).reshape(-1).tolist(),
        "predictions": [int(v) for v in tight.predict(test.astype(np.float64))],
    }


def write(name, payload):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(payload, f, separators=(",", ":"))
        f.write("\n")


def main():
    g = np.random.default_rng(20261202)
    command = "python3 tools/make_embedding_eval_fixtures.py"
    write("evaluation.json", {
        "command": command,
        "versions": {"sentence_transformers": sentence_transformers.__version__, "torch": torch.__version__},
        "similarity": similarity_case(g), "retrieval": retrieval_case(g), "pairs": pair_case(g),
    })
    write("logistic.json", {
        "command": command, "versions": {"sklearn": sklearn.__version__},
        "cases": [logistic_case(g, "three classes", 3, 8, 6), logistic_case(g, "two classes", 2, 16, 5),
                  logistic_case(g, "five classes, 8 per class", 5, 8, 12),
                  logistic_case(g, "two classes, 4 per class, dim 64 (fewer examples than dimensions)", 2, 4, 64)],
    })


if __name__ == "__main__":
    main()
