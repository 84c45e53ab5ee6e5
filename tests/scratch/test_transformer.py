"""The transformer block, positional encoding and causal mask against torch (float64, same
weights: torch's copied into ours) and against their formulas; finite differences for our
own backward (NumPy only).

Tolerances: outputs rtol 1e-9 / atol 1e-11, gradients rtol 1e-8 / atol 1e-10 (float64;
the block stacks ~40 ops, so a few ulps per op accumulate well below these)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests._reference import assert_matches_torch, gradcheck, torch

from deepmap.scratch import Tensor, nn
from deepmap.scratch import functional as F

RNG = np.random.default_rng(13)
TOL = {"rtol": 1e-9, "atol": 1e-11, "grad_rtol": 1e-8, "grad_atol": 1e-10}
N, L, D, H = 2, 5, 8, 2


def torch_layer(norm_first: bool, d_ff: int = 4 * D):
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(
        D, H, dim_feedforward=d_ff, dropout=0.0, activation="relu",
        batch_first=True, norm_first=norm_first,
    )  # fmt: skip
    with torch.no_grad():  # non-trivial LayerNorm and attention biases (torch starts them at 1/0)
        for p in layer.parameters():
            if p.ndim == 1:
                p.add_(torch.randn(p.shape) * 0.5)
    return layer


def ours_layer(norm_first: bool, cls=nn.TransformerEncoderLayer, d_ff: int = 4 * D):
    return cls(D, H, d_ff, dropout=0.0, norm_first=norm_first, rng=np.random.default_rng(1))


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-LN", "pre-LN"])
def test_encoder_layer_matches_torch(norm_first):
    o, t = ours_layer(norm_first), torch_layer(norm_first)
    assert_matches_torch(o, t, RNG.standard_normal((N, L, D)), modules=(o, t), **TOL)


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-LN", "pre-LN"])
def test_encoder_layer_with_a_causal_mask_matches_torch(norm_first):
    o, t = ours_layer(norm_first), torch_layer(norm_first)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64)
    assert_matches_torch(
        lambda a: o(a, is_causal=True),
        lambda a: t(a, src_mask=mask, is_causal=True),
        RNG.standard_normal((N, L, D)), modules=(o, t), **TOL,
    )  # fmt: skip
    # the same mask passed explicitly (float, and boolean True = masked) gives the same
    x = Tensor(RNG.standard_normal((N, L, D)))
    by_flag = o(x, is_causal=True).data
    np.testing.assert_array_equal(o(x, src_mask=mask.numpy()).data, by_flag)
    np.testing.assert_array_equal(o(x, src_mask=np.triu(np.ones((L, L), bool), 1)).data, by_flag)


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-LN", "pre-LN"])
def test_encoder_layer_with_key_padding_matches_torch(norm_first):
    o, t = ours_layer(norm_first), torch_layer(norm_first)
    pad = np.array([[False] * L, [False, False, False, True, True]])  # example 2: 2 pads
    assert_matches_torch(
        lambda a: o(a, src_key_padding_mask=pad),
        lambda a: t(a, src_key_padding_mask=torch.tensor(pad)),
        RNG.standard_normal((N, L, D)), modules=(o, t), **TOL,
    )  # fmt: skip


def test_decoder_block_is_the_encoder_layer_with_a_causal_mask():
    o, t = ours_layer(True, nn.TransformerDecoderBlock), torch_layer(True)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64)
    assert_matches_torch(
        o, lambda a: t(a, src_mask=mask, is_causal=True),
        RNG.standard_normal((N, L, D)), modules=(o, t), **TOL,
    )  # fmt: skip


def test_decoder_block_never_looks_ahead():
    """Changing tokens after position i leaves outputs 0..i exactly as they were."""
    block = ours_layer(False, nn.TransformerDecoderBlock).astype(np.float64)
    x = RNG.standard_normal((1, L, D))
    y = x.copy()
    y[:, 3:] = RNG.standard_normal((1, L - 3, D))
    a, b = block(Tensor(x)).data, block(Tensor(y)).data
    np.testing.assert_array_equal(a[:, :3], b[:, :3])
    assert not np.allclose(a[:, 3:], b[:, 3:])
    # the encoder (no mask) does look ahead: the same change moves position 0
    enc = ours_layer(False).astype(np.float64)
    assert not np.allclose(enc(Tensor(x)).data[:, 0], enc(Tensor(y)).data[:, 0])


def test_the_block_is_the_maps_equations():
    """Post-LN written out by hand from the map: LayerNorm(x + sublayer(x)), FFN =
    max(0, x W1 + b1) W2 + b2 with a 4x hidden layer, and the parameter count."""
    block = ours_layer(False).astype(np.float64)
    x = RNG.standard_normal((N, L, D))

    def ln(z, m):
        mu, var = z.mean(-1, keepdims=True), z.var(-1, keepdims=True)
        return (z - mu) / np.sqrt(var + 1e-5) * m.weight.data + m.bias.data

    a = block.self_attn(Tensor(x), Tensor(x), Tensor(x))[0].data
    h = ln(x + a, block.norm1)
    w1, b1 = block.linear1.weight.data.T, block.linear1.bias.data
    w2, b2 = block.linear2.weight.data.T, block.linear2.bias.data
    expected = ln(h + np.maximum(0, h @ w1 + b1) @ w2 + b2, block.norm2)
    np.testing.assert_allclose(block(Tensor(x)).data, expected, rtol=1e-12, atol=1e-12)
    assert block.linear1.weight.shape == (4 * D, D)
    default = nn.TransformerEncoderLayer(D, H)
    assert default.dim_feedforward == 4 * D
    assert default.n_parameters() == 4 * D * D + 4 * D + 2 * D * 4 * D + 4 * D + D + 4 * D


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-LN", "pre-LN"])
def test_encoder_layer_gradcheck(norm_first):
    block = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, norm_first=norm_first,
                                       rng=np.random.default_rng(2)).astype(np.float64)  # fmt: skip
    gradcheck(lambda a: block(a, is_causal=True), RNG.standard_normal((1, 3, 4)),
              params=block.parameters(), rtol=1e-5, atol=1e-7)  # fmt: skip


def test_dropout_is_active_in_training_and_off_in_eval():
    block = nn.TransformerEncoderLayer(D, H, dropout=0.5, rng=np.random.default_rng(3))
    x = Tensor(RNG.standard_normal((N, L, D)))
    assert not np.allclose(block(x).data, block(x).data)  # two dropout masks
    block.eval()
    np.testing.assert_array_equal(block(x).data, block(x).data)


def test_bad_shapes_and_heads_are_refused():
    with pytest.raises(ValueError, match="divisible"):
        nn.TransformerEncoderLayer(10, 3)
    with pytest.raises(ValueError, match=r"\(N, L, 8\)"):
        nn.TransformerEncoderLayer(8, 2)(Tensor(np.zeros((3, 8))))


# ------------------------------------------------------------------ causal mask
def test_causal_attention_matches_torch_is_causal():
    q, k, v = (RNG.standard_normal((2, 3, 6, 4)) for _ in range(3))  # (N, h, L, d_k)
    assert_matches_torch(
        lambda a, b, c: F.scaled_dot_product_attention(a, b, c, causal=True)[0],
        lambda a, b, c: torch.nn.functional.scaled_dot_product_attention(a, b, c, is_causal=True),
        q, k, v, rtol=1e-10, atol=1e-12,
    )  # fmt: skip


def test_causal_mask_puts_minus_infinity_above_the_diagonal():
    """The scores for j > i are -inf before the softmax, so their weights are exactly 0 and
    each row still sums to 1; the first token attends only to itself."""
    q, k, v = (Tensor(RNG.standard_normal((1, 5, 4))) for _ in range(3))
    _, w = F.scaled_dot_product_attention(q, k, v, causal=True)
    upper = np.triu(np.ones((5, 5), bool), 1)
    assert (w.data[0][upper] == 0).all() and (w.data[0][~upper] > 0).all()
    np.testing.assert_allclose(w.data.sum(-1), 1.0, rtol=1e-12)
    assert w.data[0, 0, 0] == 1.0
    assert (
        torch.nn.Transformer.generate_square_subsequent_mask(5).numpy()[upper].tolist()
        == [-math.inf] * upper.sum()
    )


# ------------------------------------------------------------------ positional encoding
def _pe_by_the_formula(length: int, d: int) -> np.ndarray:
    """The map's formula one entry at a time, with math (no NumPy vectorisation)."""
    pe = np.zeros((length, d))
    for pos in range(length):
        for j in range(d):
            angle = pos / 10000 ** (2 * (j // 2) / d)
            pe[pos, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return pe


@pytest.mark.parametrize("length, d", [(50, 16), (7, 5), (128, 64)])
def test_positional_encoding_is_the_maps_formula(length, d):
    np.testing.assert_allclose(
        F.sinusoidal_positional_encoding(length, d), _pe_by_the_formula(length, d),
        rtol=0, atol=1e-12,
    )  # fmt: skip


def test_positional_encoding_properties():
    pe = F.sinusoidal_positional_encoding(512, 64)
    assert np.abs(pe).max() <= 1.0
    assert len(np.unique(pe.round(8), axis=0)) == 512  # every position its own vector
    np.testing.assert_allclose(pe[0, 0::2], 0) and np.testing.assert_allclose(pe[0, 1::2], 1)
    # each (sin, cos) pair has norm 1, so every row has norm sqrt(d/2)
    np.testing.assert_allclose(np.linalg.norm(pe, axis=1), math.sqrt(32), rtol=1e-12)
    # relative positions are linear: PE[pos + k] = R_k PE[pos], R_k a rotation per pair
    k = 7
    w = 1 / 10000 ** (np.arange(0, 64, 2) / 64)
    c, s = np.cos(k * w), np.sin(k * w)
    sin_, cos_ = pe[:-k, 0::2], pe[:-k, 1::2]
    np.testing.assert_allclose(pe[k:, 0::2], sin_ * c + cos_ * s, atol=1e-10)
    np.testing.assert_allclose(pe[k:, 1::2], cos_ * c - sin_ * s, atol=1e-10)


def test_positional_encoding_layer_adds_the_table():
    layer = nn.PositionalEncoding(6, max_len=20)
    x = RNG.standard_normal((2, 9, 6))
    np.testing.assert_array_equal(layer(Tensor(x)).data, x + F.sinusoidal_positional_encoding(9, 6))
    assert layer.n_parameters() == 0
    with pytest.raises(ValueError, match="max_len 20"):
        layer(Tensor(np.zeros((1, 21, 6))))


def test_attention_without_positions_is_permutation_equivariant():
    """Why the map adds positions: permuting the tokens permutes an encoder's output rows
    the same way; after adding PE it no longer does."""
    block = ours_layer(False).astype(np.float64)
    x, perm = RNG.standard_normal((1, L, D)), np.array([3, 0, 4, 1, 2])
    np.testing.assert_allclose(
        block(Tensor(x[:, perm])).data, block(Tensor(x)).data[:, perm], atol=1e-12
    )
    pe = nn.PositionalEncoding(D)
    with_pos = block(pe(Tensor(x))).data[:, perm]
    assert not np.allclose(block(pe(Tensor(x[:, perm]))).data, with_pos)
