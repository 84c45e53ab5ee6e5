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

# ---- issue 12, stage 5: the Porter stemmer (deepmap.text.porter) ----
from deepmap.text.porter import PorterStemmer, StemTokenizer, porter_stem

__all__ += ["PorterStemmer", "StemTokenizer", "porter_stem"]

# ---- issue 12, item 3: context-free grammars and the chart parser (deepmap nlp parse)
from deepmap.text.chart import ChartParser, Forest, TooManyParsesError
from deepmap.text.grammar import (
    Grammar,
    GrammarError,
    Nonterminal,
    Production,
    UnknownWordError,
    load_grammar,
    map_grammar,
)
from deepmap.text.tree import Tree

__all__ += [
    "ChartParser",
    "Forest",
    "Grammar",
    "GrammarError",
    "Nonterminal",
    "Production",
    "TooManyParsesError",
    "Tree",
    "UnknownWordError",
    "load_grammar",
    "map_grammar",

# --- issue 12, spaCy: NER, dependencies, SVO triples, the whole-pipeline analysis -------
from deepmap.text.analyze import Analysis, analyze
from deepmap.text.spacy_pipeline import explain, load_nlp
from deepmap.text.svo import Triple, extract_svo, map_rule_svo, score_triples

__all__ += [
    "Analysis",
    "Triple",
    "analyze",
    "explain",
    "extract_svo",
    "load_nlp",
    "map_rule_svo",
    "score_triples",

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
