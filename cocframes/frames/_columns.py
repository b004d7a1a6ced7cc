"""Column specifications: the one place where each frame's columns, dtypes and meanings live.

pandas is imported only when a frame is built, so the specs cost nothing at import.
A builder turns JSON into a list of flat records (dicts keyed by column name) and hands them
to :meth:`FrameSpec.build`, which fixes column order and dtypes: missing keys become NA,
unknown keys are dropped, and an empty input gives an empty frame with the same columns.
``docs/columns.md`` is generated from :data:`SPECS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

#: A function :func:`documented` decorates: its signature is kept.
_Function = TypeVar("_Function", bound=Callable[..., Any])

API_TIME_FORMAT = "%Y%m%dT%H%M%S.%f%z"

# dtype names used in specs → how a column of that kind is made.
STRING = "string"
INT = "Int64"
FLOAT = "Float64"
BOOL = "boolean"
CATEGORY = "category"
DATETIME = "datetime64[ns, UTC]"
_DTYPES = (STRING, INT, FLOAT, BOOL, CATEGORY, DATETIME)


@dataclass(frozen=True)
class Column:
    """One column of a frame: its name, dtype (one of the names above) and meaning."""

    name: str
    dtype: str
    doc: str

    def __post_init__(self) -> None:
        if self.dtype not in _DTYPES:
            raise ValueError(f"column {self.name!r}: unknown dtype {self.dtype!r}")


@dataclass(frozen=True)
class FrameSpec:
    """The columns of one frame, in order, and what one row stands for."""

    name: str
    row: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        """The column names, in order."""
        return [c.name for c in self.columns]

    @property
    def dtypes(self) -> dict[str, str]:
        """Column name → dtype name."""
        return {c.name: c.dtype for c in self.columns}

    def empty(self) -> pd.DataFrame:
        """Return an empty frame with this spec's columns and dtypes."""
        return self.build([])

    def build(self, records: Iterable[Mapping[str, Any]] | Mapping[str, list[Any]],
              length: int | None = None) -> pd.DataFrame:
        """Return a frame of ``records`` (row dicts, or a dict of columns: lists, 1-D object
        arrays, or arrays already of the column's dtype) with exactly this spec's columns, in
        order, with their dtypes; missing values are NA. ``length``: the number of rows when
        columns are given whole (needed only when none is)."""
        import pandas as pd

        if not isinstance(records, Mapping):  # rows: one list per column, unknown keys dropped
            rows = list(records)
            records = {name: [row.get(name) for row in rows] for name in self.names}
            length = len(rows)
        # Columns given whole: convert each directly (no object frame first).
        lists = {k: v if isinstance(v, list) or getattr(v, "ndim", 0) == 1 else list(v)
                 for k, v in records.items()}
        n = length if length is not None else len(next(iter(lists.values()), ()))
        fast = {}
        for col in self.columns:
            values = lists.get(col.name)
            fast[col.name] = (convert_list(values, col.dtype) if values is not None
                              else repeated(None, col.dtype, n))
        return pd.DataFrame(fast, index=pd.RangeIndex(n), copy=False)

    def markdown(self) -> str:
        """Return the spec as a Markdown section (for ``docs/columns.md``)."""
        lines = [f"## `{self.name}`", "", f"One row per {self.row}.", "",
                 "| column | dtype | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {c.dtype} | {c.doc} |" for c in self.columns]
        return "\n".join(lines) + "\n"

    def docstring(self) -> str:
        """Return the column list for a builder's docstring."""
        return "\n".join(f"    {c.name} ({c.dtype}): {c.doc}" for c in self.columns)


# What pandas.api.types.infer_dtype (NA skipped) may call a column of each dtype for its values
# to be taken as they are, in one compiled step; anything else is coerced value by value by
# convert(). "empty" is an all-NA column. Fractions are not "integer", booleans not numbers.
UNIFORM = {
    STRING: frozenset({"string", "empty"}),
    CATEGORY: frozenset({"string", "empty"}),
    INT: frozenset({"integer", "empty"}),
    FLOAT: frozenset({"integer", "floating", "mixed-integer-float", "empty"}),
    BOOL: frozenset({"boolean", "empty"}),
}


