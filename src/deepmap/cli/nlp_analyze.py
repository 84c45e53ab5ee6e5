"""`deepmap nlp analyze`: every stage of the map's NLP pipeline for one text.

Light at import: typer only; spaCy, NLTK and rich tables load when the command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

__all__ = ["analyze_cmd", "read_input", "render_html"]

#: Sentences drawn by displaCy in the HTML page (every sentence still gets its tables).
MAX_RENDERED = 50


def _decode(data: bytes, where: str) -> str:
    from deepmap.errors import InputError

    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"{where}: not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})."
        ) from None


def read_input(text: str | None, file: Path | None) -> tuple[str, str]:
    """(the text, where it came from): TEXT, "-" for standard input, or --file PATH."""
    from deepmap.errors import InputError
    from deepmap.text.analyze import MAX_CHARS, check_text
    from deepmap.validate import short

    if (text is None) == (file is None):
        raise InputError("give TEXT (or - for standard input) or --file PATH, not both.")
    if file is not None:
        where = f"--file {short(str(file))}"
        if file.is_dir():
            raise InputError(f"{where}: is a folder; give a text file.")
        if not file.is_file():
            raise InputError(f"{where}: no such file.")
        if file.stat().st_size > 4 * MAX_CHARS:
            raise InputError(f"{where}: over {MAX_CHARS:,} characters; split the text.")
        return check_text(_decode(file.read_bytes(), where), where), where
    if text == "-":
        data = sys.stdin.buffer.read(4 * MAX_CHARS + 1)
        return check_text(_decode(data, "standard input"), "standard input"), "standard input"
    return check_text(text, "TEXT"), "TEXT"


def render_html(analysis: Any) -> str:
    """A self-contained page: per sentence, displaCy's entities and arcs beside the tables."""
    import html

    from spacy import displacy

    from deepmap.report.html import html_page, html_table

    side = "display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start"
    sections = [
        ("Text", f"<p>{html.escape(analysis.text)}</p>"),
        ("Cleaned", f"<p>{html.escape(analysis.cleaned)}</p>"),
    ]
    for k, s in enumerate(analysis.sentences, 1):
        tokens = html_table(
            [(t.i, t.text, "stop" if t.stop else "", t.stem, t.lemma, t.tag, t.pos, t.dep,
              f"{t.head} {s.tokens[t.head].text}", t.entity) for t in s.tokens],
            ["#", "token", "stop", "stem", "lemma", "Penn", "UPOS", "dep", "head", "entity"],
        )  # fmt: skip
        ents = html_table([(e.text, e.label, e.explanation) for e in s.entities],
                          ["entity", "label", "meaning"])  # fmt: skip
        svo = html_table([(t["subject"], t["verb"], t["object"], t["passive"]) for t in s.triples],
                         ["subject", "verb", "object", "passive"])  # fmt: skip
        drawn = ""
        if k <= MAX_RENDERED and s.doc is not None:
            ent_svg = "<p class='note'>no entities</p>"
            if s.doc.ents:
                ent_svg = displacy.render(s.doc, style="ent", page=False, jupyter=False)
            dep_svg = displacy.render(
                s.doc, style="dep", page=False, jupyter=False, options={"compact": True}
            )
            drawn = f"<div style='overflow-x:auto;max-width:100%'>{ent_svg}{dep_svg}</div>"
        body = f"<div style='{side}'>{drawn}<div>{tokens}{ents}{svo}</div></div>"
        sections.append((f"Sentence {k}: {s.text}", body))
    if len(analysis.sentences) > MAX_RENDERED:
        note = f"<p class='note'>displaCy drawings for the first {MAX_RENDERED} sentences.</p>"
        sections.append(("Note", note))
    return html_page("deepmap nlp analyze", sections)


def _write_atomic(path: Path, text: str) -> None:
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; a page is for reading
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _print(analysis: Any) -> None:
    from rich.table import Table

    from deepmap.cli._common import console, echo, plain

    echo("cleaned: " + analysis.cleaned)
    for k, s in enumerate(analysis.sentences, 1):
        console.print(plain(f"\n{k} ", style="bold") + plain(s.text))
        t = Table("#", "token", "stop", "stem", "lemma", "Penn", "UPOS", "dep", "head", "entity")
        for r in s.tokens:
            t.add_row(*(plain(x) for x in (
                r.i, r.text, "stop" if r.stop else "", r.stem, r.lemma, r.tag, r.pos, r.dep,
                f"{r.head} {s.tokens[r.head].text}", r.entity,
            )))  # fmt: skip
        console.print(t)
        if s.entities:
            e = Table("entity", "label", "meaning")
            for x in s.entities:
                e.add_row(plain(x.text), plain(x.label), plain(x.explanation))
            console.print(e)
        if s.triples:
            v = Table("subject", "verb", "object", "passive")
            for x in s.triples:
                v.add_row(*(plain(x[c]) for c in ("subject", "verb", "object", "passive")))
            console.print(v)


def analyze_cmd(
    text: str | None = typer.Argument(
        None, help='The text ("-": read standard input). Or give --file.'
    ),
    file: Path | None = typer.Option(None, "--file", "-f", help="Read the text from a file."),
    as_json: bool = typer.Option(False, "--json", help="Strict JSON on stdout."),
    html_out: Path | None = typer.Option(
        None, "--html", help="Also write a self-contained page with displaCy's drawings."
    ),
) -> None:
    """Every stage of the NLP pipeline: cleaned text, sentences, Treebank tokens, stop
    words, stems, lemmas, POS (Penn and universal), entities, dependencies, SVO triples
    (spaCy en_core_web_sm; at most 20,000 characters)."""
    from deepmap.cli._common import emit_json, progress_bar
    from deepmap.text.analyze import analyze
    from deepmap.validate import check_out_path

    if html_out is not None:
        check_out_path(html_out, "--html", folder=False)
        if not html_out.parent.is_dir():
            from deepmap.errors import InputError

            raise InputError(f"--html {html_out}: the folder {html_out.parent} does not exist.")
    body, _ = read_input(text, file)
    with progress_bar("{task.completed}/{task.total} sentences", as_json=as_json) as bar:
        task = bar.add_task("analysing", total=None)
        analysis = analyze(body, progress=lambda k, n: bar.update(task, completed=k, total=n))
    page = render_html(analysis) if html_out is not None else None
    if as_json:
        emit_json(analysis.to_dict())
    else:
        _print(analysis)
    if page is not None and html_out is not None:
        _write_atomic(html_out, page)
        if not as_json:
            from deepmap.cli._common import echo

            echo(f"wrote {html_out}")
