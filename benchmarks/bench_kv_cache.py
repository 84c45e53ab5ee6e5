"""MiniGPT generation speed with and without the KV cache, in new tokens per second.

    python benchmarks/bench_kv_cache.py [--layers 4 --hidden 128 --heads 4] [--prompt-len 16]
        [--new-tokens 500] [--batch 1] [--repeats 3] [--threads 1] [--device auto|cpu|cuda]
        [--dtype float32|bfloat16] [--model OUT/model] [--json PATH]

Both runs decode greedily through `deepmap.sequence.generate` with a `GPTStepper`:
use_cache=False re-runs the model over the whole context at every step (nanoGPT's
`generate`); use_cache=True runs the prompt once and then one position per step. The
context (block_size) is prompt + new tokens, so the cache is never rebuilt (checked).
tokens/s = batch x new tokens / median wall time of `repeats` runs after one warm-up; the
two runs must give the same tokens (checked; the script fails otherwise).

Random weights (seed 0, vocab 65 as tiny Shakespeare's characters) unless --model names a
`deepmap lm train --model gpt` checkpoint whose block_size is large enough.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time


def median_time(fn, repeats: int, sync) -> tuple[float, object]:
    out = fn()  # warm-up
    times = []
    for _ in range(repeats):
        sync()
        t0 = time.perf_counter()
        out = fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=65)
    ap.add_argument("--prompt-len", type=int, default=16)
    ap.add_argument("--new-tokens", type=int, default=500)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    ap.add_argument("--model", default=None, help="a deepmap lm train --model gpt checkpoint")
    ap.add_argument("--json", default=None, help="write the figures here")
    args = ap.parse_args()

    import torch

    from deepmap.sequence import generate
    from deepmap.transformer.gpt import GPT, GPTConfig
    from deepmap.transformer.kv_cache import GPTStepper

    torch.set_num_threads(args.threads)
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    n, p = args.new_tokens, args.prompt_len
    if args.model:
        from deepmap.sequence.lab import load_lm

        model, _, _ = load_lm(args.model)
        if model.config.block_size < p + n:
            print(f"--model: block_size {model.config.block_size} < prompt + new tokens "
                  f"{p + n}; the cache would be rebuilt", file=sys.stderr)  # fmt: skip
            return 2
    else:
        torch.manual_seed(0)
        model = GPT(GPTConfig(
            vocab_size=args.vocab, block_size=p + n, n_layer=args.layers, n_head=args.heads,
            n_embd=args.hidden,
        ))  # fmt: skip
    model = model.to(device=device, dtype=getattr(torch, args.dtype)).eval()
    g = torch.Generator().manual_seed(1)
    prompt = torch.randint(0, model.config.vocab_size, (args.batch, p), generator=g)

    def sync() -> None:
        if device == "cuda":
            torch.cuda.synchronize()

    results = {}
    tokens = {}
    for name, use_cache in (("no_cache", False), ("kv_cache", True)):
        stepper = GPTStepper(model, use_cache=use_cache)
        seconds, out = median_time(
            lambda s=stepper: generate(s, prompt, strategy="greedy", max_new_tokens=n),
            args.repeats, sync,
        )  # fmt: skip
        if use_cache and stepper.prefills != args.repeats + 1:
            print(f"the cache was rebuilt ({stepper.prefills} prefills)", file=sys.stderr)
            return 1
        tokens[name] = out.sequences
        results[name] = {"seconds": seconds, "tokens_per_s": args.batch * n / seconds}
    if tokens["no_cache"] != tokens["kv_cache"]:
        print("the two runs gave different tokens", file=sys.stderr)
        return 1
    speedup = results["kv_cache"]["tokens_per_s"] / results["no_cache"]["tokens_per_s"]
    dev_name = torch.cuda.get_device_name() if device == "cuda" else platform.processor()
    summary = {
        "benchmark": "kv_cache", "device": device, "device_name": dev_name or "cpu",
        "threads": args.threads, "dtype": args.dtype, "layers": model.config.n_layer,
        "hidden": model.config.n_embd, "heads": model.config.n_head,
        "block_size": model.config.block_size, "parameters": model.num_parameters(),
        "prompt_len": p, "new_tokens": n, "batch": args.batch, "repeats": args.repeats,
        **{f"{k}_{m}": v[m] for k, v in results.items() for m in v},
        "speedup": speedup, "identical_tokens": True, "torch": torch.__version__,
    }  # fmt: skip
    print(f"MiniGPT {model.config.n_layer}x{model.config.n_embd} "
          f"({model.num_parameters():,} parameters), {device} ({summary['device_name']}, "
          f"{args.threads} threads, {args.dtype}), prompt {p} + {n} new tokens, "
          f"batch {args.batch}, median of {args.repeats}")  # fmt: skip
    for name, r in results.items():
        print(f"  {name:9s} {r['tokens_per_s']:10.1f} tokens/s  ({r['seconds']:.3f} s)")
    print(f"  speed-up with the cache: {speedup:.2f}x (same tokens: yes)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
