"""What the command line's parts share: the one-line refusal and OS errors in words."""

from __future__ import annotations


class Refused(Exception):
    """What the command cannot do, as the one line to print; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def os_error_text(exc: OSError) -> str:
    """Return ``exc`` in words, without Python's error number: "File exists: /tmp/x"."""
    if exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    return exc.strerror or str(exc)
