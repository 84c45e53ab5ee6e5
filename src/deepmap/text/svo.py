"""Subject-verb-object triples from spaCy's dependency parse.

The map's rule (`map_rule_svo`): take the sentence's ROOT; its subject is an `nsubj`
among the ROOT's left children, its object a `dobj` among its right children; one
triple (subject, ROOT, object) or none.

`extract_svo` extends it, clause by clause (every verb, not only the ROOT):
- passives: "the film was directed by Steven Spielberg" (nsubjpass + agent -> pobj) is
  normalised to the active triple (Steven Spielberg, direct, film) with passive=True,
  also "written and directed by X" (two triples) and "scenes cut by censors"; a passive
  with no agent ("the film was released") gives no triple;
- conjunctions: conjoined subjects and objects give one triple each ("John and Mary
  liked the plot and the music" -> four); a conjoined verb with no subject of its own
  shares the first verb's subject ("I laughed and cried");
- auxiliaries and modals are dropped, negation is kept with the verb: "I did not like
  the ending" -> (I, not like, ending); "n't" is written "not";
- phrasal particles join the verb: "gave up the role" -> (., give up, role);
- prepositional objects, for a verb with no direct object: "I laughed at the jokes" ->
  (I, laugh at, jokes);
- open clauses (xcomp) take the governing verb's subject: "I wanted to like this film"
  -> (I, want to like, film); complement clauses (ccomp) with their own subject give
  their own triples;
- relative clauses: "the man who killed her" -> (man, kill, her), "the film I saw" ->
  (I, see, film): the relative pronoun (or the gap) stands for the noun modified.
Copulas (is, seems + adjective or noun) are not subject-verb-object and give no triple.

Text form (what `Triple.as_text` returns, and what the test data writes): the subject and
object are their head noun with its compound modifiers ("Steven Spielberg", "ending");
the verb is its lemma, lower-cased, with the negation, particle, "to" + open-clause verb
and preposition as above. Spans: `subject`/`object` are those core spans, and
`subject_phrase`/`object_phrase` the whole subtree (determiners, adjectives, clauses).

Measured (benchmarks/bench_spacy.py) on 74 sentences of the bundled IMDb reviews with 73
triples written by hand (tests/text/data/svo_sentences.jsonl; the rules were refined on
these same sentences, so this is not a held-out figure): precision 0.94 (67/71), recall
0.92 (67/73); the map's rule alone: precision 0.80 (28/35), recall 0.38 (28/73).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token

__all__ = ["SvoScore", "Triple", "extract_svo", "map_rule_svo", "score_triples"]

_SUBJ = ("nsubj",)
_RELATIVE = ("WDT", "WP", "WP$")
_NEGATION_TEXT = {"n't": "not", "not": "not", "never": "never", "nt": "not"}


@dataclass(frozen=True)
class Triple:
    """One (subject, verb, object): spans into the Doc, and their text form."""

    subject: Span
    verb: tuple[Token, ...]
    object: Span
    verb_text: str
    passive: bool = False
    rule: str = "extended"

    @property
    def subject_phrase(self) -> Span:
        return _phrase(self.subject)

    @property
    def object_phrase(self) -> Span:
        return _phrase(self.object)

    def as_text(self) -> tuple[str, str, str]:
        """(subject, verb, object) as text: ("Steven Spielberg", "direct", "film")."""
        return (self.subject.text, self.verb_text, self.object.text)

    def to_dict(self) -> dict[str, object]:
        s, v, o = self.as_text()
        return {
            "subject": s,
            "verb": v,
            "object": o,
            "subject_phrase": self.subject_phrase.text,
            "object_phrase": self.object_phrase.text,
            "subject_span": [self.subject.start, self.subject.end],
            "object_span": [self.object.start, self.object.end],
            "verb_tokens": [t.i for t in self.verb],
            "passive": self.passive,
            "rule": self.rule,
        }


def _phrase(core: Span) -> Span:
    head = core.root
    return head.doc[head.left_edge.i : head.right_edge.i + 1]


def _core(token: Token) -> Span:
    """The token with the compound words just before it ("Steven Spielberg", "drift net
    fishing", "Twentieth Century-Fox"): walk left while the word is a compound (or a hyphen
    inside one) whose head lies in the span."""
    doc, start = token.doc, token.i
    while start > 0:
        prev = doc[start - 1]
        inside = token.i >= prev.head.i >= start
        hyphen = prev.text == "-" and not prev.whitespace_ and start >= 2
        if (prev.dep_ == "compound" and inside) or (hyphen and doc[start - 2].dep_ == "compound"):
            start -= 1
        else:
            break
    return doc[start : token.i + 1]


def _with_conj(tokens: Iterable[Token]) -> list[Token]:
    """The tokens and every token conjoined to them ("the plot and the music")."""
    out: list[Token] = []
    for t in tokens:
        out.append(t)
        out.extend(c for c in t.conjuncts if c.i > t.i and c not in out)
    return out


def _relcl(verb: Token) -> Token | None:
    """The relative-clause verb above `verb` (itself included), or None."""
    while verb.dep_ != "relcl":
        if verb.head is verb or verb.dep_ not in ("ccomp", "xcomp", "conj"):
            return None
        verb = verb.head
    return verb


def _resolve(token: Token, verb: Token) -> Token:
    """A relative pronoun ("who", "that", "which") stands for the noun its clause modifies."""
    rel = _relcl(verb) if token.tag_ in _RELATIVE else None
    return rel.head if rel is not None else token


def _gap(verb: Token) -> bool:
    """ "the film [that] I saw": a relative clause with a subject, no object, no clause of
    its own below it and no relative pronoun: the modified noun fills the object's gap."""
    if verb.dep_ != "relcl" or not any(c.dep_ in _SUBJ for c in verb.children):
        return False
    if any(c.dep_ in ("dobj", "ccomp", "xcomp") for c in verb.children):
        return False
    return not any(t.tag_ in _RELATIVE for t in verb.subtree)


