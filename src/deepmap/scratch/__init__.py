"""deepmap.scratch: the map's mechanisms from the equations, in NumPy, each proven equal to
PyTorch in the tests: an autograd Tensor, activations, losses, layers, initialisers and
optimizers, and the MLP / DigitCNN trained with them."""

from deepmap.scratch.tensor import Tensor, concatenate, no_grad, stack, where

__all__ = ["Tensor", "concatenate", "no_grad", "stack", "where"]
