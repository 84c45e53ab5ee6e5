"""Accuracy of a fine-tuned BERT-family classifier in float32 (torch) and after dynamic int8
quantisation (ONNX Runtime), on the same test reviews: the deployable variant's price.

    python benchmarks/bench_bert_int8_accuracy.py --model FOLDER [--limit N] [--json F]

FOLDER: a model saved by BertClassifier.save (deepmap predict's format; e.g. the GPU run's
fine-tuned MiniLM, benchmarks/gpu_bert_figures.sh). Data: the bundled IMDb 5k hold-out.
float32 predicts in length-sorted batches; int8 one review at a time (the deployed case).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--limit", type=int, default=0, help="first N test reviews (0: all)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    import torch

    torch.set_num_threads(a.threads)
    from deepmap.classify.bert import load_saved
    from deepmap.data.text import resolve_text_data
    from deepmap.finetune.latency import INT8_VARIANTS, _onnx_int8_runner

    corpus, _ = resolve_text_data("bundled", seed=0)
    texts, gold = corpus.test_texts, np.asarray(corpus.test_labels)
    if a.limit:
        texts, gold = texts[: a.limit], gold[: a.limit]
    clf = load_saved(a.model)
    clf.network_ = clf.network_.float().cpu()
    t0 = time.perf_counter()
    f32 = np.asarray(clf.predict(texts))
    t_f32 = time.perf_counter() - t0
    out = {"model": str(a.model), "n": len(texts), "max_length": clf.max_length,
           "threads": a.threads, "float32_accuracy": float(np.mean(f32 == gold)),
           "float32_batched_s": t_f32, "int8": {}}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for variant, per_channel in INT8_VARIANTS.items():
            run = _onnx_int8_runner(clf.tokenizer_, clf.network_, clf.max_length, Path(tmp),
                                    a.threads, per_channel)  # fmt: skip
            t0 = time.perf_counter()
            i8 = clf.classes_[[run(t) for t in texts]]
            acc = float(np.mean(i8 == gold))
            out["int8"][variant] = {
                "accuracy": acc, "difference_points": 100 * (acc - out["float32_accuracy"]),
                "agreement": float(np.mean(f32 == i8)),
                "one_by_one_s": time.perf_counter() - t0,
            }  # fmt: skip
    print(json.dumps(out, indent=1))
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
