"""A batch of prompts of different lengths through one decoding loop: left padding.

`left_pad(prompts, pad_id)` right-aligns each prompt after pad tokens and returns the
attention mask; `PaddedHFStepper` is `deepmap.sequence.decoding.HFStepper` with that mask
and each row's own positions (position = cumsum(mask) - 1), grown by one column per decoded
token, so every row decodes as it would alone (tests check it against one prompt at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from deepmap.errors import InputError
from deepmap.sequence.decoding import HFStepper

if TYPE_CHECKING:
    import torch

__all__ = ["PaddedHFStepper", "left_pad"]


class PaddedHFStepper(HFStepper):
    """HFStepper for a batch of prompts of different lengths, padded on the left.

    `attention_mask` (batch, t) marks the prompt's real tokens (0: padding). The mask
    grows by one column of ones per decoded token and positions count real tokens only
    (position = cumsum(mask) - 1), as transformers' `generate` does, so each row decodes
    as it would alone (tests check it). The prefill asks for the last position's logits
    only (`logits_to_keep=1` where the model takes it): a batch of long prompts otherwise
    materialises (batch, t, vocab) logits.
    """

    def __init__(self, model: Any, attention_mask: torch.Tensor) -> None:
        import inspect

        import torch

        super().__init__(model)
        self.mask = attention_mask.to(torch.long)
        self._keep = "logits_to_keep" in inspect.signature(model.forward).parameters

    def _inputs(self, tokens: torch.Tensor, state: Any) -> dict[str, Any]:
        """The mask (grown by the new tokens once decoding has started) and positions."""
        import torch

        self.mask = self.mask.to(tokens.device)
        if state is not None:
            new = torch.ones(tokens.shape, dtype=self.mask.dtype, device=tokens.device)
            self.mask = torch.cat([self.mask, new], dim=1)
        positions = (self.mask.cumsum(-1) - 1).clamp(min=0)[:, -tokens.size(1) :]
        extra = {"attention_mask": self.mask, "position_ids": positions}
        if self._keep:
            extra["logits_to_keep"] = 1
        return extra

    def select(self, state: Any, index: torch.Tensor) -> Any:
        self.mask = self.mask[index.to(self.mask.device)]
        return super().select(state, index)


def left_pad(prompts: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids, attention_mask), both (batch, longest): each prompt right-aligned after pads."""
    import torch

    if not prompts or any(len(p) == 0 for p in prompts):
        raise InputError("every prompt needs at least one token.")
    width = max(len(p) for p in prompts)
    ids = torch.full((len(prompts), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for i, p in enumerate(prompts):
        ids[i, width - len(p) :] = torch.as_tensor(list(p), dtype=torch.long)
        mask[i, width - len(p) :] = 1
    return ids, mask
