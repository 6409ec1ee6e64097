"""The metrics a Prometheus server scrapes, from what the daemon reports."""

from __future__ import annotations

import pytest

from monitor.errors import MonitorError
from monitor.metrics import Metrics


def _samples(metrics: Metrics) -> dict[str, float]:
    out = {}
    for line in metrics.render().splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def test_a_visit_s_counts_become_fetch_failure_and_article_series() -> None:
    m = Metrics()
    counts = {"stored": 3, "updated": 1, "failed:timeout": 2, "endpoint_failed:status": 1,
              "fetch:ok": 7, "fetch:retry:503": 2, "skipped:prefilter": 4}  # fmt: skip
    m.visit("tass_en", counts, ok=True, seconds=12.5)
    m.visit("tass_en", {"fetch:ok": 1}, ok=False, seconds=1.0)
    s = _samples(m)
    assert s['monitor_articles_total{change="new",source="tass_en"}'] == 3
    assert s['monitor_articles_total{change="updated",source="tass_en"}'] == 1
    assert s['monitor_failures_total{kind="page",reason="timeout"}'] == 2
    assert s['monitor_failures_total{kind="endpoint",reason="status"}'] == 1
    assert s['monitor_fetches_total{outcome="ok"}'] == 8
    assert s['monitor_fetches_total{outcome="retry:503"}'] == 2
    assert s['monitor_visits_total{ok="true",source="tass_en"}'] == 1
    assert s['monitor_visits_total{ok="false",source="tass_en"}'] == 1
    assert s["monitor_visit_duration_seconds_sum"] == 13.5


def test_analysis_rounds_and_digests_are_counted_with_their_durations() -> None:
    m = Metrics()
    m.analysed(0, 0.01)  # an idle look for work is not a round
    m.analysed(40, 3.0)
    m.digest(ok=True, seconds=2.0)
    m.digest(ok=False, seconds=0.5)
    s = _samples(m)
    assert s["monitor_analyses_total"] == 40
    assert s["monitor_analysis_duration_seconds_count"] == 1
    assert s['monitor_digest_runs_total{outcome="written"}'] == 1
    assert s['monitor_digest_runs_total{outcome="failed"}'] == 1
    assert s["monitor_digest_duration_seconds_sum"] == 2.5


def test_a_port_in_use_is_a_clear_error() -> None:
    m = Metrics()
    server = m.serve("127.0.0.1", 0)
    try:
        with pytest.raises(MonitorError, match="cannot serve metrics on 127.0.0.1"):
            Metrics().serve("127.0.0.1", server.server_port)
    finally:
        server.shutdown()
