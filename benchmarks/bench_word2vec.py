"""Word2Vec / FastText: deepmap against gensim on the same corpus and parameters, same run.

    python benchmarks/bench_word2vec.py [--model word2vec|fasttext] [--sg 1|0] [--epochs 5]
                                        [--docs N] [--workers W] [--json PATH]

Corpus: the bundled IMDb reviews (25,000, one sentence per review, lower-cased word tokens;
the `nlp` extra). Both models get the same vector_size, window, min_count, negative, sample,
alpha, epochs, seed and threads. Numba compiles deepmap's engine on a tiny corpus first; the
compile time is printed apart and not counted. Prints, per library: training seconds (vocabulary
included for both), raw words per second, analogy accuracy on questions-words (30,000 most
frequent words, as `deepmap embed train`) and the wordsim353 Spearman; then the speed ratio
ours / gensim (target >= 0.25) and the accuracy gap (target: within 2 points).
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=["word2vec", "fasttext"], default="word2vec")
    ap.add_argument("--sg", type=int, choices=[0, 1], default=1)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--docs", type=int, default=25_000)
    ap.add_argument("--workers", type=int, default=0, help="0: min(3, CPUs), as gensim")
    ap.add_argument("--json", default="", help="also write the table as JSON here")
    args = ap.parse_args()

    import gensim.models

    from deepmap.represent.embeddings import corpus_sentences, evaluate_vectors
    from deepmap.represent.fasttext import FastText
    from deepmap.represent.vectors import KeyedVectors
    from deepmap.represent.word2vec import Word2Vec, default_workers

    workers = args.workers or default_workers()
    sents = corpus_sentences("bundled")[: args.docs]
    words = sum(map(len, sents))
    params = dict(
        vector_size=100,
        window=5,
        min_count=5,
        negative=5,
        sample=1e-3,
        alpha=0.025,
        min_alpha=1e-4,
        epochs=args.epochs,
        seed=0,
        workers=workers,
        sg=args.sg,
    )
    ours_cls = Word2Vec if args.model == "word2vec" else FastText
    ref_cls = gensim.models.Word2Vec if args.model == "word2vec" else gensim.models.FastText
    print(f"{args.model} sg={args.sg}: {len(sents):,} reviews, {words:,} words, "
          f"{args.epochs} epochs, {workers} threads")  # fmt: skip

    t0 = time.perf_counter()
    ours_cls([["warm", "up", "the", "compiler"]] * 20, min_count=1, epochs=1, sg=args.sg)
    print(f"deepmap: Numba compile (not counted) {time.perf_counter() - t0:.1f} s")

    rows = []
    for name, build in [("deepmap", lambda: ours_cls(sents, **params).wv),
                        ("gensim", lambda: ref_cls(sents, **params).wv)]:  # fmt: skip
        t0 = time.perf_counter()
        wv = build()
        seconds = time.perf_counter() - t0
        r = evaluate_vectors(KeyedVectors(wv.index_to_key, wv.vectors))
        del r["similarity_bands"]
        r = {"library": name, "seconds": seconds, "words_per_second": words * args.epochs / seconds,
             **r}  # fmt: skip
        rows.append(r)
        print(
            f"{name:>8}: {seconds:7.1f} s  {r['words_per_second']:>10,.0f} words/s  "
            f"analogy {r['analogy_accuracy']:.2%} of {r['analogy_questions']:,}  "
            f"wordsim Spearman {r['wordsim_spearman']:.3f} ({r['wordsim_pairs']} pairs)"
        )
    ratio = rows[0]["words_per_second"] / rows[1]["words_per_second"]
    gap = rows[0]["analogy_accuracy"] - rows[1]["analogy_accuracy"]
    print(f"speed ours/gensim {ratio:.2f}x (target >= 0.25x); analogy gap {gap * 100:+.2f} points "
          "(target within 2)")  # fmt: skip
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"model": args.model, "sg": args.sg, "epochs": args.epochs,
                       "workers": workers, "words": words, "rows": rows, "speed_ratio": ratio,
                       "analogy_gap": gap}, f, indent=2)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
