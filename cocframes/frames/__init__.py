"""Pure builders: API JSON in, tidy pandas DataFrame out. No I/O here.

Each frame's columns are declared once (:data:`SPECS`), next to the builder that fills them.
"""

from cocframes.frames._columns import SPECS, Column, FrameSpec

__all__ = ["SPECS", "Column", "FrameSpec"]
