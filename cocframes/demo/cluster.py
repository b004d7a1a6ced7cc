"""A Dask cluster on this machine whose workers are different callers of a demo server.

Each worker process binds its connections to its own loopback address (127.0.0.2,
127.0.0.3, ...: on Linux every 127.x.y.z address is this machine) and logs in to the demo
developer portal with the demo account, so a :class:`~cocframes.demo.DemoServer` serving
``Portal(caller_ip="peer")`` sees one caller IP per worker and each worker gets keys of its
own, as workers on different machines would. Needs ``pip install 'cocframes[dask]'``::

    from dask.distributed import Client as DaskClient
    from cocframes.demo import DemoServer, Portal, World
    from cocframes.demo.cluster import demo_cluster
    import cocframes.distributed as cfd

    with DemoServer(World(), portal=Portal(caller_ip="peer"), rate_limit=10) as server, \\
            demo_cluster(server, 3) as cluster, DaskClient(cluster) as dask:
        players = cfd.collect("players", server.world.player_tags[:300], client=dask)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .portal import DEMO_EMAIL, DEMO_PASSWORD

if TYPE_CHECKING:
    from .server import DemoServer


def caller_address(index: int) -> str:
    """Return the loopback address of worker ``index`` (0-based): ``127.0.0.(2 + index)``."""
    if not 0 <= index < 250:
        raise ValueError(f"worker index must be 0 to 249, not {index}")
    return f"127.0.0.{2 + index}"


def worker_environment(server: DemoServer, index: int,
                       extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment of worker ``index``: the server's URLs, the demo account's
    credentials and the worker's own source address."""
    return {"COCFRAMES_BASE_URL": server.base_url, "COCFRAMES_PORTAL_URL": server.portal_url,
            "COC_EMAIL": DEMO_EMAIL, "COC_PASSWORD": DEMO_PASSWORD,
            "COCFRAMES_SOURCE_ADDRESS": caller_address(index), **(extra or {})}


def demo_cluster(server: DemoServer, n_workers: int = 3, *, threads_per_worker: int = 4,
                 env: Mapping[str, str] | None = None, dashboard: bool = False) -> Any:
    """Return a ``distributed.SpecCluster`` of ``n_workers`` worker processes, worker ``i``
    seen by ``server`` at :func:`caller_address` ``(i)`` (the server's portal must be
    ``Portal(caller_ip="peer")``). ``env`` adds to every worker's environment;
    ``dashboard`` serves the Dask dashboard on a free port (it needs bokeh)."""
    from distributed import Nanny, Scheduler, SpecCluster

    workers = {f"caller-{i}": {"cls": Nanny, "options": {
        "nthreads": threads_per_worker, "env": worker_environment(server, i, env)}}
        for i in range(n_workers)}
    scheduler = {"cls": Scheduler,
                 "options": {"dashboard": dashboard, "dashboard_address": ":0"}}
    # Dask's INFO lines (workers starting and closing) would bury a notebook cell's output.
    return SpecCluster(workers=workers, scheduler=scheduler, name="cocframes-demo",
                       silence_logs=logging.WARNING)
