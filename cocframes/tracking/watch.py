"""Watching: tracker passes in a loop, callbacks per event kind, and a handle for a watch
running in the background of a notebook.

The loop survives what the API does: a failed poll is a ``poll_error`` event and is retried
at the next pass; maintenance is reported once (``maintenance_start``) and polled gently until
it ends (``maintenance_end``); a pass that fails as a whole (the history file busy for longer
than its retries, say) is reported to the ``poll_error`` callbacks and retried after an
exponential backoff. A callback that raises is reported with a warning and the loop goes on.

Ctrl-C (or a kernel interrupt) stops the loop: a pass interrupted while fetching wrote
nothing, one interrupted while writing is rolled back, so the file holds whole passes only.
"""

from __future__ import annotations

import threading
import traceback
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .changes import frame_of_detected
from .kinds import Change, event_kind
from .store import Detected
from .times import utc
from .tracker import Tracker

if TYPE_CHECKING:
    import pandas as pd

MIN_WAIT, MAX_WAIT = 1.0, 60.0  # seconds between passes (of the tracker's clock)
MAX_BACKOFF = 600.0
DEMO_SPEED = 60.0  # an in-process demo world lives this many seconds per second watched
ANY = "*"


@dataclass(frozen=True)
class Event:
    """One event as callbacks receive it.

    Attributes:
        time_from: start of the interval it happened in (UTC), or ``None`` when unknown.
        time_to: the poll that saw it (UTC).
        kind, clan, player, field, old, new: as in :class:`~cocframes.tracking.kinds.Change`.
    """

    time_from: datetime | None
    time_to: datetime
    kind: str
    clan: str | None
    player: str | None
    field: str | None
    old: Any
    new: Any

    @classmethod
    def of(cls, found: Detected) -> Event:
        c = found.change
        return cls(None if found.time_from is None else utc(found.time_from),
                   utc(found.time_to), c.kind, c.clan, c.player, c.field, c.old, c.new)


class CallbackWarning(UserWarning):
    """A watch callback raised; the watch went on."""


def check_callbacks(on: Mapping[str, Callable[[Event], Any]] | None
                    ) -> dict[str, Callable[[Event], Any]]:
    """Return ``on`` with its kinds spelled canonically (``"*"``: every kind).

    Raises:
        ValueError: an unknown kind. TypeError: a callback that is not callable.
    """
    out: dict[str, Callable[[Event], Any]] = {}
    for kind, callback in (on or {}).items():
        name = ANY if kind == ANY else event_kind(kind).name
        if not callable(callback):
            raise TypeError(f"the callback for {kind!r} is not callable: {callback!r}")
        out[name] = callback
    return out


