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


def _show(title: str, df: Any, columns: Sequence[str], rows: int = 5) -> None:
    """Print a frame's title, its size and the first ``rows`` rows of ``columns``."""
    print(f"\n{title}: {len(df)} rows x {len(df.columns)} columns")
    if len(df):
        from cocframes.views import to_the_minute

        shown = to_the_minute(df[list(columns)].head(rows))
        print(shown.to_string(index=False, max_colwidth=22))


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
    _show(f"cf.members({clan_tag!r}), top by trophies", members,
          ["name", "role", "town_hall", "trophies", "donations", "donations_received"])

    attacks = api.war_attacks(clan_tag, client=client)
    ours = attacks[attacks["attacker_clan_tag"] == clan_tag]
    _show(f"cf.war_attacks(...): current war: {attacks.attrs['war_state']}", ours,
          ["attacker_name", "defender_map_position", "stars", "new_stars", "destruction"])
    if len(ours):
        print(f"  {int(ours['new_stars'].sum())} new stars from {int(ours['stars'].sum())} "
              "stars: only stars above the base's best earlier attack count")

    war_members = api.war_members(clan_tag, client=client)
    ours_m = war_members[war_members["clan_tag"] == clan_tag]
    waiting = ours_m.sort_values(["attacks_remaining", "map_position"], ascending=[False, True])
    _show("cf.war_members(...): attacks still to make", waiting,
          ["name", "map_position", "attacks_used", "attacks_remaining", "stars_earned",
           "best_opponent_stars"], rows=3)

    units = api.units(clan=clan_tag, client=client, progress=False)
    heroes = units[units["kind"] == "hero"]
    summary = (heroes.groupby("name", observed=True)["progress"].mean().round(2)
               .sort_values(ascending=False).reset_index())
    _show("cf.units(clan=...): heroes, mean level / max level", summary, ["name", "progress"])
    print(f"  ({len(units)} rows: one per member x troop, hero, spell, equipment, pet, siege;"
          f" profiles {units['player_tag'].nunique()}/{len(members)}, "
          f"{len(units.attrs['failures'])} failures)")

    log = api.war_log(clan_tag, client=client)
    _show("cf.war_log(...)", log, ["end_time", "result", "team_size", "clan_stars",
                                    "opponent_name", "opponent_stars"])

    league = api.cwl(clan_tag, client=client)
    print(f"\ncf.cwl(...): {len(league.clans)} clans, {league.rounds['round'].nunique()} rounds, "
          f"{len(league.attacks)} attacks in their wars")

    raids = api.raids(clan_tag, client=client)
    _show("cf.raids(...).members: capital loot", raids.members.sort_values(
        "capital_resources_looted", ascending=False),
        ["season_start", "name", "attacks", "capital_resources_looted"], rows=3)

    ranking = api.rankings("global", "clans", client=client)
    _show('cf.rankings("global", "clans")', ranking,
          ["rank", "name", "points", "location_name"], rows=3)
    return {"members": members, "war_attacks": attacks, "war_members": war_members,
            "units": units, "cwl": league, "raids": raids, "rankings": ranking}


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
