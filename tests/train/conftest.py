"""Fixtures of the training-loop tests."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("accelerate")


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models run 10x faster on one thread than on a busy, shared thread pool."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def blobs():
    from tests.train.toys import Blobs

    return Blobs(40, seed=1, augment=True), Blobs(24, seed=2)
