"""Where outlets keep their clocks: the one place that knows it.

Feeds and pages often write local time without a zone (Yonhap's English RSS, Guancha's
``"pubDate"``, RIAC's ``DD.MM.YYYY``), and write zone names no parser knows (``KST``,
``MSK``). Discovery and extraction both read such dates, so both ask this module; the
digest files pieces by week, so a date read in the wrong zone can land in the wrong week.
"""

from __future__ import annotations

import logging
from datetime import tzinfo
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

#: outlets (and their subdomains) and the zone they write zone-less dates in
HOST_ZONES: dict[str, str] = {
    "russiancouncil.ru": "Europe/Moscow",
    "tass.com": "Europe/Moscow",
    "tass.ru": "Europe/Moscow",
    "guancha.cn": "Asia/Shanghai",
    "globaltimes.cn": "Asia/Shanghai",
    "yna.co.kr": "Asia/Seoul",
    "kyivindependent.com": "Europe/Kyiv",
}
#: country domains with one time zone (.ru: Moscow, where Russian media publish)
TLD_ZONES: dict[str, str] = {
    "ru": "Europe/Moscow",
    "cn": "Asia/Shanghai",
    "kr": "Asia/Seoul",
    "ua": "Europe/Kyiv",
}

#: zone abbreviations written after a time, in minutes east of UTC ("CST" is US Central,
#: as RFC 822 defines it; Chinese outlets write +0800 or nothing)
ZONE_ABBREVIATIONS: dict[str, int] = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
    "EST": -5 * 60, "EDT": -4 * 60, "CST": -6 * 60, "CDT": -5 * 60,
    "MST": -7 * 60, "MDT": -6 * 60, "PST": -8 * 60, "PDT": -7 * 60,
    "KST": 9 * 60, "JST": 9 * 60, "HKT": 8 * 60, "MSK": 3 * 60,
    "EET": 2 * 60, "EEST": 3 * 60, "CET": 1 * 60, "CEST": 2 * 60,
    "BST": 1 * 60, "WEST": 1 * 60, "IST": 5 * 60 + 30,
}  # fmt: skip


def local_zone(url: str) -> tzinfo | None:
    """The zone the outlet at ``url`` writes zone-less dates in, when we know it."""
    host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower().rstrip(".")
    for known, zone in HOST_ZONES.items():
        if host == known or host.endswith("." + known):
            return _zone(zone)
    tld = host.rsplit(".", 1)[-1]
    return _zone(TLD_ZONES[tld]) if tld in TLD_ZONES else None


@lru_cache(maxsize=32)
def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:  # no zone database here (tzdata is a dependency)
        log.warning("time zone %s unknown here; its naive dates are read as UTC", name)
        return None
