"""Old home of the fastText rung; the rung is a row of `deepmap.ladder.rungs.RUNG_TABLE` now
and `FastTextClassifier` lives in `deepmap.classify.fasttext`. Kept for old imports."""

from deepmap.classify.fasttext import FastTextClassifier

__all__ = ["FastTextClassifier"]
