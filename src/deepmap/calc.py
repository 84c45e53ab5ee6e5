"""The map's formulas for shapes and parameter counts, as pure functions.

Each function states its formula in the docstring and is tested against the parameter count
or output shape of the real PyTorch module (tests/test_calc.py). No I/O, no torch import.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import asdict, dataclass
from typing import Literal

from deepmap.errors import InputError

__all__ = [
    "BERT_BASE",
    "LayerCount",
    "LoraCount",
    "MlpCount",
    "RecurrentCount",
    "SeparableCount",
    "TransformerCount",
    "TransformerSpec",
    "conv2d_macs",
    "conv2d_output_shape",
    "conv2d_params",
    "conv_output_size",
    "dense_params",
    "human",
    "image_dense_params",
    "lora_params",
    "mlp_params",
    "parse_mlp_spec",
    "recurrent_params",
    "separable_conv_saving",
    "transformer_params",
]

RecurrentKind = Literal["rnn", "lstm", "gru"]
#: Gate multipliers: how many (W_x, W_h, b) blocks each recurrent layer holds.
GATES: dict[str, int] = {"rnn": 1, "lstm": 4, "gru": 3}


def _positive_int(name: str, value: object, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name} must be an integer. Got {value!r} instead.")
    if value < 0 or (value == 0 and not allow_zero):
        kind = "a non-negative" if allow_zero else "a positive"
        raise InputError(f"{name} must be {kind} integer. Got {value} instead.")
    return value


# ---------------------------------------------------------------------------- convolution
def conv_output_size(w_in: int, k: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """Spatial output size of a convolution or pooling window along one axis.

    Formula (the map): W_out = floor((W_in - K + 2P) / S) + 1.
    With dilation D the effective kernel is D*(K-1) + 1, as in torch.nn.Conv2d:
    W_out = floor((W_in + 2P - D*(K-1) - 1) / S) + 1, which is the map's formula when D = 1.

    >>> conv_output_size(28, 3, p=1, s=1), conv_output_size(28, 3), conv_output_size(28, 2, s=2)
    (28, 26, 14)
    """
    w_in = _positive_int("the input size W_in", w_in)
    k = _positive_int("the kernel size K", k)
    p = _positive_int("the padding P", p, allow_zero=True)
    s = _positive_int("the stride S", s)
    d = _positive_int("the dilation D", d)
    span = d * (k - 1) + 1
    if w_in + 2 * p < span:
        raise InputError(
            f"the kernel (effective size {span}) is larger than the padded input "
            f"({w_in} + 2*{p} = {w_in + 2 * p}): the output would be empty."
        )
    return (w_in + 2 * p - span) // s + 1


def _pair(name: str, value: int | tuple[int, int]) -> tuple[int, int]:
    if isinstance(value, tuple):
        if len(value) != 2:
            raise InputError(f"{name} must be one integer or an (H, W) pair. Got {value!r}.")
        return value
    return (value, value)


def conv2d_output_shape(
    h_w: int | tuple[int, int],
    k: int | tuple[int, int],
    p: int | tuple[int, int] = 0,
    s: int | tuple[int, int] = 1,
    d: int | tuple[int, int] = 1,
) -> tuple[int, int]:
    """(H_out, W_out) of a 2-D convolution: `conv_output_size` applied per axis."""
    hw, kk, pp, ss, dd = (_pair(n, v) for n, v in zip("ikpsd", (h_w, k, p, s, d), strict=True))
    return tuple(  # type: ignore[return-value]
        conv_output_size(hw[i], kk[i], pp[i], ss[i], dd[i]) for i in range(2)
    )


def conv2d_params(
    c_in: int,
    c_out: int,
    k: int | tuple[int, int],
    *,
    bias: bool = True,
    groups: int = 1,
) -> int:
    """Parameters of a Conv2d layer.

    Formula (the map): Params = (K*K*C_in + 1) * C_out.
    With groups G each filter sees C_in/G channels: (K_h*K_w*C_in/G + bias) * C_out.
    A depthwise conv is G = C_in = C_out. Without bias the `+ 1` goes.

    >>> conv2d_params(3, 32, 3)
    896
    """
    c_in = _positive_int("C_in", c_in)
    c_out = _positive_int("C_out", c_out)
    groups = _positive_int("groups", groups)
    kh, kw = _pair("K", k)
    _positive_int("K", kh)
    _positive_int("K", kw)
    if c_in % groups or c_out % groups:
        raise InputError(f"groups={groups} must divide both C_in={c_in} and C_out={c_out}.")
    return (kh * kw * (c_in // groups) + int(bias)) * c_out


def conv2d_macs(c_in: int, c_out: int, k: int, h_out: int, w_out: int, groups: int = 1) -> int:
    """Multiply-accumulates of a Conv2d: K*K*(C_in/G) * C_out * H_out * W_out (bias ignored)."""
    return (k * k * (c_in // groups)) * c_out * h_out * w_out


@dataclass(frozen=True)
class SeparableCount:
    """Standard vs depthwise-separable convolution cost (multiply-adds)."""

    standard_macs: int
    depthwise_macs: int
    pointwise_macs: int
    separable_macs: int
    saving: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def separable_conv_saving(c_in: int, c_out: int, k: int, h_out: int, w_out: int) -> SeparableCount:
    """How much a depthwise-separable conv saves over a standard one (MobileNet).

    Standard: K*K*C_in*C_out*H*W.  Separable: depthwise K*K*C_in*H*W + pointwise C_in*C_out*H*W.
    Ratio separable/standard = 1/C_out + 1/K^2, so for K=3 and many channels the saving
    approaches 9x; the map says "8x fewer ops".
    """
    for name, v in (("C_in", c_in), ("C_out", c_out), ("K", k), ("H_out", h_out), ("W_out", w_out)):
        _positive_int(name, v)
    standard = conv2d_macs(c_in, c_out, k, h_out, w_out)
    depthwise = conv2d_macs(c_in, c_in, k, h_out, w_out, groups=c_in)
    pointwise = conv2d_macs(c_in, c_out, 1, h_out, w_out)
    sep = depthwise + pointwise
    return SeparableCount(standard, depthwise, pointwise, sep, standard / sep)


# ------------------------------------------------------------------------------- dense
def dense_params(n_in: int, n_out: int, *, bias: bool = True) -> int:
    """Parameters of a fully connected layer: in * out + out (weights + biases)."""
    return _positive_int("in", n_in) * _positive_int("out", n_out) + (n_out if bias else 0)


def image_dense_params(height: int, width: int, channels: int, units: int) -> int:
    """One dense layer on a flattened image: H*W*C*units + units.

    The map: a 224x224x3 image into 1024 units is 154,141,696 parameters (~154M).
    """
    pixels = (
        _positive_int("height", height)
        * _positive_int("width", width)
        * _positive_int("channels", channels)
    )
    return dense_params(pixels, units)


@dataclass(frozen=True)
class LayerCount:
    """One Linear layer of an MLP, and its optional BatchNorm."""

    n_in: int
    n_out: int
    weights: int
    biases: int
    batchnorm: int

    @property
    def total(self) -> int:
        return self.weights + self.biases + self.batchnorm


@dataclass(frozen=True)
class MlpCount:
    """Per-layer breakdown and total of an MLP's parameters."""

    layers: tuple[LayerCount, ...]

    @property
    def total(self) -> int:
        return sum(layer.total for layer in self.layers)

    def to_dict(self) -> dict[str, object]:
        return {
            "layers": [asdict(layer) | {"total": layer.total} for layer in self.layers],
            "total": self.total,
        }


