"""`deepmap verify`: the map's claims, each computed by deepmap and checked against the
library people use in production, or measured by a benchmark and read from its
results.json. Every module that registers claims is listed here."""

from __future__ import annotations

from deepmap.verify.measured import MeasuredClaim, Ratio, Within, results_folder
from deepmap.verify.registry import Claim, ClaimResult, check_claims

__all__ = [
    "Claim",
    "ClaimResult",
    "MeasuredClaim",
    "Ratio",
    "Within",
    "all_claims",
    "check_claims",
    "find_claim",
    "results_folder",
    "select_claims",
]


def all_claims() -> list[Claim | MeasuredClaim]:
    """Every registered claim, in the order of the map."""
    from deepmap.verify import (
        bert_claims,
        calc_claims,
        embed_claims,
        forecast_claims,
        ladder_claims,
        lemma_claims,
        llm_claims,
        lora_claims,
        parse_claims,
        pos_claims,
        rag_claims,
        scratch_claims,
        sequence_claims,
        spacy_claims,
        stem_claims,
        text_claims,
        tokenizer_claims,
        transformer_claims,
        vision_claims,
    )

    modules = [calc_claims, scratch_claims, text_claims, embed_claims, vision_claims]
    modules += [ladder_claims, stem_claims, lemma_claims, pos_claims, parse_claims, spacy_claims]
    modules += [transformer_claims]
    modules += [lora_claims]
    modules += [forecast_claims]
    modules += [rag_claims]
    modules += [tokenizer_claims]
    modules += [sequence_claims]
    modules += [bert_claims]
    modules += [llm_claims]
    claims = [c for m in modules for c in m.CLAIMS]
    ids = [c.id for c in claims]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RuntimeError(f"claim ids registered twice: {sorted(dupes)}")
    return claims


def find_claim(claim_id: str, claims: list | None = None) -> Claim | MeasuredClaim:
    """The claim with this id; InputError naming the closest ids when there is none."""
    import difflib

    from deepmap.errors import InputError
    from deepmap.validate import short

    claims = all_claims() if claims is None else claims
    for c in claims:
        if c.id == claim_id:
            return c
    ids = [c.id for c in claims]
    close = difflib.get_close_matches(claim_id, ids, n=3, cutoff=0.5)
    close += [i for i in ids if claim_id and claim_id in i and i not in close][: 3 - len(close)]
    hint = f"; close: {', '.join(close)}" if close else "; `deepmap verify` lists them"
    raise InputError(f"--claim {short(claim_id, 40)!r}: no such claim{hint}.")


def select_claims(*, only: str = "", claim: str = "") -> list[Claim | MeasuredClaim]:
    """The claims `deepmap verify` checks: all, those whose id starts with `only`, or the one
    named `claim`. InputError when both are given or nothing matches."""
    from deepmap.errors import InputError
    from deepmap.validate import short

    if claim and only:
        raise InputError("--claim and --only: give one or the other.")
    claims = all_claims()
    if claim:
        return [find_claim(claim, claims)]
    chosen = [c for c in claims if c.id.startswith(only)]
    if not chosen:
        starts = sorted({c.id.split(".")[0] + "." for c in claims})
        raise InputError(
            f"--only {short(only, 40)!r}: no claim id starts with it; "
            f"ids start with {', '.join(starts)}."
        )
    return chosen
