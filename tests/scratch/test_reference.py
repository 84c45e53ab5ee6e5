"""The reference helpers themselves catch what they promise to: a wrong value, shape, dtype
or gradient (assert_matches_torch), and a wrong backward (gradcheck, NumPy only)."""

from __future__ import annotations

import numpy as np
import pytest
from tests._reference import assert_matches_torch, gradcheck, torch

from deepmap.scratch import Tensor, nn

X = np.random.default_rng(0).standard_normal((3, 4))


def _wrong_backward_relu(a: Tensor) -> Tensor:
    """relu's value with the gradient of the identity (a planted bug)."""
    return Tensor._result(np.maximum(a.data, 0), (a,), lambda g: (g,))


def test_gradcheck_passes_a_right_backward_and_catches_a_wrong_one():
    gradcheck(lambda a: a.relu(), X)
    with pytest.raises(AssertionError):
        gradcheck(_wrong_backward_relu, X)


def test_gradcheck_checks_parameters():
    layer = nn.Linear(4, 2, rng=np.random.default_rng(0)).astype(np.float64)
    gradcheck(layer, X, params=layer.parameters())

    def doubles_the_bias_gradient(a):  # the same value, twice the bias's gradient
        return a @ layer.weight.T + layer.bias * 2 - layer.bias.detach()

    with pytest.raises(AssertionError, match="parameter 1"):
        gradcheck(doubles_the_bias_gradient, X, params=layer.parameters())


def test_assert_matches_torch_catches_values_shapes_dtypes_and_gradients():
    assert_matches_torch(lambda a: a.relu(), lambda a: torch.relu(a), X)
    with pytest.raises(AssertionError, match="output 0"):  # value
        assert_matches_torch(lambda a: a.relu(), lambda a: torch.tanh(a), X)
    with pytest.raises(AssertionError, match="shape"):
        assert_matches_torch(lambda a: a.sum(axis=0), lambda a: a.sum(), X)
    with pytest.raises(AssertionError, match="dtype"):
        assert_matches_torch(lambda a: a.relu(), lambda a: torch.relu(a).float(), X, grad=False)
    with pytest.raises(AssertionError, match="grad"):  # same value, wrong gradient
        assert_matches_torch(_wrong_backward_relu, lambda a: torch.relu(a), X)


def test_assert_matches_torch_compares_parameter_gradients():
    ours, theirs = nn.Linear(4, 2), torch.nn.Linear(4, 2)
    assert_matches_torch(ours, theirs, X, modules=(ours, theirs))
    with pytest.raises(AssertionError, match="bias"):
        assert_matches_torch(
            lambda a: a @ ours.weight.T + ours.bias * 2 - ours.bias.detach(),
            theirs,
            X,
            modules=(ours, theirs),
        )
