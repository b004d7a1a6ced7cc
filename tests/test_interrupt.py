"""Ctrl-C during a bulk fetch stops it: the KeyboardInterrupt reaches the caller at once and
no request goes out afterwards, although the kernel (here: the process) lives on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cocframes.demo import DemoServer, World

WORKER = Path(__file__).resolve().parent / "_interrupt_worker.py"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX")
def test_ctrl_c_in_a_bulk_fetch_stops_sending() -> None:
    world = World(seed=7, now=datetime(2026, 3, 14, 12, tzinfo=timezone.utc))
    with DemoServer(world) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COC_", "COCFRAMES_"))}
        proc = subprocess.Popen([sys.executable, str(WORKER), server.base_url, "60"],
                                stdout=subprocess.PIPE, text=True, env=env)
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "started"
            deadline = time.monotonic() + 30
            while server.stats()["requests"] < 4 and time.monotonic() < deadline:
                time.sleep(0.02)
            proc.send_signal(signal.SIGINT)
            assert proc.stdout.readline().strip() == "interrupted"
            at_interrupt = server.stats()["requests"]
            out, _ = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert out.strip() == "done"
        after = server.stats()["requests"]
    # At 5 requests/s the 60 fetches would go on for 12 s; a request already past the
    # throttle may still land, nothing after it.
    assert after <= at_interrupt + 1, f"{after - at_interrupt} requests after Ctrl-C"
    assert after < 30
