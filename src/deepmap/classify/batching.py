"""Batches of similar length for the text classifiers trained with `deepmap.train.fit`
(less padding per batch, so recurrent and transformer rungs train faster)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["LengthBuckets"]

_BUCKET = 50  # batches per bucket: sorted by length inside, shuffled as a whole


class LengthBuckets:
    """A sampler yielding indices so that each run of `batch_size` holds documents of
    similar length: shuffle, cut into buckets of `_BUCKET` batches, sort each bucket by
    length, cut into batches, shuffle the batches. Draws only from `self.generator`, which
    the training loop reseeds every epoch from (seed, epoch)."""

    def __init__(self, lengths: np.ndarray, batch_size: int, generator: Any):
        self.lengths = lengths
        self.batch_size = batch_size
        self.generator = generator

    def __len__(self) -> int:
        return len(self.lengths)

    def __iter__(self):
        import torch

        order = torch.randperm(len(self.lengths), generator=self.generator).numpy()
        size = self.batch_size * _BUCKET
        batches = []
        for s in range(0, len(order), size):
            bucket = order[s : s + size]
            bucket = bucket[np.argsort(self.lengths[bucket], kind="stable")]
            step = self.batch_size
            batches += [bucket[i : i + step] for i in range(0, len(bucket), step)]
        # the last (short) batch stays last, so BatchSampler's cuts fall on these batches
        full = [b for b in batches if len(b) == self.batch_size]
        rest = [b for b in batches if len(b) != self.batch_size]
        perm = torch.randperm(len(full), generator=self.generator).tolist()
        for b in [full[i] for i in perm] + rest:
            yield from b.tolist()
