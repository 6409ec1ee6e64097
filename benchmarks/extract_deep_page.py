"""What hostile page shapes cost the extractor, beside a plain page of the same size.

    .venv/bin/python benchmarks/extract_deep_page.py [--nest N]

The page that froze the daemon (issue 7): 50,000 nested ``<div>`` closed at the end,
550 KB, ~155 s of CPU before the cleaning became linear and nesting was cut at a depth
limit. Each shape is extracted once in this process and printed with its CPU seconds and
the ratio to a flat page of the same length (the same story after 50,000 empty
``<div></div>``); the target is under one second for every shape.
"""

from __future__ import annotations

import argparse
import sys
import time

from monitor.errors import ExtractError
from monitor.extract import extract

STORY = (
    "Officials in Seoul said North Korean units had reached the Kursk region, where "
    "Russian officers were training them, and that more were expected within weeks. "
)


def shapes(n: int) -> dict[str, str]:
    story = f"<p>{STORY * 6}</p>"
    return {
        "nested <div>, closed (the freeze)": "<div>" * n + story + "</div>" * n,
        "nested <div>, never closed": "<div>" * n + story,
        "nested <span>": "<span>" * n + story + "</span>" * n,
        "nested <table><tr><td>": "<table><tr><td>" * n + story,
        "nested <h2><span>": "<h2><span>x" * n + story,
        "nested share boxes": "<section class=share><a href=#>x</a>" * n + story,
        "nested <div class=date>": "<div class=date>x" * n + story,
    }


def cpu_seconds(page: str) -> tuple[float, str]:
    start = time.process_time()
    try:
        outcome = f"{len(extract(page, 'https://news.example.com/x').text):,} chars"
    except ExtractError as exc:
        outcome = f"refused: {exc.reason}"
    return time.process_time() - start, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nest", type=int, default=50_000, help="nesting depth of each shape")
    args = parser.parse_args(argv)
    extract(f"<p>{STORY * 3}</p>", "https://news.example.com/")  # loads the language model

    flat = "<html><body>" + "<div></div>" * args.nest + f"<p>{STORY * 6}</p>"
    flat_cpu, _ = cpu_seconds(flat)
    print(f"flat page of {len(flat):,} characters: {flat_cpu:.3f} s CPU\n")
    print(f"{'shape':<36}{'size':>11}{'CPU s':>8}{'× flat':>8}  outcome")
    worst = 0.0
    for name, body in shapes(args.nest).items():
        page = "<html><body>" + body
        cpu, outcome = cpu_seconds(page)
        worst = max(worst, cpu)
        print(f"{name:<36}{len(page):>11,}{cpu:>8.3f}{cpu / flat_cpu:>8.2f}  {outcome}")
    print(f"\nslowest shape: {worst:.3f} s CPU (target < 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
