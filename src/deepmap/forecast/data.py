"""The series `deepmap forecast` reads: four real ones shipped in statsmodels and pmdarima,
or a user CSV.

    name      what                                   points  step     season m
    co2       Mauna Loa CO2 (ppm), 1958-2001         2,284   weekly   52 (a year)
    sunspots  yearly sunspot activity, 1700-2008       309   yearly   11 (the solar cycle)
    airline   international airline passengers        144   monthly  12 (a year)
    msft      Microsoft daily close, 1986-2017       7,983   daily     5 (a trading week)

`m` is the period seasonal naive, MASE and Naive2 use, and the unit of the SEQ_LEN clip.
Where we differ from M4: M4 used m = 1 for yearly, weekly and daily series; we take the
cycle a forecaster would use (52 weeks, 11 years, 5 trading days) so that seasonal naive
is not the same model as naive. co2 has 59 missing weeks: they are filled by linear
interpolation between the neighbouring weeks (pandas `interpolate`), before anything else.

A user CSV (`--data PATH`): UTF-8, a header row, one numeric column (`--column`, needed when
there are several), optionally a date column (`--date-column`, used for the plot only;
rows must already be in time order). Any empty, NaN or non-numeric cell is refused with
its row number: a forecaster must not silently skip time steps.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deepmap.errors import DataError, InputError
from deepmap.validate import short

__all__ = ["SERIES", "Series", "load_series", "read_csv_series"]


@dataclass
class Series:
    """A univariate series in time order: `values` (n,), float64; `m` its season length."""

    name: str
    values: np.ndarray
    m: int
    step: str
    source: str
    dates: list[str] = field(default_factory=list)
    note: str = ""
    path: Path | None = None


def _co2() -> Series:
    import statsmodels.api as sm

    s = sm.datasets.co2.load_pandas().data["co2"]
    gaps = int(s.isna().sum())
    s = s.interpolate(method="linear")
    return Series("co2", s.to_numpy(float), 52, "weekly", "statsmodels.datasets.co2",
                  [str(d.date()) for d in s.index],
                  f"{gaps} missing weeks filled by linear interpolation")  # fmt: skip


def _sunspots() -> Series:
    import statsmodels.api as sm

    d = sm.datasets.sunspots.load_pandas().data
    return Series("sunspots", d["SUNACTIVITY"].to_numpy(float), 11, "yearly",
                  "statsmodels.datasets.sunspots", [str(int(y)) for y in d["YEAR"]])  # fmt: skip


def _airline() -> Series:
    import pmdarima.datasets as pmd

    y = np.asarray(pmd.load_airpassengers(as_series=False), dtype=float)
    dates = [f"{1949 + i // 12}-{i % 12 + 1:02d}" for i in range(len(y))]
    return Series("airline", y, 12, "monthly", "pmdarima.datasets.load_airpassengers", dates)


def _msft() -> Series:
    import pmdarima.datasets as pmd

    d = pmd.load_msft()
    return Series("msft", d["Close"].to_numpy(float), 5, "daily (trading days)",
                  "pmdarima.datasets.load_msft (Close)", [str(x) for x in d["Date"]])  # fmt: skip


SERIES: dict[str, Callable[[], Series]] = {
    "co2": _co2,
    "sunspots": _sunspots,
    "airline": _airline,
    "msft": _msft,
}


def _number(text: str, where: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise DataError(f"{where}: {short(text, 30)!r} is not a number.") from None
    if not math.isfinite(v):
        raise DataError(f"{where}: {short(text, 30)!r} is not a finite number (NaN or inf).")
    return v


def read_csv_series(
    path: str | Path, column: str | None = None, date_column: str | None = None, m: int = 1
) -> Series:
    """One numeric column of a CSV file, in file order; DataError naming file, column, row."""
    p = Path(path)
    where = short(str(p), 120)
    if not p.is_file():
        raise DataError(f"--data {where}: no such file (or a folder); give a CSV file or "
                        f"one of {', '.join(SERIES)}.")  # fmt: skip
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"{where}: not UTF-8 text (byte {e.start}).") from None
    except OSError as e:
        raise DataError(f"{where}: cannot be read ({short(str(e), 60)}).") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(c.strip() for c in rows[0]):
        raise DataError(f"{where}: empty file (expected a header row and one value per row).")
    header = [c.strip() for c in rows[0]]
    if column is None:
        others = [h for h in header if h != date_column]
        if len(others) != 1:
            raise InputError(f"{where} has columns {short(', '.join(header), 80)}: "
                             "choose one with --column.")  # fmt: skip
        column = others[0]
    for flag, name in (("--column", column), ("--date-column", date_column)):
        if name is not None and name not in header:
            raise DataError(f"{where}: no column {short(name, 40)!r} ({flag}); the columns "
                            f"are {short(', '.join(header), 80)}.")  # fmt: skip
    j = header.index(column)
    k = header.index(date_column) if date_column is not None else None
    values, dates = [], []
    for i, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        cell = row[j].strip() if j < len(row) else ""
        spot = f"{where} row {i} column {short(column, 40)!r}"
        if cell == "":
            raise DataError(f"{spot}: empty cell (a missing time step).")
        values.append(_number(cell, spot))
        if k is not None:
            dates.append(row[k].strip() if k < len(row) else "")
    if not values:
        raise DataError(f"{where}: column {short(column, 40)!r} has no values.")
    return Series(p.stem, np.asarray(values, dtype=float), m, "rows", f"CSV {where}",
                  dates, path=p)  # fmt: skip


def load_series(
    data: str, column: str | None = None, date_column: str | None = None, m: int | None = None
) -> Series:
    """A named series (SERIES) or a CSV path; `m` overrides the season length."""
    if data in SERIES:
        if column is not None or date_column is not None:
            raise InputError(f"--column / --date-column are for a CSV file, not {data!r}.")
        s = SERIES[data]()
        if m is not None:
            s.m = m
        return s
    if not data.strip():
        raise InputError(f"--data '': give one of {', '.join(SERIES)} or a CSV path.")
    if not Path(data).exists() and not data.lower().endswith((".csv", ".txt")):
        raise InputError(f"--data {short(data, 60)!r}: not a series name ({', '.join(SERIES)}) "
                         "nor an existing CSV file.")  # fmt: skip
    return read_csv_series(data, column, date_column, 1 if m is None else m)
