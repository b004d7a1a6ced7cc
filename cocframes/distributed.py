"""Collect many players or clans on a Dask cluster, each worker with its own IP's keys.

Needs the optional extra: ``pip install 'cocframes[dask]'``. ::

    from dask.distributed import Client as DaskClient
    import cocframes.distributed as cfd

    dask = DaskClient("tcp://scheduler:8786")                  # or LocalCluster()
    units = cfd.collect("units", tags, client=dask)            # a dask DataFrame
    cfd.collect("players", tags, client=dask, path="players")  # a Parquet dataset too

How a collection runs:

- The tags are checked and deduplicated here, as :func:`cocframes.players` does (a string
  that is not a tag is a failure of that tag), and split into partitions.
- Each partition is one task. On its worker it is fetched by a cocframes :class:`Client`
  made from **that worker's environment**, once per worker process and kept: a token
  (``$COC_API_TOKEN``), or developer-portal credentials (``$COC_EMAIL`` /
  ``$COC_PASSWORD``) with keys bound to the worker's own IP (``$COCFRAMES_SOURCE_ADDRESS``
  binds it to one of the machine's addresses). Workers never revoke keys: several workers
  sharing an account each keep their own keys for their own IP.
- Nothing secret enters the task graph: a task holds its tags and the client options given
  here, which may not be credentials.
- Rows exactly once: a partition is a pure function of its tags. A task lost with its
  worker is run again by Dask from the start; a Parquet part is written under a temporary
  name and renamed, so a re-run replaces it and a reader never sees half a part.
- Failures are kept per tag as given, as in the single-machine frames: in ``ddf.attrs``
  (and ``_failures.json`` beside a Parquet dataset), with a warning; when every tag failed,
  the first failure is raised.
- Progress: the tasks show in the Dask dashboard as ``cocframes-<kind>``, and a progress bar
  counts partitions in the notebook or terminal.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cocframes._bulk_frames import (
    BULK_KINDS,
    canonical_tags,
    fetch_bulk,
    first_failure,
    warn_failures,
)
from cocframes._frame_common import failures_note
from cocframes.cache import redact_url
from cocframes.checks import count, tag_strings

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

    from cocframes.client import Client

__all__ = ["KINDS", "collect", "worker_client"]

#: What :func:`collect` can collect, by the name of the single-machine frame it matches.
KINDS = tuple(BULK_KINDS)
#: Client options that are secrets: they must come from each worker's environment.
SECRET_OPTIONS = frozenset({"token", "email", "password", "key_store"})
#: Options a worker's client gets whatever is passed (no bar on a worker; never revoke the
#: keys of other workers' IPs).
_WORKER_OPTIONS: dict[str, Any] = {"progress": False, "revoke_keys": False}
FAILURES_FILE = "_failures.json"

_clients: dict[tuple[tuple[str, Any], ...], Client] = {}
_clients_lock = threading.Lock()


def _dask() -> Any:
    """Import dask's distributed scheduler, or say how to install it."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("cocframes.distributed needs Dask: pip install 'cocframes[dask]'"
                          ) from exc
    return distributed


def worker_client(options: Mapping[str, Any] | None = None) -> Client:
    """Return this process's cocframes client for ``options``, made on first use from the
    environment (token or developer-portal credentials) and kept for later tasks."""
    from cocframes.client import Client

    settings = {**(options or {}), **_WORKER_OPTIONS}
    key = tuple(sorted(settings.items()))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = Client(**settings)
        return client


@dataclass
class Part:
    """What one partition's task returns.

    Attributes:
        frame: its rows (``None`` when written to a Parquet part instead).
        failures: tag as given → its error, for the tags of this partition that failed.
        rows: how many rows it has.
        file: the Parquet part written, if any.
    """

    frame: pd.DataFrame | None
    failures: dict[str, Exception] = field(default_factory=dict)
    rows: int = 0
    file: str | None = None


def fetch_partition(kind: str, given: Sequence[str], options: Mapping[str, Any],
                    path: str | None, index: int) -> Part:
    """Fetch one partition on this worker and return it (or write it as Parquet part
    ``index`` under ``path`` and return where): the task :func:`collect` runs."""
    bulk = BULK_KINDS[kind]
    answers = fetch_bulk(bulk, given, worker_client(options), progress=False)
    df = bulk.build(answers.fetched)
    part = Part(df, answers.failures, len(df))
    if path is not None:
        part.file, part.frame = _write_part(df, Path(path), index), None
    return part


