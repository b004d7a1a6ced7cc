"""What the command line says when it cannot do what was asked: one line on stderr in the
command's own words (its options, not Python's names) and a non-zero exit, never a traceback."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cocframes import cli
from tests._portal import ENV_VARS, clear_env
from tests.test_keys_cli import Terminal

PYTHON_WORDS = ("Traceback", "Error:", "keyword argument", "clan=", "tags=", "kind=")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clear_env(monkeypatch, tmp_path / "cache")


@pytest.fixture
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input at its end, as under cron, CI or ``< /dev/null``."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port of 127.0.0.1 that another socket is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def signal_handlers() -> Iterator[None]:
    """Give back the test process' SIGINT and SIGTERM handlers, which `demo serve` sets."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run the command in-process; return its exit code and its one-line error message."""
    code = cli.main(list(argv))
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    for word in PYTHON_WORDS:
        assert word not in err, err
    return code, err


def refused_usage(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a command that argparse must refuse; return its message."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main(list(argv))
    assert exit_info.value.code == 2
    return capsys.readouterr().err


# --------------------------------------------------------------------------- login, keys
@pytest.mark.parametrize("command", ["login", "keys"])
def test_credentials_needed_without_a_terminal_say_how_to_give_them(
        capsys: pytest.CaptureFixture[str], no_terminal: None, command: str) -> None:
    code, err = run(capsys, command, "--portal-url", "http://127.0.0.1:9/api")
    assert code == 2
    assert "COC_EMAIL" in err and "COC_PASSWORD" in err and "--email" in err


def test_ctrl_d_at_the_password_prompt_says_how_to_give_it(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def getpass_at_eof(prompt: str = "", stream: object = None) -> str:
        raise EOFError  # what getpass does on Ctrl-D

    monkeypatch.setattr(sys, "stdin", Terminal(""))
    monkeypatch.setattr("getpass.getpass", getpass_at_eof)
    code, err = run(capsys, "login", "--email", "me@cocframes.invalid",
                    "--portal-url", "http://127.0.0.1:9/api")
    assert code == 2
    assert "COC_PASSWORD" in err and "password" in err


def test_key_count_out_of_range_is_refused_in_the_option_s_words(
        capsys: pytest.CaptureFixture[str]) -> None:
    err = refused_usage(capsys, "login", "--key-count", "0")
    assert "--key-count" in err and "key_count" not in err


# --------------------------------------------------------------------------- demo
def test_serving_on_a_busy_port_names_the_port(capsys: pytest.CaptureFixture[str],
                                               busy_port: int, signal_handlers: None) -> None:
    code, err = run(capsys, "demo", "serve", "--port", str(busy_port))
    assert code == 1
    assert f"127.0.0.1:{busy_port}" in err and "in use" in err


def test_a_port_out_of_range_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--port" in refused_usage(capsys, "demo", "serve", "--port", "70000")


def test_demo_out_naming_a_file_is_refused_before_the_tour(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("mine")
    code = cli.main(["demo", "--out", str(existing)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "--out" in err and str(existing) in err and len(err.strip().splitlines()) == 1
    assert out == "", "the tour ran although its plots could not be written"
    assert existing.read_text() == "mine"


# --------------------------------------------------------------------------- frame
def test_a_cache_setting_naming_a_file_says_which_setting(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    not_a_folder = tmp_path / "cache-file"
    not_a_folder.write_text("")
    monkeypatch.setenv("COCFRAMES_CACHE", str(not_a_folder))
    code, err = run(capsys, "frame", "members", "#2PP", "--demo")
    assert code == 1
    assert "COCFRAMES_CACHE" in err and str(not_a_folder) in err


@pytest.mark.parametrize("rows", ["-1", "x"])
def test_max_rows_must_be_a_count(capsys: pytest.CaptureFixture[str], rows: str) -> None:
    assert "--max-rows" in refused_usage(capsys, "frame", "locations", "--demo",
                                         "--max-rows", rows)


def test_max_rows_keeps_its_default() -> None:
    assert cli.build_parser().parse_args(["frame", "locations"]).max_rows == 60


@pytest.mark.parametrize("argv", [
    ["frame", "players", "--demo"],
    ["frame", "units", "#2PP", "--clan", "#2PP", "--demo"],
])
def test_players_need_tags_or_a_clan(capsys: pytest.CaptureFixture[str], argv: list[str]
                                     ) -> None:
    code, err = run(capsys, *argv)
    assert code == 2
    assert "give player tags or --clan TAG" in err


@pytest.mark.parametrize("name", ["rankings", "leagues", "labels"])
def test_an_unknown_kind_is_named_as_the_option(capsys: pytest.CaptureFixture[str],
                                                name: str) -> None:
    code, err = run(capsys, "frame", name, *(["global"] if name == "rankings" else []),
                    "--kind", "nope", "--demo")
    assert code == 2
    assert "--kind" in err and "nope" in err


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_frame", interrupted)
    assert cli.main(["frame", "locations", "--demo"]) == 130


# --------------------------------------------------------------------------- real command
@pytest.mark.parametrize("case", ["login", "serve", "cache"])
def test_the_console_command_prints_no_traceback(tmp_path: Path, case: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    env["COCFRAMES_CACHE"] = str(tmp_path / "cache")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        argv = {
            "login": ["login", "--email", "me@cocframes.invalid",
                      "--portal-url", "http://127.0.0.1:9/api"],
            "serve": ["demo", "serve", "--port", str(sock.getsockname()[1])],
            "cache": ["frame", "members", "#2PP", "--demo"],
        }[case]
        if case == "cache":
            (tmp_path / "cache").write_text("")
        # A new session has no controlling terminal: getpass reads standard input, at its end.
        result = subprocess.run([sys.executable, "-m", "cocframes.cli", *argv], env=env,
                                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=120, start_new_session=True)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
