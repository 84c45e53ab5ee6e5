"""Single-document CPU latency of MiniLM (BERT architecture) at 128 and 256 WordPieces.

    HF_HUB_OFFLINE=1 python benchmarks/bench_bert_latency.py [--model NAME_OR_PATH]
        [--threads 1] [--n-docs 50] [--lengths 128,256] [--out results/bert-latency]

float32 torch, and dynamic int8 through ONNX Runtime when onnx, onnxscript and onnxruntime
are installed (else the int8 rows name what is missing). The documents are bundled IMDb
test reviews (the 20k/5k split, seed 0) with at least L WordPieces, cut head+tail to L.
Writes OUT/results.json (provenance included) for `deepmap verify`.
"""

from __future__ import annotations

import argparse
import json


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=None)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--n-docs", type=int, default=50)
    p.add_argument("--lengths", default="128,256")
    p.add_argument("--out", default="results/bert-latency")
    a = p.parse_args(argv)
    from deepmap.data.text import load_bundled_imdb
    from deepmap.finetune.latency import measure_latency
    from deepmap.report.figures import write_run

    corpus = load_bundled_imdb(seed=0)
    lengths = tuple(int(x) for x in a.lengths.split(","))
    result = measure_latency(corpus.test_texts, a.model, lengths=lengths, n_docs=a.n_docs,
                             threads=a.threads)  # fmt: skip
    result["data"] = "bundled IMDb test split (20k/5k, seed 0), reviews >= L WordPieces"
    command = "python benchmarks/bench_bert_latency.py " + " ".join(argv or [])
    from pathlib import Path

    data = "imdb-train-bundled test split"
    write_run(Path(a.out), result, {}, seed=0, data=data, command=command)
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
