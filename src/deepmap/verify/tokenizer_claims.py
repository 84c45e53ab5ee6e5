"""Claims of the map's BERT section on tokenisation (WordPiece), and the issue's checks of
our two tokenisers against Hugging Face's.

Computed (every `deepmap verify`): bert-base-uncased's special tokens and their ids, the
"unbelievable" split on the real vocabulary (MiniLM's vocab.txt, the llm extra), our
WordPiece against BertTokenizerFast and our BPE against GPT2TokenizerFast (built from our
trained files) on 200 bundled reviews. Measured (benchmarks/bench_tokenizers.py, read from
results/bench-tokenizers): the share of all 25,000 bundled reviews encoded identically with
GPT-2's real files and with bert-base-uncased's vocabulary.
"""

from __future__ import annotations

from functools import lru_cache

from deepmap.verify.measured import MeasuredClaim, Within
from deepmap.verify.registry import Claim

SAMPLE = 200
BENCH = "python benchmarks/bench_tokenizers.py --out {out}"
SPECIAL_IDS = {"[PAD]": 0, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102, "[MASK]": 103}


def _ours_wordpiece():
    from deepmap.transformer.pretrained import bert_vocab_file
    from deepmap.transformer.wordpiece import WordPiece

    return WordPiece.from_file(bert_vocab_file())


def _hf_bert():
    from transformers import BertTokenizerFast

    from deepmap.transformer.pretrained import bert_vocab_file

    return BertTokenizerFast(vocab=str(bert_vocab_file()))


@lru_cache(maxsize=1)
def _sample() -> tuple[str, ...]:
    from deepmap.data.text import load_bundled_imdb

    c = load_bundled_imdb()
    return tuple((c.train_texts + c.test_texts)[:SAMPLE])


def _share_identical(ours, hf_encode) -> float:
    texts = list(_sample())
    ref = hf_encode(texts)
    return sum(ours.encode(t) == r for t, r in zip(texts, ref, strict=True)) / len(texts)


def _wordpiece_vs_hf() -> float:
    hf = _hf_bert()
    return _share_identical(_ours_wordpiece(), lambda t: hf(t)["input_ids"])


def _bpe_vs_hf() -> float:
    import tempfile
    from pathlib import Path

    from transformers import GPT2TokenizerFast

    from deepmap.transformer.bpe import train_bpe

    bpe = train_bpe(list(_sample()), 600)
    with tempfile.TemporaryDirectory() as d:
        bpe.save(d)
        hf = GPT2TokenizerFast(
            vocab=str(Path(d) / "vocab.json"), merges=str(Path(d) / "merges.txt")
        )
    return _share_identical(bpe, lambda t: hf(t)["input_ids"])


CLAIMS: list[Claim | MeasuredClaim] = [
    Claim(
        "bert.wordpiece.special-tokens",
        "Transformers 8",
        "BERT's special tokens [CLS], [SEP], [PAD], [MASK] (and [UNK]) are in bert-base-uncased's "
        "WordPiece vocabulary, with ids [PAD]=0, [UNK]=100, [CLS]=101, [SEP]=102, [MASK]=103",
        SPECIAL_IDS,
        lambda: {t: _ours_wordpiece().vocab.get(t) for t in SPECIAL_IDS},
        lambda: {t: _hf_bert().convert_tokens_to_ids(t) for t in SPECIAL_IDS},
        "transformers BertTokenizerFast(vocab=MiniLM's vocab.txt)",
    ),
    Claim(
        "bert.wordpiece.unbelievable",
        "Transformers 8",
        'WordPiece: "unbelievable" -> ["un", "##believ", "##able"] (bert-base-uncased)',
        ["un", "##believ", "##able"],
        lambda: _ours_wordpiece().tokenize("unbelievable"),
        lambda: _hf_bert().tokenize("unbelievable"),
        "transformers BertTokenizerFast(vocab=MiniLM's vocab.txt)",
        differs="the map is wrong for the real vocabulary: bert-base-uncased holds "
        '"unbelievable" whole (id 23653), so WordPiece gives one token; the map\'s split is '
        "what greedy longest-match gives only with a vocabulary lacking the whole word",
    ),
    Claim(
        "bert.wordpiece.same-as-hf",
        "Transformers 8",
        f"deepmap's WordPiece encodes the first {SAMPLE} bundled IMDb reviews exactly as "
        "HF's BertTokenizerFast (share of reviews with identical ids)",
        1.0,
        _wordpiece_vs_hf,
        reference_name="transformers BertTokenizerFast(vocab=MiniLM's vocab.txt)",
    ),
    Claim(
        "gpt.bpe.same-as-hf",
        "Transformers 7",
        f"deepmap's byte-level BPE, trained on {SAMPLE} bundled reviews (vocabulary 600) and "
        "saved as vocab.json + merges.txt, encodes them exactly as HF's GPT2TokenizerFast "
        "built from those files (share of reviews with identical ids)",
        1.0,
        _bpe_vs_hf,
        reference_name="transformers GPT2TokenizerFast(vocab=, merges=)",
    ),
    MeasuredClaim(
        "gpt.bpe.gpt2-identical",
        "Transformers 7",
        "deepmap's BPE with GPT-2's real encoder.json + vocab.bpe gives the ids of HF's "
        "GPT2TokenizerFast on every bundled IMDb review (25,000)",
        100.0,
        source="bench-tokenizers",
        key=("identity", {"tokenizer": "gpt2"}, "identical_share"),
        scale=100.0,
        unit="%",
        agree=Within(0.0),
        command=BENCH,
    ),
    MeasuredClaim(
        "bert.wordpiece.bert-identical",
        "Transformers 8",
        "deepmap's WordPiece with bert-base-uncased's vocabulary gives the ids of HF's "
        "BertTokenizerFast on every bundled IMDb review (25,000)",
        100.0,
        source="bench-tokenizers",
        key=("identity", {"tokenizer": "bert-base-uncased"}, "identical_share"),
        scale=100.0,
        unit="%",
        agree=Within(0.0),
        command=BENCH,
    ),
]
