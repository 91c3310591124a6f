#!/usr/bin/env python3
"""Writes the tokenizer golden files in Tests/Fixtures/tokenizer/ from the Hugging Face reference.

    python3 tools/make_tokenizer_fixtures.py \
        --model ~/.cache/ddp-train/all-MiniLM-L6-v2 --sst2 ../shared/data/sst2

Run with any python3: when transformers/tokenizers are not importable it re-executes itself
with the python of the reference environment (tools/reference-env.sh, $DDP_REF_VENV).

Every file records the command that wrote it and the library versions. Files written:

  sst2-dev.json       ids and type ids of every SST-2 dev sentence (max_length 128), and of
                      consecutive sentence pairs at max_length 24 (longest_first truncation).
                      The sentences themselves stay in the shared data directory; the file
                      holds a checksum of them so a changed data file is noticed.
  edge-cases.json     hand-written hard inputs (single texts, pairs, every truncation budget
                      around the limits), variants of tokenizer_config.json for the vocab.txt
                      loader, and added tokens with every matching flag.
  unicode-chunks.json for every block of 4096 code points, a hash of what BertNormalizer and
                      BertPreTokenizer make of each code point, under four normalizer settings:
                      the Swift test recomputes it for all 1.1 M code points. When a block
                      differs, `--show-block U+XXXX` prints the reference's words for each of its
                      code points (and writes nothing).

The reference call is AutoTokenizer.from_pretrained(model)(text, pair, truncation=True,
max_length=L), as a user of transformers would write it; the raw tokenizers.Tokenizer is
checked to agree with it on every input.
"""
import argparse
import hashlib
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
    from tokenizers import AddedToken, Tokenizer
    from tokenizers.normalizers import BertNormalizer
    from tokenizers.pre_tokenizers import BertPreTokenizer
    from transformers import AutoTokenizer
except ImportError:
    if os.environ.get("DDP_FIXTURES_REEXEC"):
        raise
    python = subprocess.check_output([os.path.join(ROOT, "tools", "reference-env.sh")], text=True).strip()
    print(f"+ {python} {' '.join(map(shlex.quote, sys.argv))}", file=sys.stderr)
    os.environ["DDP_FIXTURES_REEXEC"] = "1"
    os.execv(python, [python] + sys.argv)

transformers.logging.set_verbosity_error()


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
    sentences = []
    for line in lines[1:]:
        if line == "":
            continue
        sentence, _, _ = line.rpartition("\t")
        sentences.append(sentence.rstrip(" "))
    return sentences


def sentences_checksum(sentences):
    return fnv1a64("\n".join(sentences).encode("utf-8"))


class Reference:
    """The transformers tokenizer, cross-checked against the raw tokenizers.Tokenizer."""

    def __init__(self, model_dir):
        self.auto = AutoTokenizer.from_pretrained(model_dir)
        self.raw = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.raw.no_padding()

    def encode(self, text, pair=None, max_length=None):
        """(ids, type ids, note): the single-text call of transformers, unless it disagrees with
        the batched call and tokenizers; then those two, with a note saying why."""
        kwargs = {} if max_length is None else {"truncation": True, "max_length": max_length}
        out = self.auto(text, pair, **kwargs)
        batch = self.auto([text], None if pair is None else [pair], **kwargs)
        if max_length is None:
            self.raw.no_truncation()
        else:
            self.raw.enable_truncation(max_length=max_length)
        raw = self.raw.encode(text, pair)
        assert raw.ids == batch["input_ids"][0] and raw.type_ids == batch["token_type_ids"][0], (text, pair, max_length)
        if out["input_ids"] == raw.ids and out["token_type_ids"] == raw.type_ids:
            return raw.ids, raw.type_ids, None
        assert pair == "", (text, pair, max_length)
        note = ("transformers' single-text call treats an empty pair as no pair (Python truthiness) and gives "
                f"{out['input_ids']}; its batched call and tokenizers keep the empty second sequence: we follow them")
        return raw.ids, raw.type_ids, note

    def count(self, text):
        return len(self.auto(text, add_special_tokens=False)["input_ids"])