def convert_list(values: Any, dtype: str) -> pd.Series:
    """Return ``values`` (a list, a 1-D object array or an array already of ``dtype``) as a
    column of ``dtype``: in one compiled step (Arrow) when every value already has the
    column's JSON type or is missing, else through :func:`convert`, which coerces value by
    value. Both give the same column."""
    import pandas as pd

    if isinstance(values, pd.api.extensions.ExtensionArray) and str(values.dtype) == dtype:
        return pd.Series(values, copy=False)
    fast = uniform_array(values, dtype)
    if fast is not None:
        return pd.Series(fast, copy=False)
    return convert(pd.Series(values, dtype=object), dtype)


def uniform_array(values: Any, dtype: str) -> Any:
    """Return ``values`` as a pandas array of ``dtype`` made by Arrow, or ``None`` when a
    value does not have the column's JSON type (or does not fit, e.g. beyond 64 bits)."""
    import pyarrow as pa
    from pandas.api.types import infer_dtype

    uniform = UNIFORM.get(dtype)
    if uniform is None:
        return None  # datetimes are parsed by convert()
    if dtype == CATEGORY:
        return _categorical(values) if infer_dtype(values, skipna=True) in uniform else None
    # Arrow refuses anything but text in a string column itself; numbers need the check, as
    # Arrow would cut 1.5 to 1 in an integer column.
    kind = "string" if dtype == STRING else infer_dtype(values, skipna=True)
    if kind not in uniform:
        return None
    if kind == "empty":
        array = pa.nulls(len(values), ARROW_TYPES[dtype]())
    elif kind == "integer" and dtype == INT and (whole := _all_int64(values)) is not None:
        return whole
    else:
        try:
            # from_pandas: a NaN (a key missing from a row, as pandas reads it) becomes null
            array = pa.array(values, type=ARROW_TYPES[dtype](), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            return None
    return arrow_to_pandas()[array.type].__from_arrow__(array)


def _all_int64(integers: Any) -> Any:
    """Return Python integers as an Int64 array when none is missing and all fit in 64 bits
    (the common case, in one numpy step), else ``None``."""
    import numpy as np
    import pandas as pd

    try:
        values = np.asarray(integers, dtype=object).astype(np.int64)
    except (TypeError, ValueError, OverflowError):  # None, NaN, or beyond 64 bits
        return None
    return pd.arrays.IntegerArray(values, np.zeros(len(values), dtype=bool))


def _categorical(texts: Any) -> Any:
    """Return text values (NA among them) as a pandas Categorical with sorted categories (as
    ``astype("category")`` gives)."""
    import numpy as np
    import pandas as pd

    codes, words = pd.factorize(np.asarray(texts, dtype=object))
    order = np.argsort(words)
    rank = np.empty(len(words) + 1, dtype=codes.dtype)
    rank[order] = np.arange(len(words))
    rank[-1] = -1  # NA keeps code -1
    # Categories typed as strings even when there are none: an empty object-typed category
    # list is saved by Parquet as a null dictionary and read back as plain objects.
    categories = pd.Index(words[order], dtype="str")
    return pd.Categorical.from_codes(rank[codes], categories=categories,
                                     validate=False)  # codes made above, all in range


def repeated(value: Any, dtype: str, n: int) -> Any:
    """Return a pandas array of ``dtype`` holding ``value`` ``n`` times: the value converted
    once, as :func:`convert_list` would convert it, then repeated."""
    import numpy as np

    return convert_list([value], dtype).array.take(np.zeros(n, dtype=np.intp))


def _arrow_type(name: str) -> Any:
    def make() -> Any:
        import pyarrow as pa

        return getattr(pa, name)()

    return make


# The Arrow type each spec dtype is built from, and the pandas dtype it becomes.
ARROW_TYPES = {STRING: _arrow_type("string"), CATEGORY: _arrow_type("string"),
                INT: _arrow_type("int64"), FLOAT: _arrow_type("float64"),
                BOOL: _arrow_type("bool_")}


def arrow_to_pandas() -> dict[Any, Any]:
    import pandas as pd
    import pyarrow as pa

    return {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(),
            pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype()}


def convert(values: pd.Series, dtype: str) -> pd.Series:
    """Return ``values`` converted to ``dtype`` (a spec dtype name); unparseable → NA."""
    import pandas as pd

    values = pd.Series(values).reset_index(drop=True)
    if dtype == STRING:
        return values.map(_as_text).astype("string")
    if dtype == INT:
        # value by value: a detour through floats would round integers beyond 2**53
        return pd.Series(pd.array([_as_int(v) for v in values], dtype=INT))
    if dtype == FLOAT:
        numbers = pd.to_numeric(values.where(values.map(_is_number), None), errors="coerce")
        return numbers.astype(FLOAT)
    if dtype == BOOL:
        return values.map(lambda v: v if isinstance(v, bool) else None).astype(BOOL)
    if dtype == CATEGORY:
        texts = values.map(lambda v: v if isinstance(v, str) else None)
        return pd.Series(_categorical(texts.to_numpy(dtype=object)))
    if dtype == DATETIME:
        return parse_api_time(values)
    raise ValueError(f"unknown dtype {dtype!r}")


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and value != value) or isinstance(
            value, (dict, list)):
        return None
    return str(value)


