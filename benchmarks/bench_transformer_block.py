"""One training step (forward + backward) of one transformer encoder block: the NumPy
scratch engine's TransformerEncoderLayer against torch.nn.TransformerEncoderLayer on the CPU,
same weights (ours load torch's), same batch, float32, same number of threads.

    python benchmarks/bench_transformer_block.py [--batch 8] [--length 64] [--d-model 128]
        [--heads 4] [--threads 1] [--steps 30] [--norm-first] [--causal] [--json PATH]

The step is loss = sum(block(x) * w); loss.backward() (dropout 0), gradients reset each
step. Prints the median step time of each, measured in the same run, and the ratio
scratch / torch. Target: the scratch block within 3x of torch's.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import numpy as np

TARGET = 3.0


def median_steps(steps, n: int) -> list[float]:
    """Median time of each step function, timed in turns (a, b, a, b, ...) so that both see
    the same load on a shared CPU."""
    for step in steps:  # warm-up
        for _ in range(3):
            step()
    times: list[list[float]] = [[] for _ in steps]
    for _ in range(n):
        for step, ts in zip(steps, times, strict=True):
            t0 = time.perf_counter()
            step()
            ts.append(time.perf_counter() - t0)
    return [statistics.median(ts) for ts in times]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--length", type=int, default=64)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--norm-first", action="store_true", help="pre-LN (default post-LN)")
    ap.add_argument("--causal", action="store_true", help="causal self-attention")
    ap.add_argument("--json", default=None, help="write the figures here")
    args = ap.parse_args()

    import torch
    from threadpoolctl import threadpool_limits

    from deepmap.scratch import Tensor, nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    b, t, d, h = args.batch, args.length, args.d_model, args.heads
    theirs = torch.nn.TransformerEncoderLayer(
        d, h, dim_feedforward=4 * d, dropout=0.0, activation="relu",
        batch_first=True, norm_first=args.norm_first,
    )  # fmt: skip
    ours = nn.TransformerEncoderLayer(d, h, 4 * d, dropout=0.0, norm_first=args.norm_first)
    ours.astype(np.float32).load_torch(theirs)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((b, t, d)).astype(np.float32)
    w = rng.standard_normal((b, t, d)).astype(np.float32)
    xt, wt = torch.from_numpy(x), torch.from_numpy(w)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(t) if args.causal else None

    def torch_step():
        theirs.zero_grad(set_to_none=True)
        xi = xt.clone().requires_grad_(True)
        (theirs(xi, src_mask=mask, is_causal=args.causal) * wt).sum().backward()

    def our_step():
        ours.zero_grad()
        xi = Tensor(x, requires_grad=True)
        (ours(xi, is_causal=args.causal) * w).sum().backward()

    with threadpool_limits(limits=args.threads):
        t_torch, t_ours = median_steps([torch_step, our_step], args.steps)
    ratio = t_ours / t_torch
    ok = ratio <= TARGET
    form = "pre-LN" if args.norm_first else "post-LN"
    print(
        f"one encoder block, {form}{', causal' if args.causal else ''}: B={b} T={t} "
        f"d={d} h={h} ffn={4 * d}, float32, {args.threads} thread(s), "
        f"median of {args.steps} (timed in turns)"
    )
    print(
        f"scratch {t_ours * 1e3:7.2f} ms   torch {t_torch * 1e3:7.2f} ms"
        f"   ratio {ratio:5.2f}x   (target <= {TARGET:g}x: {'OK' if ok else 'MISSED'})"
    )
    if args.json:
        record = {
            "batch": b, "length": t, "d_model": d, "heads": h, "dim_feedforward": 4 * d,
            "norm_first": args.norm_first, "causal": args.causal, "threads": args.threads,
            "steps": args.steps, "scratch_ms": t_ours * 1e3,
            "torch_ms": t_torch * 1e3, "ratio": ratio, "target": TARGET,
            "torch": torch.__version__, "numpy": np.__version__,
            "machine": f"{platform.machine()} {platform.processor()}".strip(),
        }  # fmt: skip
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(record, f, indent=2)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
