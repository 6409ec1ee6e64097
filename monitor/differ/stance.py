"""Stance of one sentence towards one position: cues, read through negation, denial,
distancing, hedges and claim markers, plus the figures at stake.

Direction is decided here by rules only (the semantic extra never decides it: an embedding
cannot tell "Moscow sent troops" from "Moscow denied sending troops"). Every cue hit keeps
the phrase that fired and what modified it, so an analyst can see *why* a sentence counts.

Rules, in the order they apply (the markers come from the language's lexicon, see
:mod:`markers`):
- a longer hit swallows a shorter one inside it ("not confirmed or denied" beats
  "confirmed"); a *neutral* phrase ("denied any knowledge of…", "declined to comment")
  swallows the cues inside and around it;
- a negation shortly before the cue in its clause ("did not confirm", "не подтвердил",
  "并未派兵") — or, in Korean and Japanese, right after it — flips the direction; a denial
  flips only assertions ("denied sending troops"), and cancels a negation;
- otherwise a distancing marker before the cue ("allegedly", "якобы", "所谓") flips it, more
  weakly: the claim is presented as someone's story;
- hedges ("reportedly", "возможно", "可能") and claim markers ("Kyiv claims", "指责") before
  the cue weaken it without flipping it;
- a framing cue ("unconfirmed", "officially confirmed", "would not change the momentum")
  governs the plain cues of the other direction in its clause: they are what it frames;
- the sentence's score is the sum, capped at 1 (and at the weight its least-modified winning
  cue kept: three hedged cues are still one hedged sentence).
Figures read against the position's numbers rules count as cues too ("$35 million" of
trade echoes P1, "11,000 soldiers" contests P4).

In the cues an evidence record keeps, "¬" marks a negated cue, "?" a distanced one, "~" a
hedged one and "^" one reported as somebody's claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.differ.lexicon import CompiledLexicon, union
from monitor.differ.markers import Markers, markers
from monitor.differ.numbers import Quantity, quantities
from monitor.differ.positions import NumberRule, Position

STRONG = 2.0
PLAIN = 1.0
NUMBER = 1.0
NEGATED = 0.8
DISTANCED = 0.7
HEDGED = 0.75
CLAIMED = 0.7
CONTEXT = 0.6  # a cue whose anchor is in the previous sentence
MIN_SENTENCE = 0.3  # weaker sentences are not evidence

_FOLD = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "ё": "е", "Ё": "Е",
                       "\u00a0": " ", "\u202f": " "})


def fold(text: str) -> str:
    """The sentence as cues are matched against it: one apostrophe, е for ё, plain spaces.

    Every replacement is one character for one, so offsets stay valid in the original.
    """
    return text.translate(_FOLD)


class Memo:
    """What every position reads of one sentence — its markers and figures — worked out
    once per piece rather than once per position."""

    __slots__ = ("text", "lex", "_marks", "_figures")

    def __init__(self, text: str, lex: CompiledLexicon) -> None:
        self.text = text
        self.lex = lex
        self._marks: Markers | None = None
        self._figures: tuple[Quantity, ...] | None = None

    @property
    def marks(self) -> Markers:
        if self._marks is None:
            self._marks = markers(self.text, self.lex)
        return self._marks

    @property
    def figures(self) -> tuple[Quantity, ...]:
        if self._figures is None:
            self._figures = quantities(self.text)
        return self._figures


@dataclass(frozen=True)
class CompiledCues:
    """One position's cues in one language, each list as one case-insensitive alternation."""

    anchors: re.Pattern[str] | None
    lists: tuple[tuple[re.Pattern[str], int, float], ...]  # (pattern, direction, weight)
    numbers: tuple[tuple[NumberRule, re.Pattern[str]], ...]

    @property
    def empty(self) -> bool:
        return self.anchors is None

    def anchored(self, text: str) -> bool:
        """An anchor of the position occurs in the sentence."""
        return self.anchors is not None and self.anchors.search(text) is not None

    def figure_words(self, text: str) -> list[tuple[NumberRule, re.Pattern[str]]]:
        """The number rules whose `near` words occur in the sentence."""
        return [(rule, rx) for rule, rx in self.numbers if rx.search(text) is not None]


