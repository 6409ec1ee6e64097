"""What a fresh interpreter has loaded after running a few lines: how the import-cost
tests see which libraries a command or a daemon carries for its whole life."""

from __future__ import annotations

import subprocess
import sys


def fresh_python(script: str) -> list[str]:
    """Run ``script`` in a new interpreter (this one's, this environment); its output lines."""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()
