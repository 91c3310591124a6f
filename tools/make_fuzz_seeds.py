#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses (Tests/Fuzz/corpus/<harness>/seed-*): small
valid inputs of each format, so that libFuzzer starts from the shapes real files have.

Run with the reference environment (it builds a tiny WordPiece tokenizer.json with the
`tokenizers` package and a safetensors file with `safetensors`):
    .venv-ref/bin/python tools/make_fuzz_seeds.py
The demo data, the fixtures and the tiny models' configs are cut down rather than copied
whole, to keep each seed under a few kilobytes.
"""
import json
import os
import struct

import numpy as np
from safetensors.numpy import save
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Tests", "Fuzz", "corpus")


def write(harness, name, data):
    directory = os.path.join(CORPUS, harness)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def head(path, lines):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return "".join(f.readlines()[:lines])


def main():
    write("json", "object.json", json.dumps({"a": [1, 2.5e-3, -0.0, True, None], "b": {"c": "é\\u00e9\\ud83d\\ude00"}}))
    write("json", "deep.json", "[" * 40 + "]" * 40)
    write("json", "numbers.json", "[0, -1, 1e308, 1.7976931348623157e309, 123456789012345678901234567890, 0.1]")

    tensors = {
        "embeddings.word_embeddings.weight": np.arange(12, dtype=np.float32).reshape(4, 3),
        "bias": np.array([0.5, -1.0], dtype=np.float16),
        "position_ids": np.arange(4, dtype=np.int64).reshape(1, 4),
    }
    write("safetensors", "mixed.safetensors", save(tensors, metadata={"format": "pt"}))
    header = b'{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
    write("safetensors", "minimal.safetensors", struct.pack("<Q", len(header)) + header + b"\0" * 8)

    for harness_dir, config in [("model/tiny-bert", "bert"), ("gpt2/tiny-gpt2", "gpt2")]:
        with open(os.path.join(ROOT, "Tests", "Fixtures", harness_dir, "config.json"), "rb") as f:
            write("config", config + ".json", f.read())

    vocab = {t: i for i, t in enumerate(
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "un", "##able", ",", "!", "東", "京"])}
    wordpiece = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    wordpiece.normalizer = normalizers.BertNormalizer(lowercase=True)
    wordpiece.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    wordpiece.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    write("wordpiece", "tokenizer.json", wordpiece.to_str())

    with open(os.path.join(ROOT, "Tests", "Fixtures", "bpe", "gpt2", "tokenizer.json"), encoding="utf-8") as f:
        bpe = json.load(f)
    # A few hundred merges keep the seed small and still exercise merging.
    bpe["model"]["merges"] = bpe["model"]["merges"][:200]
    write("bpe", "tokenizer.json", json.dumps(bpe))

    write("tsv", "demo.tsv", head("data/demo/train.tsv", 6))
    write("tsv", "pairs.tsv", head("data/demo-pairs/train.tsv", 5))
    write("tsv", "quotes-bom-crlf.tsv", "\ufeffsentence\tlabel\r\n\"a \"\"quoted\"\" one\"\tpositive\r\nplain\tnegative\r\n")
    write("csv", "quoted.csv", 'text,label\n"a, comma",positive\n"multi\nline",negative\n')
    write("jsonl", "multilabel.jsonl", head("data/demo-multilabel/train.jsonl", 4))
    write("jsonl", "regression.jsonl", '{"text": "fine", "label": 0.5}\n{"text": "ok", "label": -1e3}\n')
    write("conll", "ner.conll", "-DOCSTART- -X- O O\n\n" + head("data/demo-ner/train.conll", 12))
    write("config-file", "run.json", json.dumps(
        {"learning-rate": 2e-5, "batch-size": 32, "task": "classification", "no-shuffle": True, "max-steps": 10}))


if __name__ == "__main__":
    main()
