"""The map's NLP pipeline: cleaning, tokenisation, stop words (spaCy/NLTK labs later)."""

from deepmap.text.clean import clean, clean_stages
from deepmap.text.stopwords import NEGATIONS, english_stop_words, remove_stop_words
from deepmap.text.tokenize import (
    TOKEN_PATTERN,
    WORD_VECTOR_PATTERN,
    sentence_split,
    token_finder,
    tokenize,
    treebank_agreement,
    word_tokenize,
)

__all__ = [
    "NEGATIONS",
    "TOKEN_PATTERN",
    "WORD_VECTOR_PATTERN",
    "clean",
    "clean_stages",
    "english_stop_words",
    "remove_stop_words",
    "sentence_split",
    "token_finder",
    "tokenize",
    "treebank_agreement",
    "word_tokenize",
]

# --- POS tagging (issue 12: averaged perceptron, Penn -> universal table) ---
from deepmap.text.pos import PerceptronTagger, read_tagged, tagging_accuracy
from deepmap.text.tagset import PENN_TAGS, PENN_TO_UNIVERSAL, to_universal

__all__ += [
    "PENN_TAGS",
    "PENN_TO_UNIVERSAL",
    "PerceptronTagger",
    "read_tagged",
    "tagging_accuracy",
    "to_universal",
]
