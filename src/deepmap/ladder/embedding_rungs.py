"""Old home of the embedding rungs; they are rows of `deepmap.ladder.rungs.RUNG_TABLE` now
and `EmbeddingMean` lives in `deepmap.classify.embedding_mean`. Kept for old imports."""

from deepmap.classify.embedding_mean import EmbeddingMean

__all__ = ["EmbeddingMean"]
