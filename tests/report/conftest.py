"""A week of coverage as the pipeline would hand it to the report stage.

``WeekBuilder`` makes ``DigestInput``s from a few lines per piece; the ``week`` fixture is
one busy week in 2024-W44 with Russian, Chinese, Western, Korean and Ukrainian pieces in
English, Russian and Chinese, a hostile piece, a failing source and a source never crawled.
All sentences are written for these tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor.models import (
    Correction,
    CrawlStatus,
    DigestInput,
    Evidence,
    Framing,
    PositionInfo,
    SourceInfo,
    StoredArticle,
    StoredStance,
)

WEEK = "2024-W44"
START = datetime(2024, 10, 28, tzinfo=UTC)
END = datetime(2024, 11, 4, tzinfo=UTC)
GENERATED = datetime(2024, 11, 4, 6, 0, tzinfo=UTC)
VERSION = "pos-v1-3f2a"

POSITIONS = (
    PositionInfo("P1", "trade-modest", "Russia–DPRK trade grows fast but stays small."),
    PositionInfo("P2", "no-leverage", "Trade buys neither Moscow nor Beijing a say in Pyongyang."),
    PositionInfo("P3", "arms-exaggerated", "Western claims of huge arms deliveries are inflated."),
    PositionInfo(
        "P4", "troops-unconfirmed", "Reports of North Korean troops in Kursk are unconfirmed."
    ),
    PositionInfo("P5", "treaty-defensive", "The 2024 treaty is defensive and aimed at nobody."),
    PositionInfo("P6", "no-nuclear-help", "Russia will not help the DPRK's nuclear programme."),
    PositionInfo("P7", "peace-first", "Avoiding a clash matters more than disarmament."),
    PositionInfo("P8", "engage-nuclear-state", "Talk to the DPRK as a nuclear power."),
    PositionInfo("P9", "sanctions-erode", "Russia will erode UN sanctions without leaving them."),
    PositionInfo("P10", "china-unharmed", "The partnership does not hurt China's interests."),
)

SOURCES = {
    s.id: s
    for s in (
        SourceInfo("tass_en", "TASS (English)", "ru", "en"),
        SourceInfo("ria_ru", "RIA Novosti", "ru", "ru"),
        SourceInfo("xinhua_zh", "新华社 Xinhua", "cn", "zh"),
        SourceInfo("gt_en", "Global Times", "cn", "en"),
        SourceInfo("wire_en", "Wire Service", "west", "en"),
        SourceInfo("bbc_en", "BBC News", "west", "en"),
        SourceInfo("yonhap_en", "Yonhap", "kr", "en"),
        SourceInfo("kyiv_en", "Kyiv Independent", "ua", "en"),
        SourceInfo("quiet_en", "Quiet Weekly", "west", "en"),
    )
}

HOSTILE_TITLE = "<script>alert(1)</script> Troops <b>confirmed</b>"
HOSTILE_SENTENCE = "Officials said [read more](javascript:alert(1)) that | the *units* moved."
STRONGEST_P4 = "About 11,000 North Korean soldiers are now in the Kursk region, officials said."


@dataclass
class WeekBuilder:
    """Collects pieces, their stances and framings, and builds one ``DigestInput``."""

    week: str = WEEK
    start: datetime = START
    end: datetime = END
    sources: dict[str, SourceInfo] = field(default_factory=lambda: dict(SOURCES))
    articles: list[StoredArticle] = field(default_factory=list)
    stances: dict[int, tuple[StoredStance, ...]] = field(default_factory=dict)
    framings: dict[int, Framing] = field(default_factory=dict)
    crawl: list[CrawlStatus] = field(default_factory=list)
    previous: dict[str, int] = field(default_factory=dict)
    positions: tuple[PositionInfo, ...] = POSITIONS

    def piece(
        self,
        source_id: str,
        title: str,
        *,
        stances: dict[str, tuple[str, float, tuple[str, ...]]] | None = None,
        framing: Framing | None = None,
        language: str | None = None,
        url: str | None = None,
        day: int = 1,
    ) -> int:
        """Add a piece; ``stances`` maps position → (stance, score, evidence sentences).
        Positions not given are stored as absent (as the differ stores them)."""
        info = self.sources[source_id]
        article_id = len(self.articles) + 1
        published = self.start + timedelta(days=day, hours=9)
        self.articles.append(
            StoredArticle(
                id=article_id,
                url=url or f"https://{source_id}.example/news/{article_id}",
                source_id=source_id,
                camp=info.camp,
                language=language or info.language,
                title=title,
                authors=(),
                published_at=published,
                text=title,
                content_hash=f"h{article_id}",
                first_seen=published,
                last_seen=published,
            )
        )
        if stances is not None:
            rows = []
            for position in self.positions:
                stance, score, sentences = stances.get(position.id, ("absent", 0.0, ()))
                evidence = tuple(
                    Evidence(sentence=s, stance=stance, score=score, index=i)
                    for i, s in enumerate(sentences)
                )
                rows.append(StoredStance(article_id, position.id, stance, score, evidence, VERSION))
            self.stances[article_id] = tuple(rows)
        if framing is not None:
            self.framings[article_id] = framing
        return article_id

    def weaken(self, article_id: int, position_id: str, confidence: float) -> None:
        """Give the differ's call on that position this confidence."""
        self._swap(article_id, position_id, lambda s: replace(s, confidence=confidence))

    def correct(
        self,
        article_id: int,
        position_id: str,
        stance: str,
        *,
        note: str | None = None,
        by: str = "analyst",
        score: float = 0.0,
    ) -> None:
        """An analyst's label in place of the differ's call, as the store hands it over."""
        label = Correction(article_id, position_id, stance, note, by, self.end)  # type: ignore[arg-type]

        def corrected(differ: StoredStance) -> StoredStance:
            return replace(
                differ,
                stance=stance,
                score=score,
                evidence=tuple(e for e in differ.evidence if stance in ("mixed", e.stance)),
                confidence=1.0,
                correction=label,
                differ_stance=differ.stance,
                differ_confidence=differ.confidence,
            )

        self._swap(article_id, position_id, corrected)

    def _swap(self, article_id: int, position_id: str, change: object) -> None:
        rows = list(self.stances[article_id])
        i = next(i for i, s in enumerate(rows) if s.position_id == position_id)
        rows[i] = change(rows[i])  # type: ignore[operator]
        self.stances[article_id] = tuple(rows)

    def build(self, **overrides: object) -> DigestInput:
        values: dict[str, object] = dict(
            week=self.week,
            start=self.start,
            end=self.end,
            articles=tuple(self.articles),
            stances=dict(self.stances),
            framings=dict(self.framings),
            sources=dict(self.sources),
            positions=self.positions,
            crawl_status=tuple(self.crawl),
            previous_counts=dict(self.previous),
            generated_at=GENERATED,
            method="lexical",
        )
        values.update(overrides)
        return DigestInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def builder() -> WeekBuilder:
    return WeekBuilder()


