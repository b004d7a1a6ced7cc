"""How the demo world's clans change on their own: description, labels, settings, war log,
badge, clan level and capital hall (rare, a few times a month per clan)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from . import catalog
from .clans import capital_districts
from .common import clan_badge
from .life import note
from .world import CWL_CLANS, DESCRIPTIONS, MAIN, PRIVATE, WAR_FREQUENCIES

if TYPE_CHECKING:
    from .world import Clan, World

MAX_CLAN_LEVEL = 35
MAX_CAPITAL_HALL = 10
_LABEL_NAMES = dict(catalog.CLAN_LABELS)


def _set(world: World, t: datetime, clan: Clan, attr: str, value: object, kind: str,
         field: str, shown: object = None) -> None:
    """Change one fact of ``clan`` and record it (``shown``: how the history sees it)."""
    old = getattr(clan, attr)
    if old == value:
        return
    setattr(clan, attr, value)
    note(world, t, kind, clan.tag, None, field, old if shown is None else shown[0],
         value if shown is None else shown[1])


def change_clan(world: World, t: datetime, clan: Clan, r) -> None:
    """The clan changes one of its description, labels, settings, war log or badge."""
    what = r.choice(("description", "labels", "setting", "setting", "war_log", "badge"))
    if what == "description":
        _set(world, t, clan, "description", r.choice(DESCRIPTIONS), "clan_description",
             "description")
    elif what == "labels":
        picked = sorted(r.sample([lid for lid, _ in catalog.CLAN_LABELS], r.randint(1, 3)))
        names = (sorted(_LABEL_NAMES[x] for x in clan.labels),
                 sorted(_LABEL_NAMES[x] for x in picked))
        _set(world, t, clan, "labels", picked, "clan_labels", "labels", names)
    elif what == "setting":
        _change_setting(world, t, clan, r)
    elif what == "war_log" and clan.index % 3 != 1 and clan.index not in (MAIN, PRIVATE,
                                                                           *CWL_CLANS):
        # (the war log of a clan whose war 0 had ended decides whether it goes to war)
        _set(world, t, clan, "war_log_public", not clan.war_log_public,
             "clan_war_log_visibility", "isWarLogPublic")
    elif what == "badge":
        old = clan_badge(world.seed, clan)["large"]
        clan.badge_key = f"{clan.tag}@{t.isoformat()}"
        note(world, t, "clan_badge", clan.tag, None, "badgeUrls", old,
             clan_badge(world.seed, clan)["large"])


def _change_setting(world: World, t: datetime, clan: Clan, r) -> None:
    setting = r.choice(("type", "requiredTrophies", "requiredTownhallLevel", "warFrequency",
                        "isFamilyFriendly"))
    if setting == "type":
        _set(world, t, clan, "type", r.choice(("open", "inviteOnly", "closed")),
             "clan_settings", "type")
    elif setting == "requiredTrophies":
        old = clan.required_trophies
        _set(world, t, clan, "required_trophies", r.choice((0, 400, 1000, 2000, 3000)),
             "clan_settings", "requiredTrophies")
        if clan.required_trophies // 2 != old // 2:
            note(world, t, "clan_settings", clan.tag, None, "requiredBuilderBaseTrophies",
                 old // 2, clan.required_trophies // 2)
    elif setting == "requiredTownhallLevel":
        _set(world, t, clan, "required_th", r.choice((1, 9, 11, 13, 14)), "clan_settings",
             "requiredTownhallLevel")
    elif setting == "warFrequency":
        _set(world, t, clan, "war_frequency", r.choice(WAR_FREQUENCIES), "clan_settings",
             "warFrequency")
    else:
        _set(world, t, clan, "family_friendly", not clan.family_friendly, "clan_settings",
             "isFamilyFriendly")


def level_up(world: World, t: datetime, clan: Clan, r) -> None:
    """The clan reaches the next level."""
    if clan.level < MAX_CLAN_LEVEL:
        _set(world, t, clan, "level", clan.level + 1, "clan_level", "clanLevel")


def capital_hall_up(world: World, t: datetime, clan: Clan, r) -> None:
    """The clan upgrades its capital hall (districts open and grow with it)."""
    if clan.capital_hall >= MAX_CAPITAL_HALL:
        return
    before = {d["name"]: d["districtHallLevel"] for d in capital_districts(clan.capital_hall)}
    _set(world, t, clan, "capital_hall", clan.capital_hall + 1, "clan_capital",
         "capitalHallLevel")
    for district in capital_districts(clan.capital_hall):
        old = before.get(district["name"])
        if old != district["districtHallLevel"]:
            note(world, t, "clan_capital", clan.tag, None, f"district:{district['name']}", old,
                 district["districtHallLevel"])