def type_string(type_ids):
    return "".join(str(t) for t in type_ids)


def header(command):
    return {
        "command": command,
        "versions": {
            "python": sys.version.split()[0],
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
        },
    }


def model_info(model_dir):
    with open(os.path.join(model_dir, "tokenizer.json"), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return {"name": os.path.basename(os.path.normpath(model_dir)), "tokenizerJSONSha256": digest}


# ---------------------------------------------------------------------------------------------
# SST-2 dev

def make_sst2(ref, sst2_dir, command, model_dir):
    sentences = read_sst2(os.path.join(sst2_dir, "dev.tsv"))
    single_ids, single_types = [], []
    for s in sentences:
        ids, types, _ = ref.encode(s, max_length=128)
        single_ids.append(ids)
        single_types.append(type_string(types))
    pair_ids, pair_types = [], []
    for i in range(0, len(sentences) - 1, 2):
        ids, types, _ = ref.encode(sentences[i], sentences[i + 1], max_length=24)
        pair_ids.append(ids)
        pair_types.append(type_string(types))
    return {
        **header(command),
        "model": model_info(model_dir),
        "data": {"file": "dev.tsv", "rows": len(sentences), "sentencesFNV1a64": sentences_checksum(sentences)},
        "single": {"maxLength": 128, "ids": single_ids, "typeIds": single_types},
        "pairs": {
            "maxLength": 24,
            "note": "sentence i (text) with sentence i + 1 (pair) for even i",
            "ids": pair_ids,
            "typeIds": pair_types,
        },
    }


# ---------------------------------------------------------------------------------------------
# Edge cases

EDGE_TEXTS = [
    ("accents", "Café naïve résumé Ångström"),
    ("accents-upper", "CAFÉ NAÏVE RÉSUMÉ ÅNGSTRÖM Œuvre Ærø ØSTER"),
    ("chinese", "北京是中国的首都。我爱自然语言处理！"),
    ("japanese", "日本語のテキストです、カタカナとひらがな。ｶﾀｶﾅ"),
    ("korean", "한국어 텍스트입니다. 안녕하세요!"),
    ("cjk-extensions", "\U00020000\U0002A6DF\U0002A700\U0002B81F\U0002B820\U0002B91F\U0002B920\U0002CEAF\U0002F800\u3400\uF900"),
    ("emoji", "I love it 😀👍🏽 great!!! 🙂"),
    ("emoji-zwj-flags", "family 👨‍👩‍👧‍👦 flags 🇺🇸🇫🇷🏳️‍🌈 heart ❤️ keycap 1️⃣"),
    ("emoji-newer", "new emoji \U0001F970 \U0001FAE0 \U0001FA77"),
    ("control-chars", "a\u0000b\u0001c\u0007d\u001be\u007ff\u0080g\u0085h\u009fi\u000bj\u000ck\u001cl"),
    ("zero-width", "zero\u200bwidth\u200cnon\u200djoiner\u2060word\ufeffbom\u00adsoft\u200ehyphen\u2061x"),
    ("replacement-char", "bad\ufffdbyte \ufffd end"),
    ("unicode-spaces", "a\u00a0b\u2000c\u2003d\u2009e\u200af\u3000g\u2028h\u2029i\u202fj\u205fk\u1680l\u180em"),
    ("tabs-newlines", "line one\nline two\r\nline three\tend\r"),
    ("word-200", "a" * 200),
    ("word-100", "b" * 100),
    ("word-101", "b" * 101),
    ("word-100-accented", "é" * 100),
    ("word-101-accented", "é" * 101),
    ("word-unmatched-piece", "hello\u0378world"),
    ("empty", ""),
    ("whitespace-only", "   \t\n \u3000 "),
    ("punctuation-only", "!!!...???,,,;;;:::---'''\"\"\"((()))[[[]]]{{{}}}"),
    ("ascii-symbols", "$5 + 3 = 8 < 9 > 7 ^ 2 | x ~ y ` z @ # % & * _ \\ /"),
    ("mask-literal", "The capital of France is [MASK]."),
    ("cls-sep-literal", "[CLS] hello [SEP] world [SEP]"),
    ("special-lowercase", "[mask] [cls] [Mask]"),
    ("special-glued", "x[MASK]y[MASK][MASK]z[[MASK]][MASK"),
    ("unk-pad-literal", "[UNK] [PAD] [UNK][PAD]"),
    ("greek-turkish", "ΣΊΣΥΦΟΣ İstanbul ıi Iİ ὈΔΥΣΣΕΎΣ ǅemal"),
    ("sharp-s", "STRASSE Straße ß ẞ"),
    ("combining", "e\u0301 a\u0308 n\u0303 \u0301alone o\u0302\u0323 q\u0307\u0323"),
    ("zalgo", "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349a\u035a\u0318lgo"),
    ("marks-after-unicode-8", "a\u1ab0b a\u1ac0c a\u0301\u1ac0\u0334d \U00011938"),
    ("spacing-marks", "a\U0001D165\u0301b a\u1734b a\U0001171Eb"),
    ("fullwidth", "ＡＢＣ　ｄｅｆ１２３！？＃"),
    ("math", "∑ x² ≤ ∞ ∫ f(x) dx ≈ π ± √2 × ÷ ≠ → ∀ε>0 ∃δ ℝ ℕ"),
    ("compatibility", "ﬁﬂ ﬀ Ⅻ ㎏ ™ © ½ ① ˆ ´ \u1fef \u1ffd \u037e \u0387"),
    ("url-email", "see https://www.example.com/path/to?q=1&r=two#frag or mail user.name+tag@example.co.uk"),
    ("numbers", "1,234,567.89 1.234.567,89 12 345 3.14e-10 -42 +7 $5 €10 ¥1000 50% 1/2 ½ ٣٤٥ ४५६"),
    ("scripts", "สวัสดี مرحبا שָׁלוֹם नमस्ते Привет ქართული Ꭰ Ꮳ ꭰ"),
    ("quotes-dashes", "don't “quoted” ‘single’ «guillemets» — em – en … ellipsis"),
    ("private-use", "\ue000x\U000F0000y\U0010FFFDz"),
    ("unassigned", "a\u0378b\U000E0001c\U000E007Fd\U0001FFFFe"),
    ("punctuation-changed", "a\u166db a\U000111C9b a\u2e43b a\u061db"),
    ("hangul-jamo", "\u1100\u1161\u11a8 \uac00 \ud7a3"),
    ("long-sentence", "it 's a charming and often affecting journey , with a lot of unexpected turns , "
                      "delightful performances and a script that never once condescends to its audience ."),
]

PAIR_TEXTS = [
    ("short-short", "hello world", "goodbye moon"),
    ("long-short", "the movie was an unexpectedly moving portrait of a family falling apart slowly", "great"),
    ("short-long", "terrible", "despite a promising cast the film never finds its footing and drags on far too long"),
    ("empty-first", "", "only the second"),
    ("empty-second", "only the first", ""),
    ("both-empty", "", ""),
    ("specials", "[MASK] is here", "[SEP] [CLS]"),
    ("unicode-pair", "Café naïve", "北京 😀"),
]


def make_edge_cases(ref, command, model_dir):
    cases = []

    def add(name, text, pair=None, max_length=128):
        ids, types, note = ref.encode(text, pair, max_length)
        cases.append({
            "name": name,
            "text": text,
            "pair": pair,
            "maxLength": max_length,
            "tokens": ref.auto.convert_ids_to_tokens(ids),
            "ids": ids,
            "typeIds": type_string(types),
            **({"note": note} if note else {}),
        })

    for name, text in EDGE_TEXTS:
        add(name, text)
    for name in ["word-200", "long-sentence", "emoji-zwj-flags"]:
        add(name + "-untruncated", dict(EDGE_TEXTS)[name], max_length=None)
    for name, a, b in PAIR_TEXTS:
        add("pair-" + name, a, b)
    # Every budget around the limits: single text, and pairs where the first is longer,
    # the second is longer, and both are as long.
    single = dict(EDGE_TEXTS)["long-sentence"]
    n = ref.count(single)
    for length in range(0, n + 4):
        add(f"truncate-single-{length}-of-{n + 2}", single, max_length=length)
    pairs = [
        ("first-longer", "the movie was an unexpectedly moving portrait of a family", "great fun to watch"),
        ("second-longer", "not good", "despite a promising cast the film never finds its footing at all"),
        ("same-length", "one two three four five", "six seven eight nine ten"),
    ]
    for name, a, b in pairs:
        na, nb = ref.count(a), ref.count(b)
        for length in range(0, na + nb + 5):
            add(f"truncate-pair-{name}-{length}-of-{na + nb + 3}", a, b, max_length=length)

    return {
        **header(command),
        "model": model_info(model_dir),
        "cases": cases,
        "variants": make_variants(model_dir),
        "addedTokens": make_added_tokens(model_dir),
    }


VARIANT_TEXTS = [
    "Café naïve résumé Ångström CAFÉ",
    "ΣΊΣΥΦΟΣ İstanbul ıi Iİ",
    "北京是中国的首都 日本語 한국어",
    "[MASK] The Quick Brown Fox [mask]",
    "e\u0301 a\u0308 \u212b \u1fef x",
]

VARIANT_CONFIGS = [
    ("cased", {"do_lower_case": False}),
    ("uncased-keep-accents", {"do_lower_case": True, "strip_accents": False}),
    ("cased-strip-accents", {"do_lower_case": False, "strip_accents": True}),
    ("no-chinese-split", {"do_lower_case": True, "tokenize_chinese_chars": False}),
]


def make_variants(model_dir):
    """The vocab.txt path with other tokenizer_config.json settings, through AutoTokenizer."""
    with open(os.path.join(model_dir, "tokenizer.json"), encoding="utf-8") as f:
        vocab = json.load(f)["model"]["vocab"]
    with open(os.path.join(model_dir, "tokenizer_config.json"), encoding="utf-8") as f:
        base_config = json.load(f)
    variants = []
    for name, settings in VARIANT_CONFIGS:
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
                f.write("".join(t + "\n" for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])))
            config = {**base_config, **settings}
            with open(os.path.join(d, "tokenizer_config.json"), "w", encoding="utf-8") as f:
                json.dump(config, f)
            tok = AutoTokenizer.from_pretrained(d)
            cases = []
            for text in VARIANT_TEXTS:
                out = tok(text, truncation=True, max_length=128)
                cases.append({"text": text, "ids": out["input_ids"]})
            variants.append({"name": name, "tokenizerConfig": settings, "cases": cases})
    return variants


