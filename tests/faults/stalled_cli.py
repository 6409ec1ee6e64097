"""The real command line with page work that stalls: ``python -m tests.faults.stalled_cli
SECONDS ARGS…`` (from the repository's root) runs ``monitor ARGS…`` whose page workers
sleep ``SECONDS`` on any URL holding ``/stuck`` before reading it.

It binds the page worker's start-up seam (``open_pipeline(page_setup=…)``, see
``web.stall_pages``) and hands over to ``monitor.cli.main``, so a test or a benchmark can
run `monitor crawl --once` as an operator does, in its own process, with a page whose
work hangs as in a stuck C extension."""

from __future__ import annotations

import sys
from functools import partial

import monitor.runtime
from monitor.cli import main
from tests.faults.web import stall_pages

if __name__ == "__main__":
    seconds = float(sys.argv[1])
    monitor.runtime.open_pipeline = partial(  # type: ignore[assignment]
        monitor.runtime.open_pipeline, page_setup=(stall_pages, ("/stuck", seconds))
    )
    main(sys.argv[2:], prog_name="monitor")
