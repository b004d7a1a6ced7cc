"""Generate ``docs/columns.md`` from the frame specs: ``python -m cocframes.frames.docs``."""

from __future__ import annotations

import sys
from pathlib import Path

from cocframes.frames import SPECS

HEADER = """# Columns of every frame

Generated from the column specs in `cocframes/frames/` by `python -m cocframes.frames.docs`;
a test keeps it current. Datetimes are UTC; `Int64`, `Float64`, `boolean` and `string` are
pandas' nullable dtypes (missing values are `<NA>`); tags keep their `#`.
"""


def columns_markdown() -> str:
    """Return the text of ``docs/columns.md``: every frame's columns, dtypes and meanings."""
    sections = [SPECS[name].markdown() for name in sorted(SPECS)]
    return HEADER + "\n" + "\n".join(sections)


def main(argv: list[str] | None = None) -> int:
    """Write ``docs/columns.md`` (or the path given) and return 0."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "docs/columns.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(columns_markdown(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
