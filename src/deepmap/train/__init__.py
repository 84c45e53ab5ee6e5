"""deepmap.train: the one training loop (on Accelerate) every PyTorch lab uses.

`fit` trains any model with a `TrainTask` (classification, Hugging Face dict batches, a
recurrent state carried between batches), any optimizer and scheduler, a budget in epochs
or steps, EarlyStopping, and checkpoints that resume exactly. Importing this package does
not import torch.
"""

from deepmap.train.config import TrainConfig
from deepmap.train.early_stopping import EarlyStopping
from deepmap.train.loop import History, evaluate, fit, predict
from deepmap.train.schedules import adamw, adamw_warmup_cosine, warmup_cosine
from deepmap.train.tasks import Classification, HFTask, Recurrent, TrainTask

__all__ = [
    "Classification",
    "EarlyStopping",
    "HFTask",
    "History",
    "Recurrent",
    "TrainConfig",
    "TrainTask",
    "adamw",
    "adamw_warmup_cosine",
    "evaluate",
    "fit",
    "predict",
    "warmup_cosine",
]
