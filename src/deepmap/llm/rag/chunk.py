"""Step 1 of RAG: cut documents into chunks of about `chunk_tokens` tokens, sentence-aware.

A token here is a word or a punctuation mark (the regex `\\w+|[^\\w\\s]`), counted on the
text itself so every chunk keeps its exact character span in its document. Sentences end
at `.`, `!` or `?` (with closing quotes or brackets) followed by white space.

The rule: whole sentences are packed into a chunk while its token count stays <= chunk_tokens;
the next chunk starts with the previous chunk's last sentences, as many as fit in `overlap`
tokens (never all of them, so the text always moves on). A sentence longer than chunk_tokens
alone is the only one cut: into windows of chunk_tokens tokens, stride chunk_tokens - overlap.
Where we differ from a library splitter (LangChain's RecursiveCharacterTextSplitter): we
count tokens, not characters, and the overlap is whole sentences, so it can be smaller
than `overlap` (or zero when the last sentence alone is longer than it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deepmap.errors import InputError

__all__ = ["Chunk", "chunk_document", "sentence_spans", "token_spans"]

_TOKEN = re.compile(r"\w+|[^\w\s]")
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")


@dataclass(frozen=True)
class Chunk:
    """One chunk: `text` == document[start:end]; `index` counts from 0 within the document."""

    doc_id: str
    index: int
    start: int
    end: int
    text: str
    n_tokens: int


def token_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every token: a run of word characters or one punctuation mark."""
    return [m.span() for m in _TOKEN.finditer(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, white space around it left out."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        piece = text[s:e]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((s + lead, s + len(piece.rstrip())))
    return out


def check_chunk_args(chunk_tokens: int, overlap: int) -> None:
    from deepmap.validate import check_int

    check_int("--chunk-tokens", chunk_tokens, low=1, high=100_000)
    check_int("--overlap", overlap, low=0, high=100_000)
    if overlap >= chunk_tokens:
        raise InputError(f"--overlap {overlap} must be below --chunk-tokens {chunk_tokens}.")


def chunk_document(
    doc_id: str, text: str, chunk_tokens: int = 128, overlap: int = 16
) -> list[Chunk]:
    """The chunks of one document (none for a text without tokens)."""
    check_chunk_args(chunk_tokens, overlap)
    toks = token_spans(text)
    if not toks:
        return []
    # sentences as [first token, last token + 1) ranges over `toks`
    sents: list[tuple[int, int]] = []
    ti = 0
    for _s, e in sentence_spans(text):
        first = ti
        while ti < len(toks) and toks[ti][0] < e:
            ti += 1
        if ti > first:
            sents.append((first, ti))
    # cut a sentence longer than chunk_tokens into windows; mark them unbreakable pieces
    units: list[tuple[int, int]] = []
    for a, b in sents:
        if b - a <= chunk_tokens:
            units.append((a, b))
            continue
        stride = chunk_tokens - overlap
        s = a
        while True:
            units.append((s, min(s + chunk_tokens, b)))
            if s + chunk_tokens >= b:
                break
            s += stride
    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        j, size = i, 0
        while j < len(units) and size + (units[j][1] - units[j][0]) <= chunk_tokens:
            size += units[j][1] - units[j][0]
            j += 1
        if j == i:  # cannot happen: every unit fits alone
            j = i + 1
        first_tok, last_tok = units[i][0], units[j - 1][1]
        start, end = toks[first_tok][0], toks[last_tok - 1][1]
        n = last_tok - first_tok  # units are contiguous (two windows never share a chunk)
        chunks.append(Chunk(doc_id, len(chunks), start, end, text[start:end], n))
        if j >= len(units):
            break
        # the overlap: the last whole units that fit in `overlap` tokens, never all of them
        back, kept = j, 0
        while back - 1 > i and kept + (units[back - 1][1] - units[back - 1][0]) <= overlap:
            back -= 1
            kept += units[back][1] - units[back][0]
        i = back
    return chunks
