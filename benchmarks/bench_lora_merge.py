"""LoRA's inference cost: merged adapters add no latency, unmerged ones a little.

    python benchmarks/bench_lora_merge.py [--threads T] [--repeats R] [--device cpu|cuda]
                                          [--out DIR]

For each model, three forwards on the same input, interleaved round by round so all three
see the same machine state (the CPU here is shared):
- base:     the model without LoRA;
- merged:   deepmap's LoRA (r=8, alpha=16, random non-zero B) after `merge_lora`, so each
            wrapped layer computes x W'^T + b with W' = W + (alpha/r) (A B)^T;
- unmerged: the same adapters unmerged: base(x) + (alpha/r) x A B per wrapped layer.
Ratios merged / base (the map's "zero latency": ~1.0) and unmerged / base, from the median
and the best of R rounds. Before timing, merged and unmerged outputs are checked equal
(max difference below 1e-5, float32).

Models (random weights, seed 0, no download):
- linear-4096: one nn.Linear(4096, 4096), the map's example matrix, on 32 token vectors;
- minilm-bert: a BertModel shaped like all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads,
  FFN 1536, vocab 30522), LoRA on query and value (12 layers wrapped), one 128-token input.
--out DIR writes DIR/results.json with the timings and their provenance.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time


def timings(fns: dict, repeats: int, sync) -> dict[str, dict[str, float]]:
    """Median and best wall seconds of each function, rounds interleaved, after a warm-up."""
    for fn in fns.values():
        fn()
    sync()
    seen: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            sync()
            seen[name].append(time.perf_counter() - t0)
    return {n: {"median_s": statistics.median(t), "best_s": min(t)} for n, t in seen.items()}


def build(name: str, device: str):
    """(base model, its LoRA-wrapped copy, a function running a model on the input)."""
    import torch

    from deepmap.finetune import apply_lora, lora_layers

    torch.manual_seed(0)
    if name == "linear-4096":

        class One(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.proj = torch.nn.Linear(4096, 4096)

            def forward(self, x):
                return self.proj(x)

        base, targets = One(), ["proj"]
        x = torch.randn(32, 4096, device=device)

        def run(m):
            return m(x)
    else:
        from transformers import BertConfig, BertModel

        cfg = BertConfig(
            vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
            intermediate_size=1536, max_position_embeddings=512,
        )  # fmt: skip
        base, targets = BertModel(cfg), ["query", "value"]
        ids = torch.randint(0, 30522, (1, 128), device=device)

        def run(m):
            return m(input_ids=ids).last_hidden_state

    base = base.to(device).eval()
    wrapped = apply_lora(copy.deepcopy(base), targets, r=8, lora_alpha=16).eval()
    with torch.no_grad():
        for lo in lora_layers(wrapped).values():
            lo.lora_B.normal_(0.0, 0.02)
    return base, wrapped, run


def measure(name: str, device: str, repeats: int) -> dict:
    import torch

    from deepmap.finetune import lora_layers, merge_lora, trainable_parameters, unmerge_lora

    base, wrapped, run = build(name, device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    with torch.inference_mode():
        unmerged_out = run(wrapped)
        merge_lora(wrapped)
        max_diff = float((run(wrapped) - unmerged_out).abs().max())
        unmerge_lora(wrapped)
        if not max_diff < 1e-5:
            raise SystemExit(f"{name}: merged and unmerged outputs differ by {max_diff:.2e}")

        merged = copy.deepcopy(wrapped)
        merge_lora(merged)
        t = timings(
            {"base": lambda: run(base), "merged": lambda: run(merged),
             "unmerged": lambda: run(wrapped)},
            repeats, sync,
        )  # fmt: skip
    ratio = {
        f"{v}_over_base_{s}": t[v][f"{s}_s"] / t["base"][f"{s}_s"]
        for v in ("merged", "unmerged")
        for s in ("median", "best")
    }
    return {
        "model": name,
        "wrapped_layers": len(lora_layers(wrapped)),
        "trainable": trainable_parameters(wrapped),
        "total": sum(p.numel() for p in wrapped.parameters()),
        "merged_vs_unmerged_max_abs_diff": max_diff,
        "seconds": t,
        **ratio,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--models", default="linear-4096,minilm-bert")
    ap.add_argument("--out", default=None, help="folder for results.json")
    args = ap.parse_args()

    from deepmap.validate import check_int, check_out_path

    check_int("--threads", args.threads, low=1, high=256)
    check_int("--repeats", args.repeats, low=3, high=10_000)
    models = [m for m in args.models.split(",") if m]
    bad = [m for m in models if m not in ("linear-4096", "minilm-bert")]
    if bad or not models:
        raise SystemExit(f"--models: unknown {bad}; choose from linear-4096, minilm-bert")
    if args.out is not None:
        check_out_path(args.out)

    import torch

    torch.set_num_threads(args.threads)
    rows = []
    for name in models:
        row = measure(name, args.device, args.repeats)
        rows.append(row)
        s = row["seconds"]
        print(
            f"{name:12s} base {s['base']['median_s'] * 1e3:8.3f} ms  "
            f"merged {s['merged']['median_s'] * 1e3:8.3f} ms "
            f"(x{row['merged_over_base_median']:.3f}, best x{row['merged_over_base_best']:.3f})  "
            f"unmerged {s['unmerged']['median_s'] * 1e3:8.3f} ms "
            f"(x{row['unmerged_over_base_median']:.3f}, "
            f"best x{row['unmerged_over_base_best']:.3f})  "
            f"max|merged-unmerged| {row['merged_vs_unmerged_max_abs_diff']:.1e}"
        )
    if args.out is not None:
        from deepmap.report.figures import write_run

        device = torch.cuda.get_device_name() if args.device == "cuda" else "cpu"
        result = {
            "benchmark": "lora_merge",
            "settings": vars(args) | {"device_name": device, "r": 8, "lora_alpha": 16},
            "rows": rows,
        }
        cmd = "python benchmarks/bench_lora_merge.py " + " ".join(
            f"--{k} {v}" for k, v in vars(args).items() if k != "out" and v is not None
        )
        write_run(args.out, result, {}, seed=0, command=cmd)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
