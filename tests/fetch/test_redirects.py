"""Redirects are followed by hand: every hop checked against robots.txt, spaced, recorded;
loops and endless chains end as one ``redirects`` error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.errors import FetchError, RobotsDisallowed
from monitor.fetch import Fetcher, iter_archive

from .conftest import LoopbackServer, Reply

Make = Callable[..., Fetcher]
ARTICLE = "<html><body><p>Репортаж о переговорах в Пхеньяне.</p></body></html>".encode()


def moved(location: str, status: int = 301) -> Reply:
    return Reply(status, b"", {"Location": location})


async def test_a_chain_of_redirects_is_followed_and_every_hop_archived(
    server: LoopbackServer, make_fetcher: Make, warc_dir: Path
) -> None:
    server.route("/old", moved("/newer"))  # relative
    server.route("/newer", moved(server.url("/newest?id=7"), 302))  # absolute
    server.route("/newest?id=7", Reply(200, ARTICLE))
    fetcher = make_fetcher()

    response = await fetcher.get(server.url("/old"))

    assert response.url == server.url("/old")
    assert response.final_url == server.url("/newest?id=7")
    assert response.body == ARTICLE
    hops = [(a.url, a.status) for a in iter_archive([warc_dir]) if "robots" not in a.url]
    assert hops == [
        (server.url("/old"), 301),
        (server.url("/newer"), 302),
        (server.url("/newest?id=7"), 200),
    ]
    final = [a for a in iter_archive([warc_dir]) if a.status == 200][0]
    assert (response.warc_path, response.warc_offset) == (final.path, final.offset)
    assert fetcher.stats["redirect"] == 2


async def test_a_redirect_loop_is_an_error_not_a_hang(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route("/ping", moved("/pong"))
    server.route("/pong", moved("/ping"))
    fetcher = make_fetcher(max_redirects=10)

    with pytest.raises(FetchError) as caught:
        await fetcher.get(server.url("/ping"))

    assert caught.value.reason == "redirects"
    assert "loop" in caught.value.message
    assert server.hits["/ping"] == 1 and server.hits["/pong"] == 1
    assert fetcher.stats["error:redirects"] == 1


async def test_more_hops_than_allowed_is_an_error(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    for n in range(5):
        server.route(f"/hop{n}", moved(f"/hop{n + 1}"))
    server.route("/hop5", Reply(200, ARTICLE))

    with pytest.raises(FetchError) as caught:
        await make_fetcher(max_redirects=3).get(server.url("/hop0"))

    assert caught.value.reason == "redirects"
    assert server.hits["/hop3"] == 1 and server.hits["/hop4"] == 0
    assert (await make_fetcher(max_redirects=5).get(server.url("/hop0"))).body == ARTICLE


async def test_a_redirect_to_another_scheme_is_refused(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route("/download", moved("ftp://files.example.org/report.pdf"))
    with pytest.raises(FetchError) as caught:
        await make_fetcher().get(server.url("/download"))
    assert caught.value.reason == "redirects"


async def test_a_3xx_without_location_is_a_status_error(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route("/odd", Reply(302, b"moved somewhere"))
    with pytest.raises(FetchError) as caught:
        await make_fetcher().get(server.url("/odd"))
    assert caught.value.reason == "status" and caught.value.status == 302


async def test_robots_txt_of_the_host_redirected_to_is_obeyed(
    server: LoopbackServer, other_server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route("/story", moved(other_server.url("/private/story")))
    other_server.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n"))

    with pytest.raises(RobotsDisallowed):
        await make_fetcher().get(server.url("/story"))

    assert server.hits["/robots.txt"] == 1 and other_server.hits["/robots.txt"] == 1
    assert other_server.hits["/private/story"] == 0


async def test_a_redirect_with_a_non_ascii_location_reaches_the_right_page(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    raw_location = "/статья".encode().decode("latin-1")  # the UTF-8 bytes, as servers send them
    server.route("/short-link", moved(raw_location))
    server.route("/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F", Reply(200, ARTICLE))

    response = await make_fetcher().get(server.url("/short-link"))

    assert response.final_url == server.url("/%D1%81%D1%82%D0%B0%D1%82%D1%8C%D1%8F")
    assert response.body == ARTICLE


async def test_a_redirect_with_a_garbled_body_is_still_followed(
    server: LoopbackServer, make_fetcher: Make
) -> None:
    server.route(
        "/r", Reply(302, b"not gzip at all", {"Location": "/x", "Content-Encoding": "gzip"})
    )
    server.route("/x", Reply(200, ARTICLE))
    assert (await make_fetcher().get(server.url("/r"))).body == ARTICLE
