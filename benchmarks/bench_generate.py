"""Tokens/s of `deepmap generate` end to end: a saved checkpoint loaded with `load_lm`, then
greedy, sampling (T = 0.8, top-k 40) and beam search streamed the way the CLI streams them.

    python benchmarks/bench_generate.py [--threads T] [--new-tokens N] [--repeats R]
        [--hidden H] [--level char|word] [--json PATH]

The model has random weights (fixed seed, no data, no download): a 2xH LSTM with a char
vocabulary of 65 (tiny Shakespeare's size) or a word vocabulary of 33,278 (WikiText-2's
with words seen >= 3 times), so the output softmax costs what a trained model's would.
tokens/s = new tokens / median wall time of one generation (batch 1, no eos stop); beam
search counts the returned sequence's tokens, not the beams' work. The ratios against
Hugging Face's `generate` on a tiny random GPT-2 are in benchmarks/bench_decoding.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--new-tokens", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--beams", type=int, default=4)
    ap.add_argument("--level", choices=("char", "word"), default="char")
    ap.add_argument("--json", default=None, help="write the figures (with provenance) here")
    args = ap.parse_args()

    import torch

    from deepmap.sequence import SamplingParams, stream, stream_text
    from deepmap.sequence.lab import LMConfig, load_lm, save_lm
    from deepmap.sequence.models import lm_spec
    from deepmap.sequence.tokenize import CharTokenizer, WordTokenizer

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.level == "char":
        tok = CharTokenizer([chr(c) for c in range(32, 32 + 65)])
    else:
        tok = WordTokenizer(["<unk>", "<eos>", *(f"w{i}" for i in range(33_276))])
    config = LMConfig.for_level(args.level, hidden=args.hidden, data="x")
    model = lm_spec("lstm").build(config, tok.vocab_size)
    folder = Path(tempfile.mkdtemp()) / "model"
    save_lm(folder, model, tok, config)
    lm, tok, config = load_lm(folder)
    prompt = tok.encode("ROMEO:" if args.level == "char" else "w1 w2 w3")
    strategies = {
        "greedy": ("greedy", SamplingParams(), {}),
        "sample": ("sample", SamplingParams(temperature=0.8, top_k=40), {}),
        f"beam{args.beams}": ("beam", SamplingParams(), {"num_beams": args.beams}),
    }
    rows = {}
    for name, (strategy, params, options) in strategies.items():
        times = []
        for r in range(args.repeats + 1):  # the first is a warm-up
            t0 = time.perf_counter()
            tokens = stream(lm_spec(config.model).stepper(lm), [prompt], strategy=strategy,
                            max_new_tokens=args.new_tokens, params=params, seed=r,
                            **options)  # fmt: skip
            "".join(stream_text(tokens, tok.decode))  # what the CLI writes, piece by piece
            if r:
                times.append(time.perf_counter() - t0)
        seconds = statistics.median(times)
        rows[name] = {"seconds": seconds, "tokens_per_second": args.new_tokens / seconds}
        print(f"{name:>8}: {args.new_tokens / seconds:10.1f} tokens/s  ({seconds:.3f} s)")
    if args.json:
        from deepmap.report.provenance import provenance

        record = {"level": args.level, "hidden": args.hidden, "vocab_size": tok.vocab_size,
                  "new_tokens": args.new_tokens, "threads": args.threads, "rows": rows,
                  "provenance": provenance(seed=0)}  # fmt: skip
        Path(args.json).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
