"""Tokenisers: deepmap's BPE and WordPiece against Hugging Face tokenizers (Rust), same run.

    python benchmarks/bench_tokenizers.py [--docs N] [--vocab-size V] [--encode-docs M]
                                          [--identity-docs K] [--out DIR]

Corpus: the bundled IMDb reviews (25,000; the `nlp` extra). Hugging Face runs on one
thread (RAYON_NUM_THREADS=1, TOKENIZERS_PARALLELISM=false), as ours does.

1. Training on the first N reviews, vocabulary V, the same settings on both sides:
   - BPE: byte-level, GPT-2's pre-split, the 256 bytes as initial alphabet, one special
     token <|endoftext|> (HF BpeTrainer with ByteLevel.alphabet()).
   - WordPiece: BERT's normaliser and pre-split, specials [PAD] [UNK] [CLS] [SEP] [MASK],
     "##" continuations (HF WordPieceTrainer); ours with the frequency score (what HF's
     trainer does) and with the likelihood score (the textbook WordPiece).
   Reported: seconds, ratio ours/HF, vocabulary overlap (share of HF's tokens in ours),
   merges identical (BPE), and encoded length (tokens) of M other reviews under each.
2. The anchor: minbpe trains vocab 512 on 185,768 bytes in about 25 s (M1): ours on the
   first reviews holding that many bytes, same vocabulary.
3. Encoding throughput (reviews/s) with the real GPT-2 files ($DEEPMAP_DATA/gpt2-bpe) and
   bert-base-uncased's vocabulary, ours vs HF, on M reviews; and identity on K reviews
   (share with identical ids; 25,000 = every review). GPT-2 rows need $DEEPMAP_DATA.
--out DIR writes DIR/results.json (the verify claims read results/bench-tokenizers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

SPECIALS_WP = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def hf_bpe_train(texts, vocab_size):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=["<|endoftext|>"], show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )  # fmt: skip
    tok.train_from_iterator(texts, trainer)
    return tok


def hf_wp_train(texts, vocab_size):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size, special_tokens=SPECIALS_WP, show_progress=False
    )
    tok.train_from_iterator(texts, trainer)
    return tok


def hf_tokens(tok, texts) -> int:
    return sum(len(e.ids) for e in tok.encode_batch(texts, add_special_tokens=False))


def training_rows(train, held, vocab_size):
    from deepmap.transformer.bpe import train_bpe
    from deepmap.transformer.wordpiece import train_wordpiece

    rows = []
    ours, t_ours = timed(lambda: train_bpe(train, vocab_size))
    hf, t_hf = timed(lambda: hf_bpe_train(train, vocab_size))
    ref_merges = json.loads(hf.to_str())["model"]["merges"]
    ref_merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in ref_merges]
    hv = set(hf.get_vocab())
    rows.append({
        "tokenizer": "bpe", "score": "frequency", "ours_s": t_ours, "hf_s": t_hf,
        "ratio": t_ours / t_hf, "vocab_ours": len(ours), "vocab_hf": len(hv),
        "overlap": len(hv & set(ours.encoder)) / len(hv),
        "merges_identical": ours.merges == ref_merges,
        "tokens_ours": sum(len(ours.encode(t)) for t in held), "tokens_hf": hf_tokens(hf, held),
    })  # fmt: skip
    hf, t_hf = timed(lambda: hf_wp_train(train, vocab_size))
    hv = set(hf.get_vocab())
    for score in ("frequency", "likelihood"):
        ours, t_ours = timed(lambda s=score: train_wordpiece(train, vocab_size, score=s))
        rows.append({
            "tokenizer": "wordpiece", "score": score, "ours_s": t_ours, "hf_s": t_hf,
            "ratio": t_ours / t_hf, "vocab_ours": len(ours), "vocab_hf": len(hv),
            "overlap": len(hv & set(ours.vocab)) / len(hv), "merges_identical": None,
            "tokens_ours": sum(len(ours.encode(t, add_special_tokens=False)) for t in held),
            "tokens_hf": hf_tokens(hf, held),
        })  # fmt: skip
    return rows


def encoders():
    """[(name, ours, hf_encode_batch)] for the real vocabularies available here."""
    from transformers import BertTokenizerFast, GPT2TokenizerFast

    from deepmap.errors import DataUnavailableError
    from deepmap.transformer.bpe import ByteLevelBPE
    from deepmap.transformer.pretrained import bert_vocab_file, gpt2_files
    from deepmap.transformer.wordpiece import WordPiece

    out = []
    try:
        enc, merges = gpt2_files()
        hf = GPT2TokenizerFast(vocab=str(enc), merges=str(merges))
        out.append(("gpt2", ByteLevelBPE.from_files(enc, merges), hf))
    except DataUnavailableError as e:
        print(f"gpt2 rows skipped: {e}")
    vocab = bert_vocab_file()
    out.append(
        ("bert-base-uncased", WordPiece.from_file(vocab), BertTokenizerFast(vocab=str(vocab)))
    )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=5000, help="reviews to train on")
    ap.add_argument("--vocab-size", type=int, default=2000)
    ap.add_argument("--encode-docs", type=int, default=2000, help="reviews for lengths, speed")
    ap.add_argument("--identity-docs", type=int, default=25_000, help="0 skips identity")
    ap.add_argument("--out", default=None, help="folder for results.json")
    args = ap.parse_args()

    from deepmap.validate import check_int, check_out_path

    check_int("--docs", args.docs, low=1, high=20_000)
    check_int("--vocab-size", args.vocab_size, low=300, high=100_000)
    check_int("--encode-docs", args.encode_docs, low=1, high=5000)
    check_int("--identity-docs", args.identity_docs, low=0, high=25_000)
    if args.out is not None:
        check_out_path(args.out)

    from deepmap.data.text import load_bundled_imdb
    from deepmap.transformer.bpe import train_bpe

    c = load_bundled_imdb()
    texts = c.train_texts + c.test_texts
    train, held = texts[: args.docs], texts[-args.encode_docs :]
    print(f"{len(texts):,} bundled IMDb reviews; {platform.processor() or 'cpu'}, "
          f"{os.cpu_count()} cores; HF on one thread")  # fmt: skip

    rows = training_rows(train, held, args.vocab_size)
    for r in rows:
        print(
            f"train {r['tokenizer']:<9} {r['score']:<10} V={args.vocab_size} N={args.docs}: "
            f"ours {r['ours_s']:6.1f} s  HF {r['hf_s']:5.2f} s  ratio {r['ratio']:6.1f}x  "
            f"overlap {r['overlap']:.2%}  merges identical {r['merges_identical']}  "
            f"tokens on {len(held):,} reviews ours {r['tokens_ours']:,} HF {r['tokens_hf']:,}"
        )

    anchor_texts, n_bytes = [], 0
    for t in texts:
        if n_bytes >= 185_768:
            break
        anchor_texts.append(t)
        n_bytes += len(t.encode("utf-8"))
    _, t_anchor = timed(lambda: train_bpe(anchor_texts, 512))
    anchor = {"bytes": n_bytes, "reviews": len(anchor_texts), "vocab_size": 512,
              "ours_s": t_anchor, "minbpe_s_m1": 25.0}  # fmt: skip
    print(f"anchor: vocab 512 on {n_bytes:,} bytes: ours {t_anchor:.1f} s (minbpe ~25 s on M1)")

    speed, identity = [], []
    for name, ours, hf in encoders():
        ours._cache.clear()
        _, t_ours = timed(lambda o=ours: [o.encode(t) for t in held])
        _, t_hf = timed(lambda h=hf: h(held)["input_ids"])
        speed.append({"tokenizer": name, "reviews": len(held), "ours_per_s": len(held) / t_ours,
                      "hf_per_s": len(held) / t_hf, "ratio": t_hf / t_ours})  # fmt: skip
        print(f"encode {name:<18} {len(held):,} reviews: ours {len(held) / t_ours:8,.0f}/s  "
              f"HF {len(held) / t_hf:8,.0f}/s  (ours/HF speed {t_hf / t_ours:.2f}x)")  # fmt: skip
        if args.identity_docs:
            sample = texts[: args.identity_docs]
            ref = hf(sample)["input_ids"]
            same = sum(ours.encode(t) == r for t, r in zip(sample, ref, strict=True))
            identity.append({"tokenizer": name, "reviews": len(sample), "identical": same,
                             "identical_share": same / len(sample)})  # fmt: skip
            print(f"identity {name:<18} {same:,} / {len(sample):,} reviews identical "
                  f"({same / len(sample):.4%})")  # fmt: skip

    if args.out is not None:
        from deepmap.report.figures import write_run
        from deepmap.report.provenance import data_checksum

        result = {
            "benchmark": "tokenizers", "docs": args.docs, "vocab_size": args.vocab_size,
            "encode_docs": args.encode_docs, "identity_docs": args.identity_docs,
            "hf_threads": 1, "training": rows, "anchor": anchor, "encoding": speed,
            "identity": identity,
        }  # fmt: skip
        command = (
            f"python benchmarks/bench_tokenizers.py --docs {args.docs} --vocab-size "
            f"{args.vocab_size} --encode-docs {args.encode_docs} --identity-docs "
            f"{args.identity_docs}"
        )
        write_run(Path(args.out), result, {}, data=data_checksum(*texts), command=command)
        print(f"wrote {Path(args.out) / 'results.json'}")
    ok = all(r["identical_share"] == 1.0 for r in identity)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
