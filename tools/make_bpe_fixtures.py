#!/usr/bin/env python3
"""Writes the byte-level BPE golden files in Tests/Fixtures/bpe/ from Hugging Face `tokenizers`.

    python3 tools/make_bpe_fixtures.py --sst2 ../shared/data/sst2

Run with any python3: when tokenizers/transformers are not importable it re-executes itself
with the python of the reference environment (tools/reference-env.sh, $DDP_REF_VENV).

No outside vocabulary: two GPT-2-style tokenizers are trained here on the SST-2 training
sentences (models.BPE + pre_tokenizers.ByteLevel, the 256-symbol byte alphabet, a small
vocabulary so the files stay small), with `<|endoftext|>` as a special token and `<sep>` as a
plain added token:

  gpt2/            add_prefix_space false, post-processor ByteLevel (adds no tokens, as GPT-2)
  prefix/          add_prefix_space true, the pre-tokenizer inside a Sequence, post-processor
                   TemplateProcessing `$A <|endoftext|>` / `$A <|endoftext|> $B:1 <|endoftext|>:1`

Each is written in three forms that must give the same ids (the script checks it):
  <name>/tokenizer.json          merges as "a b" strings (tokenizers before 0.20)
  <name>-pairs/tokenizer.json    merges as ["a", "b"] pairs (tokenizers 0.20 on)
  <name>-files/                  vocab.json + merges.txt + tokenizer_config.json +
                                 special_tokens_map.json (the slow-tokenizer files); its ids
                                 are checked against transformers' GPT2TokenizerFast
and `no-regex/tokenizer.json` is gpt2/ with `use_regex: false`: each text is one word, so
most go through the long-word merge queue of the Swift model.

  expected-<name>.json   for every SST-2 dev sentence and every edge case: the ids without
                         special tokens (`encode(text, add_special_tokens=False)`), the text
                         decoded from them and from their first half (lossy: a cut may split a
                         character's bytes); edge cases also with special tokens, pairs and
                         truncation. The dev sentences stay in the shared data directory; the
                         file holds their FNV-1a 64 checksum so a changed data file is noticed.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    import tokenizers
    import transformers
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import GPT2TokenizerFast
except ImportError:
    if os.environ.get("DDP_FIXTURES_REEXEC"):
        raise
    python = subprocess.check_output([os.path.join(ROOT, "tools", "reference-env.sh")], text=True).strip()
    print(f"+ {python} {' '.join(map(shlex.quote, sys.argv))}", file=sys.stderr)
    os.environ["DDP_FIXTURES_REEXEC"] = "1"
    os.execv(python, [python] + sys.argv)

transformers.logging.set_verbosity_error()

EOT = "<|endoftext|>"

# Hard inputs for the GPT-2 split pattern, the byte map and the added-token matcher.
EDGE_CASES = [
    ("empty", ""),
    ("space", " "),
    ("spaces", "     "),
    ("contractions", "don't I'LL we've they're she'd it's I'm you'll"),
    ("contraction-upper", "DON'T WE'VE IT'S"),
    ("contraction-glued", "a'sb 'sound ''s ?'s 's"),
    ("digits", "1 22 333 4444 3.14159 1,000,000 -42 0x1F"),
    ("number-letters", "abc123def 12abc a1b2c3"),
    ("numbers-unicode", "Ⅻ ² ３４ ٣٤ ½"),
    ("space-runs", "a  b   c    d"),
    ("leading-spaces", "   leading"),
    ("trailing-spaces", "trailing   "),
    ("tabs", "a\tb\t\tc \t d"),
    ("newlines", "line one\nline two\n\nline four\n"),
    ("crlf", "windows\r\nline\r\n"),
    ("mixed-space", " \t\n x \n\t "),
    ("unicode-space", "a\u00a0b\u3000c\u2009d\u0085e\u2028f"),
    ("vertical-space", "a\x0bb\x0cc"),
    ("info-separators", "a\x1cb\x1dc\x1ed\x1ff"),
    ("emoji", "I love it 😀🎉 !"),
    ("emoji-zwj", "family 👨‍👩‍👧‍👦 and 🏳️‍🌈 flags 👍🏽"),
    ("cjk", "我喜欢这部电影。とても良い映画です。영화가 좋아요"),
    ("combining", "cafe\u0301 nai\u0308ve e\u0301\u0300\u0302"),
    ("precomposed", "café naïve résumé Ångström"),
    ("arabic", "هذا فيلم رائع جدا"),
    ("hebrew-rtl", "סרט טוב מאוד"),
    ("devanagari", "यह फ़िल्म अच्छी है"),
    ("thai", "หนังเรื่องนี้ดีมาก"),
    ("special-inside", f"first{EOT}second"),
    ("special-spaced", f"end of text {EOT} next"),
    ("special-repeated", f"{EOT}{EOT}"),
    ("special-partial", "<|endoftext| <|endoftext"),
    ("added-plain", "left<sep>right and <sep> again"),
    ("control-chars", "a\x00b\x01c\x07d\x1be\x7ff"),
    ("punctuation", "Hello, world!!! ... ?! (yes) [no] {maybe} \"quoted\" -- dash"),
    ("symbols", "$100 @user #tag 50% a+b=c ~/path \\n"),
    ("ligature", "ﬁne ﬂow"),
    ("long-word", "a" * 300),
    ("long-mixed", "supercalifragilisticexpialidocious " * 5),
    ("sst2-like", "it 's a charming and often affecting journey . "),
]

# Pairs and truncation through the post-processor (special tokens added).
ENCODE_CASES = [
    ("single", "a charming journey", None, None),
    ("single-truncated", "a charming and often affecting journey", None, 4),
    ("pair", "the movie", "was good", None),
    ("pair-truncated", "the movie was long and boring", "but good", 6),
    ("pair-empty-second", "alone", "", None),
]


def fnv1a64(data: bytes) -> str:
    """FNV-1a, 64 bit, as 16 hex digits (the Swift test computes the same)."""
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def read_sst2(path):
    """Sentences of an SST-2 TSV: header `sentence<TAB>label`, split at the last tab, trailing space stripped."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    assert lines[0] == "sentence\tlabel", f"{path}:1: unexpected header {lines[0]!r}"
    return [line.rpartition("\t")[0].rstrip(" ") for line in lines[1:] if line != ""]


