"""Pure builders: API JSON in, tidy pandas DataFrame out. No I/O here.

Each frame's columns are declared once, in :mod:`cocframes.frames.specs` (:data:`SPECS` maps
frame names to them); the builders live in :mod:`~cocframes.frames.players`,
:mod:`~cocframes.frames.wars`, :mod:`~cocframes.frames.raids`,
:mod:`~cocframes.frames.participation`, :mod:`~cocframes.frames.rankings`,
:mod:`~cocframes.frames.reference` and
:mod:`~cocframes.frames.history` (the frames of the history file).
"""

from cocframes.frames import specs
from cocframes.frames._columns import SPECS, Column, FrameSpec

__all__ = ["SPECS", "Column", "FrameSpec", "specs"]
