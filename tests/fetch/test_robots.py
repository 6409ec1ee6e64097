"""robots.txt: asked once per host and day, obeyed for our own product token, its
Crawl-delay honoured, and a failing robots.txt keeps us away for a while (Google's rules)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.errors import FetchError, RobotsDisallowed
from monitor.fetch import Fetcher, iter_archive
from monitor.fetch.robots import (
    MAX_CRAWL_DELAY_SECONDS,
    parse_robots,
    policy_from_response,
    product_token,
    robots_url,
)

from .conftest import FakeTime, LoopbackServer, Reply

Make = Callable[..., Fetcher]
PAGE = "<html><body><p>Сводка новостей за день.</p></body></html>".encode()
ROBOTS = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 5\n"


async def test_a_disallowed_page_is_never_requested_and_robots_is_asked_once(
    server: LoopbackServer, make_fetcher: Make, warc_dir: Path
) -> None:
    server.route("/robots.txt", Reply(200, ROBOTS, {"Content-Type": "text/plain"}))
    server.route("/news/1", Reply(200, PAGE))
    server.route("/news/2", Reply(200, PAGE))
    fetcher = make_fetcher()

    await fetcher.get(server.url("/news/1"))
    with pytest.raises(RobotsDisallowed) as caught:
        await fetcher.get(server.url("/private/memo"))
    await fetcher.get(server.url("/news/2"))

    assert caught.value.reason == "robots"
    assert server.hits["/private/memo"] == 0
    assert server.hits["/robots.txt"] == 1
    assert fetcher.stats["robots:disallowed"] == 1 and fetcher.stats["robots:fetched"] == 1
    assert server.url("/robots.txt") in {a.url for a in iter_archive([warc_dir])}


async def test_crawl_delay_spaces_requests_to_that_host(
    server: LoopbackServer, make_fetcher: Make, fake_time: FakeTime
) -> None:
    server.route("/robots.txt", Reply(200, ROBOTS))
    server.route("/news/1", Reply(200, PAGE))
    server.route("/news/2", Reply(200, PAGE))
    fetcher = make_fetcher(per_host_delay_seconds=0)

    await fetcher.get(server.url("/news/1"))
    await fetcher.get(server.url("/news/2"))

    assert len(fake_time.sleeps) == 1
    assert 5.0 <= fake_time.sleeps[0] <= 5.0 * 1.25


async def test_rules_for_our_own_name_beat_the_wildcard(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route(
        "/robots.txt", Reply(200, b"User-agent: monitor\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    )
    with pytest.raises(RobotsDisallowed):
        await make_fetcher().get(server.url("/news/1"))


async def test_a_missing_robots_txt_allows_everything(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route("/robots.txt", Reply(404, b"not found"))
    server.route("/private/page", Reply(200, PAGE))
    assert (await make_fetcher().get(server.url("/private/page"))).body == PAGE


async def test_a_failing_robots_txt_keeps_us_away_for_an_hour_then_is_asked_again(
    server: LoopbackServer, make_fetcher: Make, fake_time: FakeTime
) -> None:
    server.route("/robots.txt", Reply(503, b"overloaded"), Reply(200, b"User-agent: *\nAllow: /\n"))
    server.route("/news/1", Reply(200, PAGE))
    fetcher = make_fetcher(max_retries=0)

    for _ in range(2):
        with pytest.raises(FetchError) as caught:
            await fetcher.get(server.url("/news/1"))
        assert caught.value.reason == "robots_unavailable"  # not a rule: retried later
    assert server.hits["/robots.txt"] == 1 and server.hits["/news/1"] == 0
    assert fetcher.stats["robots:unavailable"] == 2

    fake_time.now += 3601
    assert (await fetcher.get(server.url("/news/1"))).body == PAGE
    assert server.hits["/robots.txt"] == 2


async def test_a_robots_txt_that_was_read_before_survives_a_later_outage(
    server: LoopbackServer, make_fetcher: Make, fake_time: FakeTime
) -> None:
    server.route("/robots.txt", Reply(200, ROBOTS), Reply(500, b"oops"))
    server.route("/news/1", Reply(200, PAGE))
    fetcher = make_fetcher(max_retries=0)

    await fetcher.get(server.url("/news/1"))
    fake_time.now += 25 * 3600  # the day-old copy is due for a refresh, which fails

    assert (await fetcher.get(server.url("/news/1"))).body == PAGE
    with pytest.raises(RobotsDisallowed):
        await fetcher.get(server.url("/private/x"))
    assert server.hits["/robots.txt"] == 2


async def test_with_respect_robots_off_robots_txt_is_not_even_asked(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /\n"))
    server.route("/news/1", Reply(200, PAGE))
    assert (await make_fetcher(respect_robots=False).get(server.url("/news/1"))).body == PAGE
    assert server.hits["/robots.txt"] == 0


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, "rules"),
        (401, "allow_all"),
        (403, "allow_all"),
        (404, "allow_all"),
        (410, "allow_all"),
        (429, "unavailable"),
        (500, "unavailable"),
        (503, "unavailable"),
    ],
)
def test_what_a_robots_status_means(status: int, kind: str) -> None:
    assert policy_from_response(status, b"User-agent: *\nDisallow: /\n").kind == kind


def test_a_robots_txt_in_a_broken_encoding_still_parses() -> None:
    body = "\ufeffUser-agent: *\nDisallow: /частное/\n".encode() + b"\xff\xfe junk\n"
    policy = parse_robots(body)
    assert not policy.allows("https://example.org/частное/1", "monitor")
    assert policy.allows("https://example.org/news", "monitor")


def test_an_absurd_crawl_delay_is_capped() -> None:
    policy = parse_robots(b"User-agent: *\nCrawl-delay: 86400\n")
    assert policy.crawl_delay("monitor") == MAX_CRAWL_DELAY_SECONDS


def test_the_product_token_is_the_name_before_the_version() -> None:
    assert (
        product_token("monitor/0.1 (comparative media monitor; +https://example.org)") == "monitor"
    )
    assert product_token("NewsBot") == "NewsBot"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://tass.com/world/1?x=1", "https://tass.com/robots.txt"),
        ("http://127.0.0.1:8080/a/b", "http://127.0.0.1:8080/robots.txt"),
        ("http://[::1]:8080/admin", "http://[::1]:8080/robots.txt"),
        ("https://[2001:db8::5]/news", "https://[2001:db8::5]/robots.txt"),
    ],
)
def test_robots_txt_lives_at_the_origin_even_on_an_ipv6_literal(url: str, expected: str) -> None:
    assert robots_url(url) == expected
