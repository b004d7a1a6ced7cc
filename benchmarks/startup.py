"""W5: ``import cocframes`` in a fresh interpreter, against ``import pandas``."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

FORBIDDEN = ("matplotlib", "ipywidgets", "tqdm")
_CHECK = ("import sys, json, cocframes; "
          f"print(json.dumps([m for m in {FORBIDDEN!r} if m in sys.modules]))")


def _once(statement: str, timeout: float) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True, timeout=timeout,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def run(repeats: int, timeout: float = 60.0) -> dict:
    """Time both imports ``repeats`` times each, alternating, after one warm-up of each (so
    that the OS file cache is warm for both); return medians and the forbidden modules that
    ``import cocframes`` loaded."""
    _once("import pandas", timeout)
    _once("import cocframes", timeout)
    pandas_s, cocframes_s = [], []
    for _ in range(repeats):
        pandas_s.append(_once("import pandas", timeout))
        cocframes_s.append(_once("import cocframes", timeout))
    out = subprocess.run([sys.executable, "-c", _CHECK], check=True, timeout=timeout,
                         capture_output=True, text=True)
    return {"pandas": statistics.median(pandas_s), "cocframes": statistics.median(cocframes_s),
            "loaded": json.loads(out.stdout), "repeats": repeats}
