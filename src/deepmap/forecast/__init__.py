"""Time-series forecasting (the map's "Time Series Forecasting"): real series, the
chronological split, the train-only scaler, SEQ_LEN from the ACF, LSTM/GRU against naive,
seasonal naive, Naive2 and ETS with M4's metrics, and the look-ahead bias of shuffling.

Modules: data (series), functional (split, ACF, windows, metrics), models (baselines,
ETS), nets (the torch Forecaster), lab (a run), report (files and the figure).
"""

from deepmap.forecast.data import SERIES, Series, load_series
from deepmap.forecast.lab import ForecastConfig, prepare, run_forecast

__all__ = ["SERIES", "ForecastConfig", "Series", "load_series", "prepare", "run_forecast"]
