"""The digest model: every number the analyst reads, computed once by ``build_digest``.

Renderers (HTML, Markdown, JSON, Atom) only format these records; none of them counts,
sorts or picks. That keeps the four outputs telling the same story, and lets a test check
a number once instead of four times. Every string here has already been cleaned by
``text.clean_text`` but is still untrusted: each renderer escapes it for its own syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.models import WEAK_CONFIDENCE


@dataclass(frozen=True)
class Tally:
    """A label and how many pieces used it (framing labels, cited sources, crawl counts)."""

    label: str
    count: int


@dataclass(frozen=True)
class StanceCounts:
    """How many pieces echo, contest, or do both, for one position (absent is not counted).

    ``weak`` and ``corrected`` say how many of those counted calls the differ was unsure
    of (confidence under ``WEAK_CONFIDENCE``) and how many an analyst set: they are
    included in echo / contest / mixed, not added to them."""

    echo: int = 0
    contest: int = 0
    mixed: int = 0
    weak: int = 0
    corrected: int = 0

    @property
    def total(self) -> int:
        return self.echo + self.contest + self.mixed

    @property
    def echo_share(self) -> float:
        return self.echo / self.total if self.total else 0.0

    @property
    def contest_share(self) -> float:
        return self.contest / self.total if self.total else 0.0

    @property
    def mixed_share(self) -> float:
        return self.mixed / self.total if self.total else 0.0

    @property
    def leaning(self) -> str:
        """ "echo", "contest", "mixed" (mostly pieces carrying both), "split" (as many echo
        as contest) or "none" (nobody addressed it)."""
        if not self.total:
            return "none"
        if self.mixed > max(self.echo, self.contest):
            return "mixed"
        if self.echo > self.contest:
            return "echo"
        if self.contest > self.echo:
            return "contest"
        return "split"


@dataclass(frozen=True)
class CampCoverage:
    camp: str  # "ru", "cn", …
    name: str  # "Russian"
    count: int  # pieces this week
    previous: int  # pieces last week
    compared: int  # pieces set against the baseline (have stances)
    outlets: int  # sources of this camp with at least one piece
    stories: int = 0  # stories its pieces carry (a wire story and its re-runs are one)

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True)
class SourceCoverage:
    source_id: str
    name: str
    camp: str
    camp_name: str
    count: int


@dataclass(frozen=True)
class StanceRow:
    """One camp's line of the camp × position table: cells in position order."""

    camp: str
    name: str
    compared: int
    cells: tuple[StanceCounts, ...]


@dataclass(frozen=True)
class Quote:
    """An evidence sentence, in the piece's own language."""

    sentence: str
    stance: str
    score: float


@dataclass(frozen=True)
class AnalystLabel:
    """An analyst's correction of a stance, as the digest shows it beside the call."""

    note: str | None
    labelled_by: str
    labelled_at: datetime
    differ_stance: str | None  # what the differ had said; None: no call of its own yet
    differ_confidence: float | None


@dataclass(frozen=True)
class PieceRef:
    """A piece quoted under a position: who said it, where, and the sentences that carry it.
    ``confidence`` is the differ's (1.0 for an analyst's call); ``weak`` marks a call under
    ``WEAK_CONFIDENCE``; ``label`` is set when an analyst corrected the call."""

    article_id: int
    title: str
    url: str  # shown as text when ``link`` is None
    link: str | None  # the URL if it is safe to link (http/https)
    outlet: str
    camp: str
    camp_name: str
    date: datetime | None
    language: str | None  # a valid lang tag, or None
    stance: str
    score: float
    quotes: tuple[Quote, ...]
    confidence: float = 1.0
    weak: bool = False
    label: AnalystLabel | None = None


@dataclass(frozen=True)
class CorrectedCall:
    """One analyst correction on a piece of the week: the position and the piece."""

    position_id: str
    position_title: str
    piece: PieceRef


@dataclass(frozen=True)
class Call:
    """A piece's stance on one position as the list of every piece shows it."""

    stance: str  # echo | contest | mixed | absent
    score: float
    confidence: float
    weak: bool
    corrected: bool


@dataclass(frozen=True)
class PieceRow:
    """One piece of the week in the list of every piece: where it came from and its call
    on each position (``None``: the differ has not compared it with that position)."""

    article_id: int
    title: str
    url: str
    link: str | None
    outlet: str
    source_id: str
    camp: str
    camp_name: str
    date: datetime | None
    language: str | None
    calls: tuple[Call | None, ...]  # in the digest's position order

    @property
    def compared(self) -> bool:
        return any(c is not None for c in self.calls)


@dataclass(frozen=True)
class CampRows:
    """The week's pieces of one camp, in the order the list shows them."""

    camp: str
    name: str
    rows: tuple[PieceRow, ...]


@dataclass(frozen=True)
class GlanceGroup:
    """One paragraph of "at a glance": a heading ("Volume", "Where camps diverge") and its
    sentences, plain text."""

    key: str  # volume | divergence | moved | untouched | certainty | blind_spots
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class TrendCell:
    """One camp's calls on one position in one week."""

    week: str
    counts: StanceCounts


@dataclass(frozen=True)
class CampTrend:
    """A camp's balance on one position over the trend's weeks (oldest first)."""

    camp: str
    name: str
    cells: tuple[TrendCell, ...]


@dataclass(frozen=True)
class PositionTrend:
    id: str
    title: str
    camps: tuple[CampTrend, ...]  # camps that addressed the position in any of the weeks


