"""Generation speed of deepmap's decoding module: greedy, sampling and beam-4, in tokens/s.

    python benchmarks/bench_decoding.py [--threads T] [--new-tokens N] [--repeats R] [--json PATH]

Models (random weights, fixed seed, no download):
- a tiny GPT-2 (2 layers, 2 heads, d=32, vocab 50) through `HFStepper`, against Hugging
  Face's own `model.generate` on the same model and prompt (ratio ours / HF; > 1: ours faster);
- a char-level LSTM LM (embedding 64 -> 2x256 LSTM -> linear, vocab 65, tiny Shakespeare's
  size) through `RecurrentStepper` (HF's generate can't drive a plain nn.Module: ours only).

tokens/s = batch x new tokens / median wall time (no eos, so every run makes N tokens per
prompt; beam search counts the tokens of the returned sequence, not the beams' work).
Both sides produce the same tokens (checked here, and in tests/sequence).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--new-tokens", type=int, default=100)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", default=None, help="write the figures (with provenance) here")
    args = ap.parse_args()

    import torch
    import transformers

    from deepmap.sequence import HFStepper, RecurrentStepper, SamplingParams, generate

    torch.set_num_threads(args.threads)
    n, batch = args.new_tokens, args.batch
    prompt = torch.arange(1, 9).repeat(batch, 1)  # (batch, 8)
    torch.manual_seed(0)
    cfg = transformers.GPT2Config(
        n_layer=2, n_head=2, n_embd=32, vocab_size=50, n_positions=prompt.size(1) + n + 8,
        bos_token_id=None, eos_token_id=None, pad_token_id=None,
    )  # fmt: skip
    gpt2 = transformers.GPT2LMHeadModel(cfg).eval()

    class CharLSTM(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = torch.nn.Embedding(65, 64)
            self.rnn = torch.nn.LSTM(64, 256, num_layers=2, batch_first=True)
            self.out = torch.nn.Linear(256, 65)

        def forward(self, ids, hidden=None):
            y, hidden = self.rnn(self.emb(ids), hidden)
            return self.out(y), hidden

    lstm = CharLSTM().eval()
    sampling = SamplingParams(temperature=0.8, top_k=40)
    strategies = {
        "greedy": ({"strategy": "greedy"}, {"do_sample": False}),
        "sample T=0.8 k=40": (
            {"strategy": "sample", "params": sampling, "seed": 0},
            {"do_sample": True, "temperature": 0.8, "top_k": 40},
        ),
        "beam-4": (
            {"strategy": "beam", "num_beams": 4},
            {"do_sample": False, "num_beams": 4},
        ),
    }
    rows = []
    for name, (ours_kw, hf_kw) in strategies.items():

        def ours(kw=ours_kw):
            return generate(HFStepper(gpt2), prompt, max_new_tokens=n, **kw)

        def hf(kw=hf_kw):
            torch.manual_seed(0)
            with torch.no_grad():
                return gpt2.generate(
                    prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=n,
                    min_new_tokens=n, **kw,
                )  # fmt: skip

        same = torch.equal(torch.tensor(ours().sequences), hf())
        t_ours = median_time(ours, args.repeats)
        t_hf = median_time(hf, args.repeats)
        rows.append(
            {
                "model": "tiny GPT-2",
                "strategy": name,
                "ours_tokens_per_s": batch * n / t_ours,
                "hf_tokens_per_s": batch * n / t_hf,
                "ratio_ours_over_hf": t_hf / t_ours,
                "same_tokens": same,
            }
        )
        t_lstm = median_time(
            lambda kw=ours_kw: generate(RecurrentStepper(lstm), prompt, max_new_tokens=n, **kw),
            args.repeats,
        )
        rows.append(
            {
                "model": "char LSTM 2x256",
                "strategy": name,
                "ours_tokens_per_s": batch * n / t_lstm,
                "hf_tokens_per_s": None,
                "ratio_ours_over_hf": None,
                "same_tokens": None,
            }
        )

    print(f"threads={args.threads} batch={batch} new tokens={n} repeats={args.repeats}")
    print(f"{'model':<17} {'strategy':<18} {'ours tok/s':>10} {'HF tok/s':>9} {'ours/HF':>8} same")
    for r in rows:
        hf_s = "-" if r["hf_tokens_per_s"] is None else f"{r['hf_tokens_per_s']:.0f}"
        ratio = "-" if r["ratio_ours_over_hf"] is None else f"{r['ratio_ours_over_hf']:.2f}"
        same = "-" if r["same_tokens"] is None else str(r["same_tokens"])
        print(
            f"{r['model']:<17} {r['strategy']:<18} {r['ours_tokens_per_s']:>10.0f} "
            f"{hf_s:>9} {ratio:>8} {same}"
        )
    if args.json:
        from deepmap.report.provenance import provenance

        record = {"settings": vars(args), "rows": rows, "provenance": provenance(seed=0)}
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(record, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
