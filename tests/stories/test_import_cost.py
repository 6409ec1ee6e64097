"""A digest, a status or an export never groups a piece, so it never pays for the MinHash
library: importing datasketch pulls in scipy (~0.35 s on every command)."""

from __future__ import annotations

import subprocess
import sys


def test_the_pipeline_loads_datasketch_only_when_a_piece_is_grouped() -> None:
    script = (
        "import sys\n"
        "import monitor.pipeline\n"
        "print('datasketch' in sys.modules)\n"
        "import numpy as np\n"
        "from monitor.stories.sketch import signature\n"
        "signature(np.array([1, 2, 3], dtype=np.uint32))\n"
        "print('datasketch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "True"]
