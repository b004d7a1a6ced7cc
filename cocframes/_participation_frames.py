"""``participation``: what each member of a clan is doing now (donations, the regular war,
the CWL season, the last raid weekends), from one call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cocframes._frame_common import all_pages, client_or_default, provenance
from cocframes._war_frames import _round_wars
from cocframes.checks import count
from cocframes.client import Client, Fetched
from cocframes.errors import NotFoundError, PrivateWarLogError
from cocframes.frames import specs
from cocframes.frames._columns import documented
from cocframes.tags import normalize_tag

if TYPE_CHECKING:
    import pandas as pd


@documented(specs.PARTICIPATION)
def participation(clan: str, *, weekends: int = 4,
                  client: Client | None = None) -> pd.DataFrame:
    """Return one row per current member of the clan with its participation now: donations
    this season and their ratio, attacks used, left and missed in the regular war and in this
    season's CWL wars, and raids in the last ``weekends`` raid weekends (an int >= 1).

    A private war log leaves the war columns NA and a clan in no CWL group the CWL columns;
    ``df.attrs["unavailable"]`` says which and why. ``df.attrs`` also holds ``war_state``,
    ``cwl_season`` and ``raid_weekends`` (the weekends counted, by start time).
    """
    from cocframes.frames.participation import build_participation

    raid_weekends = count("weekends", weekends, allow_none=False)
    client = client_or_default(client)
    tag = normalize_tag(clan)
    pages, members = all_pages(client, "getClanMembers", clanTag=tag)
    fetched: list[Fetched] = list(pages)
    unavailable: dict[str, str] = {}
    war = None
    try:
        answer = client.call("getCurrentWar", clanTag=tag)
        fetched.append(answer)
        war = answer.payload
    except PrivateWarLogError:
        unavailable["war"] = "the clan's war log is private"
    cwl = None
    try:
        group = client.call("getClanWarLeagueGroup", clanTag=tag)
        wars = _round_wars(client, group.payload)
        fetched += [group, *wars.values()]
        cwl = (group.payload, {war_tag: f.payload for war_tag, f in wars.items()})
    except NotFoundError:  # the member list proved the clan exists
        unavailable["cwl"] = "the clan is in no Clan War League group this season"
    except PrivateWarLogError:
        unavailable["cwl"] = "the clan's war log is private"
    raids = client.call("getCapitalRaidSeasons", clanTag=tag, limit=raid_weekends)
    fetched.append(raids)
    df = build_participation(members, tag, war=war, cwl=cwl, raids=raids.payload)
    provenance(df, fetched, "getClanMembers")
    df.attrs["unavailable"] = unavailable
    df.attrs["war_state"] = None if war is None else war.get("state")
    df.attrs["cwl_season"] = None if cwl is None else cwl[0].get("season")
    df.attrs["raid_weekends"] = [s.get("startTime") for s in raids.payload.get("items") or []]
    return df