ADDED_TOKENS = [
    AddedToken("hello world", normalized=True),
    AddedToken("Ünïcode", normalized=True),
    AddedToken("<ent>", normalized=False, lstrip=True, rstrip=True),
    AddedToken("<left>", normalized=False, lstrip=True),
    AddedToken("foo", normalized=False, single_word=True),
    AddedToken("xyz", normalized=False),
    AddedToken("xyzw", normalized=False),
    AddedToken("great", normalized=False),
]

ADDED_TEXTS = [
    "Hello World and HELLO   WORLD, hello-world",
    "ÜNÏCODE unicode Unicode",
    "a <ent> b   <ent>   c<ent>d",
    "a   <left>   b <left>",
    "foo food foo_bar (foo) barfoo foo.",
    "xyzw xyz xyzxyzw",
    "Great great greatest",
    "[MASK]<ent>[SEP]",
]


def make_added_tokens(model_dir):
    """Added tokens with every flag, through the raw tokenizers.Tokenizer (same backend as transformers)."""
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    tok.add_tokens(ADDED_TOKENS)
    added = json.loads(tok.to_str())["added_tokens"]
    cases = []
    for text in ADDED_TEXTS:
        enc = tok.encode(text)
        cases.append({"text": text, "tokens": enc.tokens, "ids": enc.ids})
    return {
        "note": "replace added_tokens of the model's tokenizer.json with this list, then encode without truncation",
        "addedTokens": added,
        "cases": cases,
    }