_SPEC = re.compile(r"^\s*\d+(\s*[-x,]\s*\d+)+\s*$")


def parse_mlp_spec(spec: str) -> list[int]:
    """Parse '784-256-128-10' (also ',' or 'x' separated) into layer widths."""
    if not isinstance(spec, str) or not _SPEC.match(spec):
        raise InputError(
            f"malformed MLP spec {spec!r}: expected widths joined by '-', such as 784-256-128-10."
        )
    widths = [int(w) for w in re.split(r"[-x,]", spec.replace(" ", ""))]
    if any(w <= 0 for w in widths):
        raise InputError(f"malformed MLP spec {spec!r}: every width must be positive.")
    return widths


def mlp_params(spec: str | list[int], *, batchnorm: bool = False, bias: bool = True) -> MlpCount:
    """Parameters of an MLP, layer by layer: sum over layers of in*out + out.

    With `batchnorm`, each hidden layer is the map's block Linear -> BatchNorm -> ReLU ->
    Dropout, adding BatchNorm's gamma and beta (2*out learnable parameters; the running
    mean and variance are buffers, not parameters). The output layer has no BatchNorm.

    The map: 784-256-128-10 = 200,960 + 32,896 + 1,290 = 235,146 (~235K).
    """
    widths = parse_mlp_spec(spec) if isinstance(spec, str) else list(spec)
    if len(widths) < 2:
        raise InputError("an MLP needs at least an input and an output width.")
    layers = []
    last = len(widths) - 2
    for i, (a, b) in enumerate(itertools.pairwise(widths)):
        bn = 2 * b if batchnorm and i < last else 0
        layers.append(LayerCount(a, b, a * b, b if bias else 0, bn))
    return MlpCount(tuple(layers))


# --------------------------------------------------------------------------- recurrent
@dataclass(frozen=True)
class RecurrentCount:
    """Parameters of one recurrent stack, with the per-layer figures."""

    kind: str
    gates: int
    per_layer: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.per_layer)


