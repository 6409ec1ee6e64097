"""The stories stage: wire copy and its re-runs grouped into one *story*.

A Reuters, AP, TASS or Xinhua dispatch is re-run by many outlets — a new headline, a local
lead on top, paragraphs trimmed or reordered — and counting pieces weighs it once per
outlet. Each stored piece is placed in a story as it arrives (``StoryGrouper.assign``):
by its normalised-text hash when the words are the same, else by MinHash LSH over word
shingles (character shingles for Chinese and Japanese). The store keeps each piece's story
and fingerprint; the digest counts stories beside pieces and names the earliest carrier of
each as its origin.

    normalise  text folded (case, accents, compatibility forms, look-alike letters)
    shingles   word / character runs as 32-bit hashes
    sketch     datasketch MinHash signatures, Jaccard and containment
    bands      the LSH buckets, as numpy arrays
    index      the placing rule over everything grouped so far
    grouper    assignment as pieces arrive, kept in step with the store
"""

from __future__ import annotations

from .grouper import StoryGrouper, StoryLedger
from .index import Fingerprint, StoryIndex, fingerprint

__all__ = ["Fingerprint", "StoryGrouper", "StoryIndex", "StoryLedger", "fingerprint"]
