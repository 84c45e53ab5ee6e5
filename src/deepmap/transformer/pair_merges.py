"""The merge loop BPE and WordPiece trainers share: count adjacent pairs, merge the best one.

A corpus is a table of distinct words (each a tuple of token ids) with their counts. One
step picks the best adjacent pair (a, b), appends the new token ab to the vocabulary and
rewrites every word that holds it, left to right, non-overlapping ("a a a" -> "aa a").

Scores:
- frequency   (BPE, and Hugging Face's WordPieceTrainer): score(a, b) = count(a, b)
- likelihood  (WordPiece as described by Schuster & Nakajima 2012 and the HF course):
              score(a, b) = count(a, b) / (count(a) * count(b)), token counts over the corpus

Tie-break (stated, and the same as HF tokenizers' BpeTrainer): among pairs with the same
score the pair with the smaller (id(a), id(b)) wins, ids in vocabulary order. With the
likelihood score, scores are Python floats: two ratios equal in exact arithmetic but
rounded differently count as different.

Speed: pair counts are updated incrementally. Only the words that hold the merged pair are
rewritten (an index pair -> words finds them); their old pairs are subtracted and new ones
added. A max-heap with lazy invalidation holds candidates: an entry whose stored score is
no longer the pair's current score is dropped when popped. For the likelihood score every
pair touching a, b or ab gets a fresh entry after a merge (their denominators changed).
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Callable
from typing import Literal

__all__ = ["Score", "learn_merges"]

Score = Literal["frequency", "likelihood"]


def _merge_word(word: tuple[int, ...], a: int, b: int, new: int) -> tuple[int, ...]:
    out: list[int] = []
    i, n = 0, len(word)
    while i < n:
        if i < n - 1 and word[i] == a and word[i + 1] == b:
            out.append(new)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


def learn_merges(
    words: list[tuple[int, ...]],
    counts: list[int],
    n_tokens: int,
    max_merges: int,
    new_token: Callable[[int, int], int],
    *,
    score: Score = "frequency",
    min_frequency: int = 0,
) -> list[tuple[int, int, int]]:
    """Learn up to `max_merges` merges over `words` (each counted `counts[i]` times).

    n_tokens: the vocabulary size before training (ids 0..n_tokens-1 are taken).
    new_token(a, b): called once per merge with the winning pair; returns the id of the
    merged token (a fresh id, or an existing one when the same string was formed before:
    then the vocabulary does not grow, as in HF's trainer). The caller counts the
    vocabulary and stops by returning -1 (no merge is recorded).
    min_frequency: a pair seen fewer times than this is never merged.
    Returns the merges in order: (a, b, id of ab).
    """
    words = list(words)
    pair_count: dict[tuple[int, int], int] = defaultdict(int)
    where: dict[tuple[int, int], set[int]] = defaultdict(set)
    tok_count: dict[int, int] = defaultdict(int)
    by_token: dict[int, set[tuple[int, int]]] = defaultdict(set)
    likelihood = score == "likelihood"
    for i, (w, c) in enumerate(zip(words, counts, strict=True)):
        for t in w:
            tok_count[t] += c
        for p in itertools.pairwise(w):
            pair_count[p] += c
            where[p].add(i)
            if likelihood:
                by_token[p[0]].add(p)
                by_token[p[1]].add(p)

    def value(p: tuple[int, int]) -> float:
        n = pair_count.get(p, 0)
        if not likelihood or n <= 0:
            return float(n)
        return n / (tok_count[p[0]] * tok_count[p[1]])

    heap = [(-value(p), p) for p, n in pair_count.items() if n > 0]
    heapq.heapify(heap)
    merges: list[tuple[int, int, int]] = []
    while heap and len(merges) < max_merges:
        neg, p = heapq.heappop(heap)
        current = value(p)
        if -neg != current:  # stale: the pair's score changed since this entry was pushed
            if pair_count.get(p, 0) > 0:
                heapq.heappush(heap, (-current, p))
            continue
        if pair_count[p] <= 0 or pair_count[p] < min_frequency:
            break
        a, b = p
        new = new_token(a, b)
        if new < 0:
            break
        merges.append((a, b, new))
        touched: set[tuple[int, int]] = set()
        for i in sorted(where.pop(p, ())):
            old = words[i]
            w = _merge_word(old, a, b, new)
            if w == old:
                continue
            c = counts[i]
            words[i] = w
            for q in itertools.pairwise(old):
                pair_count[q] -= c
                touched.add(q)
            for q in itertools.pairwise(w):
                pair_count[q] += c
                where[q].add(i)
                touched.add(q)
                if likelihood:
                    by_token[q[0]].add(q)
                    by_token[q[1]].add(q)
            for t in old:
                tok_count[t] -= c
            for t in w:
                tok_count[t] += c
        pair_count.pop(p, None)
        if likelihood:
            touched |= by_token[a] | by_token[b] | by_token[new]
        for q in touched:
            if pair_count.get(q, 0) > 0:
                heapq.heappush(heap, (-value(q), q))
    return merges
