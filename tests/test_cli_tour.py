"""`cocframes demo`: every size the tour prints is the size of the frame it names, and the
rows it shows say which rows they are."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

import cocframes as cf
from cocframes._cli_tour import tour
from cocframes.demo import DEMO_CLAN_TAG


@pytest.fixture(scope="module")
def printed() -> tuple[str, dict]:
    """What the tour of the demo clan prints, and the frames it returns."""
    out = io.StringIO()
    with cf.Client(demo=True, cache=False, progress=False) as client, \
            contextlib.redirect_stdout(out):
        frames = tour(client, DEMO_CLAN_TAG)
    return out.getvalue(), frames


def size_of(out: str, call: str) -> tuple[int, int]:
    """The rows x columns printed on the line of ``call`` (e.g. ``cf.war(...).attacks``)."""
    [line] = [line for line in out.splitlines() if line.startswith(call)]
    found = re.search(r": (\d+) rows x (\d+) columns", line)
    assert found, line
    return int(found.group(1)), int(found.group(2))


@pytest.mark.parametrize(("call", "name"), [
    ("cf.members(", "members"), ("cf.war(...).attacks", "war_attacks"),
    ("cf.war(...).members", "war_members"), ("cf.units(", "units"), ("cf.war_log(", "war_log"),
    ("cf.raids(", "raid_members"), ("cf.rankings(", "rankings")])
def test_each_printed_size_is_the_frame_s(printed, call, name):
    out, frames = printed
    df = frames["raids"].members if name == "raid_members" else frames[name]
    assert size_of(out, call) == df.shape


def test_the_war_shows_our_side_and_says_so(printed):
    out, frames = printed
    attacks = frames["war_attacks"]
    ours = attacks[attacks["attacker_clan_tag"] == DEMO_CLAN_TAG]
    assert 0 < len(ours) < len(attacks)
    assert f"our side's attacks in order, 5 of {len(ours)}" in out
    members = frames["war_members"]
    assert f"our members, most attacks still to make first, 3 of {len(members) // 2}" in out
    assert f"{int(ours['new_stars'].sum())} new stars from {int(ours['stars'].sum())}" in out


def test_missing_values_print_as_blanks(printed):
    out, _frames = printed
    assert "<NA>" not in out and "NaN" not in out and "NaT" not in out
