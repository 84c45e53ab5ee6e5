"""Streaming text from streamed token ids: pieces join to the whole decoded text."""

from __future__ import annotations

import pytest

from deepmap.sequence import RecurrentStepper, stream, stream_text


def _bytes_decode(ids: list[int]) -> str:
    return bytes(ids).decode("utf-8", errors="replace")


def test_byte_tokens_never_show_half_a_character():
    text = "héllo → wörld ✓"
    ids = list(text.encode("utf-8"))
    pieces = list(stream_text(iter(ids), _bytes_decode))
    assert "".join(pieces) == text
    assert all("\ufffd" not in p for p in pieces)
    assert len(pieces) == len(text)  # one piece per completed character


def test_character_tokens_stream_one_piece_per_token():
    vocab = "abc "
    decode = lambda ids: "".join(vocab[i] for i in ids)  # noqa: E731
    assert list(stream_text([0, 1, 3, 2], decode)) == ["a", "b", " ", "c"]


def test_a_tokenizer_that_rewrites_earlier_text_still_ends_with_what_it_can():
    # decode strips a trailing space: "a " -> "a", then "a b": the pieces must still join up
    words = ["a", " ", "b"]
    decode = lambda ids: "".join(words[i] for i in ids).rstrip()  # noqa: E731
    assert "".join(stream_text([0, 1, 2], decode)) == "a b"


def test_empty_stream_gives_nothing():
    assert list(stream_text([], _bytes_decode)) == []


def test_streams_a_recurrent_lm_lazily():
    torch = pytest.importorskip("torch")

    class LM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(4, 8)
            self.rnn = torch.nn.GRU(8, 8, batch_first=True)
            self.out = torch.nn.Linear(8, 4)

        def forward(self, ids, h=None):
            y, h = self.rnn(self.emb(ids), h)
            return self.out(y), h

    torch.manual_seed(0)
    vocab = "ab c"
    decode = lambda ids: "".join(vocab[i] for i in ids)  # noqa: E731
    tokens = stream(RecurrentStepper(LM().eval()), [0, 1], max_new_tokens=10, strategy="sample")
    pieces = list(stream_text(tokens, decode))
    assert len("".join(pieces)) == 10 and set("".join(pieces)) <= set(vocab)
