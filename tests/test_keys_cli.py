"""``cocframes login`` and ``cocframes keys`` against the fake developer portal on 127.0.0.1.

Most runs call :func:`cocframes.cli.main` in-process; one runs the installed console script in
a subprocess. The password is read with :func:`getpass.getpass` (monkeypatched here) or from
``$COC_PASSWORD``; no output may ever show the password or a full token.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cocframes import cli
from cocframes.demo import DemoServer, Portal, World
from cocframes.demo.portal import DEMO_EMAIL, DEMO_PASSWORD
from tests._portal import ENV_VARS, HOME_IP, NOW, TRAVEL_IP, clear_env


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, now=NOW)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clear_env(monkeypatch, tmp_path / "cache")


@pytest.fixture
def portal() -> Portal:
    return Portal(caller_ip=HOME_IP, now=NOW)


@pytest.fixture
def server(world: World, portal: Portal) -> Iterator[DemoServer]:
    with DemoServer(world, portal=portal) as srv:
        yield srv


class Terminal(io.StringIO):
    """Standard input that is a terminal, as when a person runs the command."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answer every getpass prompt on a terminal with the demo password; record the prompts."""
    asked: list[str] = []

    def fake_getpass(prompt: str = "Password: ", stream: object = None) -> str:
        asked.append(prompt)
        return DEMO_PASSWORD

    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr("builtins.input", lambda *a: pytest.fail("input() was called"))
    return asked


