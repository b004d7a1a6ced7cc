"""A history made offline: the tracker following the living demo world for days or weeks of
its time, in minutes, with no token and no network (for notebooks, tests and benchmarks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .store import Detected, HistoryStore
from .tracker import PassResult, Tracker


@dataclass
class Simulation:
    """A tracker following a demo world on its schedule.

    Attributes:
        world: the demo world (``world.record`` holds what really happened).
        client: the :class:`~cocframes.demo.direct.DirectClient` polling it (its
            ``requests``, ``received`` and ``world_seconds`` count what the world answered).
        tracker: the tracker. events: every event found. passes: passes run.
        first_pass, last_pass: when the first and the latest pass ran (UNIX seconds).
    """

    world: Any
    client: Any
    tracker: Tracker
    events: list[Detected] = field(default_factory=list)
    passes: int = 0
    first_pass: float | None = None
    last_pass: float | None = None

    def run_until(self, until: datetime,
                  on_pass: Callable[[PassResult], None] | None = None) -> Simulation:
        """Run passes, letting the world live until each next one is due, until the world's
        clock reaches ``until``; return this simulation."""
        world, tracker = self.world, self.tracker
        while world.now < until:
            result = tracker.run_pass()
            now = tracker.now()
            if self.first_pass is None:
                self.first_pass = now
            self.last_pass = now
            self.passes += 1
            self.events.extend(result.events)
            if on_pass is not None:
                on_pass(result)
            step = min(max(result.next_due - now, 1.0), (until - world.now).total_seconds())
            self.client.advance(seconds=max(step, 1.0))
        return self


def start(store: HistoryStore, *, world: Any = None, seed: int = 7,
          now: datetime | None = None, clans: Iterable[str] | None = None,
          players: Iterable[str] = (), client: Any = None, **options: Any) -> Simulation:
    """Return a simulation of the demo world (``world``, else a new one of ``seed`` at
    ``now``) followed by a tracker writing to ``store``; ``clans`` default to the main demo
    clan; ``client`` replaces the direct demo client (e.g. to inject failures); ``options``
    go to :class:`Tracker`."""
    from cocframes.demo.direct import DirectClient
    from cocframes.demo.world import World

    world = world if world is not None else World(seed=seed, now=now)
    client = client if client is not None else DirectClient(world)
    clans = list(clans) if clans is not None else [world.clan_tag]
    return Simulation(world, client, Tracker(client, store, clans=clans, players=players,
                                             **options))


def simulate(days: float = 28.0, *, history: HistoryStore | None = None, seed: int = 7,
             now: datetime | None = None, clans: Iterable[str] | None = None,
             **options: Any) -> Simulation:
    """Follow the main demo clan (or ``clans``) for ``days`` of the demo world's time and
    return the simulation (its ``tracker.store`` is the history file).

    ``history``: where to write (default: a new file in a temporary directory).
    """
    if history is None:
        import tempfile

        history = HistoryStore(tempfile.mkdtemp(prefix="cocframes-history-"))
    sim = start(history, seed=seed, now=now, clans=clans, **options)
    return sim.run_until(sim.world.now + timedelta(days=days))
