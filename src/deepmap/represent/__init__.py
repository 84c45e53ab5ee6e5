"""Text representations: one-hot, bag-of-words, n-grams, TF-IDF (and, later, embeddings)."""

from deepmap.represent.bow import CountVectorizer, one_hot, sparsity
from deepmap.represent.tfidf import TfidfVectorizer, idf_weights

__all__ = ["CountVectorizer", "TfidfVectorizer", "idf_weights", "one_hot", "sparsity"]
