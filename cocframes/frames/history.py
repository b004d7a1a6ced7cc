"""Builders of the history frames: rows computed from the history file in, frames out.

The history package (:mod:`cocframes.tracking`) reads the file and computes one record per row
(a dict keyed by column name, times as UTC datetimes); these builders fix the columns and
dtypes declared in :mod:`cocframes.frames.specs`. No I/O here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cocframes.frames import specs
from cocframes.frames._columns import documented

if TYPE_CHECKING:
    import pandas as pd

Records = Iterable[Mapping[str, Any]]


@documented(specs.CHANGES)
def build_changes(records: Records) -> pd.DataFrame:
    """Return the changes frame: one row per change between two stored snapshots."""
    return specs.CHANGES.build(records)


@documented(specs.SEASON)
def build_season(records: Records) -> pd.DataFrame:
    """Return the season frame: one row per member who was in the clan during the season."""
    return specs.SEASON.build(records)


@documented(specs.WAR_HISTORY)
def build_war_history(records: Records) -> pd.DataFrame:
    """Return the war history frame: one row per attack (or missed attack) of stored wars."""
    return specs.WAR_HISTORY.build(records)


@documented(specs.LEGEND_DAYS)
def build_legend_days(records: Records) -> pd.DataFrame:
    """Return the legend days frame: one row per legend day of one player."""
    return specs.LEGEND_DAYS.build(records)


@documented(specs.HISTORY)
def build_history(records: Records) -> pd.DataFrame:
    """Return the tidy time series: one row per player, metric and time its value changed."""
    return specs.HISTORY.build(records)