def _subjects(verb: Token) -> list[Token]:
    own = [c for c in verb.children if c.dep_ in _SUBJ]
    if own:
        return [_resolve(t, verb) for t in _with_conj(own)]
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        return _subjects(verb.head)
    return []


def _objects(verb: Token) -> list[Token]:
    own = [c for c in verb.children if c.dep_ == "dobj"]
    if own:
        return [_resolve(t, verb) for t in _with_conj(own)]
    if _gap(verb) and not _stranded(verb):
        return [verb.head]
    return []


def _stranded(verb: Token) -> list[Token]:
    """Prepositions left without an object ("the film I walked out on")."""
    return [c for c in verb.children if c.dep_ == "prep" and c.i > verb.i and not c.n_rights]


def _preps(verb: Token) -> list[tuple[Token, Token]]:
    """(preposition, object) pairs after the verb ("laughed at the jokes"); a fronted
    phrase ("To this day, I ...") is an adjunct, not an argument, and is left out."""
    out = []
    for prep in verb.children:
        if prep.dep_ == "prep" and prep.i > verb.i:
            out.extend((prep, o) for o in _with_conj(c for c in prep.children if c.dep_ == "pobj"))
    if _gap(verb):
        out.extend((prep, verb.head) for prep in _stranded(verb))
    return out


_PARTICLES = frozenset({"away", "out", "off", "up", "down", "back", "over", "along", "around"})


def _verb_words(verb: Token) -> list[Token]:
    neg = [c for c in verb.children if c.dep_ == "neg"]
    prt = [
        c for c in verb.rights if c.dep_ == "prt" or (c.dep_ == "advmod" and c.lower_ in _PARTICLES)
    ]
    return [*neg, verb, *prt]


def _verb_text(tokens: Sequence[Token]) -> str:
    words = []
    for t in tokens:
        if t.dep_ == "neg":
            words.append(_NEGATION_TEXT.get(t.lower_, t.lower_))
        elif t.dep_ in ("prt", "prep", "aux", "advmod"):
            words.append(t.lower_)
        else:
            words.append(t.lemma_.lower())
    return " ".join(words)


