"""The daemon's Prometheus metrics, served on ``/metrics`` when asked for.

Optional: it needs prometheus-client (``pip install 'monitor[metrics]'``) and is off unless
``monitor run --metrics-port PORT`` is given. What it counts comes from what the daemon
already knows — each visit's counts (the fetcher's counters are merged into them under
``fetch:``), each analysis round, each digest — so the metrics never disagree with
``monitor status``. Every series is a process counter: a restart starts them at zero,
which Prometheus's ``rate()`` and ``increase()`` expect.

Series (all prefixed ``monitor_``):

* ``fetches_total{outcome}`` — HTTP fetches: ``ok``, ``not_modified``, ``error:<reason>``,
  ``retry:<reason>``, ``robots:<outcome>``, ``redirect``;
* ``failures_total{kind,reason}`` — failed discovery endpoints (``kind="endpoint"``) and
  article pages (``kind="page"``) by reason;
* ``visits_total{source,ok}`` and ``visit_duration_seconds`` — source visits;
* ``articles_total{source,change}`` — pieces stored (``new``) or updated;
* ``analyses_total`` and ``analysis_duration_seconds`` — pieces the differ analysed, and
  how long each round of pending analysis took;
* ``digest_runs_total{outcome}`` and ``digest_duration_seconds`` — weekly digests written
  or failed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from monitor.errors import MonitorError

log = logging.getLogger(__name__)

FETCH_PREFIX = "fetch:"
_DURATIONS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)


def _client() -> Any:
    try:
        import prometheus_client
    except ImportError as exc:  # the extra is not installed
        raise MonitorError(
            "the metrics endpoint needs prometheus-client: pip install 'monitor[metrics]'",
            reason="config",
        ) from exc
    return prometheus_client


class Metrics:
    """The daemon's counters in their own registry (tests may make several)."""

    def __init__(self) -> None:
        pc = _client()
        self.registry = pc.CollectorRegistry()
        r = self.registry
        self.fetches = pc.Counter("monitor_fetches", "HTTP fetches by outcome", ["outcome"],
                                  registry=r)  # fmt: skip
        self.failures = pc.Counter("monitor_failures", "Failed endpoints and pages by reason",
                                   ["kind", "reason"], registry=r)  # fmt: skip
        self.visits = pc.Counter("monitor_visits", "Source visits", ["source", "ok"], registry=r)
        self.visit_seconds = pc.Histogram("monitor_visit_duration_seconds",
                                          "Duration of a source visit", buckets=_DURATIONS,
                                          registry=r)  # fmt: skip
        self.articles = pc.Counter("monitor_articles", "Pieces stored or updated",
                                   ["source", "change"], registry=r)  # fmt: skip
        self.analyses = pc.Counter("monitor_analyses", "Pieces analysed by the differ",
                                   registry=r)  # fmt: skip
        self.analysis_seconds = pc.Histogram("monitor_analysis_duration_seconds",
                                             "Duration of a round of pending analysis",
                                             buckets=_DURATIONS, registry=r)  # fmt: skip
        self.digests = pc.Counter("monitor_digest_runs", "Weekly digests by outcome",
                                  ["outcome"], registry=r)  # fmt: skip
        self.digest_seconds = pc.Histogram("monitor_digest_duration_seconds",
                                           "Duration of writing a digest", buckets=_DURATIONS,
                                           registry=r)  # fmt: skip

    # ── what the daemon reports ─────────────────────────────────────────────────────

    def visit(self, source_id: str, counts: Mapping[str, int], *, ok: bool,
              seconds: float) -> None:  # fmt: skip
        """One finished visit, from its counts (see ``monitor.visits`` for the keys)."""
        self.visits.labels(source=source_id, ok=str(ok).lower()).inc()
        self.visit_seconds.observe(max(seconds, 0.0))
        for key, n in counts.items():
            if n <= 0:
                continue
            if key.startswith(FETCH_PREFIX):
                self.fetches.labels(outcome=key[len(FETCH_PREFIX) :]).inc(n)
            elif key.startswith("endpoint_failed:"):
                self.failures.labels(kind="endpoint", reason=key.split(":", 1)[1]).inc(n)
            elif key.startswith("failed:"):
                self.failures.labels(kind="page", reason=key.split(":", 1)[1]).inc(n)
            elif key == "stored":
                self.articles.labels(source=source_id, change="new").inc(n)
            elif key == "updated":
                self.articles.labels(source=source_id, change="updated").inc(n)

    def analysed(self, pieces: int, seconds: float) -> None:
        if pieces:
            self.analyses.inc(pieces)
            self.analysis_seconds.observe(max(seconds, 0.0))

    def digest(self, *, ok: bool, seconds: float) -> None:
        self.digests.labels(outcome="written" if ok else "failed").inc()
        self.digest_seconds.observe(max(seconds, 0.0))

    # ── serving ─────────────────────────────────────────────────────────────────────

    def serve(self, host: str, port: int) -> Any:
        """Serve ``/metrics`` on ``host:port`` from a background thread; returns the
        server (``shutdown()`` stops it). A port in use is a clear error."""
        try:
            server, _thread = _client().start_http_server(port, addr=host,
                                                          registry=self.registry)  # fmt: skip
        except OSError as exc:
            raise MonitorError(
                f"cannot serve metrics on {host}:{port}: {exc.strerror or exc}", reason="config"
            ) from exc
        log.info("metrics on http://%s:%d/metrics", host, server.server_port)
        return server

    def render(self) -> str:
        """The exposition text, as ``/metrics`` serves it."""
        return bytes(_client().generate_latest(self.registry)).decode("utf-8")
