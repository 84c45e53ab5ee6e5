"""Our WordNet lemmatiser against NLTK's WordNetLemmatizer on the bundled IMDb vocabulary:
identical output on every (word, POS), and words per second.

    DEEPMAP_DATA=../shared/data python benchmarks/bench_lemma.py [--repeats R] [--out DIR]

Vocabulary: every distinct token of the 25,000 bundled IMDb reviews, both as the ladder
sees them (lowercased, the token pattern) and as written (split on white space, with
case and punctuation), plus WordNet's own lemma names. Agreement: ours vs NLTK on every
such word x the five POS letters n, v, a, r, s. Speed: the IMDb pattern tokens x n, v, a, r,
one call per (word, POS), no memo on either side, best of R passes; NLTK's PorterStemmer on
the same tokens, for the map's "lemmatising is slower than stemming". WordNet is found as
deepmap.data.wordnet finds it (NLTK is pointed at the same folder). --out writes
results.json (with provenance) for `deepmap verify`.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path


def words_per_s(fn, words: list[str], poses: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for pos in poses:
            for w in words:
                fn(w, pos)
        best = min(best, time.perf_counter() - t0)
    return len(words) * len(poses) / best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if not 1 <= args.repeats <= 100:
        ap.error("--repeats must be in [1, 100]")

    import nltk.data
    from nltk.stem import PorterStemmer
    from nltk.stem import WordNetLemmatizer as NltkLemmatizer

    from deepmap.data.text import load_bundled_imdb
    from deepmap.data.wordnet import wordnet_folder
    from deepmap.text.lemmatize import WordNetLemmatizer
    from deepmap.text.tokenize import token_finder

    folder = wordnet_folder()
    nltk.data.path.insert(0, str(folder.parent.parent))
    corpus = load_bundled_imdb()
    texts = corpus.train_texts + corpus.test_texts
    find = token_finder()
    pattern_tokens: set[str] = set()
    written: set[str] = set()
    for t in texts:
        pattern_tokens.update(find(t.lower()))
        written.update(t.split())
    ours, ref = WordNetLemmatizer(folder), NltkLemmatizer()
    names = set(ours.wordnet_.lemma_names())
    vocabulary = sorted(pattern_tokens | written | names)

    t0 = time.perf_counter()
    pairs = identical = 0
    differ: list[dict[str, str]] = []
    for pos in "nvars":
        for w in vocabulary:
            a, b = ours.lemmatize(w, pos), ref.lemmatize(w, pos)
            pairs += 1
            if a == b:
                identical += 1
            elif len(differ) < 20:
                differ.append({"word": w, "pos": pos, "ours": a, "nltk": b})
    check_s = time.perf_counter() - t0
    print(
        f"agreement: {identical:,} of {pairs:,} (word, POS) identical to NLTK "
        f"({len(pattern_tokens):,} IMDb tokens, {len(written):,} written forms, "
        f"{len(names):,} WordNet lemma names, {len(vocabulary):,} distinct; {check_s:.0f} s)"
    )
    for d in differ:
        print(f"  differs: {d}")

    speed_words = sorted(pattern_tokens)
    stem = PorterStemmer().stem
    speed = {
        "ours": words_per_s(ours.lemmatize, speed_words, "nvar", args.repeats),
        "nltk_lemmatizer": words_per_s(ref.lemmatize, speed_words, "nvar", args.repeats),
        "nltk_porter": words_per_s(lambda w, _p: stem(w), speed_words, "n", args.repeats),
    }
    ratio = speed["ours"] / speed["nltk_lemmatizer"]
    print(
        f"speed on {len(speed_words):,} IMDb tokens x 4 POS (best of {args.repeats}): "
        f"ours {speed['ours']:,.0f} words/s, NLTK {speed['nltk_lemmatizer']:,.0f} words/s "
        f"(ours/NLTK {ratio:.2f}x); NLTK PorterStemmer {speed['nltk_porter']:,.0f} words/s"
    )
    if args.out is not None:
        from deepmap.report.figures import write_run

        digest = hashlib.sha256("\n".join(vocabulary).encode()).hexdigest()
        result = {
            "data": "imdb-train-bundled vocabulary + WordNet 3.0 lemma names",
            "wordnet": str(folder),
            "agreement": {"pairs": pairs, "identical": identical, "differ": differ,
                          "words": len(vocabulary), "imdb_tokens": len(pattern_tokens),
                          "written_forms": len(written), "lemma_names": len(names)},
            "words_per_s": speed,
            "ours_over_nltk": ratio,
            "speed_words": len(speed_words),
            "repeats": args.repeats,
        }  # fmt: skip
        paths = write_run(args.out, result, {}, data=f"sha256:{digest}",
                          command=" ".join(["python", *sys.argv]))  # fmt: skip
        print(f"wrote {paths[0]}")
    return 0 if identical == pairs else 1


if __name__ == "__main__":
    raise SystemExit(main())
