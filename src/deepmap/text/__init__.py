"""The map's NLP pipeline: cleaning, tokenisation, stop words, Porter stemming, WordNet
lemmatisation, context-free grammars and the chart parser, spaCy's entities and
dependencies, SVO triples, and the whole-pipeline `analyze`.

The stages past tokenisation are imported on first use (`from deepmap.text import
PorterStemmer` works), so `import deepmap.text` stays light.
"""

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

_LAZY = {
    "PerceptronTagger": "deepmap.text.pos",
    "read_tagged": "deepmap.text.pos",
    "tagging_accuracy": "deepmap.text.pos",
    "PENN_TAGS": "deepmap.text.tagset",
    "PENN_TO_UNIVERSAL": "deepmap.text.tagset",
    "to_universal": "deepmap.text.tagset",
    "PorterStemmer": "deepmap.text.porter",
    "StemTokenizer": "deepmap.text.stem_tokenizer",
    "porter_stem": "deepmap.text.porter",
    "LemmaTokenizer": "deepmap.text.lemmatize",
    "WordNetLemmatizer": "deepmap.text.lemmatize",
    "morphy": "deepmap.text.lemmatize",
    "wordnet_pos": "deepmap.text.lemmatize",
    "WordNet": "deepmap.text.wordnet",
    "load_wordnet": "deepmap.text.wordnet",
    "ChartParser": "deepmap.text.chart",
    "Forest": "deepmap.text.chart",
    "TooManyParsesError": "deepmap.text.chart",
    "Grammar": "deepmap.text.grammar",
    "GrammarError": "deepmap.text.grammar",
    "Nonterminal": "deepmap.text.grammar",
    "Production": "deepmap.text.grammar",
    "UnknownWordError": "deepmap.text.grammar",
    "load_grammar": "deepmap.text.grammar",
    "map_grammar": "deepmap.text.grammar",
    "Tree": "deepmap.text.tree",
    "Analysis": "deepmap.text.analyze",
    "analyze": "deepmap.text.analyze",
    "explain": "deepmap.text.spacy_pipeline",
    "load_nlp": "deepmap.text.spacy_pipeline",
    "Triple": "deepmap.text.svo",
    "extract_svo": "deepmap.text.svo",
    "map_rule_svo": "deepmap.text.svo",
    "score_triples": "deepmap.text.svo",
}

__all__ += sorted(_LAZY)


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'deepmap.text' has no attribute {name!r}")
