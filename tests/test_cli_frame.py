"""`cocframes frame NAME ARGS --format table|csv|json` exports any frame; `cocframes demo`
tours the frames of the demo clan."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

import cocframes as cf
from cocframes.cli import main
from cocframes.demo import DemoServer, World


@pytest.fixture(scope="module")
def world() -> World:
    return World()


@pytest.fixture
def client() -> cf.Client:
    with cf.Client(demo=True, cache=False, progress=False) as c:
        yield c


@pytest.fixture(autouse=True)
def cache_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("COCFRAMES_CACHE", str(tmp_path / "cache"))


def test_csv_export_reads_back_as_the_same_frame(capsys, client, world):
    assert main(["frame", "members", world.clan_tag, "--demo", "--format", "csv"]) == 0
    exported = pd.read_csv(io.StringIO(capsys.readouterr().out))
    expected = cf.members(world.clan_tag, client=client)
    assert exported["tag"].tolist() == expected["tag"].tolist()
    assert exported.columns.tolist() == expected.columns.tolist()
    assert exported["trophies"].tolist() == expected["trophies"].tolist()


def test_json_export_is_records_with_iso_datetimes(capsys, client, world):
    assert main(["frame", "war-log", world.clan_tag, "--demo", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    expected = cf.war_log(world.clan_tag, client=client)
    assert len(records) == len(expected)
    assert records[0]["opponent_name"] == expected["opponent_name"][0]
    assert pd.Timestamp(records[0]["end_time"]) == expected["end_time"][0]


def test_table_of_a_part_and_a_kind(capsys, world):
    assert main(["frame", "raids", world.clan_tag, "--demo", "--part", "members"]) == 0
    out = capsys.readouterr().out
    assert "capital_resources_looted" in out
    assert main(["frame", "leagues", "--kind", "war_leagues", "--demo"]) == 0
    assert "Champion League I" in capsys.readouterr().out


def test_players_of_a_clan(capsys, client, world):
    assert main(["frame", "units", "--clan", world.clan_tag, "--demo", "--format", "csv"]) == 0
    df = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert df["player_tag"].nunique() == client.get_clan(world.clan_tag)["members"]


def test_a_bulk_failure_is_reported_on_stderr(capsys, world):
    assert main(["frame", "players", world.player_tags[0], world.unknown_tag, "--demo",
                 "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert world.player_tags[0] in captured.out
    assert world.unknown_tag in captured.err


@pytest.mark.parametrize("argv, message", [
    (["frame", "members", "--demo"], "takes one clan"),
    (["frame", "members", "#2PP", "#2PP", "--demo"], "takes one clan"),
    (["frame", "members", "#2PP", "--kind", "clans", "--demo"], "--kind applies to"),
    (["frame", "raids", "#2PP", "--part", "rounds", "--demo"], "--part applies to"),
    (["frame", "locations", "x", "--demo"], "takes no argument"),
    (["frame", "war-log", "--clan", "#2PP", "--demo"], "--clan applies to"),
])
def test_bad_arguments_exit_2_with_a_message(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_api_errors_exit_1_with_the_remedy(capsys, world):
    assert main(["frame", "war-attacks", world.private_clan_tag, "--demo"]) == 1
    err = capsys.readouterr().err
    assert "private" in err and "Traceback" not in err


def test_no_token_outside_demo_says_how_to_fix_it(capsys, monkeypatch):
    for name in ("COC_API_TOKEN", "COC_EMAIL", "COC_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    cf.set_client(None)
    assert main(["frame", "locations"]) == 1
    err = capsys.readouterr().err
    assert "COC_API_TOKEN" in err and "demo" in err


def test_demo_tour_prints_the_frames_of_the_demo_clan(capsys, client, world):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    clan = client.get_clan(world.clan_tag)
    assert clan["name"] in out
    for title in ("cf.members(", "cf.war(...).attacks", "cf.war(...).members", "cf.units(",
                  "cf.war_log(", "cf.cwl(", "cf.cwl(...).medals", "cf.raids(", "cf.rankings("):
        assert title in out
    assert f"{clan['members']} rows x 18 columns" in out
    assert "demo=True" in out


def test_console_script_exports_csv(tmp_path, world):
    result = subprocess.run(
        [sys.executable, "-m", "cocframes.cli", "frame", "locations", "--demo",
         "--format", "csv"], capture_output=True, text=True, timeout=120,
        env={"COCFRAMES_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    df = pd.read_csv(io.StringIO(result.stdout))
    assert "France" in set(df["name"])


def test_demo_out_writes_the_tour_plots_as_png(capsys, tmp_path):
    out = tmp_path / "plots"
    assert main(["demo", "--out", str(out)]) == 0
    files = sorted(out.glob("*.png"))
    names = {p.stem for p in files}
    assert {"donations", "war_map", "war_stars", "clan_heatmap_heroes", "unit_progress",
            "cwl_rounds", "medal_scores", "raid_loot", "ranking_ladder",
            "trophies_by_town_hall"} == names
    for path in files:
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000, path.name
    assert f"Wrote {len(files)} plots to {out}" in capsys.readouterr().out


# --------------------------------------------------------------------------- stale answers
@pytest.fixture
def api_server(world, monkeypatch, tmp_path):
    """A demo server on 127.0.0.1 that the default client reaches through the environment."""
    with DemoServer(world) as srv:
        monkeypatch.setenv("COC_API_TOKEN", "t")
        monkeypatch.setenv("COCFRAMES_BASE_URL", srv.base_url)
        cf.set_client(None)
        yield srv
    cf.set_client(None)


def age_cache(cache_dir, minutes: int) -> None:
    """Make every answer cached in ``cache_dir`` expired and ``minutes`` old."""
    stored = datetime.now(timezone.utc) - timedelta(minutes=minutes)
    with cf.Client(token="t", cache_dir=cache_dir, progress=False) as client:
        responses = client.session.cache.responses
        for key in list(responses):
            response = responses[key]
            response.created_at = stored
            response.expires = stored + timedelta(seconds=60)
            responses[key] = response


def failing_fast_client() -> cf.Client:
    """The environment's client, without retries: the API's failure shows at once."""
    return cf.Client(max_retries=0, progress=False)


@pytest.mark.parametrize("argv", [
    ["members"], ["raids", "--part", "seasons"], ["cwl", "--part", "clans"]])
def test_rows_from_an_expired_cache_are_flagged_as_stale_with_their_age(
        capsys, api_server, world, tmp_path, argv):
    command = ["frame", argv[0], world.clan_tag, *argv[1:], "--format", "csv"]
    assert main(command) == 0
    fresh = capsys.readouterr()
    assert "warning" not in fresh.err
    age_cache(tmp_path / "cache", minutes=7)
    api_server.set_maintenance(True)
    cf.set_client(failing_fast_client())
    assert main(command) == 0
    stale = capsys.readouterr()
    assert stale.out == fresh.out, "the cached rows are still printed"
    (line,) = stale.err.splitlines()
    assert line.startswith("warning: ") and "maintenance" in line
    assert "stale" in line and "7 minutes old" in line
    assert "UTC" in line


def test_rows_served_while_the_api_is_unreachable_are_flagged(capsys, api_server, world,
                                                              tmp_path):
    command = ["frame", "members", world.clan_tag, "--format", "csv"]
    assert main(command) == 0
    fresh = capsys.readouterr().out
    age_cache(tmp_path / "cache", minutes=90)
    api_server.stop()
    cf.set_client(failing_fast_client())
    assert main(command) == 0
    stale = capsys.readouterr()
    assert stale.out == fresh
    assert "could not answer" in stale.err and "stale" in stale.err
    assert "1 hour old" in stale.err


def test_fetch_time_saved_as_an_iso_string_is_read_too(capsys, monkeypatch, world):
    stored = datetime.now(timezone.utc) - timedelta(minutes=3)

    def stale_members(clan, **options):
        df = pd.DataFrame({"tag": [world.player_tags[0]]})
        df.attrs.update(stale=True, fetched_at=stored.isoformat())
        return df

    monkeypatch.setattr(cf.api, "members", stale_members)
    assert main(["frame", "members", world.clan_tag, "--demo"]) == 0
    err = capsys.readouterr().err
    assert f"{stored:%Y-%m-%d %H:%M} UTC" in err and "3 minutes old" in err


def test_the_console_script_flags_stale_rows(api_server, world, tmp_path):
    env = {**os.environ, "COC_API_TOKEN": "t", "COCFRAMES_BASE_URL": api_server.base_url,
           "COCFRAMES_CACHE": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "cocframes.cli", "frame", "members", world.clan_tag,
               "--format", "csv"]
    fresh = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert fresh.returncode == 0, fresh.stderr
    age_cache(tmp_path / "cache", minutes=7)
    api_server.set_maintenance(True)
    stale = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert stale.returncode == 0, stale.stderr
    assert stale.stdout == fresh.stdout
    assert "maintenance" in stale.stderr and "7 minutes old" in stale.stderr
    assert "Traceback" not in stale.stderr
