"""The demo digest in a real headless Chromium, as an analyst opens it on a phone and on a
desktop: no sideways scrolling at 390 px, no console error, not a single request beyond
the file itself, and every camp × position cell's link lands on the pieces behind it.

Chromium is Debian's ``chromium`` package (``make test`` installs it when it can); without
it these tests skip and say why. ``MONITOR_SCREENSHOTS_DIR=docs`` also saves the
screenshots the README shows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.demo import DemoOutcome

from .browser import Browser, PageLoad, chromium, find_chromium

EXECUTABLE = find_chromium()
pytestmark = pytest.mark.skipif(
    EXECUTABLE is None,
    reason="Chromium is not installed (Debian: apt-get install chromium; make test installs it "
    "when run as root)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert EXECUTABLE is not None
    with chromium(EXECUTABLE) as b:
        yield b


@pytest.fixture(scope="module")
def page(demo: tuple[DemoOutcome, Path]) -> Path:
    return demo[0].digests["2024-W44"]["html"]


@pytest.fixture(scope="module")
def loads(browser: Browser, page: Path) -> dict[int, PageLoad]:
    found = {
        390: browser.load(page, width=390, height=844, mobile=True),
        1280: browser.load(page, width=1280, height=900),
    }
    target = os.environ.get("MONITOR_SCREENSHOTS_DIR")
    if target:
        for width, load in found.items():
            Path(target, f"digest-{width}.png").write_bytes(load.screenshot)
    return found


def test_a_phone_never_scrolls_sideways(loads: dict[int, PageLoad]) -> None:
    phone = loads[390]
    assert phone.viewport == 390
    assert phone.width == phone.viewport  # the document is no wider than the screen


def test_the_desktop_page_fits_its_window_too(loads: dict[int, PageLoad]) -> None:
    desktop = loads[1280]
    assert desktop.width <= desktop.viewport


@pytest.mark.parametrize("width", [390, 1280])
def test_no_console_error_and_no_request_beyond_the_file(
    loads: dict[int, PageLoad], page: Path, width: int
) -> None:
    load = loads[width]
    assert [m for m in load.console if m["level"] in ("error", "warning", "assert")] == []
    assert load.requests == [page.resolve().as_uri()]


def test_screenshots_are_real_images(loads: dict[int, PageLoad]) -> None:
    for load in loads.values():
        assert load.screenshot.startswith(b"\x89PNG\r\n\x1a\n") and len(load.screenshot) > 10_000


def test_a_camp_by_position_cell_opens_on_the_pieces_behind_it(
    browser: Browser, page: Path
) -> None:
    """The list is folded away on the page; following the cell's link unfolds it."""
    probe = (
        "(() => { const t = document.getElementById('P4-west');"
        " const r = t.getBoundingClientRect();"
        " return {items: t.querySelectorAll('ul li').length, top: r.top, height: r.height,"
        " open: t.closest('details') ? t.closest('details').open : true}; })()"
    )
    found = browser.load(page, width=390, height=844, mobile=True, fragment="P4-west", probe=probe)
    assert found.probe["open"] is True
    assert found.probe["height"] > 0 and 0 <= found.probe["top"] < 844  # scrolled into view
    assert found.probe["items"] >= 1


def test_printed_on_a4_nothing_is_cut_at_the_right_edge(browser: Browser, page: Path) -> None:
    """Print layout at an A4 page's printable width (about 700 CSS pixels): the wide
    tables fit or wrap, the navigation is left out, no box keeps its scroll bar."""
    probe = (
        "(() => ({nav: getComputedStyle(document.querySelector('nav')).display,"
        " wide: getComputedStyle(document.querySelector('.wide')).overflowX}))()"
    )
    printed = browser.load(page, width=700, height=1000, media="print", probe=probe)
    assert printed.width <= printed.viewport
    assert printed.probe == {"nav": "none", "wide": "visible"}
