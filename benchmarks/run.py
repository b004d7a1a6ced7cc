"""``python -m benchmarks``: cocframes against the arithmetic floor and against its peers.

A demo HTTP server (its own process) answers on 127.0.0.1 with 80 ms added latency and a
per-token limit of 10 requests/s (bucket of 10, 429 above it); a second one has no limit
(W6). Every workload uses fresh tokens, so each starts with a full server bucket, and a
fresh cache directory when it says "cold". One table of median figures and ratios is printed,
with a PASS / MISS per target (see issue 7).
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import distributed_bench, frames_bench, history_bench, peers, startup
from benchmarks._pipes import readline_within
from benchmarks.workloads import bulk_profiles, roster

ROOT = Path(__file__).resolve().parent.parent
LATENCY = 0.08
LIMIT = 10.0  # requests per second per token, and the bucket size
W6_RATE = 1000.0


@dataclass
class Sizes:
    reps: int = 3  # repeats of the short network workloads (median)
    warm_reps: int = 5
    w2: int = 500
    ranking_rows: int = 25_000
    profiles: int = 500
    frame_reps: int = 5
    import_reps: int = 7
    history_days: float = 28.0  # W7: one season of the demo world
    w8_profiles: int = 600  # W8: players collected on Dask


QUICK = Sizes(reps=1, warm_reps=2, w2=30, ranking_rows=2_000, profiles=30, frame_reps=1,
              import_reps=2, history_days=0.25, w8_profiles=60)


# --------------------------------------------------------------------------- the server
class Server:
    """The demo server in a subprocess (``benchmarks._server``)."""

    def __init__(self, rate_limit: float | None, latency: float, log: Path) -> None:
        command = [sys.executable, "-m", "benchmarks._server", "--latency", str(latency)]
        if rate_limit is not None:
            command += ["--rate-limit", str(rate_limit), "--burst", str(int(LIMIT))]
        self._log = open(log, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._log, text=True,
                                     bufsize=1)
        hello = json.loads(self._readline(60))
        self.url: str = hello["url"]
        self.clan_tag: str = hello["clan_tag"]
        self.player_tags: list[str] = hello["player_tags"]

    def _readline(self, timeout: float) -> str:
        line = readline_within(self.proc.stdout, timeout)
        if not line:
            raise RuntimeError("the demo server did not answer")
        return line

    def stats(self) -> dict[str, Any]:
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        return json.loads(self._readline(30))

    @contextlib.contextmanager
    def window(self) -> Iterator[dict[str, int]]:
        """Count the requests and 429s the server saw during the ``with`` block."""
        seen: dict[str, int] = {}
        before = self.stats()
        try:
            yield seen
        finally:
            after = self.stats()
            seen["requests"] = after["requests"] - before["requests"]
            seen["throttled"] = after["throttled"] - before["throttled"]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log.close()


# --------------------------------------------------------------------------- figures
@dataclass
class Run:
    """One run of a network workload: time, results and what the server saw."""

    elapsed: float
    returned: int
    expected: int
    requests: int
    throttled: int
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def lost(self) -> int:
        return self.expected - self.returned


def summary(runs: list[Run]) -> Run:
    """Median time; the worst results; 429s and requests summed over the runs."""
    worst = min(runs, key=lambda r: r.returned - r.expected)
    errors: dict[str, int] = {}
    for r in runs:
        for k, v in r.errors.items():
            errors[k] = errors.get(k, 0) + v
    return Run(statistics.median(r.elapsed for r in runs), worst.returned, worst.expected,
               sum(r.requests for r in runs), sum(r.throttled for r in runs), errors)


def floor(n: int, keys: int) -> float:
    """The best possible time for ``n`` requests on ``keys`` keys under the server's limit:
    the buckets' first ``LIMIT * keys`` go at once, the rest at ``LIMIT * keys`` per second,
    and the last answer takes one round trip. For W1 the clan's own round trip overlaps the
    refill, so the same formula holds with n = 51."""
    return max(0.0, (n - LIMIT * keys) / (LIMIT * keys)) + LATENCY


# --------------------------------------------------------------------------- cocframes
class Bench:
    def __init__(self, args: argparse.Namespace, sizes: Sizes, workdir: Path) -> None:
        self.args, self.sizes, self.workdir = args, sizes, workdir
        self.results: dict[str, Any] = {}
        self._serial = 0

    def token(self, label: str) -> str:
        self._serial += 1
        return f"bench-{label}-{self._serial}"

    def cache_dir(self, label: str) -> Path:
        path = self.workdir / f"cache-{label}-{self._serial}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def client(self, server: Server, token: str, cache_dir: Path, **options: Any) -> Any:
        from cocframes import Client

        return Client(token=token, base_url=server.url, cache_dir=cache_dir, progress=False,
                      **options)

    def measure(self, server: Server, fn: Any, *args: Any) -> Run:
        with server.window() as seen:
            out = fn(*args)
        return Run(out["elapsed"], out["returned"], out["expected"], seen["requests"],
                   seen["throttled"], out.get("errors") or {})

    def cocframes_network(self, limited: Server, unlimited: Server) -> None:
        s = self.sizes
        cold: list[Run] = []
        client = cache = None
        for _ in range(s.reps):
            if client is not None:
                client.close()
            token = self.token("cf-w1")
            cache = self.cache_dir("cf-w1")
            client = self.client(limited, token, cache)
            cold.append(self.measure(limited, roster, client, limited.clan_tag))
        self.results["cf_w1"] = summary(cold)
        # W3: the last cold run's cache, at once (players are cached for 60 s).
        warm = [self.measure(limited, roster, client, limited.clan_tag)
                for _ in range(s.warm_reps)]
        self.results["cf_w3_same"] = summary(warm)
        client.close()
        fresh = []
        for _ in range(s.reps):
            fresh.append(self.measure(limited, self._new_process_w1, limited, token, cache))
        self.results["cf_w3_new"] = summary(fresh)
        tags = limited.player_tags[:s.w2]
        for keys in (1, 3):
            token = ",".join(self.token(f"cf-w2-{keys}k") for _ in range(keys))
            with contextlib.closing(self.client(limited, token, self.cache_dir("w2"))) as c:
                self.results[f"cf_w2_{keys}"] = self.measure(limited, bulk_profiles, c, tags)
        runs = []
        for _ in range(s.reps):
            with contextlib.closing(self.client(unlimited, self.token("cf-w6"),
                                                self.cache_dir("cf-w6"), rate=W6_RATE)) as c:
                runs.append(self.measure(unlimited, roster, c, unlimited.clan_tag))
        self.results["cf_w6"] = summary(runs)

    def _new_process_w1(self, server: Server, token: str, cache: Path) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks._cf_w1", server.url, token, str(cache),
             server.clan_tag], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
        out = json.loads(done.stdout.strip().splitlines()[-1])
        self.results.setdefault("cf_w3_new_open", []).append(out["open_s"])
        return out

    # ----------------------------------------------------------------------- peers
    def peers(self, limited: Server, unlimited: Server) -> None:
        python, info = peers.ensure_venv(Path(self.args.peers_venv))
        if python is None:
            print(f"peers skipped: coc.py / cocapi could not be installed ({info})", flush=True)
            self.results["peers_skipped"] = str(info)
            return
        self.results["peer_versions"] = info
        s = self.sizes
        tags_file = self.workdir / "w2-tags.txt"
        tags_file.write_text("\n".join(limited.player_tags[:s.w2]) + "\n", encoding="utf-8")
        log = self.workdir / "peers.log"
        variants = [("coc.py", "cocpy", None), (f"coc.py throttle={LIMIT:g}", "cocpy", LIMIT),
                    ("cocapi", "cocapi", None)]
        out: dict[str, dict[str, Any]] = {}
        for name, library, throttle in variants:
            print(f"  peer: {name} ...", flush=True)
            out[name] = self._peer(python, library, throttle, limited, tags_file, log)
        w6 = [("coc.py", "cocpy", None), ("cocapi", "cocapi", None),
              (f"coc.py throttle={W6_RATE:g}", "cocpy", W6_RATE)]
        for name, library, throttle in w6:
            runs: list[Run] = []
            driver = peers.Driver(python, library, unlimited.url, throttle, log)
            try:
                for _ in range(s.reps):
                    self._ask(driver, "new " + self.token("peer-w6"), 60)
                    runs.append(self._peer_run(unlimited, driver, f"w1 {unlimited.clan_tag}",
                                               120))
            except RuntimeError as exc:
                print(f"  peer {name} W6 failed: {exc}", flush=True)
            finally:
                driver.close()
            if runs:
                out.setdefault(name, {})["w6"] = summary(runs)
        self.results["peers"] = out

    @staticmethod
    def _ask(driver: peers.Driver, command: str, timeout: float) -> dict[str, Any]:
        answer = driver.ask(command, timeout)
        if not answer.get("ok"):
            raise RuntimeError(answer.get("error", "failed"))
        return answer

    def _peer_run(self, server: Server, driver: peers.Driver, command: str,
                  timeout: float) -> Run:
        return self.measure(server, lambda: self._ask(driver, command, timeout))

    def _peer(self, python: Path, library: str, throttle: float | None, server: Server,
              tags_file: Path, log: Path) -> dict[str, Any]:
        s = self.sizes
        out: dict[str, Any] = {}
        w1 = f"w1 {server.clan_tag}"
        driver = peers.Driver(python, library, server.url, throttle, log)
        try:
            cold = []
            for _ in range(s.reps):
                self._ask(driver, "new " + self.token("peer-w1"), 60)
                cold.append(self._peer_run(server, driver, w1, 120))
            out["w1"] = summary(cold)
            out["w3_same"] = summary([self._peer_run(server, driver, w1, 120)
                                      for _ in range(s.warm_reps)])
            self._ask(driver, "new " + self.token("peer-w2"), 60)
            out["w2"] = self._peer_run(server, driver, f"w2 {tags_file}", 600)
        except RuntimeError as exc:
            out["error"] = str(exc)
        finally:
            driver.close()
        # W3 in a new process: nothing of theirs persists, so this is W1 again, cold.
        driver = peers.Driver(python, library, server.url, throttle, log)
        try:
            self._ask(driver, "new " + self.token("peer-w3"), 60)
            out["w3_new"] = self._peer_run(server, driver, w1, 120)
        except RuntimeError as exc:
            out.setdefault("error", str(exc))
        finally:
            driver.close()
        return out


# --------------------------------------------------------------------------- the table
@dataclass
class Row:
    what: str
    measured: str
    target: str = ""
    verdict: str = ""


def _fmt_run(run: Run, floor_s: float | None = None) -> str:
    text = f"{run.elapsed:.2f} s" if run.elapsed >= 1 else f"{run.elapsed * 1e3:.1f} ms"
    if floor_s is not None:
        text += f" = {run.elapsed / floor_s:.3f}x floor {floor_s:.2f} s"
    text += f"; {run.returned}/{run.expected}"
    if run.lost:
        text += f", {run.lost} lost"
    return text + f"; 429s {run.throttled}"


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def _verdict(ok: bool, timing: bool, quick: bool) -> str:
    if quick and timing:
        return "-"
    return "PASS" if ok else "MISS"


def _complete(run: Run | None) -> bool:
    return run is not None and run.lost == 0


def table(results: dict[str, Any], sizes: Sizes, quick: bool) -> tuple[list[Row], bool]:
    """Return the rows and whether every correctness check (results, imports) held."""
    rows: list[Row] = []
    correct = True
    r = results
    cold = r["cf_w1"]
    f1 = floor(cold.expected, 1)
    ok_results = cold.lost == 0
    correct &= ok_results
    rows.append(Row("W1 roster, cold, 1 key", _fmt_run(cold, f1), "<= 1.08x floor, 51/51",
                    _verdict(cold.elapsed <= 1.08 * f1 and ok_results, True, quick)))
    for keys, limit in ((1, 1.03), (3, 1.08)):
        run = r[f"cf_w2_{keys}"]
        fl = floor(run.expected, keys)
        ok = run.lost == 0 and run.throttled == 0
        correct &= run.lost == 0
        rows.append(Row(f"W2 bulk {run.expected}, {keys} key{'s' * (keys > 1)}",
                        _fmt_run(run, fl), f"<= {limit}x floor, all, 0 429s",
                        _verdict(run.elapsed <= limit * fl and ok, True, quick)))
    same, new = r["cf_w3_same"], r["cf_w3_new"]
    x_same, x_new = cold.elapsed / same.elapsed, cold.elapsed / new.elapsed
    correct &= same.lost == 0 and new.lost == 0
    rows.append(Row("W3 warm, same process", f"{same.elapsed * 1e3:.1f} ms = {x_same:.0f}x "
                    f"faster than cold; {same.requests} requests reached the server",
                    ">= 200x", _verdict(x_same >= 200 and same.lost == 0, True, quick)))
    opened = statistics.median(r.get("cf_w3_new_open") or [0.0])
    rows.append(Row("W3 warm, new process", f"{new.elapsed * 1e3:.1f} ms = {x_new:.0f}x "
                    f"faster than cold (+{opened * 1e3:.0f} ms to open the client); "
                    f"{new.requests} requests reached the server", "0 requests, >= 50x",
                    _verdict(new.requests == 0 and x_new >= 50 and new.lost == 0, True,
                             quick)))
    # The rankings frame already costs less than parsing its JSON: 3x json_normalize is its
    # target (issue 12), 5x the units frame's.
    for name, label, rows_n, aim in (("rankings", "rankings", sizes.ranking_rows, 3),
                                     ("units", "units", sizes.profiles, 5)):
        m = r["w4"][name]
        speed = m["naive_seconds"] / m["seconds"]
        mem = m["object_memory"] / m["memory"]
        source = (f"{rows_n:,} ranking rows" if name == "rankings"
                  else f"{rows_n} profiles, {m['rows']:,} rows")
        rows.append(Row(f"W4 {label} frame ({source})",
                        f"{m['seconds']:.3f} s; json_normalize {m['naive_seconds']:.3f} s "
                        f"= {speed:.2f}x", f"< 0.3 s, >= {aim}x json_normalize",
                        _verdict(m["seconds"] < 0.3 and speed >= aim, True, quick)))
        rows.append(Row(f"W4 {label} frame memory",
                        f"{_mb(m['memory'])} vs {_mb(m['object_memory'])} as object "
                        f"columns = {mem:.2f}x smaller (json_normalize's: "
                        f"{_mb(m['naive_memory'])}); peak traced {_mb(m['peak'])} "
                        f"(json_normalize {_mb(m['naive_peak'])})", ">= 3x smaller",
                        _verdict(mem >= 3, False, quick)))
    w5 = r["w5"]
    ratio = w5["cocframes"] / w5["pandas"]
    loaded = ", ".join(w5["loaded"]) or "none of " + ", ".join(startup.FORBIDDEN)
    correct &= not w5["loaded"]
    rows.append(Row("W5 start-up", f"import cocframes {w5['cocframes'] * 1e3:.0f} ms / "
                    f"import pandas {w5['pandas'] * 1e3:.0f} ms = {ratio:.2f}x "
                    f"(median of {w5['repeats']}); loads {loaded}",
                    "<= 1.3x, no matplotlib/ipywidgets/tqdm",
                    _verdict(ratio <= 1.3 and not w5["loaded"], True, quick)))
    w6 = r["cf_w6"]
    correct &= w6.lost == 0
    peer_w6 = {name: p["w6"] for name, p in (r.get("peers") or {}).items() if "w6" in p}
    at_defaults = {n: v for n, v in peer_w6.items() if "throttle=" not in n}
    if at_defaults:
        best_name, best = min(at_defaults.items(), key=lambda kv: kv[1].elapsed)
        x = best.elapsed / w6.elapsed
        rows.append(Row("W6 unlimited (W1, no server limit, rate 1000/s)",
                        f"{_fmt_run(w6)}; faster peer at defaults ({best_name}) "
                        f"{best.elapsed:.2f} s = {x:.1f}x", ">= 3x faster peer",
                        _verdict(x >= 3 and w6.lost == 0, True, quick)))
    else:
        rows.append(Row("W6 unlimited (W1, no server limit, rate 1000/s)",
                        _fmt_run(w6) + " (no peers to compare)", ">= 3x faster peer", "-"))
    rows += _w7_rows(r["w7"], quick)
    rows += _w8_rows(r["w8"], quick)
    peer_results = r.get("peers") or {}
    for name, p in peer_results.items():
        if "error" in p:
            rows.append(Row(f"peer {name}", f"failed: {p['error']}"))
        for key, label, fl in (("w1", "W1", f1), ("w2", "W2 1 key", floor(sizes.w2, 1)),
                               ("w3_same", "W3 same process", None),
                               ("w3_new", "W3 new process", None), ("w6", "W6", None)):
            if key not in p:
                continue
            run = p[key]
            extra = (f"; {run.requests} requests reached the server"
                     if key.startswith("w3") else "")
            rows.append(Row(f"peer {name}: {label}", _fmt_run(run, fl) + extra))
    if peer_results:
        for key, label, ours in (("w1", "W1", cold), ("w2", "W2 1 key", r["cf_w2_1"]),
                                 ("w3_same", "W3 same process", same),
                                 ("w3_new", "W3 new process", new)):
            beaten = []
            for name, p in peer_results.items():
                run = p.get(key)
                if run is None:
                    continue
                # A peer that lost results gave no complete answer: cocframes is ahead of it
                # if it lost nothing; otherwise it must also be faster.
                ahead = _complete(ours) and (not _complete(run) or ours.elapsed < run.elapsed)
                beaten.append(f"{name} {'ok' if ahead else 'NOT'}"
                              f"{'' if _complete(run) else ' (lost ' + str(run.lost) + ')'}")
            ok = all(" ok" in b for b in beaten)
            rows.append(Row(f"ahead of peers on {label}", "; ".join(beaten),
                            "complete and faster", _verdict(ok, True, quick)))
    return rows, correct


def _w7_rows(w7: dict[str, Any], quick: bool) -> list[Row]:
    """The W7 rows: a season of one demo clan through the history tracker."""
    days, members = w7["days"], w7["members"]
    peers_text = ", ".join(f"{name} {rate:,.0f}/h" for name, rate in
                           w7["peers_per_hour"].items())
    what = f"W7 history, {days:g} days of a {members}-member clan"
    return [
        Row(f"{what}: requests", f"{w7['requests_per_hour']:.0f} requests/h "
            f"({w7['requests']:,} in {w7['passes']:,} passes); at their default intervals "
            f"{peers_text}", "<= 400/h, same detection",
            _verdict(w7["requests_per_hour"] <= 400, True, quick)),
        Row(f"{what}: file", f"{_mb(w7['history_bytes'])} for {_mb(w7['received'])} of JSON "
            f"received = 1/{w7['ratio']:.0f}; an unchanged pass adds "
            f"{w7['unchanged_pass_bytes']:.0f} bytes", "<= 1/20; <= 200 bytes",
            _verdict(w7["ratio"] >= 20 and w7["unchanged_pass_bytes"] <= 200, True, quick)),
        Row(f"{what}: reading", f"cf.changes() {w7['changes_seconds'] * 1e3:.0f} ms "
            f"({w7['events']:,} events), cf.season() {w7['season_seconds'] * 1e3:.0f} ms",
            "< 0.5 s, < 0.2 s",
            _verdict(w7["changes_seconds"] < 0.5 and w7["season_seconds"] < 0.2, True, quick)),
        Row(f"{what}: processing", f"{w7['processing_seconds']:.0f} s for all passes (the "
            f"demo world's own time to answer and live, apart: {w7['world_seconds']:.0f} s)",
            "< 120 s", _verdict(w7["processing_seconds"] < 120, True, quick)),
    ]


def _w8_rows(w8: dict[str, Any], quick: bool) -> list[Row]:
    """The W8 rows: player profiles collected on a Dask cluster of 1 and of 3 workers."""
    if "skipped" in w8:
        return [Row("W8 distributed", f"skipped: {w8['skipped']}", "", "SKIP")]
    what = (f"W8 Dask, {w8['profiles']} profiles, {w8['rate']:g} req/s per key, "
            "one key per worker")
    return [
        Row(f"{what}: 3 workers vs 1", f"{w8['speedup']:.2f}x ({w8['seconds_1']:.1f} s with "
            f"1 worker, {w8['seconds_3']:.1f} s with 3; {w8['keys']} keys made)", ">= 2.7x",
            _verdict(w8["speedup"] >= 2.7, True, quick)),
        Row(f"{what}: 3 workers vs the floor", f"{w8['over_floor']:.2f}x the rate-limit floor "
            f"of 3 keys, {w8['floor_3']:.1f} s", "<= 1.1x",
            _verdict(w8["over_floor"] <= 1.1, True, quick)),
    ]


def print_table(rows: list[Row], header: str) -> None:
    w_what = max(len(r.what) for r in rows)
    w_target = max(len(r.target) for r in rows)
    print()
    print(header)
    line = f"{'workload':<{w_what}} | {'target':<{w_target}} | verdict | measured (medians)"
    print(line)
    print("-" * min(160, len(line) + 60))
    for r in rows:
        print(f"{r.what:<{w_what}} | {r.target:<{w_target}} | {r.verdict:<7} | {r.measured}")


def machine() -> str:
    import pandas

    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, pandas "
            f"{pandas.__version__}; load average {load}")


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, no timing verdicts, no peers (for CI)")
    parser.add_argument("--no-peers", action="store_true", help="skip coc.py and cocapi")
    parser.add_argument("--peers", action="store_true", help="run the peers even with --quick")
    parser.add_argument("--peers-venv", default=str(peers.DEFAULT_VENV),
                        help="venv for the peers (created and filled on first use)")
    parser.add_argument("--max-minutes", type=float, default=30.0,
                        help="abort the whole run after this long")
    parser.add_argument("--json", metavar="PATH", help="also write the raw figures here")
    parser.add_argument("--strict", action="store_true", help="exit 1 on any MISS")
    args = parser.parse_args(argv)
    faulthandler.dump_traceback_later(args.max_minutes * 60, exit=True)
    sizes = QUICK if args.quick else Sizes()
    with_peers = not args.no_peers and (args.peers or not args.quick)
    started = time.perf_counter()
    head = machine()
    print(head, flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="cocframes-bench-"))
    bench = Bench(args, sizes, workdir)
    servers: list[Server] = []
    try:
        limited = Server(LIMIT, LATENCY, workdir / "server.log")
        servers.append(limited)
        unlimited = Server(None, LATENCY, workdir / "server.log")
        servers.append(unlimited)
        print("cocframes: W1, W3, W2, W6 ...", flush=True)
        bench.cocframes_network(limited, unlimited)
        if with_peers:
            print("peers: W1, W3, W2, W6 ...", flush=True)
            bench.peers(limited, unlimited)
    finally:
        for server in servers:
            server.close()
    print("W4 frames, W5 start-up ...", flush=True)
    from benchmarks._server import FullClanWorld

    bench.results["w4"] = frames_bench.run(FullClanWorld(), sizes.ranking_rows, sizes.profiles,
                                           sizes.frame_reps)
    bench.results["w5"] = startup.run(sizes.import_reps)
    print(f"W7 history ({sizes.history_days:g} days of the demo world) ...", flush=True)
    bench.results["w7"] = history_bench.run(sizes.history_days)
    print(f"W8 Dask ({sizes.w8_profiles} profiles, 1 and 3 workers) ...", flush=True)
    bench.results["w8"] = distributed_bench.run_or_skip(sizes.w8_profiles)
    rows, correct = table(bench.results, sizes, args.quick)
    versions = bench.results.get("peer_versions")
    header = (f"cocframes benchmark{' (--quick: tiny sizes, timings not judged)' * args.quick}"
              f" - demo server on 127.0.0.1, {LATENCY * 1e3:.0f} ms latency, "
              f"{LIMIT:g} req/s per token (bucket {LIMIT:g}); "
              f"floor = (N - 10k)/(10k) s + one round trip\n{head}")
    if versions:
        header += "\npeers: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + \
            " (own venv; all requests of a workload fired at once with asyncio.gather)"
    elif with_peers:
        header += f"\npeers: skipped ({bench.results.get('peers_skipped')})"
    print_table(rows, header)
    print(f"\n(total {time.perf_counter() - started:.0f} s; logs in {workdir})")
    if args.json:
        Path(args.json).write_text(json.dumps(bench.results, default=lambda o: o.__dict__,
                                              indent=1), encoding="utf-8")
    if not args.json and correct:
        shutil.rmtree(workdir, ignore_errors=True)
    if not correct:
        print("FAILED: results were lost or a forbidden module was imported", file=sys.stderr)
        return 1
    if args.strict and any(r.verdict == "MISS" for r in rows):
        return 1
    return 0
