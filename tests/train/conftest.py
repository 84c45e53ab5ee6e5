"""Fixtures of the training-loop tests."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("accelerate")


@pytest.fixture
def blobs():
    from tests.train.toys import Blobs

    return Blobs(40, seed=1, augment=True), Blobs(24, seed=2)
