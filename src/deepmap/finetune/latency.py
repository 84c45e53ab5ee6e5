"""Single-document CPU latency of a BERT-family classifier: float32, and dynamic int8.

    latency(d) = time of tokenise(d) -> head+tail ids of exactly L WordPieces -> forward
    p50, p95 = percentiles over `n_docs` distinct documents, after `warmup` untimed runs

One document at a time (batch 1), the way a request arrives: what the map's "BERT 370 ms on
CPU, TF-IDF 1 ms" is about. The documents are real reviews with at least L WordPieces, cut
head+tail to exactly L, so every timed run has the stated length.

Dynamic int8 (weights int8, activations quantised on the fly): torch's
`torch.ao.quantization.quantize_dynamic` is deprecated in the pinned torch, so we use ONNX
Runtime's `onnxruntime.quantization.quantize_dynamic` on an ONNX export (needs onnx,
onnxscript and onnxruntime: the `llm` extra). Where they are missing, the int8 rows say so
instead of a number.

Where we differ from the map: the map quotes one number per model; we give p50 and p95 at
two stated lengths, the thread count and the machine.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from deepmap.errors import InputError
from deepmap.finetune.encoders import encode_head_tail, hf_quiet, load_classifier, load_tokenizer

__all__ = ["INT8_NEEDS", "int8_available", "measure_latency", "percentiles"]

INT8_NEEDS = ("onnx", "onnxscript", "onnxruntime")


def int8_available() -> str | None:
    """None when ONNX Runtime int8 can run here, else what is missing (one line)."""
    missing = [m for m in INT8_NEEDS if importlib.util.find_spec(m) is None]
    if missing:
        return f"int8 needs {', '.join(missing)} (pip install 'deepmap[llm]')"
    return None


def percentiles(ms: Sequence[float]) -> dict[str, float]:
    """{"p50_ms", "p95_ms", "mean_ms"} of timings in milliseconds."""
    a = np.asarray(ms, dtype=float)
    return {"p50_ms": float(np.percentile(a, 50)), "p95_ms": float(np.percentile(a, 95)),
            "mean_ms": float(a.mean())}  # fmt: skip


def _docs_of_length(tok: Any, texts: Sequence[str], length: int, n: int) -> list[str]:
    """Up to n texts with at least `length` WordPieces (with [CLS] [SEP])."""
    ids = encode_head_tail(tok, texts, 100_000)
    chosen = [t for t, x in zip(texts, ids, strict=True) if len(x) >= length][:n]
    if not chosen:
        raise InputError(f"no text has {length} WordPieces; give longer texts.")
    return chosen


def _time(run: Any, docs: Sequence[str], warmup: int) -> list[float]:
    for d in docs[:warmup]:
        run(d)
    out = []
    for d in docs:
        t0 = time.perf_counter()
        run(d)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _torch_runner(tok: Any, net: Any, length: int) -> Any:
    import torch

    def run(text: str) -> int:
        ids = encode_head_tail(tok, [text], length)[0]
        x = torch.tensor([ids])
        with torch.inference_mode():
            logits = net(input_ids=x, attention_mask=torch.ones_like(x)).logits
        return int(logits.argmax(1))

    return run


INT8_VARIANTS = {"int8 dynamic (ONNX Runtime)": False,
                 "int8 dynamic per-channel (ONNX Runtime)": True}  # fmt: skip


def _onnx_int8_runner(
    tok: Any, net: Any, length: int, folder: Path, threads: int, per_channel: bool = False
) -> Any:
    """Export to ONNX (dynamic batch and length), quantise the weights to int8 dynamically
    with ONNX Runtime (one scale per tensor, or per output channel), and return a runner on
    an InferenceSession with `threads` threads."""
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = folder / "model.onnx"
    int8 = folder / ("model.int8-channel.onnx" if per_channel else "model.int8.onnx")
    if not int8.is_file() and not fp32.is_file():
        x = torch.ones((1, 8), dtype=torch.int64)
        with hf_quiet():
            torch.onnx.export(
                net, (x, torch.ones_like(x)), str(fp32), input_names=["input_ids",
                "attention_mask"], output_names=["logits"], dynamo=True,
                dynamic_shapes={"input_ids": {0: "batch", 1: "seq"},
                                "attention_mask": {0: "batch", 1: "seq"}},
            )  # fmt: skip
    if not int8.is_file():
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8,
                         per_channel=per_channel)  # fmt: skip
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(int8), opts, providers=["CPUExecutionProvider"])

    def run(text: str) -> int:
        ids = np.array([encode_head_tail(tok, [text], length)[0]], dtype=np.int64)
        (logits,) = sess.run(["logits"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        return int(logits.argmax(1)[0])

    return run


def measure_latency(
    texts: Sequence[str],
    model: Any = None,
    *,
    lengths: Sequence[int] = (128, 256),
    n_docs: int = 50,
    warmup: int = 5,
    threads: int = 1,
    int8: bool = True,
    work_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """p50 / p95 single-document latency of `model` (name, folder, or None: the bundled
    MiniLM with a new 2-class head) at each length: float32 torch, and int8 ONNX Runtime
    when available (else its row says what is missing)."""
    import torch

    torch.set_num_threads(threads)
    tok = load_tokenizer(model)
    net = load_classifier(model, num_labels=2).eval()
    rows: list[dict[str, Any]] = []
    missing = int8_available() if int8 else "int8 not requested"
    tmp = tempfile.TemporaryDirectory() if work_dir is None else None
    folder = Path(work_dir) if work_dir is not None else Path(tmp.name)  # type: ignore[union-attr]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for length in lengths:
            docs = _docs_of_length(tok, texts, length, n_docs + warmup)
            timed = _time(_torch_runner(tok, net, length), docs, warmup)
            rows.append({"variant": "float32 (torch)", "tokens": length, "n_docs": len(docs),
                         **percentiles(timed)})  # fmt: skip
            for variant, per_channel in INT8_VARIANTS.items():
                if missing is None:
                    run = _onnx_int8_runner(tok, net, length, folder, threads, per_channel)
                    rows.append({"variant": variant, "tokens": length, "n_docs": len(docs),
                                 **percentiles(_time(run, docs, warmup))})  # fmt: skip
                else:
                    rows.append({"variant": variant, "tokens": length, "not_measured": missing})
    finally:
        if tmp is not None:
            tmp.cleanup()
    return {
        "model": str(model or "minilm"),
        "threads": threads,
        "torch": torch.__version__,
        "machine": f"{platform.machine()} {platform.processor() or ''} "
        f"{os.cpu_count()} logical CPUs".strip(),
        "rows": rows,
    }
