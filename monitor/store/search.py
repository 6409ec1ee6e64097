"""Full-text search over stored articles, one statement per dialect.

Every whitespace-separated term must occur, as a substring and ignoring case, in the
title or the text; results come newest first (by publication, else first sighting), as an
analyst following a story reads them. Substring rather than word matching is deliberate:
Chinese has no spaces between words and Russian inflects (a search for «Курск» should
find «Курской области»), and it makes both databases give the same answers.

- SQLite with the ``articles_fts`` trigram index: terms of three or more characters go
  through FTS5 ``MATCH``; shorter ones (the many two-character Chinese words such as
  朝鲜) cannot use a trigram index and are checked with ``LIKE`` on the matching rows.
- SQLite without FTS5: ``LIKE`` per term. SQLite's LIKE folds case in ASCII only, so
  there (and for terms under three characters) «курской» does not find «Курской».
- PostgreSQL: ``ILIKE`` per term, a sequential scan (about 150 ms per 3,000 articles
  here). ``to_tsvector``/``plainto_tsquery`` were tried and rejected: the 'simple' parser
  cannot match inside a Chinese run or across Russian endings, and ranking with
  ``ts_rank`` cost five times the scan. A pg_trgm GIN index would make ILIKE indexed if
  the corpus ever grows enough to need it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, literal_column, or_, select, table, text

from monitor.store.schema import articles

TRIGRAM = 3
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


def _fts_phrase(term: str) -> str:
    """A term as an FTS5 string: quotes doubled, so query syntax in it is literal."""
    return '"' + term.replace('"', '""') + '"'


def sqlite_search(terms: list[str], limit: int, *, fts: bool) -> Select[tuple[object, ...]]:
    long_terms = [t for t in terms if len(t) >= TRIGRAM] if fts else []
    short_terms = [t for t in terms if t not in long_terms]
    query = select(articles).where(*(_contains(t, ilike=False) for t in short_terms))
    if long_terms:
        match = " AND ".join(map(_fts_phrase, long_terms))
        query = query.join(
            table("articles_fts"), literal_column("articles_fts.rowid") == articles.c.id
        ).where(text("articles_fts MATCH :match").bindparams(match=match))
    return query.order_by(*NEWEST_FIRST).limit(limit)


def postgres_search(terms: list[str], limit: int) -> Select[tuple[object, ...]]:
    return (
        select(articles)
        .where(*(_contains(t, ilike=True) for t in terms))
        .order_by(*NEWEST_FIRST)
        .limit(limit)
    )
