"""A tiny randomly initialised BERT with a WordPiece vocabulary built here: an embedding
model folder that loads in milliseconds, for the RAG tests (no download, no MiniLM)."""

from __future__ import annotations

from pathlib import Path

_WORDS = (
    "the a of and to in is was it that cat cats dog dogs sat on mat ran park sun moon "
    "bright night day river water fish swim tree trees green leaf paris france capital "
    "city london england rain cloud sky blue red car road fast slow book read write pen"
)
WORDS = _WORDS.split()


def make_tiny_model(folder: Path, seed: int = 0, hidden: int = 32) -> Path:
    """Save a 2-layer BERT (hidden 32) and its tokenizer in `folder`; return it."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    vocab += [c for c in "abcdefghijklmnopqrstuvwxyz0123456789.,!?'"]
    vocab += ["##" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    vocab = list(dict.fromkeys(vocab))
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tok = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True)
    tok.save_pretrained(str(folder))
    torch.manual_seed(seed)
    cfg = BertConfig(
        vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=2,
        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64,
    )  # fmt: skip
    BertModel(cfg).eval().save_pretrained(str(folder))
    return folder
