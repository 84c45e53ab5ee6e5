"""`deepmap ladder`: measure candidate representations side by side and recommend one.

The rungs are rows of one table (`deepmap.ladder.rungs.RUNG_TABLE`); the classifiers they
use live in `deepmap.classify`. `run_ladder(LadderConfig(...))` is the whole run (checks,
data, rungs, outputs); `run_text_ladder(corpus, names)` measures rungs on a loaded corpus.
"""

from deepmap.classify import NBSVM, EmbeddingMean, FastTextClassifier, LinearClassifier
from deepmap.ladder.config import LadderConfig
from deepmap.ladder.run import LadderRun, run_ladder
from deepmap.ladder.rungs import (
    DEFAULT_RUNGS,
    RUNG_TABLE,
    RUNGS,
    Rung,
    RungSpec,
    Step,
    get_rung,
    register_rung,
)
from deepmap.ladder.runner import LadderResult, RungResult, run_text_ladder

__all__ = [
    "DEFAULT_RUNGS",
    "NBSVM",
    "RUNGS",
    "RUNG_TABLE",
    "EmbeddingMean",
    "FastTextClassifier",
    "LadderConfig",
    "LadderResult",
    "LadderRun",
    "LinearClassifier",
    "Rung",
    "RungResult",
    "RungSpec",
    "Step",
    "get_rung",
    "register_rung",
    "run_ladder",
    "run_text_ladder",
]
