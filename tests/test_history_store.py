"""The history file: parts, runs of unchanged data, one transaction per pass, schema versions,
tables as frames (Parquet), and a writer and a reader in two processes."""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from cocframes.tracking.kinds import Change
from cocframes.tracking.parts import encode, join, split, split_values
from cocframes.tracking.runs import read_runs
from cocframes.tracking.schema import SCHEMA_VERSION, HistoryVersionError
from cocframes.tracking.store import (
    Detected,
    HistoryStore,
    Observation,
    PassRecord,
    history_path,
)

REPO = Path(__file__).resolve().parents[1]


def _normalised(value):
    """``value`` with every list sorted, for comparisons that ignore list order."""
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_normalised(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


@pytest.mark.parametrize("subject, stem", [("clan", "clan"), ("player", "player"),
                                           ("war", "currentwar_inwar"), ("war", "currentwar_ended"),
                                           ("war", "currentwar_notinwar"),
                                           ("raids", "capitalraidseasons")])
def test_parts_give_back_the_payload(real_payloads, subject, stem):
    payload = real_payloads[stem]["body"]
    if subject == "raids":
        payload = payload["items"][0]
    before = copy.deepcopy(payload)
    parts = split(subject, payload)
    assert payload == before, "split must not change its input"
    rebuilt = join(subject, {name: json.loads(data) for name, data in parts.items()})
    assert _normalised(rebuilt) == _normalised(payload)


def test_a_missing_list_stays_missing_and_repeated_keys_are_kept():
    payload = {"tag": "#P", "troops": [{"name": "Barbarian", "level": 1},
                                       {"name": "Barbarian", "level": 2}]}
    rebuilt = join("player", {n: json.loads(d) for n, d in split("player", payload).items()})
    assert "heroes" not in rebuilt
    assert sorted(t["level"] for t in rebuilt["troops"]) == [1, 2]


def _clan(members: int = 3, donations: int = 0) -> dict:
    return {"tag": "#C", "name": "Clan", "memberList": [
        {"tag": f"#P{i}", "name": f"p{i}", "donations": donations + (i == 0)}
        for i in range(members)]}


def _observe(store: HistoryStore, payload: dict, time: float, *, events=(),
             previous: bool = False) -> int:
    """Store one poll of clan #C (``previous``: tell the store what it last held, as the
    tracker does, so that only changed parts are compared)."""
    before = store.seen("clan", "#C")
    changed = before is None or before.payload != payload
    version = (before.version if before else 0) + changed
    return store.record(PassRecord(
        started=time, finished=time, requests=1, received=len(encode(payload)),
        observations=[Observation("clan", "#C", time, version, payload if changed else None,
                                  60.0, previous=split_values("clan", before.payload)
                                  if previous and before else None)],
        events=list(events)))


def _count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchone()[0]


@pytest.mark.parametrize("previous", [False, True], ids=["compared in the file",
                                                         "compared with the last payload"])
def test_unchanged_polls_add_no_rows_and_a_change_adds_one_part(tmp_path, previous):
    store = HistoryStore(tmp_path / "h.sqlite")
    _observe(store, _clan(), 1000.0, previous=previous)
    parts = _count(store.path, "SELECT count(*) FROM parts")
    assert parts == 4  # the core and three members
    for t in range(2, 12):
        _observe(store, _clan(), 1000.0 + t * 60, previous=previous)
    assert _count(store.path, "SELECT count(*) FROM parts") == parts
    assert store.seen("clan", "#C").last_seen == 1000.0 + 11 * 60
    changed = _clan()
    changed["memberList"][1]["donations"] = 8
    _observe(store, changed, 2000.0, previous=previous)
    assert _count(store.path, "SELECT count(*) FROM parts") == parts + 1
    seen = store.seen("clan", "#C")
    assert _normalised(seen.payload) == _normalised(changed)
    runs = [(r.start, r.end, r.value["donations"])
            for r in read_runs(store, "clan", keys=["#C"], part="memberList/#P1")]
    assert runs == [(1000.0, 2000.0, 0), (2000.0, None, 8)]


def test_a_member_who_leaves_closes_their_run(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    _observe(store, _clan(3), 1000.0)
    _observe(store, _clan(2), 1060.0)
    runs = read_runs(store, "clan", keys=["#C"], part="memberList/#P2")
    assert [(r.start, r.end) for r in runs] == [(1000.0, 1060.0)]
    assert len(store.seen("clan", "#C").payload["memberList"]) == 2


def test_a_failed_pass_stores_nothing(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    _observe(store, _clan(), 1000.0)
    bad = Detected(Change("member_name", "#C", "#P1", "name", "a", object()), 1000.0, 1060.0)
    with pytest.raises(TypeError):
        _observe(store, _clan(donations=5), 1060.0, events=[bad])
    assert _count(store.path, "SELECT count(*) FROM passes") == 1
    assert _count(store.path, "SELECT count(*) FROM events") == 0
    assert store.seen("clan", "#C").last_seen == 1000.0
    assert store.seen("clan", "#C").payload["memberList"][0]["donations"] == 1


def test_events_are_filtered_by_clan_player_time_and_kind(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    found = [Detected(Change("member_donations", "#C", "#P1", "donations", 1, 5), 0.0, 60.0),
             Detected(Change("member_joined", "#C", "#P9", None, None, "new"), 60.0, 120.0),
             Detected(Change("player_troop_level", None, "#Q", "Barbarian", 1, 2), 0.0, 180.0)]
    store.record(PassRecord(started=0.0, finished=1.0, events=found))
    assert [r[3] for r in store.events(clans=["#C"])] == ["member_donations", "member_joined"]
    assert [r[5] for r in store.events(players=["#Q"])] == ["#Q"]
    assert [r[3] for r in store.events(since=100.0)] == ["member_joined", "player_troop_level"]
    assert [r[3] for r in store.events(until=100.0)] == ["member_donations"]
    assert [r[9] for r in store.events(kinds=["member_donations"])] == [4]
    assert store.events(kinds=["member_left"]) == []


def test_a_new_file_has_the_current_schema_and_a_newer_one_is_refused(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    _observe(store, _clan(), 1000.0)
    assert _count(store.path, "PRAGMA user_version") == SCHEMA_VERSION
    assert _count(store.path, "SELECT count(*) FROM pragma_journal_mode "
                              "WHERE journal_mode = 'wal'") == 1
    reopened = HistoryStore(store.path)
    assert reopened.seen("clan", "#C") is not None, "a file of this release opens as it is"

    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(HistoryVersionError, match="newer cocframes"):
        HistoryStore(newer).seen("clan", "#C")


def test_tables_read_as_frames_and_save_to_parquet(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite")
    _observe(store, _clan(), 1000.0, events=[
        Detected(Change("member_donations", "#C", "#P1", "donations", 1, 5), 940.0, 1000.0)])
    for name in ("passes", "subjects", "parts", "events", "wars", "battles", "seasons", "meta"):
        frame = store.table(name)
        target = tmp_path / f"{name}.parquet"
        frame.to_parquet(target)
        back = pd.read_parquet(target)
        assert list(back.columns) == list(frame.columns)
        assert len(back) == len(frame)
    events = store.table("events")
    assert str(events["time_to"].dtype) == "datetime64[ns, UTC]"
    with pytest.raises(ValueError, match="unknown history table"):
        store.table("blobs; DROP TABLE events")


def test_the_history_path_follows_the_argument_then_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COCFRAMES_HISTORY", str(tmp_path / "env"))
    assert history_path() == tmp_path / "env" / "history.sqlite"
    assert history_path(tmp_path / "x.db") == tmp_path / "x.db"
    assert history_path(tmp_path / "dir") == tmp_path / "dir" / "history.sqlite"


_WRITER = textwrap.dedent("""
    import sys
    from cocframes.tracking.store import HistoryStore, Observation, PassRecord
    store = HistoryStore(sys.argv[1])
    for i in range(int(sys.argv[2])):
        payload = {"tag": "#C", "memberList": [{"tag": "#P", "donations": i}]}
        store.record(PassRecord(started=float(i), finished=float(i), observations=[
            Observation("clan", "#C", float(i), i + 1, payload, 60.0)]))
    print("done")
""")


def test_a_writer_and_a_reader_in_two_processes_share_the_file(tmp_path):
    path = tmp_path / "shared.sqlite"
    HistoryStore(path).seen("clan", "#C")  # create it
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(path), "150"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=REPO)
    reader = HistoryStore(path)
    reads = 0
    try:
        while writer.poll() is None and reads < 5000:
            seen = reader.seen("clan", "#C")
            if seen is not None:
                assert seen.payload["memberList"][0]["tag"] == "#P"
            reader.table("passes")
            reads += 1
    finally:
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert out.strip() == "done"
    assert reads > 0
    assert len(reader.table("passes")) == 150
    assert reader.seen("clan", "#C").payload["memberList"][0]["donations"] == 149


def test_the_readme_lists_every_event_kind_as_the_code_declares_them():
    from cocframes.tracking.kinds import kinds_markdown

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    begin = readme.index("<!-- event kinds:")
    table = readme[readme.index("\n", begin) + 1:readme.index("<!-- end of event kinds -->")]
    assert table == kinds_markdown(), "README's event kinds are out of date"
