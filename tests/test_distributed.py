"""Collecting on a Dask cluster: a LocalCluster of 3 worker processes against the demo HTTP
server on 127.0.0.1. The result equals the single-machine frame row for row, failures are
kept per tag, nothing secret reaches the scheduler, a killed worker loses and duplicates
nothing, and a Parquet dataset reads back the same rows."""

from __future__ import annotations

import os
import signal
import threading
import time
import warnings

import pandas as pd
import pytest

import cocframes as cf
from cocframes.demo import DemoServer, World

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
cfd = pytest.importorskip("cocframes.distributed")

TOKEN = "cluster-token-not-for-logs"
RATE = 40  # requests per second per token, at the server and in each worker's throttle


@pytest.fixture(scope="module")
def world() -> World:
    return World()


@pytest.fixture(scope="module")
def server(world: World):
    with DemoServer(world, rate_limit=RATE, burst=RATE) as srv:
        yield srv


@pytest.fixture(scope="module")
def dask_client(server: DemoServer, tmp_path_factory):
    env = {"COC_API_TOKEN": TOKEN, "COCFRAMES_BASE_URL": server.base_url,
           "COCFRAMES_CACHE": str(tmp_path_factory.mktemp("worker-cache"))}
    with distributed.LocalCluster(n_workers=3, threads_per_worker=2, processes=True,
                                  dashboard_address=None, env=env) as cluster, \
            distributed.Client(cluster) as client:
        yield client


@pytest.fixture
def local(server: DemoServer) -> cf.Client:
    with cf.Client(token=TOKEN, base_url=server.base_url, cache=False, progress=False,
                   rate=RATE) as c:
        yield c


def _same_rows(ddf, expected: pd.DataFrame) -> None:
    got = ddf.compute().reset_index(drop=True)
    assert list(got.columns) == list(expected.columns)
    assert {c: str(t) for c, t in got.dtypes.items()} == \
        {c: str(t) for c, t in expected.dtypes.items()}
    pd.testing.assert_frame_equal(got, expected, check_categorical=False)


@pytest.mark.parametrize("kind", ["players", "units", "achievements"])
def test_player_kinds_equal_the_single_machine_frame(dask_client, local, world, kind):
    tags = world.player_tags[:60]
    ddf = cfd.collect(kind, tags, client=dask_client, partition_size=7, progress=False,
                      rate=RATE)
    assert ddf.npartitions == 9 == ddf.attrs["partitions"]
    _same_rows(ddf, getattr(cf, kind)(tags, client=local))
    assert ddf.attrs["failures"] == {}


def test_clans_and_members_equal_the_single_machine_frames(dask_client, local, world):
    clans = [world.clan_tag, world.private_clan_tag, world.not_in_war_clan_tag,
             *world.cwl_clan_tags[1:4]]
    _same_rows(cfd.collect("clans", clans, client=dask_client, partition_size=2,
                           progress=False), cf.clans(clans, client=local))
    expected = pd.concat([cf.members(c, client=local) for c in clans], ignore_index=True)
    _same_rows(cfd.collect("members", clans, client=dask_client, partition_size=4,
                           progress=False), expected.astype(expected.dtypes.to_dict()))


def test_failures_are_kept_per_tag_as_given(dask_client, local, world):
    tags = [*world.player_tags[:10], "not a tag", "#PPPPPPPP", world.player_tags[0].lower()]
    with pytest.warns(UserWarning, match="2 of 13 tags given could not be fetched"):
        ddf = cfd.collect("players", tags, client=dask_client, partition_size=3,
                          progress=False)
    assert set(ddf.attrs["failures"]) == {"not a tag", "#PPPPPPPP"}
    assert ddf.attrs["failures"]["#PPPPPPPP"]["reason"] == "notFound"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = cf.players(tags, client=local)
    assert expected.attrs["failures"] == ddf.attrs["failures"]
    _same_rows(ddf, expected)


def test_when_every_tag_fails_the_first_failure_is_raised(dask_client):
    with pytest.raises(cf.NotFoundError):
        cfd.collect("players", ["#PPPPPPPP", "#PPPPPPPY"], client=dask_client, progress=False)


def test_secrets_never_enter_the_task_graph_or_the_logs(dask_client, world):
    with pytest.raises(ValueError, match="secrets never enter the task graph"):
        cfd.collect("players", world.player_tags[:2], client=dask_client, token=TOKEN)
    ddf = cfd.collect("players", world.player_tags[:20], client=dask_client, progress=False)
    assert len(ddf.compute()) == 20

    def graph(dask_scheduler):
        return repr([(key, state.run_spec) for key, state in dask_scheduler.tasks.items()])

    seen = dask_client.run_on_scheduler(graph)
    assert "cocframes-players" in seen
    logs = repr(dask_client.get_scheduler_logs()) + repr(dask_client.get_worker_logs())
    for text in (seen, logs):
        assert TOKEN not in text


