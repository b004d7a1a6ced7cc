"""``cocframes track`` and ``cocframes watch`` as a user runs them: from cron, in a terminal
that shows ASCII only, and stopped with Ctrl-C."""

from __future__ import annotations

import io
import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

import pandas as pd
import pytest

from cocframes._cli_history import _print_safely, event_line
from cocframes.cli import main
from cocframes.demo import World
from cocframes.tracking import Event, HistoryStore

CLAN = World(seed=7).clan_tag
COLUMNS = ["time_from", "time_to", "kind", "clan", "player", "field", "old", "new", "delta"]


def cli(*argv: str, env: dict | None = None) -> subprocess.Popen:
    """``python -m cocframes.cli ARGV`` with its output in pipes (text, unbuffered)."""
    return subprocess.Popen(
        [sys.executable, "-m", "cocframes.cli", *argv], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})


def finish(proc: subprocess.Popen, timeout: float = 120.0) -> tuple[str, str]:
    """Wait for ``proc`` (killed after ``timeout`` s) and return its stdout and stderr."""
    try:
        return proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def integrity(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# ----------------------------------------------------------------- track


def test_the_first_track_is_a_baseline_with_a_summary_line(tmp_path, capsys):
    assert main(["track", "--demo", CLAN, "--history", str(tmp_path)]) == 0
    _, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("0 change(s)"), lines[0]
    assert "request(s)" in lines[0] and str(tmp_path / "history.sqlite") in lines[0]
    assert len(HistoryStore(tmp_path).table("passes")) == 1


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_track_output_parses_back(tmp_path, capsys, fmt):
    # an unknown clan: its polls fail, and the failures are the changes printed
    assert main(["track", "--demo", "#2PP", "--history", str(tmp_path), "--format", fmt]) == 0
    out = capsys.readouterr().out
    frame = pd.read_csv(io.StringIO(out)) if fmt == "csv" else pd.DataFrame(json.loads(out))
    assert list(frame.columns) == COLUMNS
    assert len(frame) > 0 and set(frame["kind"]) == {"poll_error"}
    assert frame["field"].str.contains("#2PP").all()


def test_a_bad_tag_is_one_line_naming_it(tmp_path, capsys):
    assert main(["track", "--demo", "#NOT-A-TAG", "--history", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "#NOT-A-TAG" in err and "Traceback" not in err


def test_nothing_to_follow_is_a_usage_error(tmp_path, capsys):
    assert main(["track", "--demo", "--history", str(tmp_path)]) == 2
    assert main(["watch", "--demo", "--history", str(tmp_path)]) == 2
    assert "nothing to follow" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["under_a_file", "a_directory", "read_only"])
def test_a_history_path_that_cannot_be_used_is_one_line(tmp_path, capsys, where):
    if where == "under_a_file":
        (tmp_path / "file").write_text("x")
        history = tmp_path / "file" / "history.sqlite"
    elif where == "a_directory":  # a directory where the file should be
        history = tmp_path / "history.sqlite"
        history.mkdir()
    else:
        if os.geteuid() == 0:
            pytest.skip("root may write anywhere")
        (tmp_path / "ro").mkdir(mode=0o555)
        history = tmp_path / "ro" / "history.sqlite"
    for command in ("track", "watch"):
        assert main([command, "--demo", CLAN, "--history", str(history), "--passes"
                     if command == "watch" else "--no-wars", *(["1"] if command == "watch"
                                                              else [])]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert err.startswith(f"cocframes {command}: ") and str(tmp_path) in err


# ----------------------------------------------------------------- watch output


def test_an_event_line_is_one_line_of_what_an_ascii_terminal_shows(monkeypatch):
    event = Event(datetime(2026, 3, 14, 12, tzinfo=timezone.utc),
                  datetime(2026, 3, 14, 12, 1, tzinfo=timezone.utc), "clan_description",
                  "#2PP", None, "description", "Old text \U0001f409\nline two",
                  "Caf\xe9 \u2694\ufe0f\r\nwelcome")
    line = event_line(event)
    assert "\n" not in line and "\r" not in line
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    _print_safely(line)
    sys.stdout.flush()
    printed = raw.getvalue().decode("ascii")
    assert printed.count("\n") == 1 and "clan_description" in printed and "Caf" in printed


def test_watch_on_an_ascii_terminal_prints_plain_lines(tmp_path):
    proc = cli("watch", "--demo", CLAN, "--history", str(tmp_path), "--passes", "150",
               "--speed", "100000", env={"PYTHONIOENCODING": "ascii"})
    out, err = finish(proc)
    assert proc.returncode == 0, err[-2000:]
    assert out.isascii() and "Traceback" not in err
    assert len(out.splitlines()) > 0 and "stopped: 150 pass(es)" in err


def read_lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)


@pytest.mark.parametrize("delay", [0.0, 0.03, 0.1, 0.4])
def test_ctrl_c_stops_watch_cleanly_with_whole_passes_stored(tmp_path, delay):
    """Ctrl-C at moments spread over a pass (fetching, writing, printing, waiting)."""
    history = tmp_path / "history.sqlite"
    proc = cli("watch", "--demo", CLAN, "--history", str(history), "--speed", "600")
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=read_lines, args=(proc.stdout, lines), daemon=True).start()
    try:
        first = lines.get(timeout=120)  # an event line: the watch is under way
        assert " UTC " in first
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 0, err[-2000:]
    assert "Traceback" not in err and "stopped:" in err
    assert integrity(history) == "ok"
    store = HistoryStore(history)
    passes = store.table("passes")
    assert len(passes) > 0
    assert passes["finished"].notna().all()
    events = store.table("events")
    assert events["pass"].isin(passes["id"]).all()
    printed = 1 + lines.qsize()
    assert printed <= len(events), "every event printed was stored"
