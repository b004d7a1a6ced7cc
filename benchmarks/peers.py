"""The peers, coc.py 4.x and cocapi 4.x: a venv of their own, and drivers in subprocesses.

They are installed by the benchmark into a separate venv (never a dependency of cocframes)
and driven by ``peer_driver.py``, run with that venv's interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks._pipes import readline_within

DEFAULT_VENV = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / \
    "cocframes-bench" / "peers-venv"
# cocapi's async mode opens an httpx client with http2=True but does not depend on h2.
REQUIREMENTS = ("coc.py>=4,<5", "cocapi>=4,<5", "httpx[http2]")
DRIVER = Path(__file__).with_name("peer_driver.py")
_VERSIONS = ("import importlib.metadata as m, json; "
             "print(json.dumps({p: m.version(p) for p in ('coc.py', 'cocapi')}))")


def _python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv(venv: Path, timeout: float = 600.0) -> tuple[Path | None, dict | str]:
    """Return the peers' interpreter and their versions, installing them first if needed;
    ``(None, why)`` when they cannot be installed (e.g. no network)."""
    python = _python(venv)

    def versions() -> dict | None:
        if not python.exists():
            return None
        done = subprocess.run([str(python), "-c", _VERSIONS + "; import coc, cocapi, h2"],
                              capture_output=True, text=True, timeout=120)
        return json.loads(done.stdout) if done.returncode == 0 else None

    try:
        found = versions()
        if found is not None:
            return python, found
        print(f"installing the peers into {venv} ...", flush=True)
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                           capture_output=True, timeout=timeout)
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                               "--disable-pip-version-check", *REQUIREMENTS],
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            return None, "pip failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
        found = versions()
        return (python, found) if found is not None else (None, "installed but not importable")
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"{type(exc).__name__}: {exc}"


class Driver:
    """One peer driver process (one library, one variant) talking JSON lines."""

    def __init__(self, python: Path, library: str, base_url: str, throttle: float | None,
                 log: Path) -> None:
        command = [str(python), str(DRIVER), library, base_url]
        if throttle is not None:
            command += ["--throttle", str(throttle)]
        self._log = open(log, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._log, text=True, bufsize=1)

    def ask(self, command: str, timeout: float) -> dict[str, Any]:
        """Send one command and return its answer; the driver is killed past ``timeout``."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer = readline_within(self.proc.stdout, timeout)
        if not answer:
            self.close(kill=True)
            return {"ok": False, "error": f"no answer to {command.split()[0]!r} "
                                          f"within {timeout:.0f} s"}
        return json.loads(answer)

    def close(self, kill: bool = False) -> None:
        if self.proc.poll() is None:
            if kill:
                self.proc.kill()
            else:
                try:
                    self.proc.stdin.write("quit\n")  # type: ignore[union-attr]
                    self.proc.stdin.flush()  # type: ignore[union-attr]
                    self.proc.wait(timeout=15)
                except (OSError, subprocess.TimeoutExpired):
                    self.proc.kill()
            self.proc.wait(timeout=15)
        self._log.close()
