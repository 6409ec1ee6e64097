"""The tables the store queries, declared once for SQLAlchemy Core.

This is the *current* shape of the database; the migrations under ``migrations/versions``
are the history that builds it and never import this module (a migration must keep
meaning what it meant when it was written). ``tests/store/test_migrations.py`` compares
the two so they cannot drift apart.

Times are ``UTCDateTime``: aware datetimes in, aware UTC datetimes out, on every dialect.
SQLite has no time-zone type, so the value is stored as naive UTC text there, which also
keeps string order equal to time order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that refuses naive values and always comes back aware, in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            # The Store checks its arguments first; this is the last line of defence.
            raise ValueError(f"naive datetime {value.isoformat()} reached the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _article_key() -> Column[int]:
    """The key of a table that holds differ results of an article (gone with it)."""
    return Column(
        "article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )


sources = Table(
    "sources",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("camp", String(16), nullable=False),
    Column("language", String(16), nullable=False),
)

captures = Table(
    "captures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("final_url", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("warc_path", Text),
    Column("warc_offset", BigInteger),
    Column("content_type", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("not_modified", Boolean, nullable=False),
    Column("source_id", String(64)),
    Index("ix_captures_url_fetched", "url", "fetched_at"),
)
# One row per recorded response; NULLs are distinct in a plain unique index, hence the
# coalesce (a response that was not written to WARC has no path and no offset).
Index(
    "uq_captures_record",
    captures.c.url,
    captures.c.sha256,
    func.coalesce(captures.c.warc_path, ""),
    func.coalesce(captures.c.warc_offset, -1),
    unique=True,
)

links = Table(
    "links",
    metadata,
    Column("url", Text, primary_key=True),  # canonical
    Column("source_id", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("attempts", Integer, nullable=False),  # failed attempts so far
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("canonical_url", Text, nullable=False, unique=True),
    Column("url", Text, nullable=False),  # as seen most recently
    Column("source_id", String(64), nullable=False, index=True),
    Column("camp", String(16), nullable=False),
    Column("language", String(16)),
    Column("title", Text),
    Column("authors", JSON, nullable=False),
    Column("published_at", UTCDateTime),
    # published_at, else first_seen: the time a piece is filed under in a digest week;
    # kept as its own indexed column so week queries need no expression index.
    Column("dated_at", UTCDateTime, nullable=False),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("capture_id", Integer, ForeignKey("captures.id", ondelete="SET NULL")),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    # the Han / kana / Hangul runs of title and text as two-character tokens, for the
    # SQLite full-text index (see ``cjk``); NULL when there are none
    Column("search_cjk", Text),
    # the analysis version of the piece's stances (NULL: none yet, or the text changed
    # since): pending analysis is an index lookup, not a scan of every piece (see 0008)
    Column("analysis_version", String(64), index=True),
    # a week's pieces by date, with what the digest's counts group by: read from the index
    Index("ix_articles_dated_camp", "dated_at", "camp", "source_id"),
)

stances = Table(
    "stances",
    metadata,
    _article_key(),
    Column("position_id", String(16), primary_key=True),
    Column("stance", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("positions_version", String(64), nullable=False, index=True),
    Column("method", String(32), nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
    # How sure the differ is of the stance (0..1); rows from before 0002 read as 1.0.
    Column("confidence", Float, nullable=False, server_default=text("1.0")),
)
# The calls that count (two in three stances are "absent"), for the digest's trends.
Index(
    "ix_stances_called",
    stances.c.article_id,
    stances.c.position_id,
    stances.c.stance,
    sqlite_where=text("stance <> 'absent'"),
    postgresql_where=text("stance <> 'absent'"),
)

# An analyst's label of a piece on a position: one current row per article × position,
# replaced when relabelled. Deliberately not part of ``stances``: the differ replaces its
# rows wholesale on every re-analysis, and a correction must outlive that.
corrections = Table(
    "corrections",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("position_id", String(16), primary_key=True),
    Column("stance", String(16), nullable=False),
    Column("note", Text),
    Column("labelled_by", String(128), nullable=False),
    Column("labelled_at", UTCDateTime, nullable=False),
)

framings = Table(
    "framings",
    metadata,
    _article_key(),
    Column("framing", JSON, nullable=False),
    Column("troop_count", Integer),
    Column("epistemic", String(16)),
    Column("positions_version", String(64), nullable=False),
    Column("method", String(32), nullable=False),
    Column("computed_at", UTCDateTime, nullable=False),
)
Index(
    "ix_framings_troops",
    framings.c.article_id,
    framings.c.troop_count,
    sqlite_where=text("troop_count > 0"),
    postgresql_where=text("troop_count > 0"),
)

crawl_runs = Table(
    "crawl_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(64), nullable=False),
    Column("started", UTCDateTime, nullable=False),
    Column("finished", UTCDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("error", Text),
    Column("counts", JSON, nullable=False),
    Index("ix_crawl_runs_source_started", "source_id", "started"),
    Index("ix_crawl_runs_source_ok_finished", "source_id", "ok", "finished"),
)

# A story: pieces carrying one text (a wire story and its re-runs). The row only gives the
# story its id; what it holds is in ``story_members``, and its origin (the earliest piece)
# is read from there, so a late-found earlier carrier becomes the origin by itself.
stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# Each grouped piece's story, and the fingerprint that placed it there: enough to rebuild
# the in-memory index after a restart without reading or shingling any text.
story_members = Table(
    "story_members",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "story_id",
        Integer,
        ForeignKey("stories.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("exact_hash", String(64), nullable=False),
    Column("signature", LargeBinary),  # MinHash values, little-endian uint32; NULL: too short
    Column("shingles", Integer, nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False),
)

# One row per week and channel once a digest delivery was claimed: "sending" while the
# message is being handed over, "sent" after (see ``deliveries``).
deliveries = Table(
    "deliveries",
    metadata,
    Column("week", String(10), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("message_id", Text),
    Column("recipients", Text),
)

# When each source is next due; a daemon claims a visit by moving next_visit on (0007).
visit_schedule = Table(
    "visit_schedule",
    metadata,
    Column("source_id", String(64), primary_key=True),
    Column("next_visit", UTCDateTime, nullable=False),
    Column("claimed_by", Text),
    Column("claimed_at", UTCDateTime),
)

# One row per ISO week whose weekly digest a daemon claimed; finished once written (0007).
digest_runs = Table(
    "digest_runs",
    metadata,
    Column("week", String(8), primary_key=True),
    Column("holder", Text, nullable=False),
    Column("claimed_until", UTCDateTime, nullable=False),
    Column("finished", UTCDateTime),
)

# The pieces whose analysis failed (the differ raised, its worker died…), one row per
# piece with its latest failure, read by `monitor status` per source (0009). A piece that
# fails again moves its row on; the row goes with the piece.
analysis_failures = Table(
    "analysis_failures",
    metadata,
    _article_key(),
    Column("source_id", String(64), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("failed_at", UTCDateTime, nullable=False),
    Index("ix_analysis_failures_source_failed", "source_id", "failed_at"),
)