def train(sentences, vocab_size, add_prefix_space):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=add_prefix_space)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=[EOT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(sentences, trainer)
    tok.add_tokens([AddedToken("<sep>", special=False, normalized=False)])
    return tok


def merges_as(tokenizer_json: dict, form: str) -> dict:
    """The same tokenizer.json with the merges as "a b" strings or ["a", "b"] pairs."""
    doc = json.loads(json.dumps(tokenizer_json))
    merges = [m.split(" ") if isinstance(m, str) else m for m in doc["model"]["merges"]]
    assert all(len(m) == 2 for m in merges)
    doc["model"]["merges"] = [" ".join(m) for m in merges] if form == "strings" else merges
    return doc


def write_json(path, value, compact=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        if compact:
            json.dump(value, f, ensure_ascii=True, separators=(",", ":"))
        else:
            json.dump(value, f, ensure_ascii=True, indent=1)
        f.write("\n")


def write_slow_files(directory, doc, add_prefix_space):
    """vocab.json + merges.txt + the config files transformers' GPT2Tokenizer reads."""
    os.makedirs(directory, exist_ok=True)
    vocab = doc["model"]["vocab"]
    with open(os.path.join(directory, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(directory, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for merge in doc["model"]["merges"]:
            f.write((merge if isinstance(merge, str) else " ".join(merge)) + "\n")
    write_json(
        os.path.join(directory, "tokenizer_config.json"),
        {
            "tokenizer_class": "GPT2Tokenizer",
            "add_prefix_space": add_prefix_space,
            "model_max_length": 1024,
            "bos_token": EOT,
            "eos_token": EOT,
            "unk_token": EOT,
            "added_tokens_decoder": {
                str(token["id"]): {key: token[key] for key in ("content", "lstrip", "rstrip", "normalized",
                                                                  "single_word", "special")}
                for token in doc["added_tokens"]
            },
        },
    )
    write_json(
        os.path.join(directory, "special_tokens_map.json"),
        {"bos_token": EOT, "eos_token": EOT, "unk_token": EOT},
    )


def ids_of(tok, text):
    return tok.encode(text, add_special_tokens=False).ids


def expected(tok, sentences, command):
    dev = []
    for s in sentences:
        ids = ids_of(tok, s)
        dev.append(ids)
    edge = []
    for name, text in EDGE_CASES:
        ids = ids_of(tok, text)
        half = ids[: len(ids) // 2]
        edge.append(
            {
                "name": name,
                "text": text,
                "ids": ids,
                "decoded": tok.decode(ids, skip_special_tokens=False),
                "halfDecoded": tok.decode(half, skip_special_tokens=False),
            }
        )
    encodings = []
    for name, text, pair, max_length in ENCODE_CASES:
        if max_length is None:
            tok.no_truncation()
        else:
            tok.enable_truncation(max_length=max_length, strategy="longest_first")
        enc = tok.encode(text, pair) if pair is not None else tok.encode(text)
        tok.no_truncation()
        encodings.append(
            {
                "name": name,
                "text": text,
                "pair": pair,
                "maxLength": max_length,
                "ids": enc.ids,
                "typeIds": "".join(str(t) for t in enc.type_ids),
            }
        )
    joined = "\n".join(sentences).encode("utf-8")
    return {
        "command": command,
        "versions": {
            "python": sys.version.split()[0],
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
        },
        "data": {"file": "dev.tsv", "rows": len(sentences), "sentencesFNV1a64": fnv1a64(joined)},
        "dev": dev,
        "edgeCases": edge,
        "encodings": encodings,
    }


def check_same_ids(reference, other, texts, what):
    for text in texts:
        a, b = ids_of(reference, text), ids_of(other, text)
        assert a == b, f"{what}: {text!r}: {a} != {b}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sst2", default=os.path.join(ROOT, "..", "shared", "data", "sst2"))
    parser.add_argument("--out", default=os.path.join(ROOT, "Tests", "Fixtures", "bpe"))
    parser.add_argument("--vocab-size", type=int, default=1200)
    args = parser.parse_args()
    command = "python3 tools/make_bpe_fixtures.py --sst2 ../shared/data/sst2"

    train_sentences = read_sst2(os.path.join(args.sst2, "train.tsv"))
    dev_sentences = read_sst2(os.path.join(args.sst2, "dev.tsv"))
    every_text = dev_sentences + [text for _, text in EDGE_CASES]

    for name, add_prefix_space in (("gpt2", False), ("prefix", True)):
        tok = train(train_sentences, args.vocab_size, add_prefix_space)
        if name == "gpt2":
            tok.post_processor = processors.ByteLevel(trim_offsets=False)
        else:
            tok.post_processor = processors.TemplateProcessing(
                single=f"$A {EOT}", pair=f"$A {EOT} $B:1 {EOT}:1", special_tokens=[(EOT, tok.token_to_id(EOT))]
            )
        doc = json.loads(tok.to_str())
        if name == "prefix":
            doc["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [doc["pre_tokenizer"]]}
        strings, pairs = merges_as(doc, "strings"), merges_as(doc, "pairs")
        write_json(os.path.join(args.out, name, "tokenizer.json"), strings, compact=True)
        write_json(os.path.join(args.out, name + "-pairs", "tokenizer.json"), pairs, compact=True)
        write_slow_files(os.path.join(args.out, name + "-files"), strings, add_prefix_space)

        reference = Tokenizer.from_file(os.path.join(args.out, name, "tokenizer.json"))
        check_same_ids(reference, tok, every_text, f"{name}: written tokenizer.json")
        check_same_ids(
            reference, Tokenizer.from_file(os.path.join(args.out, name + "-pairs", "tokenizer.json")),
            every_text, f"{name}-pairs")
        slow = GPT2TokenizerFast.from_pretrained(os.path.join(args.out, name + "-files"))
        for text in every_text:
            a, b = ids_of(reference, text), slow(text, add_special_tokens=False)["input_ids"]
            assert a == b, f"{name}-files (transformers): {text!r}: {a} != {b}"
        write_json(
            os.path.join(args.out, f"expected-{name}.json"),
            expected(reference, dev_sentences, command),
            compact=True,
        )
        if name == "gpt2":
            no_regex = json.loads(json.dumps(strings))
            no_regex["pre_tokenizer"]["use_regex"] = False
            write_json(os.path.join(args.out, "no-regex", "tokenizer.json"), no_regex, compact=True)
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "tokenizer.json")
                write_json(path, no_regex)
                no_regex_tok = Tokenizer.from_file(path)
            result = expected(no_regex_tok, dev_sentences, command)
            write_json(os.path.join(args.out, "expected-no-regex.json"), result, compact=True)
    for root, _, files in sorted(os.walk(args.out)):
        for file in sorted(files):
            path = os.path.join(root, file)
            print(f"{os.path.relpath(path, ROOT)}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
