"""`deepmap embed`: word-embedding tools (FastText subwords so far)."""

from __future__ import annotations

import typer

from deepmap.cli._common import console, emit_json

app = typer.Typer(no_args_is_help=True)


@app.command("ngrams")
def ngrams_cmd(
    word: str = typer.Argument(..., help="A word, e.g. acting."),
    min_n: int = typer.Option(3, "--min-n"),
    max_n: int = typer.Option(6, "--max-n"),
    bucket: int = typer.Option(2_000_000, "--bucket", help="Rows of fastText's n-gram table."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """FastText's subwords of WORD: "<word>" and its character n-grams, with hash buckets."""
    from deepmap.represent.subword import char_ngrams, ngram_buckets

    grams = char_ngrams(word, min_n, max_n)
    rows = ngram_buckets(word, min_n, max_n, bucket)
    if as_json:
        emit_json({"word": f"<{word}>", "ngrams": grams, "buckets": rows})
        return
    console.print(f"<{word}> + {len(grams)} n-grams (n = {min_n}..{max_n}):", markup=False)
    for n in range(min_n, max_n + 1):
        these = [g for g in grams if len(g) == n]
        if these:
            console.print(f"  {n}: " + ", ".join(these), markup=False)


@app.command("train")
def train_cmd(
    method: str = typer.Option("glove-svd", "--method", help="glove-svd: SVD of log(1 + X)."),
    dim: int = typer.Option(100, "--dim"),
    window: int = typer.Option(5, "--window"),
    min_count: int = typer.Option(5, "--min-count"),
    data: str = typer.Option("bundled", "--data", help="bundled (IMDb reviews) or a .txt file."),
    out: str = typer.Option("results/vectors.txt", "--out", help="word2vec text format."),
    evaluate: bool = typer.Option(True, "--evaluate/--no-evaluate"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Train word vectors; evaluate on gensim's questions-words and wordsim353."""
    import re
    import time
    from pathlib import Path

    from deepmap.errors import InputError
    from deepmap.represent.vectors import glove_svd, save_vectors

    if method != "glove-svd":
        raise InputError(f"unknown method {method!r}; available: glove-svd.")
    tok = re.compile(r"[a-z0-9']+").findall
    if data == "bundled":
        from deepmap.data.text import load_bundled_imdb
        from deepmap.ladder.rungs import preprocess

        c = load_bundled_imdb()
        sentences = [tok(preprocess(t)) for t in c.train_texts + c.test_texts]
    else:
        p = Path(data)
        if not p.is_file():
            raise InputError(f"--data {p}: no such file.")
        sentences = [tok(line.lower()) for line in p.read_text(encoding="utf-8").splitlines()]
    if not any(sentences):
        raise InputError("the corpus is empty.")
    t0 = time.perf_counter()
    kv = glove_svd(sentences, dim=dim, window=window, min_count=min_count)
    result = {"method": method, "words": len(kv), "dim": dim, "seconds": time.perf_counter() - t0}
    if evaluate:
        from gensim.test.utils import datapath

        result["analogy_accuracy"], result["analogy_questions"] = kv.evaluate_analogies(
            datapath("questions-words.txt"), restrict=30_000
        )
        result["wordsim_spearman"], result["wordsim_pairs"], _ = kv.evaluate_word_pairs(
            datapath("wordsim353.tsv")
        )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    save_vectors(kv, out)
    result["out"] = out
    if as_json:
        emit_json(result)
        return
    console.print(result)


@app.command("similar")
def similar_cmd(
    word: str = typer.Argument(...),
    vectors: str = typer.Option(..., "--vectors", help="word2vec or GloVe text file."),
    topn: int = typer.Option(10, "--topn"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The nearest words by cosine similarity."""
    from deepmap.represent.vectors import load_vectors

    near = load_vectors(vectors).most_similar(word, topn=topn)
    if as_json:
        emit_json([{"word": w, "cosine": s} for w, s in near])
        return
    for w, s in near:
        console.print(f"{s:.3f}  {w}", markup=False)


@app.command("analogy")
def analogy_cmd(
    a: str = typer.Argument(..., help="king"),
    b: str = typer.Argument(..., help="man"),
    c: str = typer.Argument(..., help="woman"),
    vectors: str = typer.Option(..., "--vectors"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """A - B + C (king - man + woman = queen?), by 3CosAdd."""
    from deepmap.represent.vectors import load_vectors

    near = load_vectors(vectors).most_similar([a, c], [b], topn=5)
    if as_json:
        emit_json([{"word": w, "cosine": s} for w, s in near])
        return
    console.print(f"{a} - {b} + {c} = {near[0][0]}  (then: {', '.join(w for w, _ in near[1:])})")
