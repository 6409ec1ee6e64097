"""Full-text search over stored articles, one statement per dialect.

Every whitespace-separated term must occur in the title or the text, ignoring case;
results come newest first (by publication, else first sighting), as an analyst following
a story reads them.

- SQLite with ``articles_fts`` (FTS5, ``unicode61``; see migration 0003): a word matches
  the words it begins («Курск» finds «Курской», «sanction» finds «sanctions»), so Russian
  endings need no stemming. A term of Han, kana or Hangul is looked up as its
  two-character tokens in ``search_cjk`` («朝鲜» is one token, «战略伙伴» the phrase
  "战略 略伙 伙伴»), so Chinese without spaces and Korean with its particles («북한군은»)
  are found from two characters up. Terms that hold more than word characters
  («100%», «G7峰会») are also checked with ``LIKE``, so they match literally.
- SQLite without FTS5: ``LIKE`` per term. SQLite's LIKE folds case in ASCII only, so
  there «курской» does not find «Курской».
- PostgreSQL: ``ILIKE`` per term (substring, any case), a sequential scan (about 150 ms
  per 3,000 articles here). ``to_tsvector``/``plainto_tsquery`` were tried and rejected:
  the 'simple' parser cannot match inside a Chinese run or across Russian endings, and
  ranking with ``ts_rank`` cost five times the scan. A pg_trgm GIN index would make
  ILIKE indexed if the corpus ever grows enough to need it.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Select, literal_column, or_, select, table, text

from monitor.store import cjk
from monitor.store.schema import articles

NEWEST_FIRST = (articles.c.dated_at.desc(), articles.c.id.desc())


def terms_of(query: str) -> list[str]:
    return [t for t in query.split() if t]


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(term: str, *, ilike: bool) -> ColumnElement[bool]:
    pattern = _like_pattern(term)
    columns = (articles.c.title, articles.c.text)
    if ilike:
        return or_(*(c.ilike(pattern, escape="\\") for c in columns))
    return or_(*(c.like(pattern, escape="\\") for c in columns))


_WORD = re.compile(r"[^\W_]+")


def _fts_query(term: str) -> tuple[str | None, bool]:
    """The FTS5 expression for one term, and whether ``LIKE`` must confirm it too."""
    if cjk.is_cjk(term):
        if len(term) < 2:
            return None, True
        return f'search_cjk : "{" ".join(cjk.bigrams(term))}"', False
    words = _WORD.findall(term)
    if not words:
        return None, True
    literal = len(words) > 1 or words[0] != term
    return '{title text} : "' + " ".join(words) + '" *', literal


def sqlite_search(terms: list[str], limit: int, *, fts: bool) -> Select[tuple[object, ...]]:
    matches: list[str] = []
    confirm: list[str] = []
    for term in terms:
        expression, literal = _fts_query(term) if fts else (None, True)
        if expression is not None:
            matches.append(f"({expression})")
        if literal:
            confirm.append(term)
    query = select(articles).where(*(_contains(t, ilike=False) for t in confirm))
    if matches:
        query = query.join(
            table("articles_fts"), literal_column("articles_fts.rowid") == articles.c.id
        ).where(text("articles_fts MATCH :match").bindparams(match=" AND ".join(matches)))
    return query.order_by(*NEWEST_FIRST).limit(limit)


def postgres_search(terms: list[str], limit: int) -> Select[tuple[object, ...]]:
    return (
        select(articles)
        .where(*(_contains(t, ilike=True) for t in terms))
        .order_by(*NEWEST_FIRST)
        .limit(limit)
    )
