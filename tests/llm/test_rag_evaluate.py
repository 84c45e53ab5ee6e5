"""recall@k and MRR@10 from the gold passage's rank, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from deepmap.llm.rag.evaluate import rank_metrics


def test_rank_metrics_by_hand():
    m = rank_metrics(np.array([1, 2, 6, 0, 11]))  # 0: not retrieved; 11: past the cut
    assert m["recall@1"] == pytest.approx(1 / 5)
    assert m["recall@5"] == pytest.approx(2 / 5)
    assert m["recall@10"] == pytest.approx(3 / 5)
    assert m["mrr@10"] == pytest.approx((1 + 1 / 2 + 1 / 6) / 5)
