"""Retrying as a pure function, the way Scrapy's RetryMiddleware decides it.

Given how one attempt ended (an HTTP status, or the kind of transport failure), how many
retries were already spent and the server's ``Retry-After`` header, :func:`next_delay`
returns how long to wait before the next attempt, or ``None`` to give up. It does no I/O
and keeps no state, so the whole policy is a table test; the fetcher does the waiting (via
its per-host politeness slot, so a host that asks us to back off is left alone by *every*
request, not only the one that was told).

Choices, and why:

* Retried: 408, 429, 500, 502, 503, 504 and the transport failures ``timeout`` and
  ``connect`` (connection refused/reset). These are the ones that are usually transient.
* A body cut short (``truncated``: the connection dropped mid-body, or a gzip/brotli
  stream stops before its end) is retried once only: a dropped connection is often a
  blip, but a server that truncates every time is a bug that repeats, and retrying it
  more only multiplies the load. Other protocol errors are not retried.
* Backoff is exponential (``base * 2**attempt``) with a random factor in ``[1, 1+jitter]``
  so that many failing requests do not retry in lock-step, and capped (``cap_seconds``).
* ``Retry-After`` (delta-seconds or an HTTP-date) is honoured as a *minimum* wait. A value
  beyond ``max_retry_after_seconds`` (one hour by default) means "not today": we give up
  instead of stalling the daemon's queue for that host.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

#: statuses worth another attempt
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: transport failure kinds (FetchError reasons) worth another attempt
RETRY_ERRORS = frozenset({"timeout", "connect", "truncated"})
#: failure kinds with their own, smaller retry budget
RETRY_BUDGET = {"truncated": 1}

#: an attempt's outcome: the HTTP status, or the FetchError reason of a transport failure
Outcome = int | str

_DELTA_SECONDS = re.compile(r"[0-9]+")
#: larger delta-seconds are clamped before float conversion (they are rejected anyway)
_HUGE = 10**9


@dataclass(frozen=True)
class RetryPolicy:
    """The knobs of :func:`next_delay`; ``max_retries`` comes from the settings."""

    max_retries: int = 3
    base_seconds: float = 1.0
    cap_seconds: float = 60.0
    max_retry_after_seconds: float = 3600.0
    jitter: float = 0.5


def is_retryable(outcome: Outcome) -> bool:
    """Whether an attempt that ended this way may be tried again at all."""
    if isinstance(outcome, int):
        return outcome in RETRY_STATUSES
    return outcome in RETRY_ERRORS


def next_delay(
    outcome: Outcome,
    attempt: int,
    retry_after: str | None = None,
    *,
    policy: RetryPolicy,
    rng: random.Random,
    now: datetime,
) -> float | None:
    """Seconds to wait before retrying, or ``None`` to give up.

    ``attempt`` counts the retries already made (0 after the first failure). ``now`` is the
    wall-clock time an HTTP-date ``Retry-After`` is measured from.
    """
    budget = min(policy.max_retries, RETRY_BUDGET.get(str(outcome), policy.max_retries))
    if attempt < 0 or attempt >= budget or not is_retryable(outcome):
        return None
    exponent = min(attempt, 32)  # 2**32 s is far past any cap; avoids float overflow
    factor = rng.uniform(1.0, 1.0 + max(policy.jitter, 0.0))
    backoff = min(policy.cap_seconds, policy.base_seconds * (2.0**exponent) * factor)
    backoff = max(backoff, 0.0)
    if retry_after is None:
        return backoff
    wait = parse_retry_after(retry_after, now)
    if wait is None:  # unreadable header: behave as if it were absent
        return backoff
    if wait > policy.max_retry_after_seconds:
        return None
    return max(wait, backoff)


def parse_retry_after(value: str, now: datetime) -> float | None:
    """``Retry-After`` as seconds from ``now`` (never negative), or ``None`` if unreadable.

    RFC 9110 §10.2.3 allows delta-seconds (``120``) or an HTTP-date; a date in the past
    means "now".
    """
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        return float(min(int(text), _HUGE))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:  # pragma: no cover - older Pythons returned None
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