class WatchLoop:
    """Runs passes of a tracker until stopped, a pass count or a time limit.

    Args:
        tracker: what to poll and where to store it.
        on: callbacks by event kind (``"*"``: every event).
        max_passes: stop after this many passes (``None``: no limit).
        duration: stop after this many seconds of the tracker's clock (``None``: no limit).
        speed: for an in-process demo client, seconds of the demo world per second waited
            (the world is advanced while the loop waits); ignored otherwise.
        stop: an event that stops the loop when set (the background handle's).
    """

    def __init__(self, tracker: Tracker, on: Mapping[str, Callable[[Event], Any]] | None = None,
                 *, max_passes: int | None = None, duration: float | None = None,
                 speed: float | None = None, stop: threading.Event | None = None) -> None:
        if max_passes is not None and max_passes < 1:
            raise ValueError(f"max_passes must be at least 1, got {max_passes!r}")
        if duration is not None and duration <= 0:
            raise ValueError(f"duration must be positive, got {duration!r}")
        if speed is not None and speed <= 0:
            raise ValueError(f"speed must be positive, got {speed!r}")
        self.tracker = tracker
        self.callbacks = check_callbacks(on)
        self.max_passes = max_passes
        self.duration = duration
        self.world = getattr(tracker.client, "demo_world", None)
        self.speed = (speed or DEMO_SPEED) if self.world is not None else None
        self.stop_event = stop or threading.Event()
        self.events: list[Detected] = []
        self.passes = 0
        self.failures = 0
        self.callback_errors = 0
        self._lock = threading.Lock()

    def run(self) -> list[Detected]:
        """Run passes until stopped; return every event found. Ctrl-C ends the loop
        cleanly (the interrupted pass stored nothing or everything)."""
        started = self.tracker.now()
        try:
            while not self.stop_event.is_set():
                next_due = self._one_pass()
                if self.max_passes is not None and self.passes >= self.max_passes:
                    break
                if self.duration is not None and self.tracker.now() - started >= self.duration:
                    break
                self._wait(next_due)
        except KeyboardInterrupt:
            pass
        return list(self.events)

    def _one_pass(self) -> float:
        """Run one pass, dispatch its events, and return when to run the next."""
        try:
            result = self.tracker.run_pass()
        except Exception as error:  # the pass as a whole failed: report, back off, go on
            self.failures += 1
            self._dispatch([Detected(Change("poll_error", field="pass",
                                            new=f"{type(error).__name__}: {error}"),
                                     None, self.tracker.now())])
            return self.tracker.now() + min(MAX_BACKOFF, 2.0 ** self.failures)
        self.failures = 0
        self.passes += 1
        self._dispatch(result.events)
        if any(d.change.kind == "maintenance_start" for d in result.events) or (
                self.tracker.maintenance_since is not None):
            return self.tracker.now() + MAX_WAIT  # poll gently until it ends
        return result.next_due

    def _dispatch(self, found: list[Detected]) -> None:
        with self._lock:
            self.events.extend(found)
        for detected in found:
            for key in (detected.change.kind, ANY):
                callback = self.callbacks.get(key)
                if callback is None:
                    continue
                try:
                    callback(Event.of(detected))
                except Exception as error:
                    self.callback_errors += 1
                    where = traceback.format_exception_only(type(error), error)[-1].strip()
                    warnings.warn(CallbackWarning(
                        f"the watch callback for {key!r} raised {where}; the watch goes on"),
                        stacklevel=2)

    def _wait(self, next_due: float) -> None:
        wait = min(MAX_WAIT, max(MIN_WAIT, next_due - self.tracker.now()))
        if self.world is None:
            self.stop_event.wait(wait)
            return
        # An in-process demo world: let it live `wait` seconds, in wait / speed real seconds.
        if not self.stop_event.wait(wait / self.speed):
            self.tracker.client.advance(seconds=wait)

    def frame(self) -> pd.DataFrame:
        """The events found so far as a changes frame."""
        with self._lock:
            found = list(self.events)
        return frame_of_detected(found)


class Watcher:
    """A watch running in a background thread (see :func:`cocframes.watch`).

    Attributes:
        passes: passes completed. failures: passes that failed as a whole in a row.
        error: the exception that ended the thread, if any (``None`` while fine).
    """

    def __init__(self, loop: WatchLoop) -> None:
        self._loop = loop
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="cocframes-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._loop.run()
        except BaseException as error:  # kept for the user to see, not printed by threading
            self.error = error

    @property
    def running(self) -> bool:
        """Whether the watch is still running."""
        return self._thread.is_alive()

    @property
    def passes(self) -> int:
        """Passes completed so far."""
        return self._loop.passes

    def stop(self, timeout: float | None = 120.0) -> pd.DataFrame:
        """Stop after the pass in progress (it is completed, not cut) and return the events.

        Raises:
            TimeoutError: the pass in progress did not end within ``timeout`` seconds.
        """
        self._loop.stop_event.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"the watch did not stop within {timeout} s")
        return self.events()

    def events(self) -> pd.DataFrame:
        """The events found so far, as a changes frame (one row per event)."""
        return self._loop.frame()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Watcher {state}: {self.passes} passes, {len(self._loop.events)} events>"