def _write_part(df: Any, folder: Path, index: int) -> str:
    """Write ``df`` as ``part-<index>.parquet`` in ``folder`` atomically; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"part-{index:05d}.parquet"
    temporary = folder / f".part-{index:05d}-{uuid.uuid4().hex}.tmp"
    try:
        df.to_parquet(temporary, index=False)
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    return str(final)


def _partitions(tags: list[str], size: int) -> list[list[str]]:
    return [tags[i:i + size] for i in range(0, len(tags), size)]


def _default_size(tags: int, workers: int) -> int:
    """About 32 partitions per worker, 10 to 500 tags each. Each worker's pace is its keys'
    rate, so what evens the workers out is small tasks handed to whichever worker is free:
    the last one to finish is then at most one small partition behind the others."""
    return max(10, min(500, -(-tags // max(1, 32 * workers))))


def _check_options(options: Mapping[str, Any]) -> dict[str, Any]:
    secret = sorted(SECRET_OPTIONS.intersection(options))
    if secret:
        raise ValueError(
            f"collect() does not take {', '.join(secret)}: secrets never enter the task graph. "
            "Set COC_API_TOKEN, or COC_EMAIL and COC_PASSWORD, in each worker's environment.")
    cache = options.get("cache")
    if isinstance(cache, str) and redact_url(cache) != cache:
        raise ValueError(
            "collect() does not take a cache URL holding credentials: secrets never enter the "
            "task graph. Set COCFRAMES_CACHE_URL in each worker's environment and pass "
            "cache=True.")
    fixed = sorted(set(_WORKER_OPTIONS).intersection(options))
    if fixed:
        raise ValueError(f"collect() sets {', '.join(fixed)} itself on the workers")
    return dict(options)


def collect(kind: str, tags: str | Sequence[str], *, client: Any, path: str | os.PathLike[str]
            | None = None, overwrite: bool = False, partition_size: int | None = None,
            progress: bool = True, **client_options: Any) -> dd.DataFrame:
    """Collect ``kind`` (``"players"``, ``"units"``, ``"achievements"``, ``"clans"`` or
    ``"members"``) of every tag on the Dask cluster of ``client`` (a
    ``dask.distributed.Client``), and return it as a dask DataFrame.

    The frame has exactly the columns and dtypes of the single-machine frame
    (``cf.players(tags)``, ``cf.units``, ``cf.achievements``, ``cf.clans``; for
    ``"members"``, ``cf.members`` of each clan), one partition per task; computed, it holds
    the same rows (each partition keeps its own index: ``reset_index(drop=True)`` numbers
    them). Tasks have run when this returns, so the result is already in the workers' memory
    (or in the Parquet files).

    Args:
        kind: what to collect.
        tags: player tags (clan tags for ``clans`` and ``members``), as for ``cf.players``.
        client: the ``dask.distributed.Client`` of the cluster.
        path: a folder to write the rows to as a partitioned Parquet dataset (one
            ``part-NNNNN.parquet`` per partition and ``_failures.json``); the frame returned
            then reads them.
        overwrite: with ``path``, replace the dataset a previous collection wrote there
            (only its ``part-*.parquet`` and ``_failures.json`` are removed); without it a
            folder holding anything is refused, so that no old part is read as new rows.
        partition_size: tags per task (an int >= 1); default: about 32 tasks per worker,
            10 to 500 tags each.
        progress: show a progress bar of the partitions done.
        **client_options: options of each worker's :class:`cocframes.Client` (``rate``,
            ``key_count``, ``key_name``, ``base_url``, ``cache``, ``source_address``...);
            never credentials.

    ``ddf.attrs`` holds ``kind``, ``source`` (the operation), ``partitions``, ``rows`` and
    ``failures`` (tag as given → reason and message).

    Raises:
        ValueError: an unknown kind, credentials among the options, or no tag; the first
            failure when every tag failed.
        TypeError: a tag that is not a string.
        ImportError: Dask is not installed.
    """
    distributed = _dask()
    import dask.dataframe as dd

    if kind not in BULK_KINDS:
        raise ValueError(f"unknown kind {kind!r}; collect() takes {', '.join(KINDS)}")
    options = _check_options(client_options)
    partition_size = count("partition_size", partition_size)
    given = tag_strings(tags)
    canonical, failures = canonical_tags(given)
    distinct = list(dict.fromkeys(canonical.values()))
    workers = len(client.nthreads()) or 1
    parts = _partitions(distinct, partition_size or _default_size(len(distinct), workers))
    folder = None if path is None else _prepare_folder(Path(path), overwrite)
    futures = _submit(client, kind, parts, options, folder)
    _show_progress(distributed, futures, kind, progress)
    # The small parts of each result come here; the rows stay on the workers.
    done: list[Part] = client.gather(client.map(_without_frame, futures, pure=False))
    by_tag: dict[str, Exception] = {}
    for part in done:
        by_tag.update(part.failures)
    failures.update((typed, by_tag[tag]) for typed, tag in canonical.items() if tag in by_tag)
    failed = [typed for typed in given if typed in failures]
    if len(failed) == len(given):
        raise first_failure(failures, given)
    if failed:
        warn_failures(failed, len(given), "tags given", failures)
    note = failures_note(failures)
    ddf: dd.DataFrame
    if folder is not None:
        _write_failures(Path(folder), note)
        ddf = dd.read_parquet(folder)
    else:
        frames = client.map(_frame_of, futures, pure=False)
        ddf = dd.from_delayed(frames, meta=BULK_KINDS[kind].build({}), verify_meta=False)
    ddf.attrs = {"kind": kind, "source": BULK_KINDS[kind].operation, "partitions": len(parts),
                 "rows": sum(p.rows for p in done), "failures": note}
    return ddf


def _submit(client: Any, kind: str, parts: list[list[str]], options: dict[str, Any],
            folder: str | None) -> list[Any]:
    """Submit one task per partition, named ``cocframes-<kind>-...`` in the dashboard."""
    run = uuid.uuid4().hex[:8]
    keys = [f"cocframes-{kind}-{run}-{i}" for i in range(len(parts))]
    return [client.submit(fetch_partition, kind, tags, options, folder, i, key=key, pure=False)
            for i, (tags, key) in enumerate(zip(parts, keys, strict=True))]


def _show_progress(distributed: Any, futures: list[Any], kind: str, show: bool) -> None:
    """Wait for every task, counting finished partitions on a progress bar when ``show``."""
    from cocframes.bulk import progress_bar

    bar = progress_bar(len(futures), f"{kind} partitions", show)
    if bar is not None:
        bar.show()  # the tasks are running on the cluster already
    try:
        for _ in distributed.as_completed(futures):
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()


def _without_frame(part: Part) -> Part:
    return Part(None, part.failures, part.rows, part.file)


def _frame_of(part: Part) -> pd.DataFrame | None:
    return part.frame


def _prepare_folder(path: Path, overwrite: bool) -> str:
    """Return ``path`` made absolute, emptied of an earlier dataset when ``overwrite``.

    Raises:
        FileExistsError: if it holds anything and ``overwrite`` is false, or holds files
            that are not an earlier dataset's.
    """
    folder = path.expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"path {folder} exists and is not a folder")
    present = sorted(folder.iterdir()) if folder.is_dir() else []
    if present and not overwrite:
        raise FileExistsError(f"{folder} is not empty; pass overwrite=True to replace the "
                              "dataset collected there, or give a new folder")
    ours = [p for p in present if p.name == FAILURES_FILE
            or (p.name.startswith("part-") and p.suffix == ".parquet")
            or (p.name.startswith(".part-") and p.suffix == ".tmp")]  # a killed task's
    others = [p.name for p in present if p not in ours]
    if others:
        raise FileExistsError(f"{folder} holds files collect() did not write "
                              f"({', '.join(others[:3])}); give a new folder")
    for old in ours:
        old.unlink()
    return str(folder)


def _write_failures(folder: Path, note: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / FAILURES_FILE
    temporary = folder / f".{FAILURES_FILE}.{uuid.uuid4().hex}.tmp"
    temporary.write_text(json.dumps(note, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, target)


def read_failures(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the failures written beside a Parquet dataset by :func:`collect`."""
    failures: dict[str, Any] = json.loads((Path(path) / FAILURES_FILE).read_text(encoding="utf-8"))
    return failures

