"""docs/columns.md is generated from the column specs and kept current; every spec is built
by a builder that documents it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from cocframes.frames import SPECS
from cocframes.frames.docs import columns_markdown, main

DOC = Path(__file__).resolve().parents[1] / "docs" / "columns.md"
BUILDER_MODULES = ["players", "wars", "participation", "raids", "rankings", "reference",
                   "history"]


def test_columns_md_is_current():
    assert DOC.exists(), "run: python -m cocframes.frames.docs"
    assert DOC.read_text(encoding="utf-8") == columns_markdown(), (
        "docs/columns.md is out of date: run python -m cocframes.frames.docs")


def test_every_frame_and_column_is_in_the_doc():
    text = columns_markdown()
    for name, frame_spec in SPECS.items():
        assert f"## `{name}`" in text
        for column in frame_spec.columns:
            assert f"| `{column.name}` | {column.dtype} |" in text
            assert column.doc.strip(), f"{name}.{column.name} has no meaning"


def test_every_spec_has_a_builder_that_lists_its_columns():
    documented = {}
    for module_name in BUILDER_MODULES:
        module = importlib.import_module(f"cocframes.frames.{module_name}")
        for attr in dir(module):
            func = getattr(module, attr)
            if attr.startswith("build_") and callable(func) and hasattr(func, "spec"):
                documented[func.spec.name] = func
    assert set(documented) == set(SPECS)
    for name, func in documented.items():
        for column in SPECS[name].names:
            assert f"    {column} (" in func.__doc__, f"{func.__name__}: {column}"


def test_the_generator_writes_the_file(tmp_path, capsys):
    target = tmp_path / "columns.md"
    assert main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == columns_markdown()
    assert str(target) in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(SPECS))
def test_empty_frames_keep_their_columns_and_dtypes(name):
    df = SPECS[name].empty()
    assert list(df.columns) == SPECS[name].names
    assert {c: str(t) for c, t in df.dtypes.items()} == SPECS[name].dtypes
