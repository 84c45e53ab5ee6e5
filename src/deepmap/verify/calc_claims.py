"""Claims the calculators and metrics cover, each checked against torch or scikit-learn."""

from __future__ import annotations

import itertools
import math

from deepmap import calc, metrics
from deepmap.verify.registry import Claim

__all__ = ["CLAIMS"]


def _n_params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _torch_conv_out(w: int, k: int, p: int, s: int) -> int:
    import torch

    conv = torch.nn.Conv2d(1, 1, k, stride=s, padding=p)
    with torch.no_grad():
        return conv(torch.zeros(1, 1, w, w)).shape[-1]


def _torch_maxpool_out(w: int) -> int:
    import torch

    return torch.nn.MaxPool2d(2, 2)(torch.zeros(1, 1, w, w)).shape[-1]


def _torch_mlp_layers(spec: str) -> list[int]:
    import torch

    widths = calc.parse_mlp_spec(spec)
    return [_n_params(torch.nn.Linear(a, b)) for a, b in itertools.pairwise(widths)]


def _torch_image_dense() -> int:
    import torch

    return _n_params(torch.nn.Linear(224 * 224 * 3, 1024, device="meta"))


def _torch_recurrent(kind: str) -> int:
    import torch

    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    return _n_params(cls(128, 128))


def _ratio(kind: str, base: str = "rnn") -> float:
    return calc.recurrent_params(kind, 128, 128).total / calc.recurrent_params(base, 128, 128).total


def _torch_ratio(kind: str, base: str = "rnn") -> float:
    return _torch_recurrent(kind) / _torch_recurrent(base)


def _torch_lora() -> tuple[int, int]:
    import torch

    a = torch.nn.Linear(4096, 8, bias=False, device="meta")  # A: d x r
    b = torch.nn.Linear(8, 4096, bias=False, device="meta")  # B: r x k
    full = torch.nn.Linear(4096, 4096, bias=False, device="meta")
    return _n_params(a) + _n_params(b), _n_params(full)


def _torch_bert_base() -> int:
    """BERT-base assembled from torch.nn modules on the meta device (no memory, no weights)."""
    import torch
    from torch import nn

    s = calc.BERT_BASE
    d = s.d_model
    with torch.device("meta"):
        emb = nn.ModuleList(
            [
                nn.Embedding(s.vocab, d),
                nn.Embedding(s.max_len, d),
                nn.Embedding(s.type_vocab, d),
                nn.LayerNorm(d),
            ]
        )
        layer = nn.TransformerEncoderLayer(d, s.n_heads, dim_feedforward=s.ffn, batch_first=True)
        encoder = nn.TransformerEncoder(layer, s.layers, enable_nested_tensor=False)
        pooler = nn.Linear(d, d)
    return _n_params(emb) + _n_params(encoder) + _n_params(pooler)


def _torch_uniform_perplexity(vocab: int = 10_000) -> float:
    import torch

    logits = torch.zeros(4, vocab, dtype=torch.float64)
    return float(torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1, 2, 3])).exp())


def _torch_conv_params() -> int:
    import torch

    return _n_params(torch.nn.Conv2d(3, 32, 3))


def _sk(name: str):
    from sklearn import metrics as skm

    return getattr(skm, name)


# A fixed, real-looking binary confusion: TP=40, FP=10, FN=20, TN=30.
_Y_TRUE = [1] * 60 + [0] * 40
_Y_PRED = [1] * 40 + [0] * 20 + [1] * 10 + [0] * 30

