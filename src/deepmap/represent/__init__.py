"""Text representations: one-hot, bag-of-words, n-grams, TF-IDF, vocabularies (and, in
submodules, word embeddings: word2vec, fasttext, glove, vectors, embeddings)."""

from deepmap.represent.bow import CountVectorizer, one_hot, sparsity
from deepmap.represent.tfidf import TfidfVectorizer, idf_weights
from deepmap.represent.vocabulary import Vocabulary, build_vocabulary, count_vocabulary

__all__ = [
    "CountVectorizer",
    "TfidfVectorizer",
    "Vocabulary",
    "build_vocabulary",
    "count_vocabulary",
    "idf_weights",
    "one_hot",
    "sparsity",
]
