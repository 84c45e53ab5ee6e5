"""TF-IDF fit_transform: deepmap against scikit-learn on the same real corpus, same run.

    python benchmarks/bench_tfidf.py [--docs N] [--repeat R]

Corpus: the bundled IMDb train split (20,000 reviews; the `nlp` extra). Both vectorisers are
configured alike (raw TF, smooth IDF, L2, lowercase, the same token pattern) and their
outputs are checked equal before timing. Prints the best-of-R seconds and the ratio
ours / sklearn for unigrams and for uni+bigrams (target: ratio <= 1.5).
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np


def best_times(fns, repeat: int) -> list[float]:
    """Best wall time of each function, runs interleaved so both see the same machine state."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from sklearn.feature_extraction.text import TfidfVectorizer as SkTfidf

    from deepmap.data.text import load_bundled_imdb
    from deepmap.represent import TfidfVectorizer

    docs = load_bundled_imdb().train_texts[: args.docs]
    print(f"corpus: {len(docs):,} bundled IMDb reviews; {platform.processor() or 'cpu'}")
    worst = 0.0
    for label, kw in [("unigrams", {}), ("uni+bigrams", {"ngram_range": (1, 2)})]:
        ours = TfidfVectorizer(tf="raw", idf="smooth", **kw)
        ref = SkTfidf(**kw)
        A, B = ours.fit_transform(docs), ref.fit_transform(docs)
        assert ours.vocabulary_ == ref.vocabulary_, "vocabularies differ"
        diff = float(abs(A - B).max())
        assert diff < 1e-12, f"outputs differ by {diff}"
        t_ours, t_ref = best_times(
            [lambda o=ours: o.fit_transform(docs), lambda r=ref: r.fit_transform(docs)],
            args.repeat,
        )
        ratio = t_ours / t_ref
        worst = max(worst, ratio)
        print(
            f"{label:<12} deepmap {t_ours:6.2f} s   sklearn {t_ref:6.2f} s   "
            f"ratio {ratio:4.2f}x   features {A.shape[1]:,}   max|diff| {diff:.1e}"
        )
    print(f"worst ratio {worst:.2f}x (target <= 1.5x): {'OK' if worst <= 1.5 else 'MISSED'}")
    return 0 if worst <= 1.5 else 1


if __name__ == "__main__":
    np.seterr(all="raise")
    raise SystemExit(main())
