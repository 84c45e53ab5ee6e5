"""deepmap.transformer.anatomy against torch / transformers on the same sizes and inputs:
parameter counts by group, softmax entropy and Jacobian, and the path x_1 -> position T."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests._reference import torch

from deepmap.scratch import Tensor, nn
from deepmap.transformer import anatomy as A


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


# ------------------------------------------------------------------ parameters
@pytest.mark.parametrize("d, heads, f", [(8, 2, 32), (128, 4, 512), (384, 6, 1536), (64, 4, 100)])
def test_block_parameters_equal_torch_and_our_block(d, heads, f):
    with torch.device("meta"):
        t = torch.nn.TransformerEncoderLayer(d, heads, f, batch_first=True)
    p = A.block_parameters(d, f)
    assert p.attention == _count(t.self_attn)
    assert p.ffn == _count(t.linear1) + _count(t.linear2)
    assert p.norms == _count(t.norm1) + _count(t.norm2)
    assert p.total == _count(t)
    if d <= 128:
        assert p.total == nn.TransformerEncoderLayer(d, heads, f).n_parameters()


def test_the_ffn_holds_two_thirds_of_a_block_at_any_width():
    """8d^2 + 5d of 12d^2 + 13d: just under 2/3, approaching it as d grows."""
    shares = [A.block_parameters(d).ffn_share for d in (64, 128, 384, 768, 4096)]
    assert all(0.66 < s < 2 / 3 for s in shares)
    assert shares == sorted(shares)
    bert = A.block_parameters(768, 3072)
    assert (bert.attention, bert.ffn, bert.norms) == (2_362_368, 4_722_432, 3072)
    assert round(bert.ffn_share, 4) == 0.6663
    # a narrower FFN gives up the majority: f = d leaves it a third
    assert A.block_parameters(768, 768).ffn_share < 0.4


def test_block_parameters_refuses_nonsense():
    with pytest.raises(ValueError, match="must be >= 1"):
        A.block_parameters(0)


def test_bert_base_counted_from_its_sizes_equals_transformers():
    transformers = pytest.importorskip("transformers")
    with torch.device("meta"):
        model = transformers.BertModel(transformers.BertConfig())
    ours = A.bert_parameters()
    assert ours["total"] == _count(model) == 109_482_240
    assert ours["embeddings"] == _count(model.embeddings)
    assert ours["pooler"] == _count(model.pooler)
    # over the whole model the FFN's share is smaller (embeddings take 22%), still over half
    assert 0.5 < ours["ffn"] / ours["total"] < 0.52
    assert A.bert_parameters(pooler=False)["total"] == ours["total"] - 768 * 769


def test_bert_count_on_a_small_real_model():
    """Sizes other than the defaults, on a model with real (random) weights."""
    transformers = pytest.importorskip("transformers")
    sizes = A.BertSizes(2, 4, 64, 256, 128, 100, 2)
    config = transformers.BertConfig(
        num_hidden_layers=2, num_attention_heads=4, hidden_size=64, intermediate_size=256,
        max_position_embeddings=128, vocab_size=100, type_vocab_size=2,
    )  # fmt: skip
    assert A.bert_parameters(sizes)["total"] == _count(transformers.BertModel(config))


def test_bert_base_sizes_are_transformers_defaults():
    transformers = pytest.importorskip("transformers")
    c = transformers.BertConfig()
    for field in A.BertSizes.__dataclass_fields__:
        assert getattr(A.BERT_BASE, field) == getattr(c, field), field
    assert c.intermediate_size == 4 * c.hidden_size


# ------------------------------------------------------------------ softmax saturation
@pytest.mark.parametrize("d_k", [64, 512])
@pytest.mark.parametrize("scaled", [True, False])
def test_entropy_and_jacobian_equal_torch(d_k, scaled):
    z = A.attention_scores(d_k, scaled=scaled, n_queries=128)
    s = A.softmax_saturation(d_k, scaled=scaled, n_queries=128)
    zt = torch.tensor(z)
    entropy = torch.distributions.Categorical(logits=zt).entropy().mean().item()
    assert s.entropy == pytest.approx(entropy, rel=1e-10, abs=1e-12)
    jac = torch.func.vmap(torch.func.jacrev(lambda r: torch.softmax(r, -1)))(zt)
    p = torch.softmax(zt, -1).numpy()
    np.testing.assert_allclose(
        A.softmax_jacobian_norm(p), torch.linalg.matrix_norm(jac).numpy(), rtol=1e-8, atol=1e-12
    )
    assert s.jacobian_norm == pytest.approx(np.median(torch.linalg.matrix_norm(jac).numpy()))


def test_scores_have_std_sqrt_dk_unless_scaled():
    for d_k in (64, 512):
        assert A.softmax_saturation(d_k, scaled=True).score_std == pytest.approx(1, abs=0.05)
        unscaled = A.softmax_saturation(d_k, scaled=False).score_std
        assert unscaled == pytest.approx(math.sqrt(d_k), rel=0.05)


def test_scaling_keeps_the_softmax_out_of_saturation():
    """The measured figures (seed 0, 64 keys, 1024 queries) the docstring reports."""
    s64, u64 = (A.softmax_saturation(64, scaled=x) for x in (True, False))
    s512, u512 = (A.softmax_saturation(512, scaled=x) for x in (True, False))
    for s in (s64, s512):  # scaled: the same picture at any d_k
        assert 0.85 < s.entropy_ratio < 0.92 and s.saturated_share == 0
        assert 0.16 < s.jacobian_norm < 0.20
    assert 0.1 < u64.entropy_ratio < 0.2 and 0.1 < u64.saturated_share < 0.3
    assert u512.entropy_ratio < 0.05 and u512.saturated_share > 0.5
    assert u512.jacobian_norm < 0.01 < s512.jacobian_norm / 10
    # honest detail: at d_k = 64 the median row is not yet saturated, and a softmax split
    # between a few keys has a larger Jacobian than a near-uniform one
    assert u64.jacobian_norm > s64.jacobian_norm


def test_jacobian_norm_limits():
    assert A.softmax_jacobian_norm(np.eye(5)).tolist() == [0.0] * 5  # one-hot: saturated
    u = np.full(4, 0.25)  # uniform: ||diag(p) - p p^T||_F = sqrt(1/T - 1/T^2)
    assert A.softmax_jacobian_norm(u) == pytest.approx(math.sqrt(0.25 - 1 / 16))


# ------------------------------------------------------------------ path length
@pytest.mark.parametrize("length", [2, 8, 33])
def test_attention_path_is_constant_and_rnn_path_grows_with_t(length):
    assert A.attention_path_matmuls(length) == 3  # W_V, weights @ V, W_O
    assert A.rnn_path_matmuls(length) == length  # W_xh once, then W_hh T - 1 times


def test_matmuls_on_path_none_without_dependence_and_zero_for_itself():
    a = Tensor(np.ones((2, 2)), requires_grad=True)
    b = Tensor(np.ones((2, 2)), requires_grad=True)
    y = (a @ a).tanh() @ a
    assert A.matmuls_on_path(y, a) == 1  # the last product uses a directly
    assert A.matmuls_on_path(y, b) is None
    assert A.matmuls_on_path(a, a) == 0


def test_one_attention_layer_already_reaches_x1_but_one_conv_layer_does_not():
    """The Jacobian d y_T / d x_1: nonzero after one causal attention layer; a structural
    zero after one convolution of width 3 (it reaches 2 positions back)."""
    rng = np.random.default_rng(0)
    t, d = 8, 4
    x = Tensor(rng.standard_normal((1, t, d)), requires_grad=True)
    attn = nn.MultiheadAttention(d, 2, rng=rng)
    out, _ = attn(x, x, x, causal=True)
    out[:, t - 1].sum().backward()
    assert np.abs(x.grad[0, 0]).sum() > 0
    conv = torch.nn.Conv1d(d, d, 3, padding=2).double()  # causal: pad 2, keep the first T
    xt = torch.tensor(x.data.transpose(0, 2, 1), requires_grad=True)
    conv(xt)[..., :t][..., t - 1].sum().backward()
    grad = xt.grad.numpy()[0].T  # (T, d)
    assert (grad[: t - 3] == 0).all() and (grad[t - 3 :] != 0).any()
