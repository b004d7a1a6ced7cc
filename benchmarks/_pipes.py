"""Reading a subprocess' answers without waiting forever (the benchmark's server and the peers'
driver answer one line per command)."""

from __future__ import annotations

from typing import Any


def readline_within(stream: Any, timeout: float) -> str:
    """Return the next line of a subprocess' ``stream``, or ``""`` if none comes within
    ``timeout`` seconds (or the stream ends)."""
    import threading

    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return line[0] if line else ""
