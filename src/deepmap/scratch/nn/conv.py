"""Convolution and pooling layers over (N, C, H, W) images."""

from __future__ import annotations

import math

import numpy as np

from deepmap.scratch import functional as F
from deepmap.scratch.nn.module import Module, Parameter
from deepmap.scratch.tensor import Tensor

__all__ = ["AdaptiveAvgPool2d", "Conv2d", "MaxPool2d"]


class Conv2d(Module):
    """Square-kernel 2-D convolution; (K*K*C_in + 1) * C_out parameters."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        bias: bool = True,
        rng: np.random.Generator | None = None,
    ):
        rng = rng or np.random.default_rng()
        bound = 1 / math.sqrt(in_channels * kernel_size * kernel_size)
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = Parameter(rng.uniform(-bound, bound, shape))
        self.bias = Parameter(rng.uniform(-bound, bound, out_channels)) if bias else None
        self.stride, self.padding = stride, padding

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)


class MaxPool2d(Module):
    def __init__(self, kernel_size: int = 2, stride: int | None = None):
        self.kernel_size, self.stride = kernel_size, stride or kernel_size

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride)


class AdaptiveAvgPool2d(Module):
    """Only the (1, 1) output the map uses (global average pooling)."""

    def __init__(self, output_size: tuple[int, int] = (1, 1)):
        if tuple(output_size) != (1, 1):
            raise ValueError("only AdaptiveAvgPool2d((1, 1)) is implemented")

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d_1x1(x)