def _clause(verb: Token, subjects: list[Token], prefix: list[Token]) -> list[Triple]:
    """Triples of one verb with the given subjects (prefix: the governing verbs' words)."""
    out: list[Triple] = []
    words = prefix + _verb_words(verb)
    patients = _patients(verb)
    passive = bool(patients)
    if passive:
        for agent in _agents(verb):
            for p in patients:
                out.append(Triple(_core(agent), tuple(words), _core(p), _verb_text(words), True))
    else:
        objects = _objects(verb)
        for s in subjects:
            for o in objects:
                out.append(Triple(_core(s), tuple(words), _core(o), _verb_text(words)))
            if not objects:
                for prep, o in _preps(verb):
                    w = [*words, prep]
                    out.append(Triple(_core(s), tuple(w), _core(o), _verb_text(w)))
    for x in verb.children:  # open clauses: "wanted to like this film", "kept trying"
        if x.dep_ == "xcomp" and x.pos_ in ("VERB", "AUX") and subjects and not passive:
            to = [c for c in x.children if c.dep_ == "aux" and c.lower_ == "to"]
            out.extend(_clause(x, subjects, words + to if to else []))
    return out


def _patients(verb: Token) -> list[Token]:
    """A passive verb's surface subjects; "written and directed by X": the second verb
    shares the first one's."""
    own = [c for c in verb.children if c.dep_ == "nsubjpass"]
    if own:
        return [_resolve(t, verb) for t in _with_conj(own)]
    if verb.dep_ == "acl" and verb.tag_ == "VBN" and any(c.dep_ == "agent" for c in verb.children):
        return [verb.head]  # "scenes cut by censors": a reduced passive relative
    own_subject = any(c.dep_ in _SUBJ for c in verb.children)
    if verb.dep_ == "conj" and not own_subject and verb.tag_ == "VBN":
        return _patients(verb.head) if verb.head.pos_ in ("VERB", "AUX") else []
    return []


def _agents(verb: Token) -> list[Token]:
    """The by-phrase objects of a passive verb, or of the verb conjoined to it."""
    for v in (verb, *verb.conjuncts):
        found = [o for a in v.children if a.dep_ == "agent" for o in a.children]
        found = [o for o in found if o.dep_ == "pobj"]
        if found:
            return _with_conj(found)
    return []


def extract_svo(doc: Doc | Span) -> list[Triple]:
    """Every (subject, verb, object) of `doc` by the extended rule (module docstring)."""
    out: list[Triple] = []
    for verb in doc:
        if verb.pos_ not in ("VERB", "AUX") or verb.dep_ in ("aux", "auxpass", "xcomp"):
            continue
        if verb.lemma_ == "be":  # a copula links, it takes no object
            continue
        out.extend(_clause(verb, _subjects(verb), []))
    return out


def map_rule_svo(doc: Doc | Span) -> list[Triple]:
    """The map's rule alone: per sentence, ROOT -> an nsubj among its lefts -> a dobj
    among its rights, one triple (subject, ROOT's lemma, object) or none."""
    out: list[Triple] = []
    for sent in doc.sents:
        root = sent.root
        subj = [t for t in root.lefts if t.dep_ == "nsubj"]
        obj = [t for t in root.rights if t.dep_ == "dobj"]
        if subj and obj:
            out.append(
                Triple(_core(subj[0]), (root,), _core(obj[0]), root.lemma_.lower(), rule="map")
            )
    return out


@dataclass(frozen=True)
class SvoScore:
    """Micro-averaged precision = tp / predicted, recall = tp / expected, F1 their harmonic
    mean; a triple matches when its three texts are equal (case-insensitive)."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    expected: int


def _key(t: Sequence[str]) -> tuple[str, ...]:
    return tuple(" ".join(x.lower().split()) for x in t)


def score_triples(
    predicted: Sequence[Sequence[Sequence[str]]], expected: Sequence[Sequence[Sequence[str]]]
) -> SvoScore:
    """Score per-sentence lists of text triples against the expected ones (multisets)."""
    tp = n_pred = n_gold = 0
    for pred, gold in zip(predicted, expected, strict=True):
        p, g = Counter(map(_key, pred)), Counter(map(_key, gold))
        tp += sum((p & g).values())
        n_pred += sum(p.values())
        n_gold += sum(g.values())
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return SvoScore(precision, recall, f1, tp, n_pred, n_gold)
