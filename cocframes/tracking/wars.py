"""The war history: every attack of every stored war of a clan, and the attacks not made."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cocframes.frames.history import build_war_history

from . import parts as _parts
from .runs import current_parts
from .store import HistoryStore
from .times import utc

if TYPE_CHECKING:
    import pandas as pd

SIDES = ("clan", "opponent")


@dataclass(frozen=True)
class StoredWar:
    """One row of the ``wars`` table with the war's latest stored payload."""

    war_id: str
    war_type: str
    war_tag: str | None
    preparation_start: float | None
    start: float | None
    end: float | None
    final: bool
    payload: dict[str, Any]

    @property
    def attacks_per_member(self) -> int:
        """Attacks each member may make: 1 in CWL, else the war's ``attacksPerMember``."""
        if self.war_type == "cwl":
            return 1
        return int(self.payload.get("attacksPerMember") or 2)


def stored_wars(store: HistoryStore, clan: str, since: float | None = None,
                until: float | None = None) -> list[StoredWar]:
    """Return the stored wars of ``clan`` (preparation start in ``[since, until)`` when
    given), oldest first, each with its latest payload (two queries)."""
    sql = ("SELECT war_id, war_type, war_tag, preparation_start, start, end, final "
           "FROM wars WHERE clan = ?")
    args: list[Any] = [clan]
    if since is not None:
        sql += " AND preparation_start >= ?"
        args.append(since)
    if until is not None:
        sql += " AND preparation_start < ?"
        args.append(until)
    rows = store.rows(sql + " ORDER BY preparation_start, war_id", args)
    payloads = current_parts(store, "war", [r[0] for r in rows])
    return [StoredWar(war_id, war_type, war_tag, prep, start, end, bool(final),
                      _parts.join("war", payloads.get(war_id, {})))
            for war_id, war_type, war_tag, prep, start, end, final in rows]


def sides(payload: Mapping[str, Any], clan: str) -> dict[str, Mapping[str, Any]]:
    """Return ``{"clan": the watched clan's side, "opponent": the other}`` of a war payload
    (the watched clan may be the payload's ``opponent`` in a CWL war)."""
    first, second = payload.get("clan") or {}, payload.get("opponent") or {}
    if second.get("tag") == clan and first.get("tag") != clan:
        first, second = second, first
    return {"clan": first, "opponent": second}


def members(side: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the members of one side of a war payload."""
    return [m for m in side.get("members") or () if isinstance(m, Mapping)]


def attacks_of(member: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the attacks a war member made."""
    return [a for a in member.get("attacks") or () if isinstance(a, Mapping)]


def new_stars(attacks: Iterable[Mapping[str, Any]]) -> dict[int, int]:
    """Return ``order -> new stars`` for the attacks of one war (both sides): the stars an
    attack won over the best earlier attack (by ``order``) on the same defender."""
    best: dict[Any, int] = {}
    out: dict[int, int] = {}
    for attack in sorted(attacks, key=lambda a: a.get("order") or 0):
        defender, stars = attack.get("defenderTag"), attack.get("stars") or 0
        out[attack.get("order")] = max(0, stars - best.get(defender, 0))
        best[defender] = max(best.get(defender, 0), stars)
    return out


def war_new_stars(payload: Mapping[str, Any]) -> dict[int, int]:
    """Return ``order -> new stars`` of every attack of a war payload."""
    return new_stars(a for side in SIDES for m in members(payload.get(side) or {})
                     for a in attacks_of(m))


def _war_columns(war: StoredWar, clan: str, opponent: Mapping[str, Any]) -> dict[str, Any]:
    return {"war_id": war.war_id, "war_type": war.war_type, "war_tag": war.war_tag,
            "clan": clan, "opponent": opponent.get("tag"),
            "opponent_name": opponent.get("name"),
            "preparation_start": _time(war.preparation_start), "start": _time(war.start),
            "end": _time(war.end), "final": war.final}


def _time(stamp: float | None) -> Any:
    return None if stamp is None else utc(stamp)


def war_rows(war: StoredWar, clan: str) -> Iterator[dict[str, Any]]:
    """Yield the records of one war: one per attack (by order), then one per attack not made
    when the war is final."""
    by_side = sides(war.payload, clan)
    common = _war_columns(war, clan, by_side["opponent"])
    everyone = {m.get("tag"): m for s in by_side.values() for m in members(s)}
    gained = war_new_stars(war.payload)
    made, missed = [], []
    for side, body in by_side.items():
        for member in members(body):
            attacker = {"side": side, "attacker_tag": member.get("tag"),
                        "attacker_name": member.get("name"),
                        "attacker_town_hall": member.get("townhallLevel"),
                        "attacker_position": member.get("mapPosition")}
            attacks = attacks_of(member)
            for attack in attacks:
                defender = everyone.get(attack.get("defenderTag")) or {}
                made.append({**common, **attacker, "defender_tag": attack.get("defenderTag"),
                             "defender_town_hall": defender.get("townhallLevel"),
                             "defender_position": defender.get("mapPosition"),
                             "order": attack.get("order"), "stars": attack.get("stars"),
                             "destruction": attack.get("destructionPercentage"),
                             "new_stars": gained.get(attack.get("order")),
                             "duration": attack.get("duration"), "missed": False})
            if war.final:
                left = war.attacks_per_member - len(attacks)
                missed += [{**common, **attacker, "missed": True}] * max(0, left)
    made.sort(key=lambda r: r["order"] or 0)
    yield from made
    yield from missed


def war_history_frame(store: HistoryStore, clan: str) -> pd.DataFrame:
    """Return the war history of ``clan`` (a normalised tag): one row per attack of every
    stored war, both sides, and one ``missed`` row per attack not made in a final war."""
    return build_war_history(
        [row for war in stored_wars(store, clan) for row in war_rows(war, clan)])