# ---------------------------------------------------------------------------------------------
# All code points

CHUNK = 4096

NORMALIZER_CONFIGS = [
    {"clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": True},
    {"clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": False},
    {"clean_text": True, "handle_chinese_chars": True, "strip_accents": False, "lowercase": True},
    {"clean_text": False, "handle_chinese_chars": False, "strip_accents": True, "lowercase": False},
]


def chunk_text(first):
    parts = []
    for c in range(first, min(first + CHUNK, 0x110000)):
        if 0xD800 <= c <= 0xDFFF:
            continue
        parts.append("a" + chr(c) + "b ")
    return "".join(parts)


def make_unicode_chunks(command):
    pre = BertPreTokenizer()
    configs = []
    for config in NORMALIZER_CONFIGS:
        normalizer = BertNormalizer(**config)
        hashes = []
        for first in range(0, 0x110000, CHUNK):
            words = [w for w, _ in pre.pre_tokenize_str(normalizer.normalize_str(chunk_text(first)))]
            hashes.append(fnv1a64("\n".join(words).encode("utf-8")))
        configs.append({"normalizer": config, "hashes": hashes})
    return {
        **header(command),
        "chunkSize": CHUNK,
        "text": "for each code point c of the chunk (surrogates skipped), in order: 'a' + c + 'b' + ' '",
        "hash": "FNV-1a 64 of the UTF-8 of the pre-tokens of the normalized text, joined by '\\n'",
        "configs": configs,
    }


