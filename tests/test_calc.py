"""Every calculator against the shape or parameter count of the real torch module (those
tests skip without torch; the formula and error checks run without it)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests._reference import torch  # imported on first use; those tests skip without it

from deepmap import calc
from deepmap.errors import InputError


def n_params(module) -> int:
    return sum(p.numel() for p in module.parameters())


@settings(max_examples=60, deadline=None)
@given(
    w=st.integers(1, 40),
    k=st.integers(1, 7),
    p=st.integers(0, 3),
    s=st.integers(1, 4),
    d=st.integers(1, 3),
)
def test_conv_output_size_matches_torch(w, k, p, s, d):
    span = d * (k - 1) + 1
    if w + 2 * p < span:
        with pytest.raises(InputError):
            calc.conv_output_size(w, k, p, s, d)
        return
    conv = torch.nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    with torch.no_grad():
        out = conv(torch.zeros(1, 1, w, w))
    assert calc.conv_output_size(w, k, p, s, d) == out.shape[-1]


def test_conv_output_shape_per_axis_matches_torch():
    conv = torch.nn.Conv2d(1, 1, (3, 5), stride=(1, 2), padding=(1, 0))
    with torch.no_grad():
        out = conv(torch.zeros(1, 1, 224, 200))
    assert calc.conv2d_output_shape((224, 200), (3, 5), (1, 0), (1, 2)) == tuple(out.shape[-2:])


def test_map_conv_examples():
    assert calc.conv_output_size(28, 3, p=1, s=1) == 28
    assert calc.conv_output_size(28, 3, p=0, s=1) == 26
    assert calc.conv_output_size(28, 2, s=2) == 14


@pytest.mark.parametrize(
    ("c_in", "c_out", "k", "bias", "groups"),
    [
        (3, 32, 3, True, 1),
        (3, 32, 3, False, 1),
        (32, 32, 3, True, 32),
        (16, 64, (3, 5), True, 4),
        (64, 128, 1, False, 1),
    ],
)
def test_conv2d_params_match_torch(c_in, c_out, k, bias, groups):
    conv = torch.nn.Conv2d(c_in, c_out, k, bias=bias, groups=groups)
    assert calc.conv2d_params(c_in, c_out, k, bias=bias, groups=groups) == n_params(conv)


def test_conv2d_params_rejects_bad_groups():
    with pytest.raises(InputError, match="groups=3"):
        calc.conv2d_params(4, 8, 3, groups=3)


def test_separable_saving_matches_the_formula():
    r = calc.separable_conv_saving(256, 256, 3, 14, 14)
    assert r.saving == pytest.approx(1 / (1 / 256 + 1 / 9))
    depthwise = torch.nn.Conv2d(256, 256, 3, padding=1, groups=256, bias=False)
    pointwise = torch.nn.Conv2d(256, 256, 1, bias=False)
    # MACs of a conv = its weight count x output positions
    assert r.depthwise_macs == n_params(depthwise) * 14 * 14
    assert r.pointwise_macs == n_params(pointwise) * 14 * 14


@pytest.mark.parametrize("batchnorm", [False, True])
def test_mlp_params_match_torch(batchnorm):
    widths = [784, 256, 128, 10]
    layers = []
    for i, (a, b) in enumerate(itertools.pairwise(widths)):
        layers.append(torch.nn.Linear(a, b))
        if batchnorm and i < len(widths) - 2:
            layers += [torch.nn.BatchNorm1d(b), torch.nn.ReLU(), torch.nn.Dropout(0.2)]
    count = calc.mlp_params("784-256-128-10", batchnorm=batchnorm)
    assert count.total == n_params(torch.nn.Sequential(*layers))
    if not batchnorm:
        assert [layer.total for layer in count.layers] == [200_960, 32_896, 1_290]
        assert count.total == 235_146


@pytest.mark.parametrize("spec", ["", "784", "784--10", "784-abc", "784-0-10", "a-b", "-3-4"])
def test_malformed_mlp_spec_is_an_input_error(spec):
    with pytest.raises(InputError):
        calc.mlp_params(spec)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize(
    ("layers", "bidirectional", "bias"), [(1, False, True), (2, True, True), (3, False, False)]
)
def test_recurrent_params_match_torch(kind, layers, bidirectional, bias):
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    module = cls(10, 20, num_layers=layers, bidirectional=bidirectional, bias=bias)
    count = calc.recurrent_params(
        kind, 10, 20, num_layers=layers, bidirectional=bidirectional, bias=bias
    )
    assert count.total == n_params(module)


def test_lora_params_match_two_linear_layers():
    c = calc.lora_params(4096, 4096, 8)
    a = torch.nn.Linear(4096, 8, bias=False, device="meta")
    b = torch.nn.Linear(8, 4096, bias=False, device="meta")
    assert c.lora == n_params(a) + n_params(b) == 65_536
    assert c.full == 16_777_216
    assert c.reduction == 256.0
    with pytest.raises(InputError, match="rank"):
        calc.lora_params(16, 16, 32)


def _torch_encoder(spec: calc.TransformerSpec) -> int:
    d = spec.d_model
    with torch.device("meta"):
        parts = torch.nn.ModuleList(
            [
                torch.nn.Embedding(spec.vocab, d),
                torch.nn.Embedding(spec.max_len, d),
                torch.nn.Embedding(spec.type_vocab, d),
                torch.nn.LayerNorm(d),
                torch.nn.TransformerEncoder(
                    torch.nn.TransformerEncoderLayer(d, spec.n_heads, spec.ffn, batch_first=True),
                    spec.layers,
                    enable_nested_tensor=False,
                ),
                torch.nn.Linear(d, d),
            ]
        )
    return n_params(parts)


@pytest.mark.parametrize(
    "spec",
    [
        calc.BERT_BASE,
        calc.TransformerSpec(2, 64, 4, 256, 1000, 128),
        calc.TransformerSpec(6, 384, 12, 1536, 30522, 512),
    ],
)
def test_transformer_params_match_torch_modules(spec):
    assert calc.transformer_params(spec).total == _torch_encoder(spec)


def test_transformer_params_match_hf_bert():
    transformers = pytest.importorskip("transformers")
    cfg = transformers.BertConfig(
        vocab_size=1000,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=256,
        max_position_embeddings=128,
    )
    model = transformers.BertModel(cfg)
    spec = calc.TransformerSpec(2, 64, 4, 256, 1000, 128)
    assert calc.transformer_params(spec).total == n_params(model)


def test_bert_base_is_about_110m():
    assert calc.transformer_params().total == 109_482_240


def test_transformer_rejects_indivisible_heads():
    with pytest.raises(InputError, match="divisible"):
        calc.transformer_params(calc.TransformerSpec(2, 100, 3, 400, 10, 10))


def test_image_dense_params_match_torch():
    n = calc.image_dense_params(224, 224, 3, 1024)
    assert n == 154_141_696
    assert n == n_params(torch.nn.Linear(224 * 224 * 3, 1024, device="meta"))


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "28"])
def test_bad_sizes_are_input_errors(bad):
    with pytest.raises(InputError):
        calc.conv_output_size(bad, 3)


def test_human():
    assert calc.human(235_146) == "235.1K"
    assert calc.human(109_482_240) == "109.5M"
    assert calc.human(12) == "12"
