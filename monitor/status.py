"""What `monitor status` shows: one row per source, for the table and for ``--format json``.

The rows join the configured sources (so a source never visited still shows, as
"never") with what the store remembers of the visits. Each column is declared once in
:data:`COLUMNS` — a header and how to render a row's cell — so the text table and the JSON
cannot drift apart, and a new column (next run, pieces this week, queue depth) is one
field on :class:`SourceRow` plus one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monitor.models import CrawlStatus

#: the flag of a source whose every discovery endpoint failed on its last visit
BLIND = "ALL ENDPOINTS FAILING"


@dataclass(frozen=True)
class SourceRow:
    """One source's crawl health, as the operator reads it."""

    source_id: str
    configured: bool  # in sources.yaml (else only remembered by the store)
    enabled: bool
    last_run: datetime | None
    last_ok: datetime | None
    last_error: str | None  # the newest error of the recent visits
    last_error_at: datetime | None  # when that visit started
    stored: int  # pieces stored on the last visit
    visits: int  # recent visits the failure counts cover
    failing_visits: int  # consecutive failing visits, up to the last one
    failures: Mapping[str, int] = field(default_factory=dict)  # "page:timeout" → n
    endpoints_failing: bool = False

    @property
    def state(self) -> str:
        if not self.enabled:
            return "disabled"
        if self.last_run is None:
            return "never"
        if self.endpoints_failing:
            return "blind"
        return "failing" if self.failing_visits else "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "state": self.state,
            "configured": self.configured,
            "enabled": self.enabled,
            "last_run": _iso(self.last_run),
            "last_ok": _iso(self.last_ok),
            "last_error": self.last_error,
            "last_error_at": _iso(self.last_error_at),
            "stored_last_visit": self.stored,
            "recent_visits": self.visits,
            "failing_visits": self.failing_visits,
            "all_endpoints_failing": self.endpoints_failing,
            "failures": dict(sorted(self.failures.items())),
        }


def rows(statuses: Iterable[CrawlStatus], configured: Mapping[str, bool]) -> list[SourceRow]:
    """``configured``: source id → enabled, in the order of sources.yaml; sources only the
    store knows (removed from the file) follow, by id."""
    known = {s.source_id: s for s in statuses}
    ids = list(configured) + sorted(sid for sid in known if sid not in configured)
    return [_row(sid, known.get(sid), sid in configured, configured.get(sid, True)) for sid in ids]


def _row(source_id: str, status: CrawlStatus | None, configured: bool, enabled: bool) -> SourceRow:
    if status is None:
        return SourceRow(source_id, configured, enabled, None, None, None, None, 0, 0, 0)
    return SourceRow(
        source_id=source_id,
        configured=configured,
        enabled=enabled,
        last_run=status.last_run,
        last_ok=status.last_ok,
        last_error=status.recent_error,
        last_error_at=status.recent_error_at,
        stored=int(status.counts.get("stored", 0)),
        visits=status.visits,
        failing_visits=status.failing_visits,
        failures=dict(status.failures),
        endpoints_failing=status.endpoints_failing,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "never"


def _failures(row: SourceRow) -> str:
    ranked = sorted(row.failures.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{reason} ×{n}" for reason, n in ranked)


def _state(row: SourceRow) -> str:
    if row.state == "blind":
        return BLIND
    if row.state == "failing":
        return f"failing ×{row.failing_visits}"
    return row.state


#: (header, cell) for the text table; the JSON carries the same fields by name
COLUMNS: tuple[tuple[str, Callable[[SourceRow], str]], ...] = (
    ("source", lambda r: r.source_id + ("" if r.configured else " (not in config)")),
    ("state", _state),
    ("last run", lambda r: _when(r.last_run)),
    ("last ok", lambda r: _when(r.last_ok)),
    ("stored", lambda r: str(r.stored)),
    ("failures (last visits)", _failures),
    ("last error", lambda r: f"{_when(r.last_error_at)}: {r.last_error}" if r.last_error else ""),
)
