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

# ---- issue 12, lemma: WordNet lemmatisation (morphy over WordNet 3.0's files) ----
from deepmap.text.lemmatize import (
    LemmaTokenizer,
    WordNetLemmatizer,
    morphy,
    wordnet_pos,
)
from deepmap.text.wordnet import WordNet, load_wordnet

__all__ += [
    "LemmaTokenizer",
    "WordNet",
    "WordNetLemmatizer",
    "load_wordnet",
    "morphy",
    "wordnet_pos",
]
