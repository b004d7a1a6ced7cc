"""The command line (`cocframes demo`, `cocframes demo serve`) and the default-client API."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest
import requests

import cocframes as cf
from cocframes.cli import main
from cocframes.demo import World


def test_demo_tour_prints_the_demo_clan_its_war_and_a_complete_bulk_fetch(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    world = World()
    assert "demo world" in out  # the user is told the data is simulated
    assert world.clan_tag in out
    assert "current war: inWar" in out
    found = re.search(r"profiles (\d+)/(\d+), (\d+) failures", out)
    assert found and found.group(1) == found.group(2) and found.group(3) == "0"


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_demo_serve_answers_real_http_on_loopback_and_stops_on_interrupt(stop):
    # Started the way a shell starts a background job: with SIGINT ignored.
    proc = subprocess.Popen(
        [sys.executable, "-m", "cocframes.cli", "demo", "serve", "--port", "0"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        line = proc.stdout.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/v1)", line)
        assert url, line
        clan = requests.get(f"{url.group(1)}/clans/%23{World().clan_tag[1:]}", timeout=10)
        assert clan.status_code == 200
        assert clan.json()["tag"] == World().clan_tag
        assert clan.headers["X-Cocframes-Demo"] == "1"
    finally:
        proc.send_signal(stop)
        try:
            proc.wait(timeout=60)  # generous: a loaded CI machine may be slow to schedule
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode in (0, 130)


def test_cocframes_demo_call_switches_the_default_client_to_the_demo_world():
    try:
        client = cf.demo(cache=False)
        assert client.demo and cf.get_client() is client
        assert cf.get_client().get_clan(World().clan_tag)["name"]
    finally:
        cf.set_client(None)


def test_default_client_without_token_explains_the_ways_to_fix_it(monkeypatch):
    monkeypatch.delenv("COC_API_TOKEN", raising=False)
    cf.set_client(None)
    with pytest.raises(cf.ConfigurationError) as err:
        cf.get_client()
    text = str(err.value)
    assert "token=" in text and "COC_API_TOKEN" in text and "demo" in text


def test_import_stays_light():
    code = ("import sys, cocframes; "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'ipywidgets', 'tqdm', "
            "'http.server', 'socketserver', 'cocframes.demo.server', 'cocframes.demo.world') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.strip() == "[]", f"import cocframes pulled in {out.strip()}"