CLAIMS: list[Claim] = [
    Claim(
        "cnn.conv.same",
        "CNN 2",
        "28x28, K=3, P=1, S=1 -> 28 (same)",
        28,
        lambda: calc.conv_output_size(28, 3, 1, 1),
        lambda: _torch_conv_out(28, 3, 1, 1),
        "torch.nn.Conv2d",
    ),
    Claim(
        "cnn.conv.valid",
        "CNN 2",
        "28x28, K=3, P=0, S=1 -> 26 (shrinks)",
        26,
        lambda: calc.conv_output_size(28, 3, 0, 1),
        lambda: _torch_conv_out(28, 3, 0, 1),
        "torch.nn.Conv2d",
    ),
    Claim(
        "cnn.conv.halved",
        "CNN 2",
        "28x28, K=2, S=2 -> 14 (halved)",
        14,
        lambda: calc.conv_output_size(28, 2, 0, 2),
        lambda: _torch_conv_out(28, 2, 0, 2),
        "torch.nn.Conv2d",
    ),
    Claim(
        "cnn.maxpool.halves",
        "CNN 4",
        "MaxPool2d(2,2) halves dimensions (28 -> 14)",
        14,
        lambda: calc.conv_output_size(28, 2, 0, 2),
        lambda: _torch_maxpool_out(28),
        "torch.nn.MaxPool2d",
    ),
    Claim(
        "cnn.conv.params",
        "CNN 3",
        "Conv2d(3->32, K=3): (3x3x3+1)x32 = 896 parameters",
        896,
        lambda: calc.conv2d_params(3, 32, 3),
        _torch_conv_params,
        "torch.nn.Conv2d",
    ),
    Claim(
        "cnn.digitcnn.flatten",
        "CNN 6",
        "DigitCNN: 1->32->64 -> 3136 after two pooled blocks",
        3136,
        lambda: 64 * calc.conv_output_size(calc.conv_output_size(28, 2, 0, 2), 2, 0, 2) ** 2,
        lambda: 64 * _torch_maxpool_out(_torch_maxpool_out(28)) ** 2,
        "torch.nn.MaxPool2d",
    ),
    Claim(
        "cnn.dense.explosion",
        "CNN 1",
        "224x224x3 image into one 1024-unit layer = 154M parameters",
        154_000_000,
        lambda: calc.image_dense_params(224, 224, 3, 1024),
        _torch_image_dense,
        "torch.nn.Linear",
        map_rtol=0.001,
    ),
    Claim(
        "cnn.mobilenet.separable",
        "CNN 7",
        "Depthwise separable conv: 8x fewer ops (3x3, 256->256 channels)",
        8.0,
        lambda: round(calc.separable_conv_saving(256, 256, 3, 14, 14).saving, 2),
        None,
        "",
        map_rtol=0.15,
    ),
    Claim(
        "ann.mlp.layers",
        "ANN 7",
        "784->256->128->10 = 200,960 + 32,896 + 1,290",
        [200_960, 32_896, 1_290],
        lambda: [layer.total for layer in calc.mlp_params("784-256-128-10").layers],
        lambda: _torch_mlp_layers("784-256-128-10"),
        "torch.nn.Linear",
    ),
    Claim(
        "ann.mlp.total",
        "ANN 7",
        "784->256->128->10 = ~235K params",
        235_000,
        lambda: calc.mlp_params("784-256-128-10").total,
        lambda: sum(_torch_mlp_layers("784-256-128-10")),
        "torch.nn.Linear",
        map_rtol=0.001,
    ),
    Claim(
        "rnn.lstm.ratio",
        "RNN 6",
        "LSTM has ~4x the parameters of a vanilla RNN",
        4.0,
        lambda: _ratio("lstm"),
        lambda: _torch_ratio("lstm"),
        "torch.nn.LSTM / torch.nn.RNN",
    ),
    Claim(
        "rnn.gru.ratio",
        "RNN 6",
        "GRU has ~3x the parameters of a vanilla RNN",
        3.0,
        lambda: _ratio("gru"),
        lambda: _torch_ratio("gru"),
        "torch.nn.GRU / torch.nn.RNN",
    ),
    Claim(
        "rnn.gru.vs.lstm",
        "RNN 5",
        "GRU: fewer parameters (~3/4 of LSTM)",
        0.75,
        lambda: _ratio("gru", "lstm"),
        lambda: _torch_ratio("gru", "lstm"),
        "torch.nn.GRU / torch.nn.LSTM",
    ),
    Claim(
        "lora.params",
        "Transformers 10",
        "4096x4096 with r=8: 65K vs 16.8M trainable",
        [65_536, 16_777_216],
        lambda: [calc.lora_params(4096, 4096, 8).lora, calc.lora_params(4096, 4096, 8).full],
        lambda: list(_torch_lora()),
        "torch.nn.Linear (A, B vs W)",
    ),
    Claim(
        "lora.reduction",
        "Transformers 10",
        "LoRA 4096x4096, r=8: a 256x reduction",
        256.0,
        lambda: calc.lora_params(4096, 4096, 8).reduction,
        lambda: (lambda a, f: f / a)(*_torch_lora()),
        "torch.nn.Linear",
    ),
    Claim(
        "bert.base.params",
        "Transformers 8",
        "BERT-base: 12 layers, 12 heads, d=768, ~110M params",
        110_000_000,
        lambda: calc.transformer_params().total,
        _torch_bert_base,
        "torch.nn.TransformerEncoder + Embedding + Linear",
        map_rtol=0.01,
    ),
    Claim(
        "metrics.accuracy",
        "ANN 8",
        "Accuracy = (TP+TN)/Total",
        0.7,
        lambda: metrics.accuracy(_Y_TRUE, _Y_PRED),
        lambda: float(_sk("accuracy_score")(_Y_TRUE, _Y_PRED)),
        "sklearn.metrics.accuracy_score",
        ref_rtol=1e-12,
        map_rtol=1e-12,
    ),
    Claim(
        "metrics.precision",
        "ANN 8",
        "Precision = TP/(TP+FP)",
        0.8,
        lambda: metrics.precision(_Y_TRUE, _Y_PRED),
        lambda: float(_sk("precision_score")(_Y_TRUE, _Y_PRED)),
        "sklearn.metrics.precision_score",
        ref_rtol=1e-12,
        map_rtol=1e-12,
    ),
    Claim(
        "metrics.recall",
        "ANN 8",
        "Recall = TP/(TP+FN)",
        40 / 60,
        lambda: metrics.recall(_Y_TRUE, _Y_PRED),
        lambda: float(_sk("recall_score")(_Y_TRUE, _Y_PRED)),
        "sklearn.metrics.recall_score",
        ref_rtol=1e-12,
        map_rtol=1e-12,
    ),
    Claim(
        "metrics.f1",
        "ANN 8",
        "F1 = 2PR/(P+R)",
        2 * 0.8 * (2 / 3) / (0.8 + 2 / 3),
        lambda: metrics.f1(_Y_TRUE, _Y_PRED),
        lambda: float(_sk("f1_score")(_Y_TRUE, _Y_PRED)),
        "sklearn.metrics.f1_score",
        ref_rtol=1e-12,
        map_rtol=1e-12,
    ),
    Claim(
        "lm.perplexity.random",
        "RNN 10",
        "PPL = exp(CE); a random model has PPL = V (V=10,000)",
        10_000.0,
        lambda: metrics.perplexity(math.log(10_000)),
        _torch_uniform_perplexity,
        "exp(torch.nn.functional.cross_entropy) on uniform logits",
        ref_rtol=1e-9,
        map_rtol=1e-9,
    ),
]
