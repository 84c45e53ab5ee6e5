"""Porter stemming: deepmap's PorterStemmer against NLTK's on the same words, same run.

    python benchmarks/bench_stem.py [--docs N] [--repeat R] [--out DIR]

Words: the bundled IMDb train split (25,000 reviews; the `nlp` extra) tokenised with
deepmap.text.tokenize (scikit-learn's pattern, case kept). Two lists: every distinct token
(each word stemmed once, so our cache cannot help), and every token with its repeats in
the first N reviews (the way a corpus is stemmed; our cache pays off there, NLTK has none).

First, identity: every distinct token, and every WordNet lemma when NLTK_DATA holds WordNet,
is stemmed by both in each of the three modes; the counts of words checked and of
differences are printed (any difference is a bug). Then speed in NLTK's default mode:
words per second, best of R runs, a fresh stemmer (empty cache) for every run, and the
ratio ours / NLTK (target >= 1: at least as fast). --out DIR writes DIR/results.json with
provenance (the measured claim nlp.stem.fast reads it from results/bench-stem).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

TARGET = 1.0
NLTK_NAMES = {
    "original": "ORIGINAL_ALGORITHM",
    "martin": "MARTIN_EXTENSIONS",
    "nltk": "NLTK_EXTENSIONS",
}


def best_rates(fns, n_words: int, repeat: int) -> list[float]:
    """Best words/s of each function, runs interleaved so both see the same machine state."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t0)
    return [n_words / t for t in best]


def wordnet_lemmas() -> list[str]:
    """Every WordNet lemma name, or [] when NLTK_DATA does not hold WordNet."""
    if not os.environ.get("NLTK_DATA"):
        return []
    try:
        from nltk.corpus import wordnet

        return sorted(set(wordnet.all_lemma_names()))
    except LookupError:
        return []


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=5000, help="reviews for the with-repeats list")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=None, help="folder for results.json")
    args = ap.parse_args()

    from deepmap.validate import check_int, check_out_path

    check_int("--docs", args.docs, low=1, high=25_000)
    check_int("--repeat", args.repeat, low=1, high=100)
    if args.out is not None:
        check_out_path(args.out)

    from nltk.stem.porter import PorterStemmer as NltkStemmer

    from deepmap.data.text import load_bundled_imdb
    from deepmap.text.porter import MODES, PorterStemmer
    from deepmap.text.tokenize import tokenize

    corpus = load_bundled_imdb()
    texts = corpus.train_texts + corpus.test_texts
    distinct = sorted({t for doc in texts for t in tokenize(doc)})
    running = [t for doc in texts[: args.docs] for t in tokenize(doc)]
    lemmas = wordnet_lemmas()
    print(
        f"{len(texts):,} bundled IMDb reviews: {len(distinct):,} distinct tokens; "
        f"{len(running):,} tokens in the first {args.docs:,}; {len(lemmas):,} WordNet lemmas; "
        f"{platform.processor() or 'cpu'}, {os.cpu_count()} cores"
    )

    identity, total_diff = [], 0
    for mode in MODES:
        ours, ref = PorterStemmer(mode), NltkStemmer(NLTK_NAMES[mode])
        for name, words in [("imdb-distinct", distinct), ("wordnet-lemmas", lemmas)]:
            if not words:
                continue
            differ = [(w, ours.stem(w), ref.stem(w)) for w in words if ours.stem(w) != ref.stem(w)]
            total_diff += len(differ)
            identity.append({"mode": mode, "words": name, "checked": len(words),
                             "differences": len(differ), "examples": differ[:5]})  # fmt: skip
            print(f"identity  {mode:<8} {name:<15} {len(words):>8,} words  {len(differ)} differ")

    rows = []
    for name, words in [("distinct", distinct), ("with-repeats", running)]:

        def ours(ws=words):
            stem = PorterStemmer().stem
            return [stem(w) for w in ws]

        def nltk(ws=words):
            stem = NltkStemmer().stem
            return [stem(w) for w in ws]

        r_ours, r_nltk = best_rates([ours, nltk], len(words), args.repeat)
        ratio = r_ours / r_nltk
        rows.append({"words": name, "n": len(words), "deepmap_words_per_s": r_ours,
                     "nltk_words_per_s": r_nltk, "ratio": ratio})  # fmt: skip
        print(
            f"speed     {name:<13} {len(words):>9,} words  deepmap {r_ours:>11,.0f} words/s  "
            f"NLTK {r_nltk:>9,.0f} words/s  ratio {ratio:5.1f}x"
        )
    worst = min(r["ratio"] for r in rows)
    ok = worst >= TARGET and total_diff == 0
    print(
        f"differences {total_diff}; slowest ratio {worst:.1f}x (target >= {TARGET}x): "
        f"{'OK' if ok else 'MISSED'}"
    )
    if args.out is not None:
        from deepmap.report.figures import write_run
        from deepmap.report.provenance import data_checksum

        result = {
            "benchmark": "porter_stem", "docs": args.docs, "repeat": args.repeat,
            "identity": identity, "differences": total_diff, "rows": rows,
            "slowest_ratio": worst, "target": TARGET,
        }  # fmt: skip
        command = f"python benchmarks/bench_stem.py --docs {args.docs} --repeat {args.repeat}"
        write_run(Path(args.out), result, {}, data=data_checksum(*texts), command=command)
        print(f"wrote {Path(args.out) / 'results.json'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
