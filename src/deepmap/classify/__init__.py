"""Text classifiers usable on their own (and by the ladder's rungs): scikit-learn style.

Each: keyword-only `__init__` that stores its parameters, validation at `fit`, learned state
ending in `_`, `fit` returns self, and predict/transform before fit raises
`deepmap.errors.NotFittedError` ("call fit first").

- `LinearClassifier`: logistic regression (liblinear) with a lean single-document predict.
- `NBSVM`: naive-Bayes log-count ratios + linear SVM (Wang & Manning 2012).
- `FastTextClassifier`: supervised fastText, mean of word + hashed-bigram embeddings.
- `EmbeddingMean`: a transformer, texts -> the (TF-IDF-weighted) mean of word vectors.
"""

from deepmap.classify.embedding_mean import EmbeddingMean
from deepmap.classify.fasttext import FastTextClassifier
from deepmap.classify.linear import LinearClassifier
from deepmap.classify.nbsvm import NBSVM
from deepmap.classify.preprocess import preprocess

__all__ = ["NBSVM", "EmbeddingMean", "FastTextClassifier", "LinearClassifier", "preprocess"]