def compile_cues(position: Position, language: str, unspaced: bool) -> CompiledCues:
    """``position``'s cues in ``language`` (``unspaced``: the language's script has no
    spaces between words, so cues may start anywhere)."""
    cues = position.languages.get(language)
    rules = tuple(
        (rule, rx)
        for rule in position.numbers
        if (rx := union(rule.near.get(language, ()), unspaced)) is not None
    )
    if cues is None:
        return CompiledCues(None, (), rules)
    lists = []
    for pats, direction, weight in (
        (cues.echo, 1, PLAIN),
        (cues.echo_strong, 1, STRONG),
        (cues.contest, -1, PLAIN),
        (cues.contest_strong, -1, STRONG),
        (cues.neutral, 0, STRONG),
    ):
        rx = union(pats, unspaced)
        if rx is not None:
            lists.append((rx, direction, weight))
    return CompiledCues(union(cues.anchors, unspaced), tuple(lists), rules)


@dataclass(frozen=True)
class Hit:
    cue: str  # the text that fired, prefixed by what modified it ("¬", "?", "~", "^")
    direction: int  # +1 echo, -1 contest
    weight: float
    start: int
    end: int
    factor: float = 1.0  # what modifiers left of it: a hedged claim never counts in full
    strong: bool = False  # a framing cue ("confirmed", "unconfirmed", "denied")
    figure: bool = False  # a figure read against the position's numbers
    marks: str = ""  # what modified it, in order ("¬", "?", "~", "^")

    def scaled(self, mark: str, factor: float, flip: bool = False) -> Hit:
        return Hit(
            mark + self.cue,
            -self.direction if flip else self.direction,
            self.weight * factor,
            self.start,
            self.end,
            self.factor * factor,
            self.strong,
            self.figure,
            self.marks + mark,
        )

    @property
    def kind(self) -> str:
        """What the hit is, for the learned layer: its direction as read, what fired
        ("frame", "figure" or a plain "cue") and what modified it ("echo:cue:?" is a
        contest cue turned by a distancing word)."""
        what = "frame" if self.strong else "figure" if self.figure else "cue"
        side = "echo" if self.direction > 0 else "contest"
        return f"{side}:{what}:{self.marks}"


@dataclass(frozen=True)
class SentenceSignal:
    """What one sentence says about one position."""

    score: float  # in [-1, 1]
    cues: tuple[str, ...]
    anchored: bool  # an anchor (or a figure's context) is in the sentence itself
    kinds: tuple[str, ...] = ()  # Hit.kind of each cue that counted (for the learned layer)


def _modify(hit: Hit, marks: Markers) -> Hit:
    assertion = hit.direction < 0
    if marks.negated(hit.start, hit.end, assertion):
        hit = hit.scaled("¬", NEGATED, flip=True)
    elif not hit.strong and marks.distanced(hit.start, assertion):
        # a framing cue ("officially confirmed") is the writer's own verdict: not turned
        hit = hit.scaled("?", DISTANCED, flip=True)
    # "reportedly sent", "Kyiv claims … are fighting": softened, not turned
    # a reported claim's content is softened — unless the sentence already turned it (a
    # denial of the report is the sentence's own reading, not a second-hand one)
    reported = not hit.strong and not hit.marks and marks.reported(hit.start)
    if marks.hedged(hit.start) or reported:
        hit = hit.scaled("~", HEDGED)
    if marks.claimed(hit.start):
        hit = hit.scaled("^", CLAIMED)
    return hit


