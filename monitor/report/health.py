"""Crawl health: which outlets the monitor could not read, so a quiet camp is not
mistaken for a camp that said nothing."""

from __future__ import annotations

from monitor.models import CrawlStatus

from .model import CrawlHealth, Tally
from .text import clean_text
from .view import WeekView

_STATE_ORDER = {"failing": 0, "never": 1, "ok": 2}


def crawl_health(view: WeekView) -> tuple[CrawlHealth, ...]:
    """One row per configured source (and per source with a status but no config), the
    failing ones first: they are the blind spots."""
    statuses = {s.source_id: s for s in view.data.crawl_status}
    ids = list(view.data.sources) + [sid for sid in statuses if sid not in view.data.sources]
    order = {camp: i for i, camp in enumerate(view.camps)}
    rows = [_row(view, sid, statuses.get(sid)) for sid in ids]
    rows.sort(key=lambda r: (_STATE_ORDER[r.state], order.get(r.camp, len(order)), r.name))
    return tuple(rows)


def _row(view: WeekView, source_id: str, status: CrawlStatus | None) -> CrawlHealth:
    info = view.data.sources.get(source_id)
    camp = info.camp if info else "other"
    if status is None or status.last_run is None:
        state = "never"
    elif status.last_error and (status.last_ok is None or status.last_ok < status.last_run):
        state = "failing"
    else:
        state = "ok"
    counts = sorted((status.counts if status else {}).items())
    return CrawlHealth(
        source_id=source_id,
        name=view.outlet(source_id),
        camp=camp,
        state=state,
        last_run=status.last_run if status else None,
        last_ok=status.last_ok if status else None,
        last_error=clean_text(status.last_error, limit=300) or None if status else None,
        counts=tuple(Tally(clean_text(k, limit=60), int(v)) for k, v in counts),
    )


def failing(rows: tuple[CrawlHealth, ...]) -> list[CrawlHealth]:
    return [r for r in rows if r.state == "failing"]
