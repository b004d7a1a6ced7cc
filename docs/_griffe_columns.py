"""A Griffe extension (named in ``mkdocs.yml``) that fits the docstrings to the API pages.

Sphinx roles such as ``:func:`get_client``` (read by ``help()`` users as plain text) become
inline code, as ``help()`` shows them, rather than a stray ``:func:``. And the pages list each
frame's columns:

The frame functions' column lists are appended to their docstrings when they are defined
(``cocframes.frames._columns.documented``), so reading the source, as mkdocstrings does,
misses them. This extension imports such a function, reads the columns from its docstring
as Python has it, and puts them in the page as one table per part of the result.
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

from griffe import Docstring, Extension, Function

#: The head of a column list, e.g. "Columns of ``.clans`` (one row per clan in a group):".
HEAD = re.compile(r"^Columns(?: of (?P<title>.+?))? \(one row per (?P<row>.+)\):$")
#: A Sphinx role: ":class:`~cocframes.keys.KeyStore`" (the ~ keeps the last name only).
ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|exc|obj):`(?P<tilde>~?)(?P<target>[^`]+)`")
#: One column: "name (dtype): meaning".
COLUMN = re.compile(r"^(?P<name>\w+) \((?P<dtype>[^)]+)\): (?P<meaning>.*)$")


def _runtime_doc(func: Function) -> str:
    """Return the docstring of the function as Python has it after its decorators ran."""
    obj = getattr(importlib.import_module(func.module.path), func.name)
    return inspect.cleandoc(obj.__doc__ or "")


def _table(title: str | None, row: str, columns: list[re.Match]) -> str:
    """Return one column list as a Markdown table under a bold heading."""
    part = f" of {title}" if title else ""
    lines = [f"**Columns{part}** (one row per {row}):", "",
             "| column | dtype | meaning |", "|---|---|---|"]
    lines += [f"| `{c['name']}` | {c['dtype']} | {c['meaning'].replace('|', '&#124;')} |"
              for c in columns]
    return "\n".join(lines)


def columns_markdown(doc: str) -> tuple[str, str]:
    """Split ``doc`` into its text before the column lists and those lists as tables."""
    lines = doc.splitlines()
    heads = [i for i, line in enumerate(lines) if HEAD.match(line)]
    if not heads:
        return doc, ""
    tables = []
    for start, end in zip(heads, [*heads[1:], len(lines)], strict=True):
        head = HEAD.match(lines[start])
        columns = [m for m in map(COLUMN.match, lines[start + 1:end]) if m]
        tables.append(_table(head["title"], head["row"], columns))
    return "\n".join(lines[:heads[0]]).rstrip(), "\n\n".join(tables)


def plain_roles(text: str) -> str:
    """Return ``text`` with its Sphinx roles turned into inline code."""
    def code(m: re.Match) -> str:
        target = m["target"].rsplit(".", 1)[-1] if m["tilde"] else m["target"]
        return f"`{target}`"

    return ROLE.sub(code, text)


class ColumnsFromSpecs(Extension):
    """Replace a frame function's docstring with its text and its columns as tables, and
    every docstring's Sphinx roles with inline code."""

    def on_instance(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = plain_roles(obj.docstring.value)

    def on_function_instance(self, *, func: Function, **kwargs: Any) -> None:
        if func.docstring is None or not any("documented" in str(d.value)
                                             for d in func.decorators):
            return
        text, tables = columns_markdown(_runtime_doc(func))
        if tables:
            func.docstring = Docstring(plain_roles(f"{text}\n\n{tables}"), parent=func)