def portal_calls(portal: Portal) -> int:
    s = portal.stats()
    return s["login"] + s["failed_login"] + s["list"] + s["create"] + s["revoke"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def tokens_of(portal: Portal, email: str = DEMO_EMAIL) -> list[str]:
    return [k["key"] for k in portal.keys_of(email)]


# --------------------------------------------------------------------------- login
def test_login_asks_the_password_without_echo(server: DemoServer, portal: Portal,
                                              prompts: list[str],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "login", "--email", DEMO_EMAIL,
                         "--portal-url", server.portal_url)
    assert code == 0, err
    assert len(prompts) == 1 and "password" in prompts[0].lower()
    assert f"1 key(s) named 'cocframes' ready for IP {HOME_IP}" in out
    assert portal.stats()["login"] == 1 and portal.stats()["create"] == 1
    for secret in [DEMO_PASSWORD, *tokens_of(portal)]:
        assert secret not in out + err


def test_login_with_key_count_and_key_name(server: DemoServer, portal: Portal,
                                           prompts: list[str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "login", "--email", DEMO_EMAIL, "--portal-url",
                         server.portal_url, "--key-count", "3", "--key-name", "my-bot")
    assert code == 0, err
    assert f"3 key(s) named 'my-bot' ready for IP {HOME_IP}" in out
    keys = portal.keys_of(DEMO_EMAIL)
    assert len(keys) == 3 and {k["name"] for k in keys} == {"my-bot"}


def test_login_stores_tokens_not_the_password(server: DemoServer, portal: Portal,
                                              prompts: list[str], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "store" / "keys.json"
    argv = ("login", "--email", DEMO_EMAIL, "--portal-url", server.portal_url,
            "--key-count", "2", "--store", "--store-path", str(path))
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert str(path) in out and "0600" in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_text()
    assert DEMO_PASSWORD not in raw
    stored = json.loads(raw)["accounts"][DEMO_EMAIL.casefold()]["by_ip"][HOME_IP]
    assert sorted(stored) == sorted(tokens_of(portal))

    created = portal.stats()["create"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert f"2 key(s) named 'cocframes' ready for IP {HOME_IP}" in out
    assert portal.stats()["create"] == created, "the second login reuses the keys"
    for secret in [DEMO_PASSWORD, *tokens_of(portal)]:
        assert secret not in out + err


def test_login_after_moving_gets_keys_for_the_new_ip(server: DemoServer, portal: Portal,
                                                     prompts: list[str], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    path = tmp_path / "keys.json"
    argv = ("login", "--email", DEMO_EMAIL, "--portal-url", server.portal_url,
            "--store", "--store-path", str(path))
    assert run(capsys, *argv)[0] == 0
    portal.set_caller_ip(TRAVEL_IP)
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert f"ready for IP {TRAVEL_IP}" in out
    stored = json.loads(path.read_text())["accounts"][DEMO_EMAIL.casefold()]["by_ip"]
    assert len(stored[TRAVEL_IP]) == 1
    assert set(stored[TRAVEL_IP]) <= set(tokens_of(portal))
    assert set(stored[TRAVEL_IP]).isdisjoint(stored[HOME_IP]), "a key bound to the new IP"


def test_login_without_store_writes_no_file(server: DemoServer, prompts: list[str],
                                            tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "keys.json"
    code, out, _ = run(capsys, "login", "--email", DEMO_EMAIL, "--portal-url",
                       server.portal_url, "--store-path", str(path))
    assert code == 0
    assert not path.exists() and "stored" not in out


def test_login_reads_env_password_and_portal_url(server: DemoServer, portal: Portal,
                                                 prompts: list[str],
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COC_EMAIL", DEMO_EMAIL)
    monkeypatch.setenv("COC_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("COCFRAMES_PORTAL_URL", server.portal_url)
    code, out, err = run(capsys, "login")
    assert code == 0, err
    assert prompts == [], "asked for a password that $COC_PASSWORD gives"
    assert portal.stats()["login"] == 1
    assert DEMO_PASSWORD not in out + err


def test_login_with_a_wrong_password_fails_cleanly(server: DemoServer, portal: Portal,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="", stream=None: "Wr0ng-Pa55")
    code, out, err = run(capsys, "login", "--email", DEMO_EMAIL, "--portal-url",
                         server.portal_url)
    assert code == 1
    assert "login failed" in err and "refused" in err
    assert "Wr0ng-Pa55" not in out + err
    assert portal.stats()["failed_login"] == 1


def test_login_with_a_full_account_says_what_to_do(server: DemoServer, portal: Portal,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    keys = portal.add_account("busy@cocframes.invalid", "pw",
                              keys=[{"name": "website", "cidrRanges": [TRAVEL_IP]}] * 10)
    monkeypatch.setenv("COC_PASSWORD", "pw")
    code, out, err = run(capsys, "login", "--email", "busy@cocframes.invalid",
                         "--portal-url", server.portal_url)
    assert code == 1
    assert "'website'" in err and "Revoke" in err
    assert len(portal.keys_of("busy@cocframes.invalid")) == 10
    for key in keys:
        assert key["key"] not in out + err


def test_login_with_a_store_path_it_cannot_write_says_so(server: DemoServer,
                                                        prompts: list[str], tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    code, _, err = run(capsys, "login", "--email", DEMO_EMAIL, "--portal-url",
                       server.portal_url, "--store", "--store-path", str(a_file / "keys.json"))
    assert code == 1
    assert str(a_file) in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and "Errno" not in err


def test_login_to_an_unreachable_portal(prompts: list[str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = run(capsys, "login", "--email", DEMO_EMAIL, "--portal-url",
                       f"http://127.0.0.1:{port}/api")
    assert code == 1
    assert "could not be reached" in err


# --------------------------------------------------------------------------- keys
def test_keys_lists_ours_without_tokens(server: DemoServer, portal: Portal,
                                        prompts: list[str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    foreign = portal.add_account("mixed@cocframes.invalid", DEMO_PASSWORD, keys=[
        {"name": "cocframes", "cidrRanges": [TRAVEL_IP]},
        {"name": "website", "cidrRanges": [HOME_IP]},
    ])
    assert run(capsys, "login", "--email", "mixed@cocframes.invalid", "--portal-url",
               server.portal_url, "--key-count", "2")[0] == 0
    code, out, err = run(capsys, "keys", "--email", "mixed@cocframes.invalid",
                         "--portal-url", server.portal_url)
    assert code == 0, err
    keys = portal.keys_of("mixed@cocframes.invalid")
    ours = [k for k in keys if k["name"] == "cocframes"]
    assert len(ours) == 3
    assert f"3 key(s) named 'cocframes'; this IP is {HOME_IP}" in out
    lines = [line for line in out.splitlines() if "…" in line]
    assert len(lines) == 3
    for key in ours:
        (line,) = [line for line in lines if key["id"][:8] in line]
        assert "cocframes" in line and key["cidrRanges"][0] in line
        assert "2026-03-14 12:00" in line
        assert line.rstrip().endswith("yes" if key["cidrRanges"] == [HOME_IP] else "no")
    assert "website" not in out
    for key in keys:
        assert key["key"] not in out + err
        assert key["id"] not in out, "the full id is shown"
    assert DEMO_PASSWORD not in out + err
    assert foreign[1]["id"] in {k["id"] for k in portal.keys_of("mixed@cocframes.invalid")}


def test_keys_after_an_ip_change_marks_old_keys_unusable(server: DemoServer, portal: Portal,
                                                         prompts: list[str],
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    assert run(capsys, "login", "--email", DEMO_EMAIL, "--portal-url", server.portal_url)[0] == 0
    portal.set_caller_ip(TRAVEL_IP)
    code, out, _ = run(capsys, "keys", "--email", DEMO_EMAIL, "--portal-url", server.portal_url)
    assert code == 0
    assert f"this IP is {TRAVEL_IP}" in out
    (line,) = [line for line in out.splitlines() if "…" in line]
    assert HOME_IP in line and line.rstrip().endswith("no")
    assert portal.stats()["create"] == 1, "listing keys must not create any"


# --------------------------------------------------------------------------- console script
def test_console_script_logs_in_and_lists_keys(server: DemoServer, portal: Portal,
                                               tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "cocframes"
    assert script.exists(), f"console script missing at {script}"
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    env.update(COC_EMAIL=DEMO_EMAIL, COC_PASSWORD=DEMO_PASSWORD,
               COCFRAMES_PORTAL_URL=server.portal_url, COCFRAMES_CACHE=str(tmp_path / "c"))
    store = tmp_path / "keys.json"
    login = subprocess.run([str(script), "login", "--store", "--store-path", str(store)],
                           env=env, capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
    assert login.returncode == 0, login.stderr
    assert f"ready for IP {HOME_IP}" in login.stdout
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    keys = subprocess.run([str(script), "keys"], env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert keys.returncode == 0, keys.stderr
    (key,) = portal.keys_of(DEMO_EMAIL)
    assert key["id"][:8] in keys.stdout
    for text in (login.stdout, login.stderr, keys.stdout, keys.stderr):
        assert key["key"] not in text and DEMO_PASSWORD not in text