def show_block(first):
    """Prints the reference's pre-tokens of 'a' + c + 'b' for each code point c of a block."""
    pre = BertPreTokenizer()
    normalizers = [BertNormalizer(**config) for config in NORMALIZER_CONFIGS]
    for i, config in enumerate(NORMALIZER_CONFIGS):
        print(f"setting {i}: {config}")
    for c in range(first, min(first + CHUNK, 0x110000)):
        if 0xD800 <= c <= 0xDFFF:
            continue
        words = [[w for w, _ in pre.pre_tokenize_str(n.normalize_str("a" + chr(c) + "b"))] for n in normalizers]
        print(f"U+{c:04X} " + " | ".join(" ".join(map(ascii, w)) for w in words))


def write(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.expanduser("~/.cache/ddp-train/all-MiniLM-L6-v2"))
    parser.add_argument("--sst2", default=os.path.join(ROOT, "..", "shared", "data", "sst2"))
    parser.add_argument("--out", default=os.path.join(ROOT, "Tests", "Fixtures", "tokenizer"))
    parser.add_argument("--show-block", metavar="U+XXXX",
                        help="print the reference's words for each code point of the block that starts there; write nothing")
    args = parser.parse_args()
    if args.show_block:
        show_block(int(args.show_block.upper().removeprefix("U+"), 16))
        return
    venv = os.environ.get("DDP_REF_VENV")
    command = ((f"DDP_REF_VENV={venv} " if venv else "") + "python3 tools/make_tokenizer_fixtures.py"
               + "".join(f" {k} {shlex.quote(v)}" for k, v in [("--model", args.model), ("--sst2", args.sst2)]))
    os.makedirs(args.out, exist_ok=True)
    ref = Reference(args.model)
    write(os.path.join(args.out, "sst2-dev.json"), make_sst2(ref, args.sst2, command, args.model))
    write(os.path.join(args.out, "edge-cases.json"), make_edge_cases(ref, command, args.model))
    write(os.path.join(args.out, "unicode-chunks.json"), make_unicode_chunks(command))


if __name__ == "__main__":
    main()
