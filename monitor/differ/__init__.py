"""The differ: sets each piece of coverage against the baseline's positions P1, P2, ….

For every position it decides whether the piece echoes it, contests it, does both (mixed)
or is silent (absent), with evidence sentences in the piece's own language, and it
describes how the piece frames the story. Positions and the story's facts are data
(`positions.yaml`); the language knowledge is the package's lexicon
(`monitor/differ/lexicon/*.yaml`, plus any `lexicon_dir` the positions file names).

    positions = load_positions("positions.yaml")
    differ = Differ(positions)                  # semantic="auto" | "on" for the extra
    result = differ.diff(text, language="ru")   # → monitor.models.DiffResult

The terminal rendering (``monitor.differ.render``) is imported by whoever prints, so the
commands that only read stances never load rich.
"""

from monitor.differ.differ import Differ
from monitor.differ.positions import (
    Position,
    Positions,
    default_positions_path,
    load_positions,
)

__all__ = [
    "Differ",
    "Position",
    "Positions",
    "default_positions_path",
    "load_positions",
]
