"""A tiny randomly initialised BERT (2 layers, hidden 32) and a 60-word WordPiece vocabulary,
saved to a folder the way a real checkpoint is: no weights downloaded, no network."""

from __future__ import annotations

from pathlib import Path

_TEXT = """the a film movie was is and of to it this great good bad awful not very plot acting
loved hated boring fun best worst story actor ending i but at all"""
WORDS = _TEXT.split()


def make_tiny_bert(folder: Path, *, seed: int = 0, layers: int = 2) -> Path:
    """Save a random BertModel + its WordPiece tokenizer into `folder`; returns it."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, "##s", "##ed", "##ing", "."]
    tok = BertTokenizer(vocab={w: i for i, w in enumerate(vocab)}, do_lower_case=True)
    tok.save_pretrained(folder)
    config = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=layers, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128, hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
    )  # fmt: skip
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(folder)
    return folder


def toy_reviews(n: int = 40, seed: int = 0) -> tuple[list[str], list[str]]:
    """Separable toy reviews: positives use great/loved/best, negatives awful/hated/worst."""
    import random

    rng = random.Random(seed)
    pos = ["great", "loved", "best", "good", "fun"]
    neg = ["awful", "hated", "worst", "bad", "boring"]
    filler = ["the", "film", "movie", "was", "plot", "acting", "story", "and", "it"]
    texts, labels = [], []
    for i in range(n):
        words = pos if i % 2 == 0 else neg
        body = [rng.choice(filler) for _ in range(rng.randint(3, 12))]
        body += [rng.choice(words) for _ in range(3)]
        rng.shuffle(body)
        texts.append(" ".join(body))
        labels.append("pos" if i % 2 == 0 else "neg")
    return texts, labels
