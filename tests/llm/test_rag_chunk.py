"""Chunking: sentence-aware token windows with overlap, exact char spans."""

from __future__ import annotations

import itertools

import pytest

from deepmap.errors import InputError
from deepmap.llm.rag.chunk import chunk_document, sentence_spans, token_spans


def _doc(n_sent: int, words: int = 5) -> str:
    return " ".join(
        " ".join(f"w{i}x{j}" for j in range(words - 1)) + f" end{i}." for i in range(n_sent)
    )


def test_sentences_and_tokens_are_spans_of_the_text():
    text = 'He said "stop!" Then left.  Why? Because.'
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ['He said "stop!"', "Then left.", "Why?", "Because."]
    small = "a, b."
    assert [small[s:e] for s, e in token_spans(small)] == ["a", ",", "b", "."]


def test_chunks_keep_whole_sentences_and_their_spans():
    text = _doc(10)  # 10 sentences of 6 tokens (5 words + ".")
    chunks = chunk_document("d", text, chunk_tokens=20, overlap=0)
    assert [c.n_tokens for c in chunks] == [18, 18, 18, 6]  # 3 sentences fit in 20
    for i, c in enumerate(chunks):
        assert c.index == i and c.doc_id == "d"
        assert text[c.start : c.end] == c.text
        assert c.text.endswith(".")  # never cut inside a sentence
    assert " ".join(c.text for c in chunks) == text


def test_overlap_repeats_whole_trailing_sentences():
    text = _doc(10)
    chunks = chunk_document("d", text, chunk_tokens=20, overlap=6)
    # each chunk after the first starts with the previous chunk's last sentence
    for a, b in itertools.pairwise(chunks):
        last_sentence = a.text.split(". ")[-1]
        assert b.text.startswith(last_sentence)
        assert b.start == a.end - len(last_sentence)
    assert chunks[-1].end == len(text)
    # an overlap smaller than one sentence repeats nothing
    assert [c.n_tokens for c in chunk_document("d", text, 20, 5)] == [18, 18, 18, 6]


def test_a_sentence_longer_than_the_chunk_is_cut_into_windows():
    words = " ".join(f"t{i}" for i in range(50))  # one sentence of 50 tokens, no period
    chunks = chunk_document("d", "Short one. " + words, chunk_tokens=20, overlap=5)
    assert chunks[0].text == "Short one."  # the long sentence does not join it
    assert all(c.n_tokens <= 20 for c in chunks)
    long = chunks[1:]
    assert long[0].text.startswith("t0 ") and long[-1].text.endswith("t49")
    assert long[1].text.startswith("t15 ")  # stride = 20 - 5
    assert all(c.text == ("Short one. " + words)[c.start : c.end] for c in chunks)


def test_every_token_is_covered_and_progress_is_made():
    text = _doc(37, words=7) + " " + " ".join("x" * 3 for _ in range(90))
    for size, ov in [(8, 0), (8, 7), (13, 4), (200, 50)]:
        chunks = chunk_document("d", text, size, ov)
        covered = set()
        for c in chunks:
            assert c.n_tokens <= size
            covered |= {s for s, _ in token_spans(text) if c.start <= s < c.end}
        assert covered == {s for s, _ in token_spans(text)}
        assert [c.start for c in chunks] == sorted({c.start for c in chunks})


def test_empty_and_bad_arguments():
    assert chunk_document("d", "  \n ") == []
    with pytest.raises(InputError, match="--overlap"):
        chunk_document("d", "a b", chunk_tokens=4, overlap=4)
    with pytest.raises(InputError, match="--chunk-tokens"):
        chunk_document("d", "a b", chunk_tokens=0)
