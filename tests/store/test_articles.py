"""Articles: stored once per canonical URL, dated in UTC, found again by id, URL, week,
staleness and words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.errors import StoreError

T0 = datetime(2024, 11, 1, 12, 0, tzinfo=UTC)


def _store(store, article, seen_at=T0, source_id="wire", camp="west"):
    return store.upsert_article(
        article, source_id=source_id, camp=camp, capture_id=None, seen_at=seen_at
    )


def test_storing_the_same_piece_twice_keeps_one_row_and_moves_last_seen(store, piece) -> None:
    first_id, created = _store(store, piece(), seen_at=T0)
    again_id, created_again = _store(store, piece(), seen_at=T0 + timedelta(hours=5))

    assert (created, created_again) == (True, False)
    assert again_id == first_id
    assert store.count_articles() == 1
    stored = store.article(first_id)
    assert stored.first_seen == T0
    assert stored.last_seen == T0 + timedelta(hours=5)


def test_replaying_an_older_sighting_does_not_move_the_dates_backwards(store, piece) -> None:
    article_id, _ = _store(store, piece(), seen_at=T0)
    _store(store, piece(), seen_at=T0 - timedelta(days=2))  # replaying an old archive
    stored = store.article(article_id)
    assert stored.first_seen == T0 - timedelta(days=2)
    assert stored.last_seen == T0


def test_a_corrected_text_updates_the_row_and_its_hash_but_not_first_seen(store, piece) -> None:
    article_id, _ = _store(store, piece(), seen_at=T0)
    before = store.article(article_id)
    corrected = piece(
        text="Officials in Seoul said about 10,000 North Korean soldiers were in Kursk."
    )
    same_id, created = _store(store, corrected, seen_at=T0 + timedelta(days=1))

    after = store.article(article_id)
    assert (same_id, created) == (article_id, False)
    assert after.text == corrected.text
    assert after.content_hash != before.content_hash
    assert after.first_seen == T0


def test_reflowed_whitespace_is_not_a_new_version(store, piece) -> None:
    article_id, _ = _store(store, piece(text="One paragraph.\n\nAnother\u00a0one."))
    before = store.article(article_id).content_hash
    _store(store, piece(text="One   paragraph.\nAnother one.  "))
    assert store.article(article_id).content_hash == before


def test_a_changed_text_sends_the_piece_back_to_the_differ(store, piece, blank_diff) -> None:
    article_id, _ = _store(store, piece())
    store.save_diff(article_id, blank_diff("v1"))
    assert [a.id for a in store.iter_articles(needing_version="v1")] == []

    _store(store, piece(text="An updated report with new figures from the front."))
    assert [a.id for a in store.iter_articles(needing_version="v1")] == [article_id]
    assert store.stances_for([article_id]) == {}


@pytest.mark.parametrize(
    "variant",
    [
        "https://news.example.org/world/2024/11/troops-kursk?utm_source=rss&utm_medium=feed",
        "https://news.example.org/world/2024/11/troops-kursk#comments",
        "https://news.example.org/world/2024/11/troops-kursk/amp",
        "HTTPS://NEWS.example.org:443/world/2024/11/troops-kursk",
    ],
)
def test_url_variants_of_one_piece_hit_the_same_row(store, piece, variant: str) -> None:
    article_id, _ = _store(store, piece())
    variant_id, created = _store(store, piece(url=variant), seen_at=T0 + timedelta(minutes=1))
    assert (variant_id, created) == (article_id, False)
    assert store.count_articles() == 1
    assert store.article_by_url(variant).id == article_id


def test_distinct_pages_are_distinct_articles(store, piece) -> None:
    a, _ = _store(store, piece("https://news.example.org/a?id=1"))
    b, _ = _store(store, piece("https://news.example.org/a?id=2"))
    assert a != b
    assert store.count_articles() == 2


def test_everything_stored_comes_back_as_it_went_in(store, piece) -> None:
    article = piece(
        "https://ria.example.ru/20241101/kndr.html",
        title="КНДР и Россия: договор вступил в силу",
        text="Договор о всеобъемлющем стратегическом партнёрстве вступил в силу.",
        published=datetime(2024, 12, 4, 15, 0, tzinfo=timezone(timedelta(hours=3))),
        language="ru",
    )
    article_id, _ = _store(store, article, source_id="ria", camp="ru")
    stored = store.article(article_id)
    assert stored.url == article.url
    assert (stored.source_id, stored.camp, stored.language) == ("ria", "ru", "ru")
    assert stored.title == article.title and stored.text == article.text
    assert stored.authors == ("A. Writer",)
    assert stored.published_at == datetime(2024, 12, 4, 12, 0, tzinfo=UTC)
    assert stored.published_at.tzinfo == UTC


def test_scraped_nul_bytes_do_not_stop_the_piece_being_stored(store, piece) -> None:
    article_id, _ = _store(store, piece(text="Before\x00after.", title="Nul\x00title"))
    assert store.article(article_id).text == "Beforeafter."


def test_missing_articles_are_an_error_not_none(store) -> None:
    with pytest.raises(StoreError, match="no article with id 42"):
        store.article(42)
    with pytest.raises(StoreError, match="no article stored for https://nowhere.example/x"):
        store.article_by_url("https://nowhere.example/x")


def test_naive_datetimes_are_refused_not_guessed(store, piece) -> None:
    naive = datetime(2024, 11, 1, 12, 0)
    with pytest.raises(StoreError, match="seen_at must be timezone-aware"):
        _store(store, piece(), seen_at=naive)
    with pytest.raises(StoreError, match="article.published must be timezone-aware"):
        _store(store, piece(published=naive))
    with pytest.raises(StoreError, match="start must be timezone-aware"):
        store.articles_between(naive, T0)
    assert store.count_articles() == 0


def test_an_unknown_camp_is_refused(store, piece) -> None:
    with pytest.raises(StoreError, match="unknown camp 'martian'"):
        _store(store, piece(), camp="martian")


def test_a_piece_published_late_sunday_west_of_utc_belongs_to_the_next_iso_week(
    store, piece
) -> None:
    # 2024-10-27 23:30 at UTC-2 is Monday 2024-10-28 01:30 UTC: ISO week 44, not 43.
    late = datetime(2024, 10, 27, 23, 30, tzinfo=timezone(timedelta(hours=-2)))
    article_id, _ = _store(store, piece(published=late), seen_at=late)
    week43 = (datetime(2024, 10, 21, tzinfo=UTC), datetime(2024, 10, 28, tzinfo=UTC))
    week44 = (datetime(2024, 10, 28, tzinfo=UTC), datetime(2024, 11, 4, tzinfo=UTC))

    assert store.articles_between(*week43) == []
    assert [a.id for a in store.articles_between(*week44)] == [article_id]
    assert store.article(article_id).published_at.isocalendar()[1] == 44


def test_week_boundaries_are_half_open_and_undated_pieces_use_first_seen(store, piece) -> None:
    monday = datetime(2024, 10, 28, tzinfo=UTC)
    at_start, _ = _store(store, piece("https://x.example/1", published=monday))
    at_end, _ = _store(store, piece("https://x.example/2", published=monday + timedelta(days=7)))
    undated, _ = _store(
        store, piece("https://x.example/3", published=None), seen_at=monday + timedelta(days=2)
    )
    earlier, _ = _store(store, piece("https://x.example/4", published=monday + timedelta(hours=1)))

    week = store.articles_between(monday, monday + timedelta(days=7))
    assert [a.id for a in week] == [at_start, earlier, undated]
    assert at_end not in [a.id for a in week]


def test_start_and_end_in_other_zones_mean_the_same_instants(store, piece) -> None:
    article_id, _ = _store(store, piece(published=datetime(2024, 10, 28, 1, 0, tzinfo=UTC)))
    moscow = timezone(timedelta(hours=3))
    # Monday 03:00 Moscow is Monday 00:00 UTC
    start = datetime(2024, 10, 28, 3, 0, tzinfo=moscow)
    assert [a.id for a in store.articles_between(start, start + timedelta(days=7))] == [article_id]
    assert store.articles_between(start + timedelta(hours=2), start + timedelta(days=7)) == []


def test_iter_articles_yields_only_pieces_without_current_stances(store, piece, blank_diff) -> None:
    ids = [_store(store, piece(f"https://x.example/{i}"))[0] for i in range(5)]
    store.save_diff(ids[0], blank_diff("v2"))
    store.save_diff(ids[1], blank_diff("v1"))  # computed with old positions: stale

    assert [a.id for a in store.iter_articles(needing_version="v2", batch=2)] == ids[1:]
    assert [a.id for a in store.iter_articles(batch=2)] == ids


def test_pending_analysis_is_known_without_reading_the_pieces(store, piece, blank_diff) -> None:
    """The check before every digest (an index lookup) agrees with the pieces the
    analyser would read: new, stale and changed pieces are pending, analysed ones not."""
    assert not store.analysis_pending("v2")  # an empty store waits for nothing
    assert not store.analysed_with("v2")
    ids = [_store(store, piece(f"https://x.example/{i}"))[0] for i in range(3)]
    assert store.analysis_pending("v2")  # new pieces
    store.save_diffs([(ids[0], blank_diff("v2")), (ids[1], blank_diff("v2"))])
    store.save_diff(ids[2], blank_diff("v1"))
    assert store.analysis_pending("v2")  # ids[2] has stances of another version
    assert store.analysed_with("v2") and store.analysed_with("v1")
    assert not store.analysed_with("v3")

    store.save_diff(ids[2], blank_diff("v2"))
    assert not store.analysis_pending("v2")
    assert store.analysis_pending("v3") and not store.analysed_with("v1")

    _store(store, piece("https://x.example/1", text="The report was rewritten with new figures."))
    assert store.analysis_pending("v2")
    assert [a.id for a in store.iter_articles(needing_version="v2")] == [ids[1]]


def test_the_differ_can_save_while_iterating(store, piece, blank_diff) -> None:
    ids = [_store(store, piece(f"https://x.example/{i}"))[0] for i in range(7)]
    done = []
    for article in store.iter_articles(needing_version="v1", batch=3):
        store.save_diff(article.id, blank_diff("v1"))
        done.append(article.id)
    assert done == ids
    assert list(store.iter_articles(needing_version="v1")) == []


SEARCH_CORPUS = [
    (
        "https://ria.example.ru/kursk",
        "Бои в Курской области",
        "Министерство обороны сообщило о боях в Курской области. Военные КНДР там не упоминались.",
    ),
    (
        "https://guancha.example.cn/kursk",
        "俄朝条约生效",
        "俄罗斯与朝鲜签署的全面战略伙伴关系条约正式生效，双方承诺在遭受攻击时相互援助。",
    ),
    (
        "https://wire.example.com/sanctions",
        "Sanctions widen",
        "Ministers in Brussels agreed new sanctions on shipping firms.",
    ),
]


@pytest.fixture
def corpus(store, piece) -> dict[str, int]:
    return {
        url: _store(store, piece(url, title=title, text=text))[0]
        for url, title, text in SEARCH_CORPUS
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Курской", ["https://ria.example.ru/kursk"]),  # a Russian word, inflected form
        ("курской области", ["https://ria.example.ru/kursk"]),  # case folded, two words
        ("朝鲜", ["https://guancha.example.cn/kursk"]),  # a two-character Chinese word
        ("战略伙伴关系", ["https://guancha.example.cn/kursk"]),  # inside an unspaced run
        ("条约生效", ["https://guancha.example.cn/kursk"]),  # title or text
        ("SANCTIONS", ["https://wire.example.com/sanctions"]),
        ("sanctions Курской", []),  # every word must occur
        ("100%_", []),  # LIKE wildcards are literal
        ('"unbalanced', []),  # FTS syntax is literal
        ("   ", []),
    ],
)
def test_search_finds_words_in_any_script(store, corpus, query: str, expected: list[str]) -> None:
    found = store.search(query)
    assert [corpus[u] for u in expected] == [a.id for a in found]


def test_without_fts5_sqlite_gives_the_same_answers(database, corpus, store) -> None:
    if database.kind != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    with_fts = {q: [a.id for a in store.search(q)] for q in ("Курской", "战略伙伴关系", "朝鲜")}
    store._fts = False  # as on a SQLite built without FTS5 (0001_initial skips the index)
    assert {q: [a.id for a in store.search(q)] for q in with_fts} == with_fts


def test_search_results_come_newest_first(store, piece) -> None:
    days = [3, 1, 2]
    ids = {
        d: _store(
            store,
            piece(f"https://x.example/{d}", text="Kursk.", published=T0 + timedelta(days=d)),
        )[0]
        for d in days
    }
    assert [a.id for a in store.search("Kursk")] == [ids[3], ids[2], ids[1]]


def test_search_follows_updates_of_the_text(store, corpus, piece) -> None:
    _store(store, piece("https://wire.example.com/sanctions", text="Talks on export controls."))
    assert store.search("sanctions") == []
    assert [a.url for a in store.search("export controls")] == [
        "https://wire.example.com/sanctions"
    ]


def test_search_respects_the_limit(store, piece) -> None:
    for i in range(5):
        _store(store, piece(f"https://x.example/{i}", text=f"Kursk report number {i}."))
    assert len(store.search("Kursk", limit=3)) == 3


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("북한", True),  # Korean: the word with its particle glued on («북한군은»)
        ("쿠르스크", True),
        ("남한", False),
        ("朝", True),  # one character: checked with LIKE
        ("Kurs", True),  # the beginning of a word
        ("ursk", False),  # not the middle of one
    ],
)
def test_search_finds_korean_words_and_word_beginnings(
    store, piece, query: str, found: bool
) -> None:
    article_id, _ = _store(
        store,
        piece(
            "https://yna.example.kr/1",
            title="북한군 파병",
            text="국가정보원은 북한군은 쿠르스크에 도착했다고 밝혔다. 朝 Kursk.",
        ),
    )
    expected = [article_id] if found else []
    if store._fts or query not in ("ursk",):
        assert [a.id for a in store.search(query)] == expected
