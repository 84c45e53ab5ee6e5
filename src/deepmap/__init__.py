"""deepmap: the deep-learning and NLP course map as software that runs."""

__version__ = "0.1.0"
__all__ = ["__version__"]