def test_a_parquet_dataset_holds_the_rows_and_the_failures(dask_client, local, world,
                                                          tmp_path):
    tags = [*world.player_tags[:25], "#PPPPPPPP"]
    folder = tmp_path / "units"
    with pytest.warns(UserWarning):
        ddf = cfd.collect("units", tags, client=dask_client, path=folder, partition_size=6,
                          progress=False)
    assert sorted(p.name for p in folder.iterdir()) == \
        ["_failures.json", *[f"part-{i:05d}.parquet" for i in range(5)]]
    assert set(cfd.read_failures(folder)) == {"#PPPPPPPP"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = cf.units(tags, client=local)
    _same_rows(ddf, expected)
    # A second run into the same folder is refused, unless it replaces the first.
    with pytest.raises(FileExistsError, match="overwrite=True"):
        cfd.collect("units", tags[:3], client=dask_client, path=folder, progress=False)
    again = cfd.collect("units", tags[:3], client=dask_client, path=folder, overwrite=True,
                        progress=False)
    assert len(again.compute()) == len(cf.units(tags[:3], client=local))
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="did not write"):
        cfd.collect("units", tags[:3], client=dask_client, path=folder, overwrite=True)


def test_progress_counts_partitions(dask_client, world, capsys):
    cfd.collect("players", world.player_tags[:8], client=dask_client, partition_size=2,
                progress=True)
    err = capsys.readouterr().err
    assert "players partitions" in err and "4/4" in err


@pytest.mark.parametrize(("args", "error", "match"), [
    (("troops", ["#2PP"]), ValueError, "collect\\(\\) takes players, units"),
    (("players", []), ValueError, "no tag given"),
    (("players", [7]), TypeError, "must be a string"),
    (("players", ["#2PP"], {"partition_size": 0}), ValueError, "partition_size"),
    (("players", ["#2PP"], {"email": "a@b.c"}), ValueError, "secrets"),
    (("players", ["#2PP"], {"cache": "redis://:pw@127.0.0.1:1/0"}), ValueError,
     "COCFRAMES_CACHE_URL"),
    (("players", ["#2PP"], {"progress_bar": 1}), TypeError, "progress_bar"),
])
def test_bad_input_is_refused_before_any_task(dask_client, args, error, match):
    kind, tags, *rest = args
    options = rest[0] if rest else {}
    with pytest.raises(error, match=match):
        cfd.collect(kind, tags, client=dask_client, progress=False, **options)


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(dask_client, local, world):
    tags = world.player_tags[:240]  # 12 partitions of 20: about half a second each
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["ddf"] = cfd.collect("players", tags, client=dask_client,
                                        partition_size=20, progress=False, rate=RATE)
        except BaseException as exc:  # reported below
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    pids = dask_client.run(os.getpid)
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline and thread.is_alive():
        busy = {worker: keys for worker, keys in dask_client.processing().items()
                if any("cocframes-players" in str(k) for k in keys)}
        victim = next(iter(busy), None)
        time.sleep(0.05)
    assert victim is not None, "no worker was seen running a partition"
    os.kill(pids[victim], signal.SIGKILL)
    thread.join(timeout=240)
    assert not thread.is_alive()
    assert "error" not in result, result.get("error")
    expected = cf.players(tags, client=local)
    _same_rows(result["ddf"], expected)
    dask_client.wait_for_workers(3, timeout=60)


def test_a_redis_cache_is_shared_by_every_worker(dask_client, server, world):
    from _redis import running_redis

    tags = world.player_tags[400:440]
    with running_redis() as redis_server:
        first = cfd.collect("players", tags, client=dask_client, partition_size=5,
                            progress=False, cache=redis_server.url, rate=RATE)
        expected = first.compute().reset_index(drop=True)
        stored = list(redis_server.connection().scan_iter("cocframes:*"))
        assert len(stored) == len(tags)
        before = server.stats()["requests"]
        # Other options make a new client on every worker: nothing comes from a worker's
        # memory, every answer from Redis, wherever its tag was fetched the first time.
        second = cfd.collect("players", tags, client=dask_client, partition_size=5,
                             progress=False, cache=redis_server.url, rate=RATE - 1)
        _same_rows(second, expected)
        assert server.stats()["requests"] == before


# ------------------------------------------------------------------ workers as callers
@pytest.fixture(scope="module")
def callers_server(world: World):
    from cocframes.demo import Portal

    with DemoServer(world, portal=Portal(caller_ip="peer"), rate_limit=RATE,
                    burst=RATE) as srv:
        yield srv


def test_workers_sharing_one_account_keep_their_own_keys_and_revoke_none(callers_server,
                                                                         world):
    from cocframes.demo.cluster import caller_address, demo_cluster
    from cocframes.demo.portal import DEMO_EMAIL

    portal = callers_server.portal
    tags = world.player_tags[:90]
    for run in (1, 2):  # the second run: new worker processes logging in again
        with demo_cluster(callers_server, 3, threads_per_worker=2) as cluster, \
                distributed.Client(cluster) as dask:
            ddf = cfd.collect("players", tags, client=dask, partition_size=10,
                              progress=False, key_count=3, cache=False)
            assert len(ddf.compute()) == 90
            served = {w: a for w, a in dask.run(
                lambda: __import__("os").environ["COCFRAMES_SOURCE_ADDRESS"]).items()}
        keys = portal.keys_of(DEMO_EMAIL)
        assert len(keys) == 9, f"run {run}"
        by_ip = {}
        for key in keys:
            by_ip.setdefault(tuple(key["cidrRanges"]), []).append(key)
        assert sorted(by_ip) == [(caller_address(i),) for i in range(3)]
        assert all(len(v) == 3 for v in by_ip.values())
        assert sorted(served.values()) == [caller_address(i) for i in range(3)]
        stats = portal.stats()
        assert stats["revoke"] == 0
        assert stats["create"] == 9, "the second run reuses the keys of the first"
