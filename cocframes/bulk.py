"""Bulk fetching: one call over many items, answered concurrently on one kept thread pool,
each failure kept with its item.

The runner asks, in the calling thread, what each item needs: either its answer at once
(a fresh answer in memory or the cache file: dispatching it to a thread would cost more
than answering it, since a new thread waits for the GIL) or a task for the pool. Tasks run
in a copy of the caller's context, so the call's retry budget reaches every thread.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cocframes.errors import CocError

T = TypeVar("T")
R = TypeVar("R")

# What one item may fail with and still leave the others running: the API's errors, bad
# tags, unknown names and wrong argument types. Anything else is a bug and propagates.
ITEM_ERRORS = (CocError, LookupError, ValueError, TypeError)


@dataclass
class BulkResult(Generic[T, R]):
    """The outcome of a bulk fetch, in the order of the inputs.

    Attributes:
        items: the inputs.
        results: one entry per input: the result, or ``None`` where that input failed.
        errors: one entry per input: the exception it raised, or ``None``.
    """

    items: list[T]
    results: list[R | None]
    errors: list[Exception | None]

    @property
    def failures(self) -> dict[Any, Exception]:
        """Input → the exception it raised, for every input that failed (an unhashable
        input is keyed by its ``repr``; a repeated input appears once)."""
        return {_key(item): error for item, error in zip(self.items, self.errors, strict=True)
                if error is not None}

    @property
    def failed(self) -> int:
        """How many inputs failed (repeated inputs counted each time)."""
        return sum(error is not None for error in self.errors)

    @property
    def succeeded(self) -> list[R]:
        """The results of the inputs that did not fail, in input order."""
        return [r for r, error in zip(self.results, self.errors, strict=True)  # type: ignore[misc]
                if error is None]


def _key(item: Any) -> Any:
    try:
        hash(item)
    except TypeError:
        return repr(item)
    return item


@dataclass(frozen=True)
class Answered(Generic[R]):
    """An item answered in the calling thread."""

    result: R


#: What the runner's ``prepare`` returns for one item: its answer, or a task for the pool.
Prepared = Answered[R] | Callable[[], R]


class BulkRunner:
    """Runs bulk calls on a thread pool kept between calls (starting threads costs more than
    answering from the cache); a nested or concurrent run gets a pool of its own, so that it
    can never wait on threads busy waiting for it."""

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None
        self._size = 0
        self._lock = threading.Lock()
        self._local = threading.local()

    def run(self, items: Sequence[T], prepare: Callable[[T], Prepared[R]], *, workers: int,
            bar: ProgressBar | None = None) -> BulkResult[T, R]:
        """Prepare every item in this thread and run the tasks on the pool; return the
        results in input order. An item whose preparation or task raises one of
        :data:`ITEM_ERRORS` fails alone; Ctrl-C cancels the tasks not yet started. ``bar``
        counts the items done and is shown once a task goes to the pool."""
        results: list[R | None] = [None] * len(items)
        errors: list[Exception | None] = [None] * len(items)
        if not items:
            return BulkResult(list(items), results, errors)
        futures: dict[Future[R], int] = {}
        with self._executor(workers) as pool:
            try:
                for i, item in enumerate(items):
                    try:
                        prepared = prepare(item)
                    except ITEM_ERRORS as exc:
                        errors[i] = exc
                        _tick(bar)
                        continue
                    if isinstance(prepared, Answered):
                        results[i] = prepared.result
                        _tick(bar)
                    else:
                        if bar is not None:
                            bar.show()  # the first call to the network: now worth a bar
                        task = contextvars.copy_context().run
                        futures[pool.submit(task, prepared)] = i
                for future in as_completed(futures):
                    i = futures[future]
                    try:
                        results[i] = future.result()
                    except ITEM_ERRORS as exc:
                        errors[i] = exc
                    _tick(bar)
            finally:
                for future in futures:
                    future.cancel()
        return BulkResult(list(items), results, errors)

    @contextlib.contextmanager
    def _executor(self, workers: int) -> Iterator[ThreadPoolExecutor]:
        nested = getattr(self._local, "in_pool", False)
        if nested or not self._lock.acquire(blocking=False):
            with ThreadPoolExecutor(max_workers=workers) as pool:
                yield pool
            return
        try:
            if self._pool is None or self._size < workers:
                if self._pool is not None:
                    self._pool.shutdown(wait=False)
                self._pool = ThreadPoolExecutor(max_workers=workers,
                                                initializer=self._mark_pool_thread)
                self._size = workers
            yield self._pool
        finally:
            self._lock.release()

    def _mark_pool_thread(self) -> None:
        self._local.in_pool = True

    def close(self) -> None:
        """Stop the kept pool (tasks not started are cancelled)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _tick(bar: ProgressBar | None) -> None:
    if bar is not None:
        bar.update(1)


class ProgressBar:
    """A tqdm bar over ``total`` calls, drawn by :meth:`show` (the first call that goes to the
    network), so that answers from the cache draw none.

    In a notebook the bar is tqdm's widget, shown through a display handle: :meth:`close`
    replaces it with its final line, so a saved notebook shows how the fetch ended, not the
    widget's first state ("0%") nor a widget kept in its metadata.
    """

    def __init__(self, total: int, description: str) -> None:
        self.total = total
        self.description = description
        self.done = 0
        self._bar: Any = None
        self._handle: Any = None  # the notebook's display handle, if any

    def show(self) -> None:
        """Draw the bar, counting the calls done so far (once; later calls do nothing)."""
        if self._bar is not None:
            return
        from tqdm.auto import tqdm  # imported late: keeps `import cocframes` light
        from tqdm.notebook import tqdm as notebook_tqdm

        options = {"total": self.total, "desc": self.description, "unit": "call",
                   "initial": self.done}
        if not issubclass(tqdm, notebook_tqdm):
            self._bar = tqdm(**options)
            return
        from IPython.display import display

        self._bar = notebook_tqdm(**options, display=False)
        self._handle = display(self._bar.container, display_id=True)

    def update(self, n: int = 1) -> None:
        """Count ``n`` more calls done."""
        self.done += n
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        """Close the bar (in a notebook, leave its final line in its place)."""
        bar, self._bar = self._bar, None
        if bar is None:
            return
        final = str(bar)
        bar.close()
        if self._handle is not None:
            _close_widget(bar.container)  # gone: nothing of it is saved with the notebook
            self._handle.update({"text/plain": final}, raw=True)


def _close_widget(widget: Any) -> None:
    """Close an ipywidget, its children, layouts and styles (closing a box leaves them)."""
    for child in getattr(widget, "children", ()):
        _close_widget(child)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None), widget):
        if part is not None:
            part.close()


def progress_bar(total: int, description: str, show: bool) -> ProgressBar | None:
    """Return a progress bar for ``total`` calls (drawn once a call goes to the network), or
    ``None`` when not shown."""
    if not show or total < 2:
        return None
    return ProgressBar(total, description)
