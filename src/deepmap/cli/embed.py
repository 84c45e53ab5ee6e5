"""`deepmap embed`: train word vectors (Word2Vec, FastText, GloVe), query them (similar,
analogy), and show FastText's subwords."""

from __future__ import annotations

import typer

from deepmap.cli._common import console, emit_json, progress_bar

app = typer.Typer(no_args_is_help=True)


#: Bounds of `embed ngrams`: fastText uses n = 3..6; no n-gram is longer than "<word>",
#: and a word of more than 1,000 characters is not a word (its n-grams would number millions).
MAX_N = 100
MAX_WORD = 1_000


@app.command("ngrams")
def ngrams_cmd(
    word: str = typer.Argument(..., help="A word, e.g. acting."),
    min_n: int = typer.Option(3, "--min-n", help=f"1 .. {MAX_N}."),
    max_n: int = typer.Option(6, "--max-n", help=f"min_n .. {MAX_N}."),
    bucket: int = typer.Option(
        2_000_000, "--bucket", help="Rows of fastText's n-gram table (1 .. 2**32)."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """FastText's subwords of WORD: "<word>" and its character n-grams, with hash buckets."""
    from deepmap.errors import InputError
    from deepmap.represent.subword import char_ngrams, ngram_buckets
    from deepmap.validate import check_int

    check_int("--min-n", min_n, low=1, high=MAX_N)
    check_int("--max-n", max_n, low=1, high=MAX_N)
    if min_n > max_n:
        raise InputError(f"--min-n {min_n} is above --max-n {max_n}.")
    check_int("--bucket", bucket, low=1, high=2**32)
    if not word or len(word) > MAX_WORD:
        raise InputError(f"WORD must have 1 to {MAX_WORD:,} characters. Got {len(word):,}.")
    grams = char_ngrams(word, min_n, max_n)
    rows = ngram_buckets(word, min_n, max_n, bucket)
    if as_json:
        emit_json({"word": f"<{word}>", "ngrams": grams, "buckets": rows})
        return
    console.print(f"<{word}> + {len(grams)} n-grams (n = {min_n}..{max_n}):", markup=False)
    for n in range(min_n, min(max_n, len(word) + 2) + 1):
        these = [g for g in grams if len(g) == n]
        if these:
            console.print(f"  {n}: " + ", ".join(these), markup=False)


@app.command("train")
def train_cmd(
    method: str = typer.Option(
        "word2vec",
        "--method",
        help="word2vec | fasttext (subwords, OOV vectors) | glove (weighted least squares, "
        "AdaGrad) | glove-svd (the map's SVD of log(1 + X)).",
    ),
    sg: bool = typer.Option(True, "--sg/--cbow", help="Skip-gram or CBOW (word2vec, fasttext)."),
    dim: int = typer.Option(100, "--dim", help="vector_size, 1 .. 1,000."),
    window: int = typer.Option(5, "--window", help="1 .. 100."),
    min_count: int = typer.Option(5, "--min-count", help=">= 1."),
    negative: int = typer.Option(5, "--negative", help="Negative samples per positive, 1 .. 100."),
    epochs: int = typer.Option(
        0, "--epochs", help="0: the method's default (5 for word2vec/fasttext, 15 for glove)."
    ),
    workers: int = typer.Option(0, "--workers", help="Threads; 0: min(3, CPUs) as gensim."),
    seed: int = typer.Option(0, "--seed", help="0 .. 2**32-1."),
    data: str = typer.Option("bundled", "--data", help="bundled (IMDb reviews) or a .txt file."),
    out: str = typer.Option(
        "results/vectors.txt", "--out", help="word2vec format: text, or binary for a .bin path."
    ),
    evaluate: bool = typer.Option(True, "--evaluate/--no-evaluate"),
    oov: str = typer.Option(
        "", "--oov", help="fasttext: comma-separated unseen words to show neighbours for."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Train word vectors; evaluate on gensim's questions-words and wordsim353 (with the map's
    similarity bands); write them in word2vec format."""
    import time
    from pathlib import Path

    from deepmap.errors import InputError
    from deepmap.report.provenance import data_checksum, provenance
    from deepmap.represent.embeddings import (
        check_train_args,
        corpus_sentences,
        evaluate_vectors,
        train_vectors,
    )
    from deepmap.represent.vectors import save_vectors
    from deepmap.validate import check_int, check_out_path, short

    # every check before the corpus is read or a vector trained (0: the method's default)
    check_int("--epochs", epochs, low=0, high=10_000)
    check_int("--workers", workers, low=0, high=1_024)
    check_train_args(
        method, dim=dim, window=window, min_count=min_count, negative=negative,
        epochs=epochs or None, seed=seed, workers=workers or None,
        names={"method": "--method", "dim": "--dim", "window": "--window",
               "min_count": "--min-count", "negative": "--negative", "epochs": "--epochs",
               "seed": "--seed", "workers": "--workers"},
    )  # fmt: skip
    if oov and method != "fasttext":
        raise InputError("--oov needs --method fasttext (the others have no OOV vectors).")
    out_path = check_out_path(out, folder=False)
    if data != "bundled" and not Path(data).is_file():
        raise InputError(f"--data {short(data)}: no such file.")
    sentences = corpus_sentences(data)
    t0 = time.perf_counter()
    with progress_bar("{task.percentage:>3.0f}%", "{task.fields[rate]}", as_json=as_json) as bar:
        task = bar.add_task(method, total=1.0, rate="")

        def on_progress(done: int, total: int, rate: float) -> None:
            shown = f"cost {rate:.4f}" if method == "glove" else f"{rate:,.0f} words/s"
            bar.update(task, completed=done / total, rate=shown)

        kv, model = train_vectors(
            method, sentences, dim=dim, window=window, min_count=min_count, sg=int(sg),
            negative=negative, epochs=epochs or None, seed=seed, workers=workers or None,
            progress=on_progress,
        )  # fmt: skip
    result = {
        "method": method, "sg": int(sg) if method in ("word2vec", "fasttext") else None,
        "words": len(kv), "dim": dim, "window": window, "min_count": min_count,
        "seconds": round(time.perf_counter() - t0, 2),
    }  # fmt: skip
    if getattr(model, "words_per_second", 0):
        result["words_per_second"] = round(model.words_per_second)
    if method == "glove":
        result["cost_per_epoch"] = [round(c, 5) for c in model.costs]
    if evaluate:
        result.update(evaluate_vectors(kv))
    if oov:
        result["oov_neighbours"] = {
            w: [n for n, _ in kv.most_similar(w, topn=5)] for w in oov.split(",") if w
        }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    save_vectors(kv, out_path)
    result["out"] = str(out_path)
    # the data checksum is of the token lists trained on: what the vectors were made from
    result["provenance"] = provenance(
        seed=seed, data=data_checksum(*(" ".join(s) for s in sentences))
    )
    if as_json:
        emit_json(result)
        return
    _print_train(result)


def _print_train(r: dict) -> None:
    head = f"{r['method']}" + ("" if r["sg"] is None else (" skip-gram" if r["sg"] else " CBOW"))
    rate = f", {r['words_per_second']:,} words/s" if "words_per_second" in r else ""
    console.print(f"{head}: {r['words']:,} words x {r['dim']} in {r['seconds']:.1f} s{rate}",
                  markup=False)  # fmt: skip
    _print_evaluation(r)
    for w, near in r.get("oov_neighbours", {}).items():
        console.print(f"unseen {w!r} -> {', '.join(near)}", markup=False)
    console.print(f"vectors: {r['out']}", markup=False)


def _print_evaluation(r: dict) -> None:
    if "analogy_accuracy" in r:
        console.print(
            f"analogies (questions-words): {r['analogy_accuracy']:.1%} of "
            f"{r['analogy_questions']:,}; wordsim353 Spearman {r['wordsim_spearman']:.3f} "
            f"({r['wordsim_pairs']} pairs)",
            markup=False,
        )
        console.print("the map's cosine bands, measured on wordsim353 pairs:", markup=False)
        for b in r["similarity_bands"]:
            if not b["pairs"]:
                console.print(f"  {b['band']:<13} (human {b['human_score']}): no pairs")
                continue
            console.print(
                f"  {b['band']:<13} (human {b['human_score']}): {b['pairs']:>3} pairs, "
                f"mean cosine {b['mean_cosine']:.2f}; {b['share_in_band']:.0%} in the map's "
                f"{b['map_cosine']}",
                markup=False,
            )


@app.command("evaluate")
def evaluate_cmd(
    vectors: str = typer.Option(
        ..., "--vectors", help="word2vec text/.bin or GloVe text, optionally .gz/.bz2."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Evaluate any word vectors (pretrained ones too) as `embed train` does: analogies,
    wordsim353 Spearman, and the map's cosine bands."""
    from deepmap.represent.embeddings import evaluate_vectors
    from deepmap.represent.vectors import load_vectors

    kv = load_vectors(vectors)
    result = {"vectors": vectors, "words": len(kv), "dim": int(kv.vectors.shape[1])}
    result.update(evaluate_vectors(kv))
    if as_json:
        emit_json(result)
        return
    console.print(f"{vectors}: {len(kv):,} words x {result['dim']}", markup=False)
    _print_evaluation(result)


@app.command("similar")
def similar_cmd(
    word: str = typer.Argument(...),
    vectors: str = typer.Option(..., "--vectors", help="word2vec or GloVe text file."),
    topn: int = typer.Option(10, "--topn", help="1 .. 10,000."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The nearest words by cosine similarity."""
    from deepmap.represent.vectors import load_vectors
    from deepmap.validate import check_int

    check_int("--topn", topn, low=1, high=10_000)

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
    then = f"  (then: {', '.join(w for w, _ in near[1:])})" if len(near) > 1 else ""
    console.print(f"{a} - {b} + {c} = {near[0][0]}{then}", markup=False)
