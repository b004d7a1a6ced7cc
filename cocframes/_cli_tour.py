"""``cocframes demo``: a short printed tour of one clan as frames, and its plots as PNG
files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cocframes import Client
from cocframes._cli_common import Refused, os_error_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _show(title: str, df: Any, columns: Sequence[str], rows: int = 5, *,
          shown: Any = None, which: str = "first rows") -> None:
    """Print a frame's title and size, then the first ``rows`` rows of ``columns`` of
    ``shown`` (a part of the frame; default the frame), introduced by ``which`` rows they are
    and how many of them."""
    print(f"\n{title}: {len(df)} rows x {len(df.columns)} columns")
    part = df if shown is None else shown
    if len(part):
        from cocframes.views import blank_missing, to_the_minute

        print(f"  {which}, {min(rows, len(part))} of {len(part)}:")
        table = blank_missing(to_the_minute(part[list(columns)].head(rows)))
        print(table.to_string(index=False, max_colwidth=22, na_rep=""))


def tour(client: Client, clan_tag: str) -> dict[str, Any]:
    """Print a short tour of one clan as frames (profile, members, war, units, war log, CWL,
    capital raids and rankings) and return the frames by name."""
    from cocframes import api

    clan = client.get_clan(clan_tag)
    location = (clan.get("location") or {}).get("name", "no location")
    war_log = "public" if clan.get("isWarLogPublic") else "private"
    print(f"Clan {clan['name']} {clan['tag']} - level {clan.get('clanLevel')}, {location}, "
          f"{clan.get('members')} members, war log {war_log}")

    members = api.members(clan_tag, client=client).sort_values("trophies", ascending=False)
    _show(f"cf.members({clan_tag!r})", members,
          ["name", "role", "town_hall", "trophies", "donations", "donations_received"],
          which="top by trophies")

    war = api.war(clan_tag, client=client)
    attacks, war_members = war.attacks, war.members
    ours = attacks[attacks["attacker_clan_tag"] == clan_tag]
    if "order" in ours.columns:
        ours = ours.sort_values("order")
    _show(f"cf.war(...).attacks: current war: {attacks.attrs['war_state']}", attacks,
          ["attacker_name", "defender_map_position", "stars", "new_stars", "destruction"],
          shown=ours, which="our side's attacks in order")
    if len(ours):
        print(f"  our side: {int(ours['new_stars'].sum())} new stars from "
              f"{int(ours['stars'].sum())} stars: only stars above the base's best earlier "
              "attack count")

    ours_m = war_members[war_members["clan_tag"] == clan_tag]
    waiting = ours_m.sort_values(["attacks_remaining", "map_position"], ascending=[False, True])
    _show("cf.war(...).members", war_members,
          ["name", "map_position", "attacks_used", "attacks_remaining", "stars_earned",
           "best_opponent_stars"], rows=3, shown=waiting,
          which="our members, most attacks still to make first")

    units = api.units(clan=clan_tag, client=client, progress=False)
    heroes = units[units["kind"] == "hero"]
    summary = (heroes.groupby("name", observed=True)["progress"].mean().round(2)
               .sort_values(ascending=False).reset_index())
    _show("cf.units(clan=...), a row per member x unit (troop, hero, spell, pet...)",
          units, ["name", "progress"], shown=summary,
          which="heroes by mean level / max level")
    print(f"  profiles {units['player_tag'].nunique()}/{len(members)}, "
          f"{len(units.attrs['failures'])} failures")

    log = api.war_log(clan_tag, client=client)
    _show("cf.war_log(...)", log, ["end_time", "result", "team_size", "clan_stars",
                                    "opponent_name", "opponent_stars"],
          which="latest wars (a CWL war has no result nor opponent)")

    league = api.cwl(clan_tag, client=client)
    print(f"\ncf.cwl(...): {len(league.clans)} clans, {league.rounds['round'].nunique()} rounds, "
          f"{len(league.attacks)} attacks in their wars")
    _show("cf.cwl(...).medals", league.medals,
          ["rank", "name", "wars", "attacks_missed", "stars", "destruction", "score"], rows=3,
          which=f"best bonus-medal scores ({league.medals.attrs['score']})")

    raids = api.raids(clan_tag, client=client)
    _show("cf.raids(...).members: capital loot per member and raid weekend", raids.members,
          ["season_start", "name", "attacks", "capital_resources_looted"], rows=3,
          shown=raids.members.sort_values("capital_resources_looted", ascending=False),
          which="top by capital loot")

    ranking = api.rankings("global", "clans", client=client)
    _show('cf.rankings("global", "clans")', ranking,
          ["rank", "name", "points", "location_name"], rows=3, which="top")
    return {"members": members, "war_attacks": attacks, "war_members": war_members,
            "units": units, "war_log": log, "cwl": league, "raids": raids,
            "rankings": ranking}


def plot_folder(out: str) -> Path:
    """Return the folder ``--out`` names, created if missing.

    Raises:
        Refused: when it is a file, or cannot be created.
    """
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise Refused(f"--out {out} is a file; give a folder for the plots", code=2)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Refused(f"cannot make the --out folder: {os_error_text(exc)}") from None
    return folder


def demo_figures(frames: dict[str, Any], clan_tag: str) -> dict[str, Figure]:
    """Draw the tour's plots from its frames; return the figures by file name, each of the
    size its plot asks for (:func:`cocframes.plots.figure_size`)."""
    from matplotlib.figure import Figure

    from cocframes import plots

    units = frames["units"]
    best = (units[units["kind"] == "hero"].groupby("player_tag")["progress"].mean().idxmax()
            if len(units) else None)
    members = frames["members"]
    drawings = {
        "donations": (plots.donations, members, {"top": 25}),
        "trophies_by_town_hall": (plots.trophies_by_town_hall, members, {}),
        "war_map": (plots.war_map, frames["war_attacks"], {}),
        "war_stars": (plots.war_stars, frames["war_members"], {}),
        "clan_heatmap_heroes": (plots.clan_heatmap, units, {"kind": "hero",
                                                            "order": "town_hall"}),
        "unit_progress": (plots.unit_progress, units, {"player": best}),
        "cwl_rounds": (plots.cwl_rounds, frames["cwl"], {"highlight": clan_tag}),
        "medal_scores": (plots.medal_scores, frames["cwl"].medals, {"top": 20}),
        "raid_loot": (plots.raid_loot, frames["raids"].members, {"members": members}),
        "ranking_ladder": (plots.ranking_ladder, frames["rankings"], {"top": 15,
                                                                      "highlight": clan_tag}),
    }
    figures = {}
    for name, (plot, df, options) in drawings.items():
        fig = Figure(layout="constrained")
        ax = plot(df, fig.add_subplot(), **options)
        fig.set_size_inches(plots.figure_size(ax) or (8, 6))
        figures[name] = fig
    return figures


def write_plots(frames: dict[str, Any], clan_tag: str, folder: Path) -> list[Path]:
    """Draw the tour's plots from its frames into PNG files in ``folder``, trimmed to what
    they draw; return their paths."""
    written = []
    for name, fig in demo_figures(frames, clan_tag).items():
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=100, bbox_inches="tight")
        written.append(path)
    return written