@dataclass(frozen=True)
class TroopPoint:
    week: str
    pieces: int
    low: int
    high: int


@dataclass(frozen=True)
class OutletTroops:
    """The troop figures one outlet claimed, week by week (only weeks with a claim)."""

    source_id: str
    name: str
    camp: str
    camp_name: str
    points: tuple[TroopPoint, ...]

    def at(self, week: str) -> TroopPoint | None:
        return next((p for p in self.points if p.week == week), None)


@dataclass(frozen=True)
class Trends:
    weeks: tuple[str, ...]  # oldest first, this week last
    positions: tuple[PositionTrend, ...]
    troops: tuple[OutletTroops, ...]


@dataclass(frozen=True)
class CampBalance:
    camp: str
    name: str
    counts: StanceCounts


@dataclass(frozen=True)
class CampPieces:
    """The pieces of one camp behind one count (a camp × position cell): every piece of
    the camp that addressed the position, newest first, without quotes."""

    camp: str
    name: str
    pieces: tuple[PieceRef, ...]


@dataclass(frozen=True)
class PositionDigest:
    id: str
    title: str  # human form, e.g. "troops unconfirmed"
    claim: str
    totals: StanceCounts
    by_camp: tuple[CampBalance, ...]  # only camps that addressed it
    strongest: tuple[PieceRef, ...]
    pieces: tuple[CampPieces, ...] = ()  # every piece behind by_camp's counts, same camps

    @property
    def addressed(self) -> bool:
        return self.totals.total > 0


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    share: float  # of the pieces that have this attribute at all


@dataclass(frozen=True)
class TroopFigures:
    """Troop counts the camp's pieces claimed (each piece's largest figure)."""

    pieces: int
    low: int
    median: float
    high: int


@dataclass(frozen=True)
class CampFraming:
    camp: str
    name: str
    pieces: int  # pieces with a framing record
    labels: tuple[Tally, ...]
    troops: TroopFigures | None
    epistemic: tuple[Share, ...]
    cited: tuple[Tally, ...]
    loaded: tuple[Tally, ...]


@dataclass(frozen=True)
class CrawlHealth:
    source_id: str
    name: str
    camp: str
    state: str  # "ok", "failing" (last run failed) or "never" (no run recorded)
    last_run: datetime | None
    last_ok: datetime | None
    last_error: str | None
    counts: tuple[Tally, ...]


@dataclass(frozen=True)
class StoryCarrier:
    """One outlet's piece of a story (``this_week``: among the week's pieces)."""

    article_id: int
    outlet: str
    camp: str
    camp_name: str
    date: datetime
    title: str
    url: str
    link: str | None
    this_week: bool


@dataclass(frozen=True)
class StoryDigest:
    """A story of the week that several outlets carried: its origin (the earliest
    carrier), every carrier earliest first, and how the week's pieces of it sit on each
    position per camp (``balance``: position id → camp balances)."""

    id: int
    title: str  # the origin's headline
    origin: StoryCarrier
    carriers: tuple[StoryCarrier, ...]
    pieces: int  # of this week
    outlets: int  # that carried it, in any week
    camps: tuple[str, ...]
    balance: tuple[tuple[str, tuple[CampBalance, ...]], ...]


@dataclass(frozen=True)
class WireFlow:
    """Copy that outlets of ``rerun_camp`` re-ran from an origin in ``origin_camp``."""

    origin_camp: str
    origin_name: str
    rerun_camp: str
    rerun_name: str
    stories: int
    pieces: int


@dataclass(frozen=True)
class Digest:
    """One week of coverage, ready to render."""

    week: str
    start: datetime
    end: datetime  # exclusive: the next Monday 00:00 UTC
    generated_at: datetime
    summary: str  # the "at a glance" paragraph, plain text
    articles: int
    outlets: int  # sources with at least one piece
    not_compared: int  # pieces with no stances yet (the differ has not run on them)
    camps: tuple[CampCoverage, ...]
    sources: tuple[SourceCoverage, ...]
    stance_table: tuple[StanceRow, ...]
    positions: tuple[PositionDigest, ...]
    framing: tuple[CampFraming, ...]
    crawl: tuple[CrawlHealth, ...]
    method: str  # "lexical", "lexical+semantic", or "not recorded"
    positions_versions: tuple[str, ...]  # usually one; several if the week mixes versions
    calls: StanceCounts = StanceCounts()  # every counted call of the week (camps × positions)
    corrections: tuple[CorrectedCall, ...] = ()  # analyst corrections on this week's pieces
    weak_below: float = WEAK_CONFIDENCE  # calls under this confidence are weak
    pieces: tuple[CampRows, ...] = ()  # every piece of the week, by camp
    glance: tuple[GlanceGroup, ...] = ()  # "at a glance", grouped; ``summary`` is its text
    trends: Trends = Trends(weeks=(), positions=(), troops=())
    stories: int = 0  # stories the week's pieces carry (an ungrouped piece is its own)
    story_list: tuple[StoryDigest, ...] = ()  # the week's stories, most outlets first
    wire_flows: tuple[WireFlow, ...] = ()  # who re-ran whose copy
    story_table: tuple[StanceRow, ...] = ()  # camp × position, each story once per camp

    @property
    def empty(self) -> bool:
        return self.articles == 0

    @property
    def previous_articles(self) -> int:
        return sum(c.previous for c in self.camps)
