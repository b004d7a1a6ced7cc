"""The history reports: season, war history, legend days and the tidy series, on stores written
pass by pass with real-shaped payloads, checked against values worked out from those payloads."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone

import pandas as pd
import pytest

from cocframes.frames import specs
from cocframes.tracking.diff import diff_clan
from cocframes.tracking.legends import legend_days_frame
from cocframes.tracking.parts import encode
from cocframes.tracking.season import season_frame
from cocframes.tracking.series import history_frame
from cocframes.tracking.store import (
    BattleRow,
    Detected,
    HistoryStore,
    Observation,
    PassRecord,
    WarRow,
    digest,
)
from cocframes.tracking.wars import new_stars, war_history_frame

CLAN, OTHER = "#2PP", "#2QCVRQCQR"
A, B, C, D = "#P2", "#P8", "#P9", "#PY"
O1, O2 = "#PL", "#PQ"
S = datetime(2025, 7, 1, 8, tzinfo=timezone.utc).timestamp()  # season 2025-07
E = S + 28 * 86400
DAY = 86400.0


def day(n: float) -> float:
    return S + n * DAY


def api(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, timezone.utc).strftime("%Y%m%dT%H%M%S.000Z")


def observe(store: HistoryStore, subject: str, key: str, payload: dict, time: float,
            **extra) -> None:
    """Write one pass holding one observation and, for a clan, the events its member list
    shows, as the tracker does."""
    before = store.seen(subject, key)
    changed = before is None or before.payload != payload
    version = (before.version if before else 0) + changed
    if subject == "clan" and before is not None:
        extra.setdefault("events", [Detected(c, before.last_seen, time)
                                    for c in diff_clan(before.payload, payload)])
    store.record(PassRecord(started=time, finished=time, observations=[
        Observation(subject, key, time, version, payload if changed else None)], **extra))


# ----------------------------------------------------------------- payloads
@pytest.fixture
def shapes(real_payloads):
    return {name: real_payloads[name]["body"] for name in
            ("clan", "player", "currentwar_ended", "capitalraidseasons")}


def member(shapes, tag, donations=0, received=0, trophies=5000):
    entry = copy.deepcopy(shapes["clan"]["memberList"][0])
    entry.update(tag=tag, name=f"name{tag}", donations=donations, donationsReceived=received,
                 trophies=trophies)
    return entry


def clan(shapes, *members):
    payload = copy.deepcopy(shapes["clan"])
    payload.update(tag=CLAN, memberList=list(members), members=len(members))
    return payload


def profile(shapes, tag, capital, games, trophies=5000):
    payload = copy.deepcopy(shapes["player"])
    payload.update(tag=tag, name=f"name{tag}", clanCapitalContributions=capital,
                   trophies=trophies)
    payload["clan"] = dict(payload["clan"], tag=CLAN)
    for item in payload["achievements"]:
        if item["name"] == "Games Champion":
            item["value"] = games
    return payload


def war(shapes, prep, state, ours, theirs, *, per_member=2, flip=False):
    payload = copy.deepcopy(shapes["currentwar_ended"])
    payload.update(state=state, attacksPerMember=per_member, preparationStartTime=api(prep),
                   startTime=api(prep + DAY), endTime=api(prep + 2 * DAY))
    payload["clan"].update(tag=CLAN, members=ours)
    payload["opponent"].update(tag=OTHER, members=theirs)
    if flip:
        payload["clan"], payload["opponent"] = payload["opponent"], payload["clan"]
    return payload


def war_member(tag, position, attacks=()):
    return {"tag": tag, "name": f"name{tag}", "townhallLevel": 15, "mapPosition": position,
            "attacks": [{"attackerTag": tag, "defenderTag": d, "stars": s,
                         "destructionPercentage": 50 + s * 10, "order": o, "duration": 100}
                        for d, s, o in attacks]}


def store_war(store, payload, time, war_type="regular", war_tag=None):
    war_id = "|".join([*sorted([CLAN, OTHER]), payload["preparationStartTime"]])
    row = WarRow(war_id, CLAN, OTHER, war_type, war_tag, api_seconds(payload,
                 "preparationStartTime"), api_seconds(payload, "startTime"),
                 api_seconds(payload, "endTime"), payload["state"],
                 payload["state"] == "warEnded", time)
    observe(store, "war", war_id, payload, time, wars=[row])


def api_seconds(payload, name):
    return datetime.strptime(payload[name][:15], "%Y%m%dT%H%M%S").replace(
        tzinfo=timezone.utc).timestamp()


# ----------------------------------------------------------------- the season store
@pytest.fixture
def season_store(tmp_path, shapes):
    """A season of clan #2PP (28 days from S), written pass by pass:

    A: in the clan all season but days 3-4; donations 500 (last season), reset to 0, 40, 90,
    leaves, rejoins with 0, 25 -> 115; received 0, 20, leave, 0, 5 -> 25; trophies 5000 at the
    start, 5100 from day 5, 5200 after the end. Capital gold 1000 -> 1500 (day 10) -> 1800
    (after the end): 500; Games Champion 20000 -> 24000: 4000.
    B: leaves at day 2.5 (2.5 days); donations 10 (last season), 0, 7 -> 7; no profile.
    C: joins at day 27.5 (0.5 days in the season), donations 3.
    """
    store = HistoryStore(tmp_path / "h.sqlite")
    m = lambda *a, **k: member(shapes, *a, **k)  # noqa: E731
    seasons = [("2025-07", S, E)]
    steps = [
        (day(-1), [m(A, 500, 300), m(B, 10, 4)]),
        (day(0.5), [m(A, 0, 0), m(B, 0, 0)]),
        (day(1), [m(A, 40, 0), m(B, 7, 0)]),
        (day(2), [m(A, 90, 20), m(B, 7, 0)]),
        (day(2.5), [m(A, 90, 20)]),
        (day(3), []),
        (day(4), [m(A, 0, 0)]),
        (day(5), [m(A, 25, 5, trophies=5100)]),
        (day(27.5), [m(A, 25, 5, trophies=5100), m(C, 3, 0)]),
        (day(28.2), [m(A, 25, 5, trophies=5200), m(C, 3, 0)]),
        (day(28.5), [m(A, 25, 5, trophies=5200), m(C, 3, 0)]),
    ]
    for time, members in steps:
        observe(store, "clan", CLAN, clan(shapes, *members), time, seasons=seasons)
    for time, capital, games in ((day(-1), 1000, 20000), (day(10), 1500, 20000),
                                 (day(15), 1500, 24000), (day(29), 1800, 24000)):
        observe(store, "player", A, profile(shapes, A, capital, games), time)
    # a final war: A one attack of two (1 star on O1), D 3 stars on O1 then 2 on O2,
    # O1 3 stars on A, O2 no attack
    final = war(shapes, day(6), "warEnded",
                [war_member(A, 1, [(O1, 1, 1)]), war_member(D, 2, [(O1, 3, 2), (O2, 2, 3)])],
                [war_member(O1, 1, [(A, 3, 4)]), war_member(O2, 2)])
    store_war(store, final, day(8.1))
    ongoing = war(shapes, day(8), "inWar", [war_member(A, 1)], [war_member(O1, 1)])
    store_war(store, ongoing, day(9))
    cwl = war(shapes, day(10), "warEnded", [war_member(A, 1, [(O1, 3, 1)])],
              [war_member(O1, 1)], flip=True)
    store_war(store, cwl, day(11.5), "cwl", "#WAR1")
    raids = shapes["capitalraidseasons"]["items"][0]
    for start, attacks in ((day(4), 6), (day(-11), 5)):
        payload = copy.deepcopy(raids)
        payload.update(startTime=api(start), members=[
            dict(raids["members"][0], tag=A, attacks=attacks)])
        observe(store, "raids", f"{CLAN}|{api(start)}", payload, start + DAY)
    return store


def check_frame(frame: pd.DataFrame, spec, tmp_path) -> None:
    """The frame has its spec's columns and dtypes, saves to Parquet and reads back, and its
    attrs are JSON."""
    assert list(frame.columns) == spec.names
    assert {c: str(t) for c, t in frame.dtypes.items()} == spec.dtypes
    path = tmp_path / f"{spec.name}.parquet"
    frame.to_parquet(path)
    back = pd.read_parquet(path)
    assert list(back.columns) == spec.names
    assert len(back) == len(frame)
    json.dumps(frame.attrs)


def test_season_rows_follow_the_payloads(season_store, tmp_path):
    frame = season_frame(season_store, CLAN, "2025-07").set_index("tag")
    assert sorted(frame.index) == [A, B, C]
    a, b, c = frame.loc[A], frame.loc[B], frame.loc[C]
    assert (a.donations, a.received, a.ratio) == (115, 25, pytest.approx(115 / 25))
    assert (b.donations, c.donations) == (7, 3)
    assert pd.isna(b.ratio)
    assert a.days_in_clan == pytest.approx(27)
    assert b.days_in_clan == pytest.approx(2.5)
    assert c.days_in_clan == pytest.approx(0.5)
    assert (a.in_clan_at_end, b.in_clan_at_end, c.in_clan_at_end) == (True, False, True)
    assert (a.trophies_start, a.trophies_end) == (5000, 5100)
    assert (a.clan_games_points, a.capital_gold) == (4000, 500)
    assert pd.isna(b.clan_games_points) and pd.isna(b.capital_gold)
    assert (a.war_attacks, a.war_attacks_available, a.war_stars, a.war_new_stars) == (1, 4, 1, 1)
    assert (a.cwl_attacks, a.cwl_attacks_available, a.cwl_stars, a.cwl_new_stars) == (1, 1, 3, 3)
    assert (a.raid_attacks, b.raid_attacks) == (6, 0)
    assert a["name"] == f"name{A}" and a.season == "2025-07" and a.clan == CLAN
    check_frame(season_frame(season_store, CLAN), specs.SEASON, tmp_path)


def test_season_defaults_to_the_last_poll_and_rejects_unknown_seasons(season_store, tmp_path):
    assert season_frame(season_store, CLAN)["season"].unique().tolist() == ["2025-07"]
    with pytest.raises(ValueError, match="2025-07"):
        season_frame(season_store, CLAN, "2024-01")
    empty = HistoryStore(tmp_path / "empty.sqlite")
    observe(empty, "clan", CLAN, {"tag": CLAN, "memberList": []}, S)
    with pytest.raises(ValueError, match="track pass"):
        season_frame(empty, CLAN)
    with pytest.raises(ValueError, match="#9Q"):
        season_frame(empty, "#9Q")


def test_war_history_rows(season_store, tmp_path):
    frame = war_history_frame(season_store, CLAN)
    check_frame(frame, specs.WAR_HISTORY, tmp_path)
    first = frame[frame.preparation_start == pd.Timestamp(day(6), unit="s", tz="UTC")]
    made = first[~first.missed]
    assert made.order.tolist() == [1, 2, 3, 4]
    assert made.new_stars.tolist() == [1, 2, 2, 3]
    assert made.side.tolist() == ["clan", "clan", "clan", "opponent"]
    assert made.defender_position.tolist() == [1, 1, 2, 1]
    missed = first[first.missed]
    assert sorted(missed.attacker_tag) == sorted([A, O1, O2, O2])
    assert missed.stars.isna().all() and missed.defender_tag.isna().all()
    ongoing = frame[frame.preparation_start == pd.Timestamp(day(8), unit="s", tz="UTC")]
    assert ongoing.empty, "no attack made and no missed row in a war not seen final"
    cwl = frame[frame.war_type == "cwl"]
    assert set(cwl.war_tag) == {"#WAR1"} and set(cwl.opponent) == {OTHER}
    assert cwl[~cwl.missed].attacker_tag.tolist() == [A]
    assert cwl[~cwl.missed].side.tolist() == ["clan"], "the watched clan was the payload's opponent"
    assert cwl[cwl.missed].attacker_tag.tolist() == [O1], "one attack per member in CWL"
    assert frame.final.tolist().count(False) == 0


def test_new_stars_count_only_what_beats_earlier_attacks():
    attacks = [{"defenderTag": "#X", "stars": 3, "order": 2},
               {"defenderTag": "#X", "stars": 1, "order": 1},
               {"defenderTag": "#X", "stars": 2, "order": 3}]
    assert new_stars(attacks) == {1: 1, 2: 2, 3: 0}


def test_series_rows_at_value_changes(season_store, tmp_path):
    frame = history_frame(season_store, clan=CLAN, player=A, metrics=["donations"])
    check_frame(frame, specs.HISTORY, tmp_path)
    assert frame.value.tolist() == [500, 0, 40, 90, 0, 25]
    assert frame.time.tolist() == [pd.Timestamp(day(n), unit="s", tz="UTC")
                                   for n in (-1, 0.5, 1, 2, 4, 5)]
    later = history_frame(season_store, player=A, metrics="donations", since=day(1.5))
    assert later.value.tolist() == [90, 0, 25]
    gold = history_frame(season_store, clan=CLAN, metrics=["capital_gold", "clan_games"])
    assert gold[gold.metric == "capital_gold"].value.tolist() == [1000, 1500, 1800]
    assert gold[gold.metric == "clan_games"].value.tolist() == [20000, 24000]
    assert set(gold.clan) == {CLAN}
    with pytest.raises(ValueError, match="donations"):
        history_frame(season_store, metrics=["gold"])


def test_empty_frames_have_their_columns(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    check_frame(war_history_frame(store, CLAN), specs.WAR_HISTORY, tmp_path)
    check_frame(legend_days_frame(store, A), specs.LEGEND_DAYS, tmp_path)
    check_frame(history_frame(store), specs.HISTORY, tmp_path)


# ----------------------------------------------------------------- legend days
D0 = datetime(2025, 7, 3, 5, tzinfo=timezone.utc).timestamp()
HOUR = 3600.0


def battle(player, hours, attack, stars, seen_by, seen_after):
    entry = {"battleType": "legend", "attack": attack, "opponentPlayerTag": "#PX",
             "stars": stars, "destructionPercentage": 90, "battleTimestamp": api(D0 + hours * HOUR)}
    body = encode(entry)
    return BattleRow(player, digest(body), D0 + hours * HOUR, seen_after, seen_by, body)


def poll_log(store, player, time, count, battles):
    """One battle-log poll: the marker the tracker keeps and the battles first seen."""
    observe(store, "battlelog", player, {"count": count}, time, battles=battles)


def test_legend_day_covered_by_two_polls_counts_battles(tmp_path, shapes):
    store = HistoryStore(tmp_path / "h.sqlite")
    for time, trophies in ((D0 - 2 * HOUR, 5000), (D0 + 12 * HOUR, 5030),
                           (D0 + 26 * HOUR, 5060)):
        observe(store, "player", A, profile(shapes, A, 0, 0, trophies), time)
    p1, p2 = D0 + 12 * HOUR, D0 + 26 * HOUR
    poll_log(store, A, p1, 3, [battle(A, -1, True, 3, p1, None), battle(A, 2, True, 2, p1, None),
                               battle(A, 10, False, 1, p1, None)])
    # the second log still holds the battle at 10 h, so the two logs overlap: no gap
    poll_log(store, A, p2, 3, [battle(A, 20, True, 3, p2, p1), battle(A, 25, False, 2, p2, p1)])
    frame = legend_days_frame(store, A)
    check_frame(frame, specs.LEGEND_DAYS, tmp_path)
    row = frame[frame.day == pd.Timestamp(D0, unit="s", tz="UTC")].iloc[0]
    assert row.source == "battle_log"
    assert (row.attacks, row.defenses, row.stars_won, row.stars_lost) == (2, 1, 5, 1)
    assert (row.trophies_start, row.trophies_end, row.trophy_change) == (5000, 5030, 30)
    others = frame[frame.day != pd.Timestamp(D0, unit="s", tz="UTC")]
    assert set(others.source) == {"trophies"} and others.attacks.isna().all()


def test_legend_day_with_a_gap_in_the_logs_has_trophies_only(tmp_path, shapes):
    store = HistoryStore(tmp_path / "h.sqlite")
    for time, trophies in ((D0 - 2 * HOUR, 5000), (D0 + 30 * HOUR, 4990)):
        observe(store, "player", A, profile(shapes, A, 0, 0, trophies), time)
    p1, p2 = D0 + 6 * HOUR, D0 + 30 * HOUR
    poll_log(store, A, p1, 2, [battle(A, -1, True, 3, p1, None), battle(A, 3, True, 2, p1, None)])
    # the second log reaches back only to 20 h: the battles between 6 h and 20 h may be lost
    poll_log(store, A, p2, 2, [battle(A, 20, True, 3, p2, p1), battle(A, 29, False, 2, p2, p1)])
    row = legend_days_frame(store, A).set_index("day").loc[pd.Timestamp(D0, unit="s", tz="UTC")]
    assert row.source == "trophies"
    assert pd.isna(row.attacks) and pd.isna(row.stars_won)
    assert (row.trophies_start, row.trophies_end, row.trophy_change) == (5000, 5000, 0)


def test_legend_days_trophies_from_member_entries_without_a_profile(tmp_path, shapes):
    store = HistoryStore(tmp_path / "h.sqlite")
    observe(store, "clan", CLAN, clan(shapes, member(shapes, B, trophies=5100)), D0 + HOUR)
    observe(store, "clan", CLAN, clan(shapes, member(shapes, B, trophies=5140)), D0 + 9 * HOUR)
    row = legend_days_frame(store, B).iloc[0]
    assert (row.trophies_start, row.trophies_end, row.source) == (5100, 5140, "trophies")


def test_the_battle_of_a_log_without_timestamps_counts_at_its_poll(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    row = battle(A, 3, True, 1, D0 + 20 * HOUR, None)
    poll_log(store, A, D0 + 20 * HOUR, 1, [BattleRow(A, row.fingerprint, None, None,
                                                     row.seen_by, row.body)])
    frame = legend_days_frame(store, A)
    assert frame.day.tolist() == [pd.Timestamp(D0, unit="s", tz="UTC")]


def test_builders_keep_times_given_as_datetimes():
    from cocframes.frames.history import build_changes

    moment = datetime(2025, 7, 1, 5, tzinfo=timezone.utc)
    frame = build_changes([{"time_to": moment, "time_from": pd.Timestamp(moment)},
                           {"time_to": "20250701T050000.000Z"}])
    assert frame.time_to.tolist() == [pd.Timestamp(moment)] * 2
    assert frame.time_from.iloc[0] == pd.Timestamp(moment) and pd.isna(frame.time_from.iloc[1])


@pytest.fixture
def functions():
    """The public functions (their module needs the tracker's diff module)."""
    try:
        from cocframes.tracking import functions
    except ImportError as error:
        pytest.skip(f"cocframes.tracking.functions cannot be imported here: {error}")
    return functions


def test_public_functions_take_the_history_file(functions, season_store, tmp_path):
    spec_of = {"season": specs.SEASON, "war_history": specs.WAR_HISTORY,
               "legend_days": specs.LEGEND_DAYS, "history": specs.HISTORY}
    frames = {
        "season": functions.season("2pp", "2025-07", history=season_store),
        "war_history": functions.war_history("#2pp", history=season_store),
        "legend_days": functions.legend_days(A, history=season_store.path),
        "history": functions.history(CLAN, metrics="donations", since="2025-07-02",
                                     history=season_store),
    }
    assert len(frames["season"]) == 3 and len(frames["history"]) > 0
    for name, frame in frames.items():
        assert frame.attrs["source"] == f"history:{name}"
        assert frame.attrs["history"] == str(season_store.path)
        check_frame(frame, spec_of[name], tmp_path)
    with pytest.raises(ValueError, match="2P!"):
        functions.season("#2P!", history=season_store)
    with pytest.raises(ValueError, match="unknown metric"):
        functions.history(metrics="gold", history=season_store)


def test_fields_read_without_parsing_ignore_lookalikes_inside_names(tmp_path, shapes):
    from cocframes.tracking.runs import read_runs

    store = HistoryStore(tmp_path / "h.sqlite")
    entry = member(shapes, A, donations=7)
    entry["name"] = 'x",{"donations":999,"trophies":1'
    observe(store, "clan", CLAN, clan(shapes, entry), S)
    [run] = read_runs(store, "clan", keys=[CLAN], prefix="memberList",
                      fields=("donations", "trophies"))
    assert run.value == {"donations": 7, "trophies": 5000}
