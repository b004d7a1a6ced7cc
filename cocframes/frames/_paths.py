"""Flat frames declared as paths: column name → dotted path into each item (``"clan.tag"``).

:func:`build_from_paths` reads the paths with Arrow, in compiled code, when the items are
uniform (every value of a path has the JSON type its column wants, as real payloads do);
otherwise, with any wrong, mixed or odd value, it reads them one by one in Python and lets
:meth:`FrameSpec.build` coerce them (wrong types become NA). Both give the same frame; the
Arrow path is only faster (about 5x for 25,000 ranking rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cocframes.frames._columns import (
    ARROW_TYPES,
    BOOL,
    CATEGORY,
    FAST_KINDS,
    FLOAT,
    INT,
    STRING,
    FrameSpec,
    arrow_to_pandas,
)
from cocframes.frames._payload import field_objs

if TYPE_CHECKING:
    import pandas as pd


def build_from_paths(frame_spec: FrameSpec, rows: list[Mapping[str, Any]],
                     paths: Mapping[str, str], constants: Mapping[str, Any] | None = None
                     ) -> pd.DataFrame:
    """Return ``frame_spec``'s frame of ``rows``: each column from its path in ``paths`` or
    its value in ``constants`` (the same for every row); any other column is NA."""
    constants = constants or {}
    fast = _with_arrow(frame_spec, rows, paths, constants)
    if fast is not None:
        return fast
    n = len(rows)
    columns: dict[str, list[Any]] = {name: [value] * n for name, value in constants.items()}
    for name, path in paths.items():
        columns[name] = _read_path(rows, path)
    return frame_spec.build(columns)


def _read_path(rows: list[Mapping[str, Any]], path: str) -> list[Any]:
    *parents, leaf = path.split(".")
    for key in parents:
        rows = field_objs(rows, key)
    return [r.get(leaf) for r in rows]


# Arrow types a column of each spec dtype accepts as it is (anything else: the Python path).
def _accepts(dtype: str, arrow_type: Any) -> bool:
    import pyarrow as pa

    if pa.types.is_null(arrow_type):
        return True
    if dtype in (STRING, CATEGORY):
        return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
    if dtype == INT:
        return pa.types.is_integer(arrow_type)
    if dtype == FLOAT:
        return pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type)
    if dtype == BOOL:
        return pa.types.is_boolean(arrow_type)
    return False  # datetimes are parsed by the Python path


def _with_arrow(frame_spec: FrameSpec, rows: list[Mapping[str, Any]],
                paths: Mapping[str, str], constants: Mapping[str, Any]) -> pd.DataFrame | None:
    """The frame read by Arrow, or ``None`` when the rows are not uniform enough for it."""
    if not rows:
        return None
    import pyarrow as pa

    try:
        # pa.array infers the struct type from every row (Table.from_pylist would take
        # the first row's keys only and drop fields that first appear later).
        table = pa.Table.from_struct_array(pa.array(rows))
        while any(pa.types.is_struct(f.type) for f in table.schema):
            table = table.flatten()
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError,
            TypeError):
        return None
    n = len(rows)
    arrays, categories = [], []
    for column in frame_spec.columns:
        name, dtype = column.name, column.dtype
        target = ARROW_TYPES.get(dtype)
        if target is None:
            return None  # datetimes: the Python path parses them
        if name in constants:
            value = constants[name]
            if type(value) not in FAST_KINDS[dtype]:
                return None  # e.g. location "global" in an id column: Python makes it NA
            array = pa.nulls(n, target()) if value is None else pa.repeat(
                pa.scalar(value, target()), n)
        elif paths.get(name) in table.column_names:
            array = table.column(paths[name])
            if not _accepts(dtype, array.type):
                return None
            array = array.cast(target()) if array.type != target() else array
        else:
            array = pa.nulls(n, target())
        if dtype == CATEGORY:
            categories.append(name)
        arrays.append(array)
    df = pa.table(arrays, names=frame_spec.names).to_pandas(types_mapper=arrow_to_pandas().get)
    for name in categories:  # sorted categories, as FrameSpec.build gives
        cats = df[name].astype("category")
        df[name] = cats.cat.reorder_categories(sorted(cats.cat.categories))
    return df
