"""`deepmap ladder`: measure candidate representations side by side and recommend one."""

from deepmap.ladder import embedding_rungs as _embedding_rungs  # noqa: F401  (registers)
from deepmap.ladder import fasttext_rung as _fasttext_rung  # noqa: F401  (registers)
from deepmap.ladder.rungs import DEFAULT_RUNGS, NBSVM, RUNGS, Rung, get_rung, register_rung
from deepmap.ladder.runner import LadderResult, RungResult, run_text_ladder

__all__ = [
    "DEFAULT_RUNGS",
    "NBSVM",
    "RUNGS",
    "LadderResult",
    "Rung",
    "RungResult",
    "get_rung",
    "register_rung",
    "run_text_ladder",
]
