"""Training tokens/s: MiniGPT against the char-LSTM at a similar parameter count.

    python benchmarks/bench_lm_throughput.py [--layers 4 --hidden 128 --heads 4]
        [--seq-len 64] [--batch-size 32] [--lstm-layers 2] [--steps 20] [--warmup 3]
        [--threads 1] [--device auto|cpu|cuda] [--data tinyshakespeare] [--json PATH]

One training step = forward, cross-entropy over every position, backward, gradient norm
clipped to 1.0, AdamW step: what `deepmap lm train` does per step. Both models get the
same batches, random windows of tiny Shakespeare's training 90% ($DEEPMAP_DATA), under
bf16 autocast on CUDA and in float32 on the CPU.

    tokens/s = steps x batch x seq_len / wall time (after `warmup` untimed steps)

The LSTM (deepmap.sequence.lm.RecurrentLM: embedding -> LSTM -> linear) gets the hidden
size whose parameter count is nearest the GPT's. The claim measured (the map's
"transformers train in parallel, RNNs sequentially"): the GPT computes all T positions of
a layer at once, the LSTM needs T dependent steps, so on a GPU the GPT should process many
more tokens per second; on a few CPU cores both are bound by the arithmetic.

Model FLOPs utilisation (printed for both models on CUDA), as nanoGPT and PaLM count it:

    FLOPs per token = 6 N + 12 L C T      (N parameters without the position table; the
                                           second term is attention's QK^T and AV, fwd+bwd)
    MFU = FLOPs per token x tokens/s / peak      (H100 SXM bf16 dense: 989 TFLOP/s)

(6 N alone for the LSTM.)
"""

from __future__ import annotations

import argparse
import json
import time

H100_BF16_PEAK = 989e12


def lstm_hidden_for(params: int, vocab: int, layers: int) -> int:
    """The LSTM hidden size whose RecurrentLM parameter count is nearest `params`."""

    def count(h: int) -> int:
        first = 4 * (h * h + h * h + 2 * h)  # input = embedding = h
        return vocab * h + first + (layers - 1) * first + h * vocab + vocab

    return min(range(8, 8192), key=lambda h: abs(count(h) - params))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="tinyshakespeare", help="tinyshakespeare or PATH")
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--seq-len", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lstm-layers", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--peak", type=float, default=H100_BF16_PEAK, help="FLOP/s for MFU")
    ap.add_argument("--json", default=None, help="write the figures here")
    args = ap.parse_args()

    import torch
    from torch.nn import functional as F

    from deepmap.sequence.corpus import load_text, split_text
    from deepmap.sequence.lm import RecurrentLM
    from deepmap.sequence.tokenize import CharTokenizer
    from deepmap.transformer.gpt import GPT, GPTConfig

    torch.set_num_threads(args.threads)
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    text, _ = load_text(args.data)
    train_text, _ = split_text(text)
    tok = CharTokenizer.from_text(train_text)
    ids = torch.tensor(tok.encode(train_text), dtype=torch.long)
    b, t, v = args.batch_size, args.seq_len, tok.vocab_size
    g = torch.Generator().manual_seed(0)
    n_batches = args.warmup + args.steps
    starts = torch.randint(0, len(ids) - t - 1, (n_batches, b), generator=g)
    offsets = torch.arange(t + 1)
    batches = [ids[s[:, None] + offsets].to(device) for s in starts]  # (B, T + 1) each

    torch.manual_seed(0)
    gpt = GPT(GPTConfig(vocab_size=v, block_size=t, n_layer=args.layers, n_head=args.heads,
                        n_embd=args.hidden))  # fmt: skip
    n_gpt = gpt.num_parameters()
    h = lstm_hidden_for(n_gpt, v, args.lstm_layers)
    lstm = RecurrentLM(v, "lstm", layers=args.lstm_layers, hidden=h)
    n_lstm = sum(p.numel() for p in lstm.parameters())
    autocast_dtype = torch.bfloat16 if device == "cuda" else None

    def sync() -> None:
        if device == "cuda":
            torch.cuda.synchronize()

    def measure(model) -> float:
        model.to(device).train()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        for i, batch in enumerate(batches):
            if i == args.warmup:
                sync()
                t0 = time.perf_counter()
            x, y = batch[:, :-1], batch[:, 1:]
            with torch.autocast(device, dtype=autocast_dtype, enabled=autocast_dtype is not None):
                logits, _ = model(x)
                loss = F.cross_entropy(logits.reshape(-1, v).float(), y.reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        sync()
        seconds = time.perf_counter() - t0
        model.to("cpu")
        return args.steps * b * t / seconds

    gpt_tps = measure(gpt)
    lstm_tps = measure(lstm)
    n_gpt_flops = gpt.num_parameters(non_embedding=True)
    gpt_flops_per_token = 6 * n_gpt_flops + 12 * args.layers * args.hidden * t
    lstm_flops_per_token = 6 * n_lstm
    dev_name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    summary = {
        "benchmark": "lm_throughput", "device": device, "device_name": dev_name,
        "threads": args.threads, "precision": "bf16 autocast" if autocast_dtype else "float32",
        "batch_size": b, "seq_len": t, "steps": args.steps, "warmup": args.warmup,
        "gpt": {"layers": args.layers, "hidden": args.hidden, "heads": args.heads,
                "parameters": n_gpt, "tokens_per_s": gpt_tps,
                "flops_per_token": gpt_flops_per_token},
        "lstm": {"layers": args.lstm_layers, "hidden": h, "parameters": n_lstm,
                 "tokens_per_s": lstm_tps, "flops_per_token": lstm_flops_per_token},
        "ratio_gpt_over_lstm": gpt_tps / lstm_tps, "torch": torch.__version__,
    }  # fmt: skip
    if device == "cuda":
        summary["peak_flops"] = args.peak
        summary["gpt"]["mfu"] = gpt_flops_per_token * gpt_tps / args.peak
        summary["lstm"]["mfu"] = lstm_flops_per_token * lstm_tps / args.peak
    print(f"{device} ({dev_name}, {args.threads} threads, {summary['precision']}), "
          f"batch {b} x {t} tokens, {args.steps} timed steps after {args.warmup}")  # fmt: skip
    for name in ("gpt", "lstm"):
        r = summary[name]
        mfu = f"  MFU {100 * r['mfu']:.2f}%" if "mfu" in r else ""
        print(f"  {name:4s} {r['layers']}x{r['hidden']:<5d} {r['parameters']:>11,} params "
              f"{r['tokens_per_s']:>12,.0f} tokens/s{mfu}")  # fmt: skip
    print(f"  GPT / LSTM tokens/s: {summary['ratio_gpt_over_lstm']:.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
