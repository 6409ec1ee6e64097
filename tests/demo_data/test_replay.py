"""monitor's own replay transport answers the demo's URLs offline, as `monitor demo` will."""

from __future__ import annotations

import html

import httpx

from monitor.demo_data import ARCHIVE
from monitor.fetch.replay import ReplayTransport


async def test_replay_answers_endpoints_and_pages_and_follows_the_recorded_redirect(
    sources, manifest, articles
) -> None:
    transport = ReplayTransport([ARCHIVE])
    async with httpx.AsyncClient(transport=transport, follow_redirects=True) as client:
        for ep in manifest["endpoints"]:
            assert (await client.get(ep["url"])).status_code == 200, ep["url"]
        guancha = sources.source("guancha").discovery[0].url  # percent-encoded in the YAML
        assert (await client.get(guancha)).status_code == 200
        for a in articles:
            if not a["served"]:
                assert a["url"] not in transport
                continue
            asked = a.get("feed_url", a["url"])
            if asked.startswith("/"):
                asked = a["url"]
            resp = await client.get(asked)
            assert str(resp.url) == (a["url"] if a.get("feed_mode") == "redirect" else asked)
            assert resp.status_code == (404 if a["expect"] == "http_404" else 200), asked
            if a["expect"] != "http_404":
                assert a["title"] in html.unescape(resp.text), asked
