"""Run worker scripts as new processes (as separate Jupyter kernels would be) for the cache
tests, and collect the JSON object each one prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from cocframes.cache import CACHE_ENV_VAR


def run_workers(argvs: list[list[str]], timeout: float = 30.0) -> list[dict]:
    """Start ``python ARGV`` for each argv at once and return their printed JSON, in order.

    The processes see neither an API token nor a cache directory in their environment. A
    worker that exits non-zero fails the test with its stderr; all are killed after
    ``timeout`` seconds.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("COC_API_TOKEN", CACHE_ENV_VAR)}
    procs = [
        subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
        for argv in argvs
    ]
    outputs = []
    deadline = time.monotonic() + timeout
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            assert proc.returncode == 0, f"worker failed ({proc.returncode}): {err[-2000:]}"
            outputs.append(json.loads(out))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)
    return outputs