@pytest.fixture
def week(builder: WeekBuilder) -> DigestInput:
    """A busy week: 10 pieces from 8 outlets in five camps."""
    b = builder
    b.piece(
        "ria_ru",
        "Слухи о северокорейских войсках под Курском",
        stances={
            "P4": (
                "echo",
                0.8,
                ("Сообщения о военных КНДР в Курской области никто не подтвердил.",),
            ),
            "P5": (
                "echo",
                0.6,
                ("Договор носит оборонительный характер и ни против кого не направлен.",),
            ),
        },
        framing=Framing(
            troop_labels=("военные",),
            epistemic="hedged",
            sources_cited=("Песков",),
            loaded_terms=("информационная утка",),
        ),
    )
    b.piece(
        "tass_en",
        "Kremlin calls the treaty a purely defensive pact",
        stances={
            "P5": ("echo", 0.7, ("The treaty is defensive and aimed at no third country.",)),
            "P4": ("echo", 0.4, ("Moscow called the troop reports a fabrication.",)),
        },
        framing=Framing(epistemic="asserted", sources_cited=("Peskov", "TASS")),
    )
    b.piece(
        "xinhua_zh",
        "中俄就朝鲜半岛局势保持沟通",
        stances={
            "P10": ("echo", 0.6, ("中俄双方就半岛问题保持密切沟通。",)),
            "P5": ("echo", 0.3, ("该条约不针对任何第三方。",)),
        },
        framing=Framing(epistemic="attributed", sources_cited=("外交部",)),
    )
    b.piece(
        "gt_en",
        "Beijing and Moscow resist new sanctions at the UN",
        stances={"P9": ("echo", 0.5, ("The two capitals blocked a new sanctions resolution.",))},
    )
    b.piece(
        "wire_en",
        "Thousands of North Korean soldiers reach Kursk",
        stances={
            "P4": ("contest", -0.9, (STRONGEST_P4, "Satellite images showed the units arriving.")),
            "P5": ("contest", -0.5, ("Analysts called the pact a threat to the region.",)),
        },
        framing=Framing(
            troop_labels=("soldiers", "troops"),
            troop_count=11000,
            epistemic="attributed",
            sources_cited=("Pentagon",),
        ),
    )
    b.piece(
        "bbc_en",
        "What we know about North Korea's troops in Russia",
        stances={
            "P4": ("contest", -0.7, ("Some 12,000 troops have been sent, Seoul says.",)),
            "P3": ("contest", -0.6, ("Millions of shells have crossed the border.",)),
        },
        framing=Framing(
            troop_labels=("Troops",),
            troop_count=12000,
            epistemic="attributed",
            sources_cited=("Pentagon", "NIS"),
            loaded_terms=("cannon fodder",),
        ),
    )
    b.piece(
        "wire_en",
        HOSTILE_TITLE,
        url="javascript:alert(1)",
        stances={
            "P4": ("contest", -0.3, ("Units were seen near the border.",)),
            "P3": ("contest", -0.65, (HOSTILE_SENTENCE,)),
        },
        framing=Framing(troop_labels=("troops",), troop_count=10000, epistemic="asserted"),
    )
    b.piece(
        "yonhap_en",
        "NIS: North Korean troops suffer casualties in Kursk",
        stances={
            "P4": ("contest", -0.8, ("The spy agency said North Korean troops were fighting.",)),
            "P6": ("contest", -0.4, ("Moscow may pass missile know-how to Pyongyang.",)),
        },
        framing=Framing(
            troop_labels=("troops",),
            troop_count=10000,
            epistemic="attributed",
            sources_cited=("NIS",),
        ),
    )
    b.piece(
        "kyiv_en",
        "Kim's mercenaries on the Kursk front",
        stances={
            "P4": ("contest", -0.6, ("Pyongyang's mercenaries are fighting in Kursk.",)),
            "P2": ("contest", -0.5, ("Kim follows the Kremlin's orders.",)),
        },
        framing=Framing(
            troop_labels=("mercenaries",),
            troop_count=12000,
            epistemic="asserted",
            loaded_terms=("cannon fodder", "mercenaries"),
        ),
    )
    b.piece("ria_ru", "Пхеньян и Москва обсудили торговлю")  # not yet compared
    b.previous = {"ru": 1, "west": 5}
    b.crawl = [
        CrawlStatus(
            "wire_en",
            GENERATED - timedelta(hours=2),
            GENERATED - timedelta(hours=2),
            None,
            {"fetched": 40, "stored": 3},
        ),
        CrawlStatus(
            "yonhap_en",
            GENERATED - timedelta(hours=1),
            GENERATED - timedelta(days=3),
            "HTTP 503 Service Unavailable",
            {"fetched": 2, "skipped:status": 5},
        ),
    ]
    return b.build()
