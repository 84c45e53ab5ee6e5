"""deepmap.train: the Accelerate training loop shared by the PyTorch labs."""

from deepmap.train.loop import History, TrainConfig, evaluate, fit, predict

__all__ = ["History", "TrainConfig", "evaluate", "fit", "predict"]
