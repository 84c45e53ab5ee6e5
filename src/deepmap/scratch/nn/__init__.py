"""Layers as Modules with parameters and a train/eval switch; PyTorch's layouts throughout,
so weights copy across (`Module.load_torch`) and tests can prove the two equal.

One module per concept; every name is importable from here (`deepmap.scratch.nn.Linear`):

- `module`: Module, Parameter, Sequential
- `activation`: ReLU, LeakyReLU, Sigmoid, Tanh, Flatten
- `linear`: Linear, Embedding
- `conv`: Conv2d, MaxPool2d, AdaptiveAvgPool2d
- `normalization`: BatchNorm1d, BatchNorm2d, LayerNorm, Dropout
- `recurrent`: RNNCell, LSTMCell, GRUCell, RNN, LSTM, GRU
- `attention`: MultiheadAttention
- `positional`: PositionalEncoding (sinusoidal)
- `transformer`: TransformerEncoderLayer (post-/pre-LN), TransformerDecoderBlock (causal)
"""

from __future__ import annotations

from deepmap.scratch.nn.activation import Flatten, LeakyReLU, ReLU, Sigmoid, Tanh
from deepmap.scratch.nn.attention import MultiheadAttention
from deepmap.scratch.nn.conv import AdaptiveAvgPool2d, Conv2d, MaxPool2d
from deepmap.scratch.nn.linear import Embedding, Linear
from deepmap.scratch.nn.module import Module, Parameter, Sequential
from deepmap.scratch.nn.normalization import BatchNorm1d, BatchNorm2d, Dropout, LayerNorm
from deepmap.scratch.nn.positional import PositionalEncoding
from deepmap.scratch.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from deepmap.scratch.nn.transformer import TransformerDecoderBlock, TransformerEncoderLayer
from deepmap.scratch.tensor import Tensor, concatenate

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "AdaptiveAvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRUCell",
    "LSTMCell",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "MaxPool2d",
    "Module",
    "MultiheadAttention",
    "Parameter",
    "PositionalEncoding",
    "RNNCell",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "TransformerDecoderBlock",
    "TransformerEncoderLayer",
]


def concat(tensors, axis: int = 0) -> Tensor:
    """`concatenate` under torch's short name (kept for callers of the old nn.py)."""
    return concatenate(tensors, axis=axis)
