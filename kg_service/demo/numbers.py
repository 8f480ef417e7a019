"""Number formatting and random helpers shared by the demo writers (vectorised with numpy and polars).

The S-DoT files were saved by a spreadsheet program: every number is written the way Excel's *General*
format writes it, with at most 10 significant digits counting the integer part (``12.13333333``,
``0.074666667``, ``10486.71429``), trailing zeros dropped (``13``, ``70.7``) and no thousands separator.
:func:`excel_general` reproduces that for whole columns at once.
"""

from __future__ import annotations

import zlib
from typing import Final

import numpy as np
import polars as pl
from numpy.typing import NDArray

__all__ = ["EXCEL_DIGITS", "excel_general", "fixed_decimals", "quantised_mean", "rng_for"]

#: Digits Excel's General format keeps, counting the integer part.
EXCEL_DIGITS: Final = 10


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """An independent random generator for one named stream of one seed.

    Each file draws from its own stream, so changing one writer never changes another file's bytes.

    >>> float(rng_for(1, "a").random()) == float(rng_for(1, "a").random())
    True
    >>> float(rng_for(1, "a").random()) == float(rng_for(1, "b").random())
    False
    """
    return np.random.default_rng([seed, zlib.crc32(stream.encode("utf-8"))])


def excel_general(values: NDArray[np.float64]) -> pl.Series:
    """Format numbers as Excel's General format writes them into CSV; NaN becomes null (an empty cell).

    >>> excel_general(np.array([12.133333333333, 13.0, 0.0746666666, 10486.714285714, -16.464285714,
    ...                         70.7, np.nan, 0.0])).to_list()
    ['12.13333333', '13', '0.074666667', '10486.71429', '-16.46428571', '70.7', None, '0']
    """
    magnitude = np.abs(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        integer_digits = np.where(
            magnitude >= 1, np.floor(np.log10(np.where(magnitude >= 1, magnitude, 1))) + 1, 1
        )
    decimals = np.clip(EXCEL_DIGITS - integer_digits, 0, EXCEL_DIGITS - 1)
    scale = np.power(10.0, decimals)
    # An integer divided by an exact power of ten is the double nearest the decimal, whose shortest
    # representation (what polars writes) is that decimal. Adding 0.0 turns -0.0 into 0.0.
    rounded = np.round(values * scale) / scale + 0.0
    return pl.Series(rounded, nan_to_null=True).cast(pl.Utf8).str.strip_suffix(".0")


def fixed_decimals(values: NDArray[np.float64], decimals: int) -> pl.Series:
    """Round to ``decimals`` places and write as Python would (``21.0``, ``0.06``); ``0`` gives integers.

    >>> fixed_decimals(np.array([21.84, 1.0, np.nan, 56.4]), 1).to_list()
    ['21.8', '1.0', None, '56.4']
    >>> fixed_decimals(np.array([56.4, 4.0]), 0).to_list()
    ['56', '4']
    """
    series = pl.Series(np.round(values, decimals) + 0.0, nan_to_null=True)
    if decimals == 0:
        return series.cast(pl.Int64).cast(pl.Utf8)
    return series.cast(pl.Utf8)


def quantised_mean(
    values: NDArray[np.float64], samples: NDArray[np.int64], resolution: float
) -> NDArray[np.float64]:
    """The hourly mean of ``samples`` readings of resolution ``resolution`` near ``values``.

    Real hourly averages are means of 2-minute readings (up to 30 an hour), so they are multiples of
    ``resolution / samples`` (``364/30 = 12.1333…``). This gives the generated values the same texture.

    >>> quantised_mean(np.array([12.13, 7.9]), np.array([30, 30]), 1.0).round(6).tolist()
    [12.133333, 7.9]
    """
    return np.round(values * samples / resolution) * resolution / samples
