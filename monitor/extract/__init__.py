"""The extract stage: one fetched HTML page → one :class:`monitor.models.ExtractedArticle`.

Public API: :func:`extract`. The modules read in pipeline order: the shared
:mod:`monitor.charset` (bytes → text, the one decoder discovery uses too), ``dom`` (the
cleaned tree), ``metadata`` and ``selectors`` (what the page and the source say), ``body``
(generic readability-style extraction) and ``blocks`` (paragraphs), ``dates``,
``authors``; ``article`` ties them together (the language comes from the shared
:mod:`monitor.language`, which the differ asks too).
"""

from monitor.extract.article import extract

__all__ = ["extract"]
