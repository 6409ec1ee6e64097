"""Sitemaps: an index points at the newest child sitemaps; a urlset gives pages with their
news dates and titles; hostile XML is refused before it can cost memory or leak files."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from monitor.discover import Discovery
from monitor.errors import DiscoverError

Discover = Callable[..., Discovery]
INDEX_URL = "https://www.reuters.com/arc/outboundfeeds/news-sitemap-index/?outputType=xml"
CHILD_URL = "https://www.reuters.com/arc/outboundfeeds/news-sitemap/?outputType=xml"


def sitemap(discover: Discover, body: bytes | str, **kwargs: object) -> Discovery:
    kwargs.setdefault("url", "https://www.example.org/sitemap.xml")
    return discover(body, kind="sitemap", **kwargs)


def test_an_index_names_its_five_newest_child_sitemaps(
    discover: Discover, fixture_bytes: Callable[[str], bytes]
) -> None:
    found = sitemap(discover, fixture_bytes("reuters_news_sitemap_index.xml"), url=INDEX_URL)
    assert found.links == ()
    assert found.children == (
        CHILD_URL,
        CHILD_URL + "&from=100",
        CHILD_URL + "&from=200",
        CHILD_URL + "&from=300",
        CHILD_URL + "&from=400",
    )
    assert found.skipped == {"over_limit": 2}


def test_a_gzipped_child_sitemap_is_read_whatever_its_content_type(
    discover: Discover, fixture_bytes: Callable[[str], bytes]
) -> None:
    body = gzip.compress(fixture_bytes("reuters_news_sitemap.xml"), mtime=0)
    found = sitemap(discover, body, url=CHILD_URL, content_type="application/octet-stream")
    assert [lk.title for lk in found.links] == [
        "South Korea says North Korean troops moved closer to front",
        "Oil edges up as inventories fall & supply worries linger",
        "Kremlin declines to comment on troop reports, points to treaty",
    ]
    # the image:loc inside image:image is not taken for a page
    assert not any("resizer" in lk.url for lk in found.links)


def test_a_gzip_bomb_is_refused(discover: Discover) -> None:
    head = b'<?xml version="1.0"?><urlset><url><loc>https://www.example.org/a</loc></url>'
    bomb = gzip.compress(head + b" " * (60 * 1024 * 1024) + b"</urlset>", mtime=0)
    assert len(bomb) < 200_000
    with pytest.raises(DiscoverError) as err:
        sitemap(discover, bomb)
    assert err.value.reason == "too_large"


def test_billion_laughs_is_refused_before_any_entity_is_expanded(
    discover: Discover, fixture_bytes: Callable[[str], bytes]
) -> None:
    with pytest.raises(DiscoverError) as err:
        sitemap(discover, fixture_bytes("billion_laughs_sitemap.xml"))
    assert err.value.reason == "unsafe_xml"


def test_an_external_entity_cannot_read_local_files(discover: Discover) -> None:
    body = """<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<urlset><url><loc>https://www.example.org/&secret;</loc></url></urlset>"""
    with pytest.raises(DiscoverError) as err:
        sitemap(discover, body)
    assert err.value.reason == "unsafe_xml"


def test_a_reference_to_an_external_dtd_is_not_fetched_and_does_no_harm(
    discover: Discover,
) -> None:
    body = """<?xml version="1.0"?>
<!DOCTYPE urlset SYSTEM "http://127.0.0.1:9/never-fetched.dtd">
<urlset><url><loc>https://www.example.org/a&nbsp;b</loc></url></urlset>"""
    found = sitemap(discover, body)
    assert [lk.url for lk in found.links] == ["https://www.example.org/ab"]


def test_a_truncated_sitemap_keeps_its_complete_entries_and_says_so(
    discover: Discover, fixture_bytes: Callable[[str], bytes]
) -> None:
    body = fixture_bytes("reuters_news_sitemap.xml")
    cut = body[: body.index(b"kremlin-declines")]
    found = sitemap(discover, cut, url=CHILD_URL)
    assert len(found.links) == 2
    assert found.skipped["xml_error"] == 1


def test_un_namespaced_sitemap_with_an_undeclared_news_prefix_is_read(discover: Discover) -> None:
    body = """<urlset>
  <url><loc> https://www.example.org/world/one </loc><lastmod>2024-10-22</lastmod></url>
  <url><loc>/world/two</loc><news:news><news:publication_date>2024-10-23T08:00:00+09:00</news:publication_date>
      <news:title>Second &amp; newer</news:title></news:news></url>
  <url><lastmod>2024-10-23</lastmod></url>
</urlset>"""
    found = sitemap(discover, body)
    two, one = found.links
    assert (two.url, two.title) == ("https://www.example.org/world/two", "Second & newer")
    assert two.published == datetime(2024, 10, 22, 23, 0, tzinfo=UTC)
    assert (one.url, one.title) == ("https://www.example.org/world/one", None)
    assert one.published == datetime(2024, 10, 22, 0, 0, tzinfo=UTC)
    assert found.skipped == {"no_link": 1}


def test_a_big_sitemap_gives_the_newest_max_items(discover: Discover) -> None:
    base = datetime(2024, 10, 20, tzinfo=UTC).timestamp()
    minutes = [(i * 7919) % 5000 for i in range(5000)]  # every minute once, shuffled
    entries = "".join(
        f"<url><loc>https://www.example.org/p/{m}</loc>"
        f"<lastmod>{datetime.fromtimestamp(base + 60 * m, UTC).isoformat()}</lastmod></url>"
        for m in minutes
    )
    found = sitemap(discover, f"<urlset>{entries}</urlset>", max_items=10)
    assert [lk.url.rsplit("/", 1)[1] for lk in found.links] == [str(4999 - k) for k in range(10)]
    assert found.skipped == {"over_limit": 4990}


@pytest.mark.parametrize(
    ("body", "reason", "hint"),
    [
        (
            "<!DOCTYPE html><html><body><h1>Access denied</h1></body></html>",
            "not_a_sitemap",
            "HTML",
        ),
        (
            '<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>',
            "not_a_sitemap",
            "<rss>",
        ),
        ("this is not xml at all", "not_a_sitemap", "no XML root"),
        ("<urlset><url><loc>https://www.example.org/a</loc><url>", "malformed_xml", "malformed"),
    ],
    ids=["html-page", "a-feed", "plain-text", "broken-before-first-entry"],
)
def test_a_body_that_is_no_sitemap_is_an_error(
    discover: Discover, body: str, reason: str, hint: str
) -> None:
    with pytest.raises(DiscoverError) as err:
        sitemap(discover, body)
    assert err.value.reason == reason
    assert hint in err.value.message


def test_an_unknown_declared_encoding_is_read_as_utf8_when_the_bytes_are(
    discover: Discover,
) -> None:
    body = (
        '<?xml version="1.0" encoding="U-F-8"?>'
        "<urlset><url><loc>https://www.example.org/ü</loc></url></urlset>"
    )
    found = sitemap(discover, body.encode("utf-8"))
    assert [lk.url for lk in found.links] == ["https://www.example.org/%C3%BC"]
