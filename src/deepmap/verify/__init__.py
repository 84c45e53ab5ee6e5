"""`deepmap verify`: the map's claims, each computed by deepmap and checked against the
library people use in production. Every module that registers claims is listed here."""

from __future__ import annotations

from deepmap.verify.registry import Claim, ClaimResult, check_claims

__all__ = ["Claim", "ClaimResult", "all_claims", "check_claims"]


def all_claims() -> list[Claim]:
    """Every registered claim, in the order of the map."""
    from deepmap.verify import (
        calc_claims,
        embed_claims,
        scratch_claims,
        text_claims,
        vision_claims,
    )

    modules = [calc_claims, scratch_claims, text_claims, embed_claims, vision_claims]
    claims = [c for m in modules for c in m.CLAIMS]
    ids = [c.id for c in claims]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RuntimeError(f"claim ids registered twice: {sorted(dupes)}")
    return claims
