"""The tidy history: one row per player, metric and time its stored value changed."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from cocframes.frames.history import build_history

from .parts import CORE
from .runs import GAMES_CHAMPION, Run, last_seen, read_runs
from .store import HistoryStore
from .times import utc

if TYPE_CHECKING:
    import pandas as pd

#: Metrics read from the clans' member entries: metric -> member-list field.
ENTRY_METRICS = {"donations": "donations", "received": "donationsReceived",
                 "trophies": "trophies", "builder_base_trophies": "builderBaseTrophies",
                 "exp_level": "expLevel"}
#: Metrics read from the player profiles: metric -> profile field.
PROFILE_METRICS = {"war_stars": "warStars", "attack_wins": "attackWins",
                   "defense_wins": "defenseWins", "capital_gold": "clanCapitalContributions"}
ACHIEVEMENT_METRICS = {"clan_games": GAMES_CHAMPION}
METRICS = (*ENTRY_METRICS, *PROFILE_METRICS, *ACHIEVEMENT_METRICS)


def check_metrics(metrics: str | Iterable[str] | None) -> list[str]:
    """Return the metrics asked for (all with ``None``).

    Raises:
        ValueError: an unknown metric (the message lists the known ones).
    """
    if metrics is None:
        return list(METRICS)
    asked = [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = [m for m in asked if m not in METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {', '.join(map(repr, unknown))}; known metrics: "
                         + ", ".join(METRICS))
    return list(dict.fromkeys(asked))


def _changes(runs: Sequence[Run], read: Any, since: float | None) -> Iterator[tuple[Run, Any]]:
    """Yield ``(run, value)`` for each run (of one part, in time order) whose value differs
    from the run before it, starting at or after ``since``."""
    previous: Any = object()
    for run in runs:
        value = read(run.value)
        if value != previous and value is not None and (since is None or run.start >= since):
            yield run, value
        previous = value


def _by_part(runs: Iterable[Run]) -> dict[tuple[str, str], list[Run]]:
    out: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        out.setdefault((run.key, run.part), []).append(run)
    return out


def _entry_rows(store: HistoryStore, clan: str | None, player: str | None, metrics: list[str],
                since: float | None, until: float | None) -> list[dict[str, Any]]:
    wanted = [m for m in metrics if m in ENTRY_METRICS]
    if not wanted:
        return []
    runs = read_runs(store, "clan", keys=None if clan is None else [clan],
                     part=None if player is None else f"memberList/{player}",
                     prefix="memberList" if player is None else None, since=since, until=until)
    rows = []
    for (key, part), series in _by_part(runs).items():
        tag = part.partition("/")[2]
        for metric in wanted:
            name = ENTRY_METRICS[metric]
            for run, value in _changes(series, lambda v, n=name: v.get(n), since):
                rows.append({"time": run.start, "clan": key, "player": tag,
                             "name": run.value.get("name"), "metric": metric, "value": value})
    return rows


def _profile_rows(store: HistoryStore, clan: str | None, player: str | None,
                  metrics: list[str], since: float | None,
                  until: float | None) -> list[dict[str, Any]]:
    wanted = [m for m in metrics if m not in ENTRY_METRICS]
    if not wanted:
        return []
    keys = None if player is None else [player]
    cores = _by_part(read_runs(store, "player", keys=keys, part=CORE, since=since,
                                  until=until))
    clans = set(last_seen(store, "clan"))
    rows = []
    for (tag, _), series in cores.items():
        starts = [r.start for r in series]

        def profile_at(time: float, series: list[Run] = series,
                       starts: list[float] = starts) -> dict[str, Any]:
            return series[max(0, bisect.bisect_right(starts, time) - 1)].value

        sources = {m: (series, PROFILE_METRICS[m]) for m in wanted if m in PROFILE_METRICS}
        if "clan_games" in wanted:
            games = read_runs(store, "player", keys=[tag], part=GAMES_CHAMPION, since=since,
                              until=until)
            sources["clan_games"] = (games, "value")
        for metric, (runs, name) in sources.items():
            for run, value in _changes(runs, lambda v, n=name: v.get(n), since):
                profile = profile_at(run.start)
                home = (profile.get("clan") or {}).get("tag")
                home = home if home in clans else None
                if clan is not None and home != clan:
                    continue
                rows.append({"time": run.start, "clan": home, "player": tag,
                             "name": profile.get("name"), "metric": metric, "value": value})
    return rows


def history_frame(store: HistoryStore, clan: str | None = None, player: str | None = None,
                  metrics: str | Iterable[str] | None = None, since: float | None = None,
                  until: float | None = None) -> pd.DataFrame:
    """Return the tidy series of ``metrics`` (all with ``None``) of the members of ``clan``
    and/or of ``player`` (normalised tags; everyone stored when both are ``None``): one row
    per player, metric and time the value changed, within ``[since, until)``, oldest first.

    Raises:
        ValueError: an unknown metric.
    """
    wanted = check_metrics(metrics)
    rows = (_entry_rows(store, clan, player, wanted, since, until)
            + _profile_rows(store, clan, player, wanted, since, until))
    rows.sort(key=lambda r: (r["time"], r["player"], METRICS.index(r["metric"])))
    for row in rows:
        row["time"] = utc(row["time"])
    return build_history(rows)
