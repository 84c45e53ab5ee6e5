"""Frozen features: [CLS] and mean pooling against the model's own outputs; the disk cache."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from tests.finetune._tiny_bert import make_tiny_bert, toy_reviews  # noqa: E402

from deepmap.finetune import features as F  # noqa: E402
from deepmap.finetune.encoders import encode_head_tail, load_encoder, load_tokenizer  # noqa: E402


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return str(make_tiny_bert(tmp_path_factory.mktemp("tiny")))


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPMAP_HOME", str(tmp_path / "home"))


def test_pooling_equals_the_models_hidden_states(tiny):
    from transformers import AutoModel, AutoTokenizer

    texts = ["the film was great", "awful acting and a boring plot , i hated it"]
    got = F.frozen_features(texts, tiny, max_length=64, cache=False)
    ref_model, ref_tok = AutoModel.from_pretrained(tiny).eval(), AutoTokenizer.from_pretrained(tiny)
    for i, t in enumerate(texts):
        with torch.no_grad():
            h = ref_model(**ref_tok(t, return_tensors="pt")).last_hidden_state[0]
        np.testing.assert_allclose(got["cls"][i], h[0].numpy(), atol=1e-5)
        np.testing.assert_allclose(got["mean"][i], h.mean(0).numpy(), atol=1e-5)


def test_a_document_alone_equals_it_in_a_padded_batch(tiny):
    tok, enc = load_tokenizer(tiny), load_encoder(tiny)
    texts, _ = toy_reviews(12)
    ids = encode_head_tail(tok, texts, 32)
    together = F.encode_features(enc, ids, batch_size=12)
    for i in (0, 5, 11):
        alone = F.encode_features(enc, [ids[i]])
        for k in F.POOLINGS:
            np.testing.assert_allclose(alone[k][0], together[k][i], atol=1e-5)


def test_second_call_reads_the_cache(tiny, tmp_path, monkeypatch):
    texts, _ = toy_reviews(6)
    first = F.frozen_features(texts, tiny, max_length=32)
    path = F.feature_cache_path(tiny, texts, max_length=32, head_tokens=None)
    assert path.is_file() and str(path).startswith(str(tmp_path / "home"))

    def boom(*a, **k):
        raise AssertionError("encoded again")

    monkeypatch.setattr(F, "load_encoder", boom)
    again = F.frozen_features(texts, tiny, max_length=32)
    for k in F.POOLINGS:
        np.testing.assert_array_equal(first[k], again[k])
    # other settings or other texts: another key
    assert F.feature_cache_path(tiny, texts, max_length=16, head_tokens=None) != path
    assert F.feature_cache_path(tiny, texts[:-1], max_length=32, head_tokens=None) != path
    with pytest.raises(AssertionError, match="encoded again"):
        F.frozen_features(texts, tiny, max_length=16)