def _number_hits(cues: CompiledCues, memo: Memo) -> tuple[list[Hit], bool]:
    """Figures that read against the position; such a figure also anchors the sentence
    ("11,000 soldiers" is about P4 even without "North Korean" in the same sentence)."""
    hits: list[Hit] = []
    if not memo.figures:  # the sentence's figures are read once; most have none
        return hits, False
    text = memo.text
    for rule, near in cues.figure_words(text):
        for q in memo.figures:
            if q.unit != rule.unit or (rule.at_most is not None and q.value > rule.at_most):
                continue
            end = q.start + len(q.text)
            if rule.window is not None and not near.search(
                text, max(0, q.start - rule.window // 3), min(len(text), end + rule.window)
            ):
                continue
            label = f"{q.text} ({rule.what})"
            if rule.contest_from is not None and q.value >= rule.contest_from:
                if q.vague and not rule.vague_contest:
                    continue
                hits.append(Hit(label, -1, NUMBER, q.start, end, figure=True))
            elif rule.echo_below is not None and q.value < rule.echo_below and not q.vague:
                hits.append(Hit(label, 1, NUMBER, q.start, end, figure=True))
    return hits, bool(hits)


def _drop_nested(hits: list[Hit]) -> list[Hit]:
    """A hit inside a longer one is the same words read twice; keep the longer."""
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[Hit] = []
    for h in hits:
        if any(k.start <= h.start and h.end <= k.end for k in kept):
            continue
        kept.append(h)
    return kept


def _absorb(hits: list[Hit], marks: Markers) -> list[Hit]:
    """A framing cue governs the report it frames, in its clause.

    In "has not confirmed that North Korean soldiers are in Russia" or "leaked news about
    special forces spotted in Kursk" or "even 13,000 servicemen would not change the
    momentum", the troops-in-Russia words are the content being
    framed, not a second claim; counting them against the frame would turn every
    non-confirmation into a mixed sentence.
    """
    frames = [h for h in hits if h.strong]
    if not frames:
        return hits
    reach = 30 if marks.unspaced else 90
    kept = []

    def turn_between(h: Hit, f: Hit) -> bool:
        """A turn separates them — unless the frame is the verdict a colon introduces
        right after the claim it judges ('responds to "12,000 troops sent": fake news')."""
        colon = marks.verdict_colon(f.start) if f.start > h.end else None
        if colon is not None:
            return marks.turn_between(h.end, colon)
        return marks.turn_between(min(f.end, h.end), max(f.start, h.start))

    for h in hits:
        governed = any(
            not h.strong
            and f.direction != h.direction
            and max(f.start, h.start) - min(f.end, h.end) <= reach
            and not turn_between(h, f)
            for f in frames
        )
        if not governed:
            kept.append(h)
    return kept


def read_sentence(
    text: str,
    cues: CompiledCues,
    lex: CompiledLexicon,
    *,
    context: bool = False,
    topical: bool = False,
    memo: Memo | None = None,
) -> SentenceSignal | None:
    """The sentence's signal for one position, or ``None`` when it says nothing about it.

    ``context`` tells that the previous sentence was anchored to the position, so a cue
    here ("Peskov called the reports an information duck") may still refer to it.
    ``topical`` tells that the piece is about the position elsewhere, so the plain words
    of its figures ("the troops", "военные", "trade") refer to it too.
    """
    memo = memo if memo is not None else Memo(text, lex)
    anchored = cues.anchored(text)
    if not (anchored or context or cues.numbers):
        return None
    number_hits, near = _number_hits(cues, memo)
    anchored = anchored or near
    if not anchored and topical:
        anchored = bool(cues.figure_words(text))
    if not (anchored or context):
        return None
    raw: list[Hit] = number_hits if anchored else []
    for rx, direction, weight in cues.lists:
        if not anchored and weight < STRONG:
            continue  # only a framing cue reaches back to the previous sentence's topic
        for m in rx.finditer(text):
            start, end = m.span()
            raw.append(Hit(m.group(), direction, weight, start, end, strong=weight >= STRONG))
    if not raw:
        return SentenceSignal(0.0, (), anchored) if anchored else None
    # neutral phrases ("declined to comment") silence the cues inside and around them in
    # their clause, like a frame with no direction, then leave
    marks = memo.marks
    hits = _absorb([_modify(h, marks) for h in _drop_nested(raw)], marks)
    hits = [h for h in hits if h.direction != 0]
    if not hits:
        return SentenceSignal(0.0, (), anchored) if anchored else None
    score = sum(h.direction * h.weight for h in hits)
    # Three hedged cues are still one hedged sentence: cap by its least-modified cue.
    winners = [h.factor for h in hits if h.direction * score > 0]
    cap = max(winners, default=1.0)
    notes: list[str] = []
    if not anchored:
        score *= CONTEXT
        notes.append("context")
    score = max(-cap, min(cap, score))
    return SentenceSignal(
        score, tuple(h.cue for h in hits) + tuple(notes), anchored, tuple(h.kind for h in hits)
    )
