"""binder/ alone builds an environment that runs the notebooks: a fresh venv gets
binder/requirements.txt and binder/postBuild (as mybinder.org's repo2docker would run them),
and every notebook is executed in it on the demo world."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
DRIVER = """
import sys, nbformat, nbclient
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors, (path, errors)
    print("ran", path)
"""


def _pins() -> dict[str, str]:
    pins = {}
    for line in (BINDER / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"binder/requirements.txt: {line!r} is not pinned with =="
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_binder_pins_every_runtime_dependency_and_jupyter():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins()
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0]
        assert re.sub(r"[-_.]+", "-", name).lower() in pins, f"{name} is not pinned"
    assert {"jupyterlab", "ipykernel", "ipywidgets"} <= set(pins)
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert os.access(BINDER / "postBuild", os.X_OK)


def test_binder_environment_runs_every_notebook(tmp_path):
    wanted = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    if here != wanted:
        pytest.skip(f"binder pins versions for Python {wanted}; this is Python {here}")
    venv = tmp_path / "binder-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COC_", "COCFRAMES_", "VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["COCFRAMES_CACHE"] = str(tmp_path / "cache")
    env["COCFRAMES_NOTEBOOK_DAYS"] = "1"  # the history notebook: a day, not a month

    def run(*cmd: str, cwd: Path = ROOT) -> str:
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=900)
        assert done.returncode == 0, f"{cmd}: {done.stdout[-3000:]}{done.stderr[-3000:]}"
        return done.stdout

    run(str(venv / "bin" / "pip"), "install", "--quiet", "-r",
        str(BINDER / "requirements.txt"))
    run(str(BINDER / "postBuild"))
    python = str(venv / "bin" / "python")
    where = run(python, "-c", "import cocframes; print(cocframes.__file__)", cwd=tmp_path)
    assert str(venv) in where, "postBuild installed cocframes into the binder environment"
    notebooks = sorted(str(p) for p in (ROOT / "notebooks").glob("*.ipynb"))
    out = run(python, "-c", DRIVER, *notebooks, cwd=tmp_path)
    assert out.count("ran ") == len(notebooks) >= 5