def recurrent_params(
    kind: RecurrentKind,
    input_size: int,
    hidden_size: int,
    *,
    num_layers: int = 1,
    bidirectional: bool = False,
    bias: bool = True,
) -> RecurrentCount:
    """Parameters of torch.nn.RNN / LSTM / GRU.

    Per layer and direction: G*H*(I + H) + 2*G*H, where G = 1 (RNN), 4 (LSTM: forget,
    input, candidate, output) or 3 (GRU: reset, update, new). PyTorch keeps two bias
    vectors (b_ih and b_hh), hence 2*G*H; the map's equations have one bias per gate, so a
    one-bias count is G*H*(I + H + 1). Layers after the first see I = H * directions.
    LSTM is therefore exactly 4x and GRU 3x an RNN of the same sizes (the map: "~4x", "~3x",
    and GRU "~3/4 of LSTM").
    """
    if kind not in GATES:
        raise InputError(f"kind must be one of rnn, lstm, gru. Got {kind!r} instead.")
    g = GATES[kind]
    i_size = _positive_int("input_size", input_size)
    h = _positive_int("hidden_size", hidden_size)
    n = _positive_int("num_layers", num_layers)
    dirs = 2 if bidirectional else 1
    per_layer = []
    for layer in range(n):
        inp = i_size if layer == 0 else h * dirs
        one_dir = g * h * (inp + h) + (2 * g * h if bias else 0)
        per_layer.append(one_dir * dirs)
    return RecurrentCount(kind, g, tuple(per_layer))


# -------------------------------------------------------------------------------- LoRA
@dataclass(frozen=True)
class LoraCount:
    """Trainable parameters of LoRA against full fine-tuning of one d x k matrix."""

    d: int
    k: int
    r: int
    lora: int
    full: int

    @property
    def reduction(self) -> float:
        return self.full / self.lora

    def to_dict(self) -> dict[str, float]:
        return asdict(self) | {"reduction": self.reduction}


def lora_params(d: int, k: int, r: int) -> LoraCount:
    """LoRA: W' = W + (alpha/r) A B with A (d x r), B (r x k): r*(d + k) trainable vs d*k.

    The map: 4096x4096 with r=8 gives 65,536 vs 16,777,216, a 256x reduction.
    """
    d = _positive_int("d", d)
    k = _positive_int("k", k)
    r = _positive_int("r", r)
    if r > min(d, k):
        raise InputError(f"the LoRA rank r={r} must not exceed min(d, k) = {min(d, k)}.")
    return LoraCount(d, k, r, r * (d + k), d * k)


# ------------------------------------------------------------------------- transformer
@dataclass(frozen=True)
class TransformerSpec:
    """Sizes of a BERT-style encoder."""

    layers: int = 12
    d_model: int = 768
    n_heads: int = 12
    ffn: int = 3072
    vocab: int = 30522
    max_len: int = 512
    type_vocab: int = 2
    pooler: bool = True


BERT_BASE = TransformerSpec()


@dataclass(frozen=True)
class TransformerCount:
    """Parameters of a BERT-style encoder, by part."""

    embeddings: int
    per_layer: int
    layers: int
    pooler: int

    @property
    def encoder(self) -> int:
        return self.per_layer * self.layers

    @property
    def total(self) -> int:
        return self.embeddings + self.encoder + self.pooler

    def to_dict(self) -> dict[str, int]:
        return asdict(self) | {"encoder": self.encoder, "total": self.total}


def transformer_params(spec: TransformerSpec = BERT_BASE) -> TransformerCount:
    """Parameters of a BERT-style encoder.

    Embeddings: (vocab + max_len + type_vocab) * d + LayerNorm 2d.
    One encoder block: attention Q, K, V and output projections 4*(d*d + d), the FFN
    d*ffn + ffn + ffn*d + d, and two LayerNorms 4d. The number of heads does not change the
    count (each head projects to d/h; the heads together are one d x d matrix).
    Pooler (tanh over [CLS]): d*d + d. BERT-base (12, 768, 12, 3072, 30522, 512) gives
    109,482,240, the map's "~110M".
    """
    for name in ("layers", "d_model", "n_heads", "ffn", "vocab", "max_len"):
        _positive_int(name, getattr(spec, name))
    _positive_int("type_vocab", spec.type_vocab, allow_zero=True)
    if spec.d_model % spec.n_heads:
        raise InputError(f"d_model={spec.d_model} must be divisible by n_heads={spec.n_heads}.")
    d, f = spec.d_model, spec.ffn
    embeddings = (spec.vocab + spec.max_len + spec.type_vocab) * d + 2 * d
    attention = 4 * (d * d + d)
    ffn = d * f + f + f * d + d
    per_layer = attention + ffn + 4 * d
    pooler = d * d + d if spec.pooler else 0
    return TransformerCount(embeddings, per_layer, spec.layers, pooler)


def human(n: float) -> str:
    """Short human form of a count: 235146 -> '235.1K', 109482240 -> '109.5M'."""
    for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.1f}{unit}"
    return f"{n:g}"
