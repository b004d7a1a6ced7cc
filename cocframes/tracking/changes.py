"""Events as a frame: the stored ``events`` rows, or the changes of one pass, with the
:data:`~cocframes.frames.specs.CHANGES` columns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cocframes.frames.history import build_changes

from .store import Detected, event_row

if TYPE_CHECKING:
    import pandas as pd


def frame_of_rows(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """Return the changes frame of stored event rows ``(id, time_from, time_to, kind, clan,
    player, field, old, new, delta)`` (built column by column: a season's events at once)."""
    import numpy as np
    import pandas as pd

    if not rows:
        return build_changes([])
    _, time_from, time_to, *texts = zip(*rows, strict=True)
    columns: dict[str, Any] = dict(zip(("kind", "clan", "player", "field", "old", "new",
                                        "delta"), texts, strict=True))
    for name, stamps in (("time_from", time_from), ("time_to", time_to)):
        seconds = np.array([np.nan if t is None else t for t in stamps], dtype="float64")
        nanoseconds = np.where(np.isnan(seconds), np.iinfo("int64").min,  # NaT
                               np.round(seconds * 1e9)).astype("int64")
        columns[name] = pd.DatetimeIndex(nanoseconds.view("M8[ns]")).tz_localize("UTC").array
    columns = {k: list(v) if isinstance(v, tuple) else v for k, v in columns.items()}
    return build_changes(columns)


def frame_of_detected(found: Iterable[Detected]) -> pd.DataFrame:
    """Return the changes frame of events just detected (before or after storing): the same
    rows as the ``events`` table holds."""
    return frame_of_rows([(None, *event_row(d)) for d in found])


def as_seconds(moment: datetime | str | pd.Timestamp | None, name: str) -> float | None:
    """Return a bound given as a datetime, a pandas Timestamp or an ISO string (UTC when no
    zone is given) as UNIX seconds, or ``None``.

    Raises:
        ValueError: ``moment`` is not a time (the message names the argument).
    """
    if moment is None:
        return None
    import pandas as pd

    try:
        stamp = pd.Timestamp(moment)
    except (ValueError, TypeError):
        raise ValueError(f"{name}={moment!r} is not a time; give a datetime or an ISO "
                         "string such as '2026-03-01' or '2026-03-01T05:00Z'") from None
    if stamp is pd.NaT:
        raise ValueError(f"{name}={moment!r} is not a time")
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.timestamp()