def _as_int(value: Any) -> int | None:
    """Return a JSON number as an int64 value if it is a whole number that fits, else None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_api_time(values: pd.Series) -> pd.Series:
    """Return the API's timestamps (``20250628T083911.000Z``) as UTC datetimes; NA where a
    value is missing or malformed. Values already datetimes (tz-aware, as the history's
    records give them) are kept."""
    import datetime

    import pandas as pd

    text = values.map(lambda v: v if isinstance(v, str) else None)
    parsed = pd.to_datetime(text.str.replace("Z", "+0000", regex=False),
                            format=API_TIME_FORMAT, errors="coerce", utc=True)
    moments = values.map(lambda v: v if isinstance(v, datetime.datetime) else None)
    if moments.notna().any():
        parsed = parsed.fillna(pd.to_datetime(moments, utc=True))
    return parsed.astype(DATETIME)


SPECS: dict[str, FrameSpec] = {}


def spec(name: str, row: str, *columns: tuple[str, str, str]) -> FrameSpec:
    """Declare and register the spec of frame ``name`` from ``(column, dtype, meaning)``
    triples, and return it."""
    if name in SPECS:
        raise ValueError(f"frame {name!r} is declared twice")
    made = FrameSpec(name, row, tuple(Column(*c) for c in columns))
    SPECS[name] = made
    return made


def documented(*frame_specs: FrameSpec,
               titles: tuple[str, ...] = ()) -> Callable[[_Function], _Function]:
    """Decorator: append the columns of each spec in ``frame_specs`` to a function's
    docstring, so that ``help()`` lists every column from the one spec. ``titles`` (one per
    spec) name the part of the result each spec describes, e.g. ``"``.members``"``."""
    if titles and len(titles) != len(frame_specs):
        raise ValueError("give one title per spec")

    def decorate(func: _Function) -> _Function:
        doc = (func.__doc__ or "").rstrip()
        for frame_spec, title in zip(frame_specs, titles or ("",) * len(frame_specs), strict=True):
            head = f"Columns of {title}" if title else "Columns"
            doc += (f"\n\n    {head} (one row per {frame_spec.row}):\n"
                    + frame_spec.docstring())
        func.__doc__ = doc + "\n"
        func.spec = frame_specs[0]  # type: ignore[attr-defined]
        return func

    return decorate
