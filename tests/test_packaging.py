"""The package installs like the ones users know: the wheel and the sdist carry every
subpackage and ``py.typed``, the metadata names the project's links and its extras by purpose,
and every repository link in the README, binder/ and the notebooks names the same repository."""

from __future__ import annotations

import email
import importlib.util
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: The extras by purpose; `dev` names them all.
EXTRAS = ("test", "docs", "browser", "dask", "redis")
#: The modules `mypy --strict` holds to: the face, the transport users touch, and the modules
#: that define the public functions, plots and widgets.
STRICT_MODULES = {
    "cocframes", "cocframes.api", "cocframes.client", "cocframes.errors", "cocframes.tags",
    "cocframes.keys", "cocframes._bulk_frames", "cocframes._clan_frames",
    "cocframes._war_frames", "cocframes._participation_frames", "cocframes._reference_frames",
    "cocframes._frame_common", "cocframes.plots", "cocframes.plots_history",
    "cocframes.widgets", "cocframes.distributed", "cocframes.tracking.functions",
}
#: A GitHub repository named in a link: github.com/OWNER/REPO or mybinder.org/v2/gh/OWNER/REPO.
REPO_LINK = re.compile(r"(?:github\.com|mybinder\.org/v2/gh)/([\w.-]+)/([\w.-]+)")


def _package_files() -> set[str]:
    """Return the checkout's package files a wheel must carry, as paths like ``cocframes/x.py``."""
    files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "cocframes").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    return files


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """Build the sdist, then the wheel from it (as ``python -m build`` does), once."""
    if importlib.util.find_spec("build") is None:
        pytest.skip("the `build` package is not installed (pip install -e '.[dev]')")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def _wheel(dist: Path) -> zipfile.ZipFile:
    (path,) = dist.glob("cocframes-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_carries_every_package_file_and_py_typed(dist):
    names = set(_wheel(dist).namelist())
    assert "cocframes/py.typed" in names, "type checkers would not read the package's types"
    for package in ("cache", "demo", "frames", "tracking"):
        assert f"cocframes/{package}/__init__.py" in names, f"cocframes.{package} is missing"
    missing = _package_files() - names
    assert not missing, f"the wheel lacks {sorted(missing)}"


def test_sdist_carries_every_package_file(dist):
    (path,) = dist.glob("cocframes-*.tar.gz")
    with tarfile.open(path) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    missing = _package_files() - names
    assert not missing, f"the sdist lacks {sorted(missing)}"


def test_wheel_metadata_names_links_extras_and_the_command(dist):
    wheel = _wheel(dist)
    (meta_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    meta = email.message_from_bytes(wheel.read(meta_name))
    links = {v.split(",", 1)[0] for v in meta.get_all("Project-URL", [])}
    assert {"Homepage", "Documentation", "Repository", "Issues"} <= links
    assert set(meta.get_all("Provides-Extra", [])) >= {*EXTRAS, "dev"}
    assert "Typing :: Typed" in meta.get_all("Classifier", [])
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    assert "cocframes = cocframes.cli:main" in wheel.read(entry_points).decode()


def test_extras_are_split_by_purpose_and_dev_names_them_all():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert set(EXTRAS) <= set(extras)
    assert f"cocframes[{','.join(EXTRAS)}]" in extras["dev"]
    assert any(r.startswith("pytest") for r in extras["test"])
    assert any(r.startswith("selenium") for r in extras["browser"])
    assert any(r.startswith("mkdocs") for r in extras["docs"])


def _repository(url: str) -> tuple[str, str]:
    match = REPO_LINK.search(url)
    assert match, f"{url} names no GitHub repository"
    return match.group(1).lower(), match.group(2).lower().removesuffix(".git")


def test_every_repository_link_names_the_projects_repository():
    urls = PYPROJECT["project"]["urls"]
    assert {"Homepage", "Documentation", "Repository", "Issues"} <= set(urls)
    repository = _repository(urls["Repository"])
    assert _repository(urls["Issues"]) == repository
    places = [ROOT / "README.md", *sorted((ROOT / "binder").iterdir()),
              *sorted((ROOT / "notebooks").glob("*.ipynb"))]
    seen = {}
    for path in places:
        for match in REPO_LINK.finditer(path.read_text(encoding="utf-8")):
            seen[f"{path.relative_to(ROOT)}: {match.group(0)}"] = (
                match.group(1).lower(), match.group(2).lower().removesuffix(".git"))
    assert any("mybinder.org" in where for where in seen), "the README's Binder badge"
    wrong = [where for where, repo in seen.items() if repo != repository]
    assert not wrong, f"these links name another repository than {urls['Repository']}: {wrong}"


def _modules(override: dict) -> list[str]:
    module = override["module"]
    return [module] if isinstance(module, str) else module


def test_mypy_is_strict_on_exactly_the_public_modules():
    mypy = PYPROJECT["tool"]["mypy"]
    assert mypy["strict"] is True and mypy["files"] == ["cocframes"]
    overrides = mypy["overrides"]
    ignored = {m for o in overrides if o.get("ignore_errors") is True for m in _modules(o)}
    checked = {m for o in overrides if o.get("ignore_errors") is False for m in _modules(o)}
    assert ignored == {"cocframes.*"}, "the other modules' own errors are not reported"
    assert checked == STRICT_MODULES
    for module in STRICT_MODULES:
        path = ROOT / module.replace(".", "/")
        assert path.with_suffix(".py").exists() or (path / "__init__.py").exists(), module
