"""Where a sentence negates, denies, distances, hedges, reports a claim or turns.

These are language facts (from the lexicon), not baseline facts, and they are the same for
every position, so each sentence is scanned for them once and the spans are kept; a cue
hit then asks cheap questions about offsets ("is there a negation in my clause, a few words
before me?") instead of running five regexes per hit.

Clause breaks (for the short negation windows: "did not confirm", "не подтвердил") and
turns (where a framing cue's reach ends: a new clause that can carry its own claim) are
punctuation common to all languages plus each lexicon's `clause_breaks` and `turns` words.
Commas do not turn a sentence ("10,000 troops are in Kursk, Moscow denied"; "trained,
equipped men").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.differ.lexicon import CompiledLexicon

Span = tuple[int, int]

_COMMA = re.compile(r",(?=\s)|[，、]")


@dataclass(frozen=True)
class Markers:
    """The marker spans of one sentence."""

    text: str
    length: int
    unspaced: bool
    agglutinative: bool  # negation after a cue reaches only a few characters
    clause_starts: tuple[int, ...]
    clause_ends: tuple[int, ...]
    turns: tuple[int, ...]
    negation: tuple[Span, ...]
    negation_after: tuple[Span, ...]
    denial: tuple[Span, ...]
    denial_after: tuple[Span, ...]
    distancing: tuple[Span, ...]
    hedges: tuple[Span, ...]
    reports: tuple[Span, ...]
    claims: tuple[Span, ...]

    # ── windows ──────────────────────────────────────────────────────────────────

    def _before(self, start: int) -> int:
        """Start of the negation window before ``start``: a few words, same clause."""
        lo = max(0, start - (10 if self.unspaced else 40))
        return max((e for e in self.clause_ends if lo <= e <= start), default=lo)

    def _after(self, end: int) -> int:
        span = 12 if self.unspaced or self.agglutinative else 30
        hi = min(self.length, end + span)
        return min((s for s in self.clause_starts if end <= s < hi), default=hi)

    @staticmethod
    def _inside(spans: tuple[Span, ...], lo: int, hi: int) -> bool:
        return any(lo <= s and e <= hi for s, e in spans)

    # ── questions a cue hit asks ────────────────────────────────────────────────

    def negated(self, start: int, end: int, assertion: bool) -> bool:
        """A negation close to the cue, in its clause, not cancelled by a denial.

        Negative concord ("никогда не", "ne … jamais", "从未") is one negation, not two.
        Denials count only against assertions (contest cues): "denied sending troops"
        turns the sending round, "dismissed the reports as fake" does not turn "fake";
        and a denial negated is an assertion ("did not deny that troops were sent").
        """
        lo, hi = self._before(start), self._after(end)
        negated = self._inside(self.negation, lo, start) or self._inside(
            self.negation_after, end, hi
        )
        # A denial governs the whole claim it denies, up to a turn ("the Kremlin rejected
        # South Korean suggestions that North Korea may have sent personnel"), however
        # many words the claim takes; a plain negation reaches only a few words.
        since = max((t for t in self.turns if t < start), default=0)
        denied = assertion and (
            self._inside(self.denial, since, start) or self._inside(self.denial_after, end, hi)
        )
        return negated != denied

    def distanced(self, start: int, assertion: bool) -> bool:
        """A distancing marker shortly before: a dozen words for an assertion, only the
        word right before for a verdict ("so-called defensive pact")."""
        if assertion:
            span = 25 if self.unspaced else 90
        else:
            span = 6 if self.unspaced else 16
        return self._inside(self.distancing, max(0, start - span), start)

    def hedged(self, start: int) -> bool:
        return self._inside(self.hedges, max(0, start - (25 if self.unspaced else 90)), start)

    def reported(self, start: int) -> bool:
        """The cue is the content of a reported claim ("reports that troops arrived"),
        introduced earlier in its clause-run."""
        since = max((t for t in self.turns if t < start), default=0)
        return self._inside(self.reports, since, start)

    def claimed(self, start: int) -> bool:
        """A claim marker earlier in the same clause-run ("Kyiv claims that…", up to a
        turn: "…, but Moscow never confirmed it")."""
        since = max((t for t in self.turns if t < start), default=0)
        return self._inside(self.claims, since, start)

    def verdict_colon(self, start: int) -> int | None:
        """The colon (with quotes and spaces around it) that ends right before
        ``start``, where a verdict follows the claim it judges; None if there is none."""
        head = self.text[max(0, start - 4) : start]
        at = max(head.rfind(":"), head.rfind("："))
        if at < 0 or head[at + 1 :].strip(" \"'”“»«」』"):
            return None
        return max(0, start - 4) + at

    def turn_between(self, a: int, b: int) -> bool:
        return any(a <= t < b for t in self.turns)


def _spans(rx: re.Pattern[str] | None, text: str) -> tuple[Span, ...]:
    return () if rx is None else tuple(m.span() for m in rx.finditer(text))


def _turns(text: str, turn: re.Pattern[str]) -> tuple[int, ...]:
    """The turns, and the comma that closes a clause a turn word opened ("While Kyiv says
    X, Moscow denies Y")."""
    out = []
    for m in turn.finditer(text):
        out.append(m.start())
        if text[m.start()].isalpha():
            comma = _COMMA.search(text, m.end())
            if comma:
                out.append(comma.start())
    return tuple(sorted(out))


def markers(text: str, lex: CompiledLexicon) -> Markers:
    """The spans of every marker in ``text``."""
    clauses = [m.span() for m in lex.clause.finditer(text)]
    return Markers(
        text=text,
        length=len(text),
        unspaced=lex.unspaced,
        agglutinative=lex.agglutinative,
        clause_starts=tuple(s for s, _ in clauses),
        clause_ends=tuple(e for _, e in clauses),
        turns=_turns(text, lex.turn),
        negation=_spans(lex.negation, text),
        negation_after=_spans(lex.negation_after, text),
        denial=_spans(lex.denial, text),
        denial_after=_spans(lex.denial_after, text),
        distancing=_spans(lex.distancing, text),
        hedges=_spans(lex.hedges, text),
        reports=_spans(lex.reports, text),
        claims=_spans(lex.claim_markers, text),
    )
